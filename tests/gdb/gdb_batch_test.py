#!/usr/bin/env python3
"""The system gdb against `slotlab gdbserver` on the real guest (ctest gdb.batch.*).

Each scenario starts its own stub on port 0 (the stub prints the port it got,
so parallel runs never collide), drives gdb in batch mode with the guest's
ELF64 symbols, and checks gdb's output against oracles the stub did not
produce: the ELF symbol table and file bytes, the guest's C++ enums for the
command line we passed, and the guest's own tick counter.

  session  break on a kernel symbol, continue, step, read a variable,
           stepi + reverse-stepi: PC and every GPR back to before
  reverse  breakpoint hit twice, reverse-continue: back at the first hit,
           with the guest's g_ticks as it was then
  watch    write watchpoint on g_ticks: old/new values, PC in on_timer_tick
  phys     Qqemu.PhyMemMode: physical and virtual reads of kernel_main both
           equal the ELF's bytes; a physical read of an unmapped virtual address
  monitor  monitor help / info / pml4 (CR3 from gdb's own $cr3)
  interrupt  a raw client: 'c', Ctrl-C, T02; it leaves mid-run, the machine
           stays paused and gdb attaches afterwards at the same instruction

usage: gdb_batch_test.py SLOTLAB KERNEL_ELF32 SYMBOLS_ELF64 SCENARIO [--gdb gdb]
"""
import argparse
import os
import re
import socket
import struct
import subprocess
import sys
import time

TIMEOUT = 120


