#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target into tests/fuzz/corpus/NAME/
(docs/reliability.md). Seeds are small, hand-made and valid, so the fuzzers
start from inputs that reach deep; run it again after changing a format.
Inputs that once crashed are kept next to them as regress-* files."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def put(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


# ---- decoder: byte 0 = mode (1: 64-bit, 0: 32-bit), then the instruction
for name, mode, hexs in [
    ("mov_rax_imm64", 1, "48b88877665544332211"), ("add_mem_sib", 1, "0344b108"),
    ("rep_movsb", 1, "f3a4"), ("lock_cmpxchg", 1, "f0480fb10b"), ("syscall", 1, "0f05"),
    ("mov_cr3", 1, "0f22d8"), ("invpcid", 1, "660f388208"), ("vex_ud", 1, "c5f877"),
    ("rip_rel", 1, "488b0510000000"), ("prefixes15", 1, "6666666666666666666666666648b8"),
    ("push_es32", 0, "06"), ("les32", 0, "c40510000000"), ("jmp_far32", 0, "ea000000000800"),
]:
    put("decoder", name, bytes([mode]) + bytes.fromhex(hexs))

# ---- exec: byte 0 = config (bit 0 ring 3, 1 compat, 2 regs into data, 3 IF,
# 4 SMEP/SMAP, 5 PGE, 6 AC, 7 DF), 16 code bytes, then RAX..R15.
def code16(h):
    b = bytes.fromhex(h)
    return b + b"\x90" * (16 - len(b))

regs = b"".join(struct.pack("<Q", 0x100 * (i + 1)) for i in range(16))
for name, cfg, h in [
    ("ring0_store", 0x04, "48890748ffc0"), ("ring3_store", 0x05, "48890748ffc0"),
    ("ring3_cli", 0x01, "fa"), ("ring0_movcr3", 0x00, "0f22d8"), ("ring3_syscall", 0x05, "0f05"),
    ("ring0_int3", 0x00, "cc"), ("ring0_rep_stos", 0x04, "f348ab"), ("ring3_compat_push", 0x07, "50586a00"),
    ("ring0_lgdt", 0x04, "0f0117"), ("ring0_iretq", 0x04, "48cf"), ("ring3_div0", 0x05, "48f7f1"),
    ("ring0_hlt", 0x08, "f4"), ("ring3_smap", 0x15, "488b07"),
]:
    put("exec", name, bytes([cfg]) + code16(h) + regs)

# ---- loader: tiny multiboot kernels
MB_MAGIC, MB_FLAGS = 0x1BADB002, 0x3
def mb_header(flags=MB_FLAGS, extra=b""):
    return struct.pack("<III", MB_MAGIC, flags, (-(MB_MAGIC + flags)) & 0xFFFFFFFF) + extra

def elf(is64, code, with_syms):
    load = 0x100000
    ehsize, phsize, shsize = (64, 56, 64) if is64 else (52, 32, 40)
    text_off = 0x100
    body = code
    strtab = b"\0_start\0"
    shstr = b"\0.text\0.symtab\0.strtab\0.shstrtab\0"
    if is64:
        sym = struct.pack("<IBBHQQ", 0, 0, 0, 0, 0, 0) + struct.pack("<IBBHQQ", 1, 0x12, 0, 1, load, len(code))
    else:
        sym = struct.pack("<IIIBBH", 0, 0, 0, 0, 0, 0) + struct.pack("<IIIBBH", 1, load, len(code), 0x12, 0, 1)
    out = bytearray(text_off) + body
    def app(b):
        off = len(out)
        out.extend(b)
        return off
    sym_off = app(sym) if with_syms else 0
    str_off = app(strtab) if with_syms else 0
    shs_off = app(shstr) if with_syms else 0
    while len(out) % 8: out.append(0)
    sh_off = len(out) if with_syms else 0
    secs = []
    if with_syms:
        #        name type flags addr off size link info align entsize
        secs = [(0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
                (1, 1, 6, load, text_off, len(body), 0, 0, 16, 0),
                (7, 2, 0, 0, sym_off, len(sym), 3, 1, 8, 24 if is64 else 16),
                (15, 3, 0, 0, str_off, len(strtab), 0, 0, 1, 0),
                (23, 3, 0, 0, shs_off, len(shstr), 0, 0, 1, 0)]
        for s in secs:
            out.extend(struct.pack("<IIQQQQIIQQ", *s) if is64 else struct.pack("<IIIIIIIIII", *s))
    ident = b"\x7fELF" + bytes([2 if is64 else 1, 1, 1]) + bytes(9)
    if is64:
        eh = ident + struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, load, ehsize, sh_off, 0, ehsize, phsize, 1,
                                 shsize, len(secs), 4 if secs else 0)
        ph = struct.pack("<IIQQQQQQ", 1, 5, text_off, load, load, len(body), len(body) + 0x1000, 0x1000)
    else:
        eh = ident + struct.pack("<HHIIIIIHHHHHH", 2, 3, 1, load, ehsize, sh_off, 0, ehsize, phsize, 1,
                                 shsize, len(secs), 4 if secs else 0)
        ph = struct.pack("<IIIIIIII", 1, text_off, load, load, len(body), len(body) + 0x1000, 5, 0x1000)
    out[0:len(eh)] = eh
    out[ehsize:ehsize + len(ph)] = ph
    return bytes(out)

