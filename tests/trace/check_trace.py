#!/usr/bin/env python3
"""Independent checks of slotlab's trace, stats and dump output.

Everything here is derived from the Intel SDM's rules (Vol. 3A ch. 4) or from
tools that are not slotlab (Python's json parser, binutils' nm and objdump),
never from slotlab's own code. Exit status 0 when every check passes; each
failure prints one line. Used by tests/trace/oracle_test.cpp.

  check_trace.py run --jsonl T.jsonl --text T.txt --stats S.json --dump D.json
                     --nm NM.txt --objdump OBJ64.txt --objdump32 OBJ32.txt
  check_trace.py filter --full FULL.jsonl --filtered F.jsonl
                     [--va LO-HI] [--slots A,B-C] [--icount LO-HI] [--cr3 V] [--pcid N]
                     [--types tlb,walk,...]
"""
import argparse
import json
import re
import sys

ADDR = 0x000F_FFFF_FFFF_F000          # bits 51:12 of a paging entry (SDM table 4-15..4-20)
SHIFT = {"4K": 12, "2M": 21, "1G": 30}
failures = []


def fail(msg):
    failures.append(msg)


def strict_loads(text):
    def bad_constant(name):
        raise ValueError("non-standard JSON constant " + name)
    return json.loads(text, parse_constant=bad_constant)


def load_jsonl(path):
    out = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            try:
                out.append(strict_loads(line))
            except ValueError as e:
                fail(f"{path}:{n}: not JSON: {e}")
    return out


def h(s):
    return int(s, 16)


def canonical(la):
    la &= (1 << 48) - 1
    return la | (0xFFFF << 48) if la & (1 << 47) else la


def index(la, level):
    # SDM Vol. 3A §4.5: PML4 index = bits 47:39, PDPT 38:30, PD 29:21, PT 20:12.
    return (la >> (12 + 9 * (level - 1))) & 511


# ---- trace records ---------------------------------------------------------

def check_structure(recs, path):
    if not recs or recs[0].get("type") != "header" or recs[-1].get("type") != "end":
        fail(f"{path}: must start with a header record and end with an end record")
        return []
    body = recs[1:-1]
    if recs[-1]["records"] != len(body):
        fail(f"{path}: end.records={recs[-1]['records']} but {len(body)} records")
    last = -1
    for r in body:
        for k, t in (("icount", int), ("rip", str), ("cpl", int), ("cr3", str), ("pcid", int), ("type", str)):
            if not isinstance(r.get(k), t):
                fail(f"{path}: record without {k}: {r}")
                return body
        if r["icount"] < last:
            fail(f"{path}: icount goes backwards at {r}")
        last = r["icount"]
        if r["cpl"] not in (0, 1, 2, 3) or not 0 <= r["pcid"] < 4096:
            fail(f"{path}: bad cpl/pcid in {r}")
        # With CR4.PCIDE=1 the PCID is CR3[11:0] (SDM §4.10.1); with it 0, PCID 0.
        if r["pcid"] not in (0, h(r["cr3"]) & 0xFFF):
            fail(f"{path}: pcid {r['pcid']} disagrees with cr3 {r['cr3']}")
    return body


def check_walks(body):
    """Each paging entry read from memory sits where the SDM says (§4.5)."""
    prev = None
    for r in body:
        if r["type"] != "walk":
            prev = None
            continue
        la, level = h(r["linear"]), r["level"]
        if r["index"] != index(la, level):
            fail(f"walk index {r['index']} != SDM index {index(la, level)} for {r['linear']} level {level}")
        if r["from_psc"]:
            prev = r
            continue
        if level == 4:
            table = h(r["cr3"]) & ADDR
        elif prev is not None and prev["linear"] == r["linear"] and prev["level"] == level + 1:
            table = h(prev["raw"]) & ADDR
        else:
            table = None  # the walk started from a paging-structure cache outside the trace
        if table is not None and h(r["entry_pa"]) != table + 8 * index(la, level):
            fail(f"walk {r['linear']} level {level}: entry at {r['entry_pa']}, SDM says {hex(table + 8 * index(la, level))}")
        raw = h(r["raw"])
        present = raw & 1
        if not present and r["check"] != "not-present":
            fail(f"walk step with P=0 not reported as not-present: {r}")
        ps = level in (2, 3) and raw & 0x80
        if r["leaf"] != bool(present and (level == 1 or ps)) and r["check"] == "ok":
            fail(f"walk leaf flag wrong: {r}")
        prev = r