def elf64_symbols(path):
    """{name: (value, size)} and a virtual-address -> file-bytes reader for an ELF64."""
    data = open(path, "rb").read()
    assert data[:4] == b"\x7fELF" and data[4] == 2, f"{path} is not ELF64"
    phoff, shoff = struct.unpack_from("<QQ", data, 32)
    phentsize, phnum, shentsize, shnum = struct.unpack_from("<HHHH", data, 54)
    segs = []
    for i in range(phnum):
        typ, _, off, vaddr, paddr, filesz, _, _ = struct.unpack_from("<IIQQQQQQ", data, phoff + i * phentsize)
        if typ == 1:
            segs.append((vaddr, paddr, off, filesz))
    secs = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    syms = {}
    for _, typ, _, _, off, size, link, _, _, entsize in secs:
        if typ != 2:
            continue
        stroff = secs[link][4]
        for k in range(size // entsize):
            name, _, _, _, value, sz = struct.unpack_from("<IBBHQQ", data, off + k * entsize)
            end = data.index(b"\0", stroff + name)
            syms[data[stroff + name:end].decode()] = (value, sz)

    def file_bytes(vaddr, n):
        for v, p, off, filesz in segs:
            if v <= vaddr and vaddr + n <= v + filesz:
                return data[off + vaddr - v: off + vaddr - v + n], p + vaddr - v
        raise KeyError(hex(vaddr))
    return syms, file_bytes


def demangled(syms, plain):
    """A free function's symbol: `plain` itself or its Itanium-mangled form _Z<len><plain><params>."""
    if plain in syms:
        return syms[plain]
    prefix = f"_Z{len(plain)}{plain}"
    for name, v in syms.items():
        if name.startswith(prefix):
            return v
    raise KeyError(plain)


class Stub:
    # `slotlab gdbserver KERNEL` and `slotlab run KERNEL --gdb` are the same stub.
    subcommand = "gdbserver"

    def __init__(self, slotlab, kernel, cmdline):
        self.proc = subprocess.Popen([slotlab, Stub.subcommand, kernel, "--cmdline", cmdline, "--gdb", "127.0.0.1:0",
                                      "--gdb-wait"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        line = self.proc.stderr.readline()
        m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
        if not m:
            self.proc.kill()
            raise SystemExit(f"stub did not start: {line!r}")
        self.port = int(m.group(1))

    def close(self):
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise SystemExit("FAIL: the stub did not exit after gdb's kill")


def gdb(args, port, symfile, commands):
    cmd = [args.gdb, "-batch", "-nx", "-ex", "set confirm off", "-ex", "set pagination off",
           "-ex", f"file {symfile}", "-ex", f"target remote 127.0.0.1:{port}"]
    for c in commands + ["kill"]:
        cmd += ["-ex", c]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
    out = p.stdout + p.stderr
    print(out)
    return out


def values(out, key):
    return [int(v, 16) for v in re.findall(rf"^{key}=([0-9a-f]+)$", out, re.M)]


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    return ok


REGS = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12", "r13", "r14",
        "r15", "eflags"]


def dump_regs(tag):
    return 'printf "' + tag + " " + " ".join(f"{r}=%lx" for r in REGS) + '\\n", ' + ", ".join(f"${r}" for r in REGS)


def session(args, syms, _):
    vm_init = demangled(syms, "vm_init")[0]
    stub = Stub(args.slotlab, args.kernel, "workload=selftest")
    out = gdb(args, stub.port, args.symbols, [
        "break vm_init", "continue", 'printf "AT=%lx\\n", $pc',
        'printf "WORKLOAD=%x\\n", (int)g_cfg.workload', "print g_cfg",
        'printf "PC0=%lx\\n", $pc', "step", 'printf "PC1=%lx\\n", $pc',
        'printf "S0=%lx\\n", $pc', dump_regs("BEFORE"), "stepi", 'printf "S1=%lx\\n", $pc',
        "reverse-stepi", 'printf "S2=%lx\\n", $pc', dump_regs("AFTER")])
    stub.close()
    ok = check(values(out, "AT") == [vm_init], f"stopped at vm_init = {vm_init:#x} (ELF symbol table)")
    # guest/kernel/config.h: enum class Workload { Demo, Selftest, ... }; we passed workload=selftest.
    ok &= check(values(out, "WORKLOAD") == [1] and "Workload::Selftest" in out, "g_cfg.workload is Selftest")
    pc0, pc1 = values(out, "PC0"), values(out, "PC1")
    ok &= check(pc0 and pc1 and pc0 != pc1, "step moved the PC")
    s0, s1, s2 = values(out, "S0"), values(out, "S1"), values(out, "S2")
    ok &= check(s0 and s1 and s0 != s1 and s0 == s2, f"stepi moved the PC and reverse-stepi brought it back ({s0} {s1} {s2})")
    before = re.search(r"^BEFORE (.*)$", out, re.M)
    after = re.search(r"^AFTER (.*)$", out, re.M)
    ok &= check(before and after and before.group(1) == after.group(1), "every GPR and RFLAGS as before the stepi")
    return ok


def reverse(args, syms, _):
    tick = demangled(syms, "on_timer_tick")[0]
    stub = Stub(args.slotlab, args.kernel, "workload=selftest")
    out = gdb(args, stub.port, args.symbols, [
        "break on_timer_tick", "continue", 'printf "T1=%x PC=%lx\\n", g_ticks, $pc',
        "continue", 'printf "T2=%x PC=%lx\\n", g_ticks, $pc',
        "reverse-continue", 'printf "T3=%x PC=%lx\\n", g_ticks, $pc'])
    stub.close()
    got = {k: re.search(rf"^{k}=([0-9a-f]+) PC=([0-9a-f]+)$", out, re.M) for k in ("T1", "T2", "T3")}
    if not all(got.values()):
        return check(False, "three stops at on_timer_tick")
    t = {k: (int(m.group(1), 16), int(m.group(2), 16)) for k, m in got.items()}
    ok = check(all(pc == tick for _, pc in t.values()), f"every stop at on_timer_tick = {tick:#x}")
    ok &= check(t["T2"][0] == t["T1"][0] + 1, "the guest counted one tick between the hits")
    ok &= check(t["T3"][0] == t["T1"][0], "reverse-continue is back at the first hit, g_ticks as it was")
    return ok


def watch(args, syms, _):
    lo, size = demangled(syms, "on_timer_tick")
    stub = Stub(args.slotlab, args.kernel, "workload=selftest")
    out = gdb(args, stub.port, args.symbols, [
        "break kernel_main", "continue", "watch g_ticks", "continue", 'printf "PC=%lx\\n", $pc',
        "continue", 'printf "PC=%lx\\n", $pc'])
    stub.close()
    ok = check(re.search(r"Hardware watchpoint 2: g_ticks\s+Old value = 0\s+New value = 1", out) is not None,
               "watchpoint reports g_ticks 0 -> 1")
    ok &= check(re.search(r"Old value = 1\s+New value = 2", out) is not None, "and then 1 -> 2")
    pcs = values(out, "PC")
    ok &= check(len(pcs) == 2 and all(lo <= pc < lo + size for pc in pcs),
                f"stopped inside on_timer_tick [{lo:#x}, {lo + size:#x})")
    return ok


def phys(args, syms, file_bytes):
    km = syms["kernel_main"][0]
    want, pa = file_bytes(km, 8)
    stub = Stub(args.slotlab, args.kernel, "workload=selftest")
    out = gdb(args, stub.port, args.symbols, [
        "break kernel_main", "continue",
        "x/8xb kernel_main",
        "maint packet qqemu.PhyMemMode", "maint packet Qqemu.PhyMemMode:1", "maint packet qqemu.PhyMemMode",
        f"x/8xb {pa:#x}",
        f"x/8xb {km:#x}",  # far above RAM: must fail physically
        "maint packet Qqemu.PhyMemMode:0", "x/8xb kernel_main"])
    stub.close()
    dumps = re.findall(r"^0x[0-9a-f]+(?: <[^>]*>)?:\s+((?:0x[0-9a-f]{2}\s*)+)$", out, re.M)
    as_bytes = [bytes(int(b, 16) for b in re.findall(r"0x([0-9a-f]{2})", d)) for d in dumps]
    print("dumps:", [b.hex() for b in as_bytes], "want", want.hex())
    ok = check(len(as_bytes) == 3 and all(b == want[:8] for b in as_bytes),
               "virtual, physical and virtual again read the ELF's bytes of kernel_main")
    ok &= check('received: "0"' in out and 'received: "1"' in out, "qqemu.PhyMemMode reports the mode")
    ok &= check(re.search(rf"Cannot access memory at address {km:#x}", out) is not None,
                "in physical mode the kernel's virtual address is not memory")
    return ok


def monitor(args, syms, _):
    stub = Stub(args.slotlab, args.kernel, "workload=selftest")
    out = gdb(args, stub.port, args.symbols, [
        "break run_selftest", "continue", "monitor help", "monitor info", 'printf "CR3=%lx\\n", $cr3',
        "monitor pml4", "monitor calls 3", "monitor tasks", "monitor bogus"])
    stub.close()
    cr3 = values(out, "CR3")
    ok = check("monitor pml4" in out and "monitor calls" in out, "monitor help lists the commands")
    ok &= check(re.search(r"icount \d+\s+rip 0xffffffff[0-9a-f]+ .*run_selftest", out) is not None,
                "monitor info names the symbol at RIP")
    ok &= check(bool(cr3) and f"cr3={cr3[0] & ~0xFFF:#x}" in out.replace("cr3=0x", "cr3=0x"),
                "monitor pml4 lists the address space gdb's $cr3 points to")
    ok &= check(re.search(r"slot 511 .*entry 0x[0-9a-f]+", out) is not None, "the kernel's slot 511 is present")
    ok &= check("unknown monitor command 'bogus'" in out, "unknown commands are reported, not fatal")
    return ok


class Raw:
    """Just enough of the protocol to send ^C and to vanish mid-run."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=20)
        self.buf = b""

    def send(self, payload):
        raw = payload.encode()
        self.s.sendall(b"$" + raw + b"#%02x" % (sum(raw) & 0xFF))

    def packet(self):
        while True:
            m = re.search(rb"\$([^#]*)#[0-9a-f]{2}", self.buf)
            if m:
                self.buf = self.buf[m.end():]
                self.s.sendall(b"+")
                return m.group(1).decode()
            chunk = self.s.recv(65536)
            if not chunk:
                raise SystemExit("FAIL: the stub closed the connection")
            self.buf += chunk


def interrupt(args, syms, _):
    # Still running 2 s in: the bench sweep with 1000 calls per point (~0.8 G instructions, ~10 s).
    stub = Stub(args.slotlab, args.kernel, "workload=bench calls=1000")
    c = Raw(stub.port)
    c.send("?")
    first = c.packet()
    c.send("c")
    time.sleep(1.0)
    t0 = time.time()
    c.s.sendall(b"\x03")
    stop = c.packet()
    latency = time.time() - t0
    ok = check(first.startswith("T05") and stop.startswith("T02"), f"Ctrl-C stops a running guest with T02 ({stop[:20]})")
    ok &= check(latency < 2.0, f"within {latency * 1000:.0f} ms")
    c.send("qRcmd," + b"info".hex())
    info = ""
    while True:
        p = c.packet()
        if p == "OK":
            break
        info += bytes.fromhex(p[1:]).decode()
    icount1 = int(re.search(r"icount (\d+)", info).group(1))
    ok &= check(icount1 > 1_000_000, f"the guest ran ({icount1} instructions)")
    c.send("c")
    time.sleep(0.5)
    c.s.close()  # vanish while it runs: the stub must stop the machine and wait
    time.sleep(0.5)
    out = gdb(args, stub.port, args.symbols, ["monitor info", "monitor info", "info registers rip"])
    stub.close()
    counts = [int(x) for x in re.findall(r"^icount (\d+)", out, re.M)]
    ok &= check(len(counts) == 2 and counts[0] == counts[1] > icount1,
                "after the client vanished the machine is paused (icount still) and gdb attaches")
    ok &= check(re.search(r"^rip\s+0x[0-9a-f]+", out, re.M) is not None, "registers readable after re-attach")
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("slotlab")
    ap.add_argument("kernel")
    ap.add_argument("symbols")
    ap.add_argument("scenario", choices=["session", "reverse", "watch", "phys", "monitor", "interrupt"])
    ap.add_argument("--gdb", default="gdb")
    ap.add_argument("--via", choices=["gdbserver", "run"], default="gdbserver",
                    help="start the stub with `slotlab gdbserver` or `slotlab run --gdb`")
    args = ap.parse_args()
    Stub.subcommand = args.via
    syms, file_bytes = elf64_symbols(args.symbols)
    ok = globals()[args.scenario](args, syms, file_bytes)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