code = mb_header() + b"\xfa\xf4\xeb\xfd"
put("loader", "elf32_syms", elf(False, code, True))
put("loader", "elf64_syms", elf(True, code, True))
put("loader", "elf32_nosyms", elf(False, code, False))
# a.out kludge: header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr
hdr_at = 0x100000
aout = mb_header(0x10003, struct.pack("<IIIII", hdr_at, hdr_at, hdr_at + 0x40, hdr_at + 0x1000, hdr_at + 0x30))
put("loader", "aout_kludge", aout + bytes(0x30 - len(aout)) + b"\xfa\xf4\xeb\xfd" + bytes(12))

# ---- gdb: byte 0 = chunk size - 1, then the client's bytes
def pkt(p):
    return "$%s#%02x" % (p, sum(p.encode()) % 256)

sessions = {
    "handshake": ["qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386", "QStartNoAckMode", "?",
                  "qXfer:features:read:target.xml:0,ffb", "Hg0", "qAttached", "qC", "qfThreadInfo", "g"],
    "memory": ["m1000,40", "M1000,4:90909090", "X1000,2:\x90\x90", "m2000,10", "Qqemu.PhyMemMode:1", "m2000,10",
               "Qqemu.PhyMemMode:0", "mffffffffffffffff,10"],
    "points": ["Z0,1000,1", "Z1,1004,1", "Z2,2000,8", "c", "z0,1000,1", "s", "bs", "bc", "vCont?", "vCont;s:1",
               "vCont;c"],
    "regs": ["p10", "P10=0010000000000000", "g", "G" + "00" * 200, "p99", "T1", "qRcmd,696e666f"],
    "detach_kill": ["D", "?", "k"],
}
for name, ps in sessions.items():
    put("gdb", name, bytes([7]) + ("+".join(pkt(p) for p in ps) + "+").encode("latin-1"))
put("gdb", "interrupt_nack", bytes([0]) + b"\x03-+" + pkt("c").encode() + b"\x03" + b"$m0,1#00")

# ---- annotation: dword streams (docs/annotation.md)
def s_dwords(s):
    b = s.encode() + b"\0"
    while len(b) % 4: b += b"\0"
    return list(struct.unpack("<%dI" % (len(b) // 4), b))

def rec(t, payload):
    return [0xA5 | t << 8 | len(payload) << 16] + payload

def stream(*recs):
    d = [x for r in recs for x in r]
    return struct.pack("<%dI" % len(d), *d)

put("annotation", "boot", stream(
    rec(1, [0x200000, 0, 1, 0xFFFFFFFF] + s_dwords("app")),
    rec(2, [2, 0x300000, 0, 0x80, 0x80, 0x81000000, 0, 0x100, 0, 0x81000100, 0, 0x80, 0] + s_dwords("fs")),
    rec(3, [1, 0xFFFFFFFF, 1] + s_dwords("client")),
    rec(6, s_dwords("bench"))))
put("annotation", "call_return", stream(
    rec(4, [1, 1, 2, 7, 1, 1, 0x80001000, 0x80, 0x40000000, 0x100, 0x200]),
    rec(5, [1, 2, 0, 0]), rec(7, [1, 0xF7, 0])))
put("annotation", "resync_unknown", stream([0x12345678], rec(0x7F, [1, 2, 3]), rec(4, [1])))

# ---- trace_filter: NUL-separated --trace, --trace-format, --trace-va, --trace-cr3,
# --trace-pcid, --trace-icount, --trace-max-bytes, --trace-slot, --trace-slot
for name, fields in [
    ("all", ["all", "text", "", "", "", "", "", "", ""]),
    ("filters", ["tlb,walk,pf", "jsonl", "0x8000000000-0x80ffffffff", "0x1000", "3", "100-2000", "64K",
                 "1,2-4", "256-511"]),
    ("open_ranges", ["cr3,invlpg", "", "-0xffff", "", "", "5-", "1_000_000", "0", ""]),
    ("bad", ["tlb,nope", "xml", "5-1", "0x", "4096", "-", "9G9", "512", "1-0"]),
]:
    put("trace_filter", name, "\0".join(fields))

# ---- tlb_config: description files (docs/mmu.md "Custom description files")
put("tlb_config", "mycore", """name    mycore
seed    42
array   l1d  level=1 side=D sizes=4K,2M entries=64 ways=4 policy=plru
array   l1i  level=1 side=I sizes=4K sets=16 ways=8
array   l2   level=2 side=U sizes=4K,2M,1G entries=1024 ways=full policy=lru
psc     pml4 entries=4
cost    l2_hit=9 walk=20 mem_ref=4 base_cpi=1 l1_hit=0 cr3_load=0 invlpg=0
""")
put("tlb_config", "tiny", """# tiny teaching TLB
name tiny
array itlb level=1 side=I sizes=4K entries=4 ways=full policy=random
array dtlb level=1 side=D sizes=4K,2M,1G entries=4 ways=2
psc pml4 entries=2
psc pdpt entries=2 ways=1
psc pd sets=2 ways=2 policy=lru
""")
put("tlb_config", "none", "name nothing\nmodel none\n")