def check_fills(body):
    """A TLB fill right after a walk maps what the walk's leaf entry says."""
    leaf = None
    for r in body:
        if r["type"] == "walk" and r["leaf"]:
            leaf = r
        elif r["type"] == "tlb" and r["event"] == "fill" and leaf and leaf["icount"] == r["icount"] \
                and leaf["linear"] == r["linear"]:
            e = r["entry"]
            sh = SHIFT[e["orig_size"]]
            base = h(leaf["raw"]) & ADDR & ~((1 << sh) - 1)
            want = (base | (h(r["linear"]) & ((1 << sh) - 1))) >> SHIFT[e["size"]]
            if h(e["pfn"]) != want:
                fail(f"fill pfn {e['pfn']} != leaf entry's frame {hex(want)} at icount {r['icount']}")
            if h(e["vpn"]) != (h(r["linear"]) & ((1 << 48) - 1)) >> SHIFT[e["size"]]:
                fail(f"fill vpn {e['vpn']} does not match linear {r['linear']}")
            raw = h(leaf["raw"])
            if e["g"] and not raw & 0x100:
                fail(f"global TLB entry from a leaf without G: {r}")
        elif r["type"] in ("pf", "cr3", "invlpg", "invpcid"):
            leaf = None


def check_faults(body):
    """#PF error code bits (SDM §4.7): P, W/R, U/S, RSVD, I/D."""
    for r in body:
        if r["type"] != "pf":
            continue
        ec = h(r["error_code"])
        if bool(ec & 1) == (r["check"] == "not-present"):
            fail(f"pf P bit wrong for check {r['check']}: {r['error_code']}")
        if bool(ec & 2) != (r["access"] == "write"):
            fail(f"pf W bit wrong for a {r['access']}: {r['error_code']}")
        if bool(ec & 8) != (r["check"] == "reserved"):
            fail(f"pf RSVD bit wrong: {r}")
        if r["access"] != "fetch" and ec & 16:
            fail(f"pf I/D bit set for a data access: {r}")


def check_against_stats(body, stats):
    """Events in the trace and counters in --stats-json come from different
    code in the MMU; they must agree."""
    t = stats["totals"]
    count = lambda pred: sum(1 for r in body if pred(r))
    for name, pred in (
            ("l2_misses", lambda r: r["type"] == "tlb" and r["event"] == "miss"),
            ("faults", lambda r: r["type"] == "pf"),
            ("cr3_loads", lambda r: r["type"] == "cr3"),
            ("invlpg", lambda r: r["type"] == "invlpg"),
            ("invpcid", lambda r: r["type"] == "invpcid"),
            ("stale", lambda r: r["type"] == "stale")):
        if count(pred) != t[name]:
            fail(f"trace has {count(pred)} {name} records, stats say {t[name]}")
    for kind, key in (("tlb", "arrays"), ("psc", "pscs")):
        for a in stats[key]:
            for ev, field in (("hit", "hits"), ("fill", "fills"), ("evict", "evictions")):
                n = count(lambda r: r["type"] == kind and r["event"] == ev and r["array"] == a["name"])
                if n != a[field]:
                    fail(f"{a['name']}: {n} {ev} records, stats say {field}={a[field]}")
            for cause, want in a["invalidations"].items():
                n = count(lambda r: r["type"] == kind and r["event"] == "invalidate"
                          and r["array"] == a["name"] and r["cause"] == cause)
                if n != want:
                    fail(f"{a['name']}: {n} invalidations by {cause} in the trace, stats say {want}")


def check_stats(stats):
    c = stats["cost"]
    total = sum(t["cycles"] for t in c["terms"].values())
    for name, t in c["terms"].items():
        if abs(t["count"] * t["latency"] - t["cycles"]) > 0.01:
            fail(f"cost term {name}: {t['count']} x {t['latency']} != {t['cycles']}")
    if abs(total - c["total_cycles"]) > 0.01:
        fail(f"cost total {c['total_cycles']} != sum of terms {total}")
    if "model" not in c["note"]:
        fail("the cost section must say that cycles are a model")
    t = stats["totals"]
    if t["translations"] != t["l1_hits"] + t["l1_misses"]:
        fail("translations != L1 hits + L1 misses")
    if sum(a["hits"] for a in stats["arrays"] if a["level"] == 1) != t["l1_hits"]:
        fail("L1 array hits do not add up to the L1 hit total")


