#!/usr/bin/env python3
"""ctest driver for lockstep.py (standard library only).

  qemu    : QEMU vs QEMU from the end of the entry stub's .bss clearing through
            the switch to long mode: must report no divergence, and must have
            compared steps in both 32-bit and 64-bit state.
  layouts : QEMU vs a proxy stub that has no target description and switches
            from gdb's i386 register layout to amd64 at EFER.LMA (regproxy.py):
            no divergence, and both layouts were served.
  detect  : the same proxy flips RAX bit 0 after step K: lockstep must exit 1
            and name that step and RAX.

usage: test_lockstep.py KERNEL MODE [--qemu PATH] [--steps N]
"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, HERE)
import lockstep  # noqa: E402
from regproxy import RegProxy  # noqa: E402


def run_tool(args, extra):
    cmd = [sys.executable, os.path.join(HERE, "lockstep.py"), args.kernel, "--qemu", args.qemu,
           "--start", "rt_entry_bss_done", "--steps", str(args.steps)] + extra
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    print(p.stdout + p.stderr)
    return p.returncode, p.stdout


def with_proxy(args, corrupt_at):
    port = lockstep.free_port()
    qemu = lockstep.start_qemu(args.qemu, args.kernel, port)
    try:
        proxy = RegProxy(port, corrupt_at)
        proxy.start()
        rc, out = run_tool(args, ["--b-addr", f"127.0.0.1:{proxy.port}"])
        proxy.join(timeout=10)
        if proxy.error:
            print(f"proxy failed: {proxy.error!r}")
            return None
        return rc, out, proxy
    finally:
        qemu.kill()
        qemu.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kernel")
    ap.add_argument("mode", choices=["qemu", "layouts", "detect"])
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--steps", type=int, default=3000)
    args = ap.parse_args()

    if args.mode == "qemu":
        rc, out = run_tool(args, ["--b", "qemu"])
        m = re.search(r"no divergence in (\d+) steps \((\d+) compared as 32-bit state, (\d+) as 64-bit", out)
        ok = rc == 0 and m and int(m.group(2)) > 0 and int(m.group(3)) > 0
        print("PASS" if ok else "FAIL: want no divergence and steps in both 32-bit and 64-bit state")
        return 0 if ok else 1

    corrupt = args.steps - 200 if args.mode == "detect" else None
    res = with_proxy(args, corrupt)
    if res is None:
        return 1
    rc, out, proxy = res
    if args.mode == "layouts":
        ok = rc == 0 and proxy.layouts_served == {"i386", "amd64"}
        print(f"layouts served: {sorted(proxy.layouts_served)}")
        print("PASS" if ok else "FAIL: want no divergence across an i386 -> amd64 layout change")
        return 0 if ok else 1
    m = re.search(r"DIVERGENCE after step (\d+)", out)
    # A re-issued step on the proxy side moves its count ahead of lockstep's by one.
    ok = rc == 1 and m and corrupt - 5 <= int(m.group(1)) <= corrupt and re.search(r"\n  rax .*<--", out)
    print("PASS" if ok else f"FAIL: want a divergence in RAX reported at step {corrupt}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
