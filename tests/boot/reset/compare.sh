#!/usr/bin/env bash
# Each reset or power-off path on QEMU (-no-reboot) and on slotlab: both must
# stop at it with status 0 and the same transcript. Then each reset path
# again with rebooting on (QEMU without -no-reboot, slotlab --reboot): both
# must boot the kernel a second time and pass, with the same transcript.
# usage: compare.sh QEMU SLOTLAB KERNEL
set -u
qemu=$1 slotlab=$2 kernel=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
for path in 92 cf9 kbc kbcout s5 triple; do
  timeout 30 "$qemu" -cpu max -m 256 -display none -monitor none -serial stdio -no-reboot \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$kernel" -append "$path" >"$work/q" 2>"$work/qe"
  q=$?
  timeout 30 "$slotlab" run "$kernel" --cmdline "$path" >"$work/s" 2>"$work/se"
  s=$?
  tr -d '\r' <"$work/q" >"$work/q2"
  if [[ $q != 0 || $s != 0 ]] || ! diff -u "$work/q2" "$work/s" >"$work/d"; then
    echo "FAIL $path: qemu exit $q, slotlab exit $s"; cat "$work/d"; cat "$work/se"; fail=1
  else
    echo "ok   $path: both stopped ($(tail -n 1 "$work/s")); slotlab: $(tail -n 1 "$work/se")"
  fi
done
for path in 92 cf9 kbc kbcout triple; do
  timeout 30 "$qemu" -cpu max -m 256 -display none -monitor none -serial stdio \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$kernel" -append "reboot-$path" >"$work/q" 2>"$work/qe"
  q=$?
  timeout 30 "$slotlab" run "$kernel" --reboot --cmdline "reboot-$path" >"$work/s" 2>"$work/se"
  s=$?
  tr -d '\r' <"$work/q" >"$work/q2"
  if [[ $q != 33 || $s != 33 ]] || ! grep -q "booted again" "$work/s" || ! diff -u "$work/q2" "$work/s" >"$work/d"; then
    echo "FAIL reboot-$path: qemu exit $q, slotlab exit $s (want 33: the second boot passes)"; cat "$work/d"; cat "$work/se"
    fail=1
  else
    echo "ok   reboot-$path: both booted again and passed; slotlab: $(grep rebooted "$work/se")"
  fi
done
exit $fail