def check_dump(dump):
    for d in dump["dumps"]:
        for a in d["arrays"]:
            seen = set()
            if len(a["entries"]) > a["sets"] * a["ways"]:
                fail(f"{a['name']}: more entries than sets x ways")
            for e in a["entries"]:
                if (e["set"], e["way"]) in seen or e["way"] >= a["ways"] or e["set"] >= a["sets"]:
                    fail(f"{a['name']}: bad or duplicate set/way {e['set']}/{e['way']}")
                seen.add((e["set"], e["way"]))
                if not 0 <= e["age"] < a["ways"]:
                    fail(f"{a['name']}: age {e['age']} outside 0..ways-1")
                if a["kind"] == "tlb":
                    sh = SHIFT[e["size"]]
                    if h(e["vpn"]) & (a["sets"] - 1) != e["set"]:
                        fail(f"{a['name']}: vpn {e['vpn']} is in set {e['set']}, index bits say otherwise")
                    if h(e["linear"]) != canonical(h(e["vpn"]) << sh) or h(e["phys"]) != h(e["pfn"]) << sh:
                        fail(f"{a['name']}: linear/phys disagree with vpn/pfn in {e}")
                else:
                    sh = 12 + 9 * (a["level"] - 1)
                    if h(e["linear"]) != canonical(h(e["tag"]) << sh):
                        fail(f"{a['name']}: linear disagrees with tag in {e}")


# ---- the golden kernel: expectations from its symbols (nm) ------------------

def symbols(nm):
    sym = {}
    for line in open(nm):
        parts = line.split()
        if len(parts) == 3:
            sym[parts[2]] = int(parts[0], 16)
    return sym


def kernel_expectations(body, dump, nm):
    sym = symbols(nm)
    stale = [r for r in body if r["type"] == "stale"]
    if len(stale) != 1:
        fail(f"the kernel forgets one invalidation, so exactly one stale record; got {len(stale)}")
        return
    s = stale[0]
    if h(s["linear"]) != 0x8000000000 or s["slot"] != 1:
        fail(f"stale record names {s['linear']} slot {s['slot']}, expected 0x8000000000 slot 1")
    if h(s["cached"]["pa"]) != sym["page_a"] or h(s["current"]["pa"]) != sym["page_b"]:
        fail(f"stale record: cached {s['cached']['pa']} / memory {s['current']['pa']}, "
             f"expected page_a {hex(sym['page_a'])} / page_b {hex(sym['page_b'])}")
    ch = s["changed"]
    if not ch or h(ch["pa"]) != sym["pml4"] + 8 or h(ch["new"]) != sym["pdpt_b"] | 3 or ch["level"] != 4:
        fail(f"stale record: changed entry should be PML4[1] at {hex(sym['pml4'] + 8)} = pdpt_b|3, got {ch}")
    first = next(r for r in body if r["type"] == "walk" and r["linear"] == "0x8000000000")
    if h(first["entry_pa"]) != sym["pml4"] + 8 or h(first["raw"]) & ADDR != sym["pdpt_a"]:
        fail(f"first slot-1 walk should read PML4[1] -> pdpt_a: {first}")
    pf = [r for r in body if r["type"] == "pf"]
    if len(pf) != 1 or h(pf[0]["linear"]) != 0x10000000000 or pf[0]["check"] != "not-present":
        fail(f"expected one not-present #PF at 0x10000000000, got {pf}")
    at31 = next((d for d in dump["dumps"] if d["icount"] == 31), None)
    if at31:
        held = [e for a in at31["arrays"] if a["kind"] == "tlb" for e in a["entries"]
                if h(e["linear"]) == 0x8000000000]
        if not held or any(h(e["phys"]) != sym["page_a"] for e in held):
            fail(f"after the PML4E swap the TLB must still map slot 1 to page_a: {held}")


def objdump_mnemonics(path):
    insn = {}
    for line in open(path):
        m = re.match(r"\s*([0-9a-f]+):\s+(?:[0-9a-f]{2} )+\s*(\S+)", line)
        if m:
            insn[int(m.group(1), 16)] = m.group(2)
    return insn


