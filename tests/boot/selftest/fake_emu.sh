#!/usr/bin/env bash
# A stand-in "emulator" for testing run_compare.sh itself: it is QEMU, then
# optionally breaks its own result so the harness must notice.
#   fake_emu.sh same|alter|exit KERNEL
#     same  : QEMU's transcript and status unchanged (the comparison must pass)
#     alter : one value in the transcript changed   (the comparison must fail)
#     exit  : exit status changed                    (the comparison must fail)
set -u
mode=$1 kernel=$2
out=$(qemu-system-x86_64 -cpu max -m 256 -display none -monitor none -serial stdio -no-reboot \
  -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$kernel" </dev/null)
rc=$?
case $mode in
  same) printf '%s\n' "$out" ;;
  alter) printf '%s\n' "$out" | sed '3s/= \([0-9a-f]*\)$/= 1\1/' ;;
  exit) printf '%s\n' "$out"; rc=$((rc + 2)) ;;
esac
exit "$rc"
