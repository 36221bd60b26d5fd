#!/usr/bin/env python3
"""Lab 6, the student's trace command, decoded by hand (SDM Vol. 3A 4.5):
index at level L = linear bits (12 + 9(L-1)) + 8 .. 12 + 9(L-1); the PML4E is at
CR3[51:12] + 8 x index, each lower entry at the previous entry's [51:12] + 8 x
index. Usage: walk_by_hand.py SLOTLAB KERNEL"""
import json, os, subprocess, sys, tempfile

slotlab, kernel = sys.argv[1:3]
WINDOW = 0x10041000000          # docs/guest.md: buffer window of depth 1 (slot 2, +1 GiB + 16 MiB)
ADDR = 0x000FFFFFFFFFF000
with tempfile.TemporaryDirectory() as d:
    out = os.path.join(d, "walk.jsonl")
    # The command of docs/teaching/lab6-page-walk.md, with jsonl output.
    cmd = [slotlab, "run", kernel, "--cmdline", "workload=demo",
           "--trace", "walk", "--trace-va", f"{WINDOW:#x}-{WINDOW + 0xfff:#x}", "--trace-max-bytes", "8K",
           "--trace-out", out]
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode not in (0, 1, 4):
        sys.exit(f"slotlab run failed ({r.returncode}): {r.stderr}")
    recs = [json.loads(l) for l in open(out) if l.startswith("{")]
walks = [x for x in recs if x.get("type") == "walk"]
if not walks:
    sys.exit("no walk of the buffer window in the trace")
# The first walk: its records share icount and linear address, top-down.
first = [w for w in walks if w["icount"] == walks[0]["icount"] and w["linear"] == walks[0]["linear"]]
va = int(first[0]["linear"], 16)
cr3 = int(first[0]["cr3"], 16)
table = cr3 & ADDR
fails = 0
for w in first:
    level = w["level"]
    index = (va >> (12 + 9 * (level - 1))) & 511
    entry_pa = table + 8 * index
    raw = int(w["raw"], 16)
    ok = w["index"] == index and int(w["entry_pa"], 16) == entry_pa
    print(f"{'ok ' if ok else 'FAIL'} level {level} {w['entry']:5} index {index:3} entry @{entry_pa:#x} = {raw:#x} {w['flags']}")
    fails += not ok
    table = raw & ADDR
expected_idx = [2, 1, 8, 0]     # 0x10041000xxx: slot 2, GiB 1, 2 MiB page 8, page 0
got_idx = [w["index"] for w in first]
if got_idx != expected_idx[:len(got_idx)] or len(first) != 4:
    print(f"FAIL indices {got_idx}, expected {expected_idx}")
    fails += 1
leaf = first[-1]
if not (leaf["leaf"] and "U" in leaf["flags"].split() and "NX" in leaf["flags"].split()):
    print(f"FAIL the window's PTE should be a user, NX leaf: {leaf['flags']}")
    fails += 1
sys.exit(1 if fails else 0)
