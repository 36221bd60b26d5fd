#!/usr/bin/env python3
"""Lockstep: run one kernel on two gdb-remote targets, single-step both and
report the first instruction after which RIP, a GPR or RFLAGS differ.

Target A is QEMU (started here with -S -gdb). Target B is a second QEMU
(--b qemu), any command that opens a gdb stub (--b-cmd, with {port} and
{kernel} substituted), or a stub already listening (--b-addr HOST:PORT).
See README.md in this folder. Exit status: 0 no divergence, 1 divergence,
2 usage or setup error, 3 a target failed (timeout, lost connection).
"""
import argparse
import collections
import os
import shlex
import socket
import struct
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gdbremote import GPR64, Gdb, GdbError  # noqa: E402

GPR32 = GPR64[:8]
LMA = 1 << 10


def elf_entry_and_symbols(path):
    """e_entry and {symbol: value} from an ELF32 or ELF64 file."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF":
        raise SystemExit(f"lockstep: {path} is not an ELF file")
    is64 = data[4] == 2
    if is64:
        entry, shoff = struct.unpack_from("<Q8xQ", data, 24)
        shentsize, shnum = struct.unpack_from("<HH", data, 58)
    else:
        entry, shoff = struct.unpack_from("<I4xI", data, 24)
        shentsize, shnum = struct.unpack_from("<HH", data, 46)
    sections = []
    for i in range(shnum):
        o = shoff + i * shentsize
        if is64:
            _, typ, _, _, off, size, link, _, _, entsize = struct.unpack_from("<IIQQQQIIQQ", data, o)
        else:
            _, typ, _, _, off, size, link, _, _, entsize = struct.unpack_from("<IIIIIIIIII", data, o)
        sections.append((typ, off, size, link, entsize))
    symbols = {}
    for typ, off, size, link, entsize in sections:
        if typ != 2 or not entsize:  # SHT_SYMTAB
            continue
        stroff = sections[link][1]
        for k in range(size // entsize):
            o = off + k * entsize
            if is64:
                name, _, _, _, value, _ = struct.unpack_from("<IBBHQQ", data, o)
            else:
                name, value, _, _, _, _ = struct.unpack_from("<IIIBBH", data, o)
            end = data.index(b"\0", stroff + name)
            symbols[data[stroff + name:end].decode()] = value
    return entry, symbols


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_qemu(qemu, kernel, port):
    cmd = [qemu, "-cpu", "max", "-m", "256", "-display", "none", "-monitor", "none", "-serial", "null",
           "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-S",
           "-gdb", f"tcp:127.0.0.1:{port}", "-kernel", kernel]
    return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


class Target:
    def __init__(self, name, gdb, proc=None):
        self.name, self.gdb, self.proc, self.exited = name, gdb, proc, None

    def regs(self):
        return self.gdb.read_registers()[:2]

    def step(self):
        reply = self.gdb.step()
        if reply[:1] in ("W", "X"):
            self.exited = reply
        elif reply[:1] not in ("T", "S"):
            raise GdbError(f"{self.name}: unexpected stop reply {reply[:40]!r}")

    def close(self):
        self.gdb.kill()
        if self.proc:
            try:
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def compared(values, layout, other_layout):
    """(register names, value mask) to compare in the current state."""
    narrow = not layout.wide or not other_layout.wide or ("efer" in values and not values["efer"] & LMA)
    if narrow:
        return GPR32 + ["rip", "rflags"], 0xFFFFFFFF, True
    return GPR64 + ["rip", "rflags"], (1 << 64) - 1, False


def same_state(x, y):
    return all(x.get(r) == y.get(r) for r in GPR64 + ["rip", "rflags"])


def compat_like(a, b):
    """Differences only in upper halves / r8-r15, with A's values all 32-bit and r8-r15 = 0:
    what QEMU reports in a compatibility-mode code segment."""
    if any(a.get(r, 0) for r in GPR64[8:]) or any(a.get(r, 0) >> 32 for r in GPR64 + ["rip"]):
        return False
    return all((a.get(r, 0) ^ b.get(r, 0)) & 0xFFFFFFFF == 0 for r in GPR32 + ["rip"])


def disassemble(code, wide):
    if not code:
        return ""
    with tempfile.NamedTemporaryFile(suffix=".bin") as f:
        f.write(code)
        f.flush()
        try:
            out = subprocess.run(["objdump", "-D", "-b", "binary", "-m", "i386:x86-64" if wide else "i386",
                                  f.name], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            return ""
    lines = [ln for ln in out.splitlines() if ln.strip().startswith("0:")]
    return lines[0].split("\t")[-1].strip() if lines else ""


def report(step, a, b, before, history, names, mask, a_name, b_name, code, wide):
    print(f"DIVERGENCE after step {step}: the instruction at rip {before.get('rip', 0):#x} "
          f"({code.hex(' ') if code else '?'}{' = ' + disassemble(code, wide) if code else ''})")
    print(f"  recent rips: {' '.join(hex(r) for r in history)}")
    print(f"  {'reg':6} {a_name:>20} {b_name:>20}")
    for r in names + [x for x in ("cs", "ss", "efer") if x in a and x in b]:
        va, vb = a.get(r, 0), b.get(r, 0)
        m = mask if r in names else (1 << 64) - 1
        mark = "  <--" if (va ^ vb) & m else ""
        print(f"  {r:6} {va:#20x} {vb:#20x}{mark}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("kernel")
    ap.add_argument("--steps", type=int, default=100000, help="instructions to compare (default 100000)")
    ap.add_argument("--start", help="symbol or address to run both targets to first (default: ELF entry)")
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--a-addr", help="use a stub already listening as target A instead of starting QEMU")
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--b", choices=["qemu"], help="target B is a second QEMU")
    g.add_argument("--b-cmd", help="command opening a gdb stub; {port} and {kernel} are substituted")
    g.add_argument("--b-addr", help="HOST:PORT of a stub already listening")
    ap.add_argument("--no-sync", action="store_true", help="do not copy A's GPRs/RIP/RFLAGS to B at the start")
    ap.add_argument("--compat-mask", action="store_true",
                    help="tolerate differences only in upper halves/r8-r15 where QEMU reports a 32-bit segment")
    ap.add_argument("--rep-coalesce", action="store_true",
                    help="step a target again while its RIP stays put (REP iterations), so per-iteration and "
                         "whole-instruction stepping compare equal")
    ap.add_argument("--timeout", type=float, default=20.0, help="seconds per stub request (default 20)")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()

    entry, symbols = elf_entry_and_symbols(args.kernel)
    start = entry
    if args.start:
        start = symbols[args.start] if args.start in symbols else int(args.start, 0)
    log = (lambda *a: None) if args.quiet else (lambda *a: print(*a, file=sys.stderr))

    targets = []
    try:
        if args.a_addr:
            host, port = args.a_addr.rsplit(":", 1)
            targets.append(Target("A", Gdb(host, int(port), args.timeout)))
        else:
            port = free_port()
            proc = start_qemu(args.qemu, args.kernel, port)
            targets.append(Target("A(qemu)", Gdb("127.0.0.1", port, args.timeout), proc))
        if args.b:
            port = free_port()
            proc = start_qemu(args.qemu, args.kernel, port)
            targets.append(Target("B(qemu)", Gdb("127.0.0.1", port, args.timeout), proc))
        elif args.b_cmd:
            port = free_port()
            cmd = [w.replace("{port}", str(port)).replace("{kernel}", args.kernel) for w in shlex.split(args.b_cmd)]
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
            targets.append(Target("B", Gdb("127.0.0.1", port, args.timeout), proc))
        else:
            host, port = args.b_addr.rsplit(":", 1)
            targets.append(Target("B", Gdb(host, int(port), args.timeout)))
        return run(args, targets, start, log)
    except GdbError as e:
        print(f"lockstep: {e}", file=sys.stderr)
        return 3
    finally:
        for t in targets:
            t.close()


def run(args, targets, start, log):
    a, b = targets
    for t in targets:
        t.gdb.handshake()
        values, _ = t.regs()
        if values.get("rip") != start:
            reply = t.gdb.run_to(start, args.timeout)
            values, _ = t.regs()
            if values.get("rip") != start:
                raise GdbError(f"{t.name} stopped at {values.get('rip', 0):#x} ({reply[:20]}), not at {start:#x}")
        log(f"lockstep: {t.name} at {start:#x}, {'target description' if t.gdb.layout else 'inferred layout'}")
    if not args.no_sync:
        va, _ = a.regs()
        vb, _ = b.regs()
        diff = [r for r in GPR64 + ["rip", "rflags"] if r in va and r in vb and va[r] != vb[r]]
        if diff:
            log(f"lockstep: copying A's {' '.join(diff)} to B (the multiboot spec leaves them undefined)")
            b.gdb.write_registers({r: va[r] for r in GPR64 + ["rip", "rflags"] if r in va})

    history = collections.deque(maxlen=8)
    narrow_steps = wide_steps = retried = 0
    va, _ = a.regs()
    vb, _ = b.regs()
    for step in range(1, args.steps + 1):
        before, before_b = va, vb
        history.append(before.get("rip", 0))
        for t in targets:
            rip0 = t.regs()[0].get("rip") if args.rep_coalesce else None
            t.step()
            while args.rep_coalesce and not t.exited and t.regs()[0].get("rip") == rip0:
                t.step()
        if a.exited or b.exited:
            if a.exited and b.exited:
                print(f"lockstep: both targets exited at step {step} ({a.exited}, {b.exited})")
                return 0 if a.exited == b.exited else 1
            print(f"DIVERGENCE at step {step}: only {(a if a.exited else b).name} exited "
                  f"({a.exited or b.exited}); last rip {before.get('rip', 0):#x}")
            return 1
        va, la = a.regs()
        vb, lb = b.regs()
        # QEMU's gdbstub now and then reports a single-step stop without having
        # executed anything. If exactly one side made no progress, step it again.
        for _ in range(3):
            stuck_a, stuck_b = same_state(va, before), same_state(vb, before_b)
            if stuck_a == stuck_b:
                break
            lag = a if stuck_a else b
            lag.step()
            retried += 1
            if lag is a:
                va, la = a.regs()
            else:
                vb, lb = b.regs()
        names, mask, narrow = compared(va, la, lb)
        narrow_steps += narrow
        wide_steps += not narrow
        bad = [r for r in names if (va.get(r, 0) ^ vb.get(r, 0)) & mask]
        if bad and args.compat_mask and compat_like(va, vb):
            bad = []
        if bad:
            code = a.gdb.read_memory(before.get("rip", 0), 15)
            report(step, va, vb, before, history, names, mask, a.name, b.name, code, la.wide)
            if not narrow and compat_like(va, vb):
                print("  (only upper halves / r8-r15 differ and A looks 32-bit: QEMU reports registers "
                      "zero-extended in a compatibility-mode segment; --compat-mask tolerates this)")
            return 1
    print(f"lockstep: no divergence in {args.steps} steps "
          f"({narrow_steps} compared as 32-bit state, {wide_steps} as 64-bit state; "
          f"{retried} steps re-issued after a stop without progress)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
