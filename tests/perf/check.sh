#!/usr/bin/env bash
# Runs one perf kernel briefly on QEMU and on slotlab and compares them.
#   check.sh QEMU SLOTLAB KERNEL ITERS
# Passes when both exit 33 (isa-debug-exit 0x10: no self-check failed) and
# print the same "perf ..." line, whose checksum is computed by the guest's
# arithmetic: QEMU is the oracle for slotlab's result.
set -euo pipefail
(($# == 4)) || { echo "usage: check.sh QEMU SLOTLAB KERNEL ITERS" >&2; exit 2; }
qemu=$1 slotlab=$2 kernel=$3 iters=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

qrc=0
timeout --kill-after=5 30 "$qemu" -cpu max -m 256 -display none -monitor none -serial stdio -no-reboot \
  -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$kernel" -append "iters=$iters" \
  </dev/null >"$work/qemu.out" 2>"$work/qemu.err" || qrc=$?
erc=0
timeout --kill-after=5 30 "$slotlab" run "$kernel" --cmdline "iters=$iters" \
  </dev/null >"$work/emu.out" 2>"$work/emu.err" || erc=$?

status=0
for n in qemu emu; do
  rc=$qrc; [[ $n == emu ]] && rc=$erc
  if [[ $rc != 33 ]]; then echo "[$n] exit status $rc, want 33" >&2; status=1; fi
  if ! grep -q "^perf .* iters=$iters " "$work/$n.out"; then
    echo "[$n] no 'perf ... iters=$iters' line" >&2; status=1
  fi
done
q=$(grep '^perf ' "$work/qemu.out" || true)
e=$(grep '^perf ' "$work/emu.out" || true)
if [[ "$q" != "$e" ]]; then
  echo "result lines differ:" >&2; echo "  qemu: $q" >&2; echo "  emu:  $e" >&2; status=1
fi
if ((status)); then
  for n in qemu emu; do echo "---- $n:" >&2; tail -n 20 "$work/$n.out" >&2; head -c 1000 "$work/$n.err" >&2; done
  exit 1
fi
echo "check: $(basename "$kernel"): $e"
