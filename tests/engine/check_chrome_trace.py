#!/usr/bin/env python3
"""Checks a slotlab Chrome trace against an independent call log.

usage: check_chrome_trace.py TRACE.json CALLLOG.txt EVENTS.jsonl

CALLLOG lines are "call TASK DEPTH ICOUNT" / "ret TASK DEPTH ICOUNT", taken by the
test from breakpoints on the guest kernel's annotate_call / annotate_return
(their arguments in RDI/R8 and RDI/RDX, SysV ABI) -- not from the annotation
port the exporter's data comes from. The JSON is parsed by Python's json
module, not by anything of ours. Checks: every slice of a task nests inside
the previous open ones or starts after they end; the nesting depth found from
the intervals is the depth the kernel passed; per task the order of call
starts and ends is the kernel's order; instant events for slot changes and CR3
loads and a TLB-miss counter track exist; every JSONL line is one object.
"""
import json
import sys
from collections import defaultdict


def main():
    trace = json.load(open(sys.argv[1]))
    events = trace["traceEvents"]
    errors = []

    # Tracks are task lives (ids are reused); their names end in "(task N)".
    task_of = {}
    for e in events:
        if e.get("ph") == "M" and e.get("name") == "thread_name":
            name = e["args"]["name"]
            if name.endswith(")") and "(task " in name:
                task_of[e["tid"]] = int(name[name.rindex("(task ") + 6:-1])
    slices = defaultdict(list)
    for e in events:
        if e.get("ph") == "X":
            slices[e["tid"]].append(e)
    bounds_of_task = defaultdict(list)
    for tid, ss in slices.items():
        if tid not in task_of:
            errors.append(f"track {tid} has call slices but no task name")
            continue
        ss.sort(key=lambda s: (s["ts"], -s["dur"]))
        open_ends = []
        bounds = []
        for s in ss:
            start, end = s["ts"], s["ts"] + s["dur"]
            while open_ends and open_ends[-1] <= start:
                open_ends.pop()
            if open_ends and end > open_ends[-1] + 1e-9:
                errors.append(f"tid {tid}: slice {s['name']} at {start} overlaps its parent")
            open_ends.append(end)
            depth = len(open_ends)
            if depth != s["args"]["depth"]:
                errors.append(f"tid {tid}: slice at {start} nests at depth {depth}, args say {s['args']['depth']}")
            bounds.append((start, 1, depth))
            if "status" in s["args"]:
                bounds.append((end, 0, depth))
        bounds_of_task[task_of[tid]] += bounds
    seq_trace = {t: [("call" if k else "ret", d) for _, k, d in sorted(b)] for t, b in bounds_of_task.items()}

    seq_log = defaultdict(list)
    last = defaultdict(int)
    for line in open(sys.argv[2]):
        kind, task, depth, icount = line.split()
        task, depth, icount = int(task), int(depth), int(icount)
        if icount < last[task]:
            errors.append(f"call log not in time order for task {task}")
        last[task] = icount
        seq_log[task].append((kind, depth))
    for task in set(seq_log) | set(seq_trace):
        if seq_log.get(task, []) != seq_trace.get(task, []):
            a, b = seq_log.get(task, []), seq_trace.get(task, [])
            i = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
            errors.append(f"task {task}: kernel log and trace differ at entry {i} "
                          f"(log {a[i:i+3]}, trace {b[i:i+3]}; {len(a)} vs {len(b)} entries)")

    cats = defaultdict(int)
    for e in events:
        if e.get("ph") == "i":
            cats[e.get("cat")] += 1
        if e.get("ph") == "C":
            cats["counter"] += 1
    for need in ("slot_change", "cr3_load", "counter"):
        if cats[need] == 0:
            errors.append(f"no {need} events")

    n = 0
    for line in open(sys.argv[3]):
        obj = json.loads(line)
        if obj["i"] != n:
            errors.append(f"jsonl line {n} has i={obj['i']}")
        n += 1
    if n == 0:
        errors.append("empty jsonl")

    for e in errors[:20]:
        print(e)
    calls = sum(len(v) for v in slices.values())
    print(f"{calls} slices on {len(slices)} tracks, {sum(len(v) for v in seq_log.values())} kernel log entries, "
          f"{n} jsonl lines, {len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