def check_text(text_path, body, objdump64, objdump32, nm):
    """The text form: one line per record, same context, and the mnemonic of
    the instruction at RIP as objdump (not Capstone) decodes it. The kernel
    runs 32-bit code below its symbol long_mode, 64-bit code above."""
    boundary = symbols(nm)["long_mode"]
    i64, i32 = objdump_mnemonics(objdump64), objdump_mnemonics(objdump32)
    lines = [l for l in open(text_path) if not l.startswith("#")]
    if len(lines) != len(body):
        fail(f"text trace has {len(lines)} records, jsonl {len(body)}")
        return
    alias = {"ljmp": "jmp", "movabs": "movabs"}
    for line, r in zip(lines, body):
        f = line.split()
        if int(f[0]) != r["icount"] or int(f[1], 16) != h(r["rip"]) or int(f[2]) != r["cpl"] \
                or int(f[3], 16) != h(r["cr3"]) or int(f[4], 16) != r["pcid"]:
            fail(f"text/jsonl context differ: {line.strip()} vs {r}")
            return
        mnem = line.split(" ; ", 1)[1].split()[0]
        want = (i64 if h(r["rip"]) >= boundary else i32).get(h(r["rip"]))
        if want is None:
            fail(f"RIP {r['rip']} is not an instruction boundary per objdump")
        elif alias.get(mnem, mnem) != want:
            fail(f"disassembly at {r['rip']}: {mnem}, objdump says {want}")


# ---- filters -----------------------------------------------------------------

def parse_range(s):
    lo, _, hi = s.partition("-")
    return int(lo, 0), int(hi, 0)


def check_filter(a):
    full = check_structure(load_jsonl(a.full), a.full)
    filt = check_structure(load_jsonl(a.filtered), a.filtered)
    slots = set()
    if a.slots:
        for part in a.slots.split(","):
            lo, _, hi = part.partition("-")
            slots.update(range(int(lo), int(hi or lo) + 1))

    cats = {"tlb": ("tlb", "psc"), "walk": ("walk",), "cr3": ("cr3",), "invlpg": ("invlpg", "invpcid"),
            "pf": ("pf",), "stale": ("stale",)}
    types = None
    if a.types:
        types = {t for c in a.types.split(",") for t in cats[c]}

    def keep(r):
        if types is not None and r["type"] not in types:
            return False
        if a.icount:
            lo, hi = parse_range(a.icount)
            if not lo <= r["icount"] <= hi:
                return False
        if a.cr3 and h(r["cr3"]) & ADDR != int(a.cr3, 0) & ADDR:
            return False
        if a.pcid is not None and r["pcid"] != a.pcid:
            return False
        if "linear" in r:  # address filters apply to records with an address
            la = h(r["linear"])
            if a.va:
                lo, hi = parse_range(a.va)
                if not lo <= la <= hi:
                    return False
            if slots and (la >> 39) & 511 not in slots:
                return False
        return True

    want = [r for r in full if keep(r)]
    if want != filt:
        fail(f"filtered trace has {len(filt)} records, filtering the full trace gives {len(want)}")
        for x, y in zip(want, filt):
            if x != y:
                fail(f"first difference: expected {x}, got {y}")
                break


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    for opt in ("--jsonl", "--text", "--stats", "--dump", "--nm", "--objdump", "--objdump32"):
        r.add_argument(opt)
    f = sub.add_parser("filter")
    f.add_argument("--full", required=True)
    f.add_argument("--filtered", required=True)
    f.add_argument("--va")
    f.add_argument("--slots")
    f.add_argument("--icount")
    f.add_argument("--cr3")
    f.add_argument("--pcid", type=int)
    f.add_argument("--types")
    a = p.parse_args()
    if a.cmd == "filter":
        check_filter(a)
    else:
        body = check_structure(load_jsonl(a.jsonl), a.jsonl)
        check_walks(body)
        check_fills(body)
        check_faults(body)
        stats = dump = None
        if a.stats:
            stats = strict_loads(open(a.stats).read())
            check_stats(stats)
            check_against_stats(body, stats)
        if a.dump:
            dump = strict_loads(open(a.dump).read())
            check_dump(dump)
        if a.nm and dump:
            kernel_expectations(body, dump, a.nm)
        if a.text and a.objdump and a.objdump32 and a.nm:
            check_text(a.text, body, a.objdump, a.objdump32, a.nm)
    for m in failures[:50]:
        print("FAIL:", m)
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
