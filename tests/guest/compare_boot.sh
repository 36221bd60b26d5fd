#!/usr/bin/env bash
# Boot the guest on QEMU and on slotlab with the same command line, check both
# transcripts with check_boot.sh, and require them to match line for line once
# the RDTSC tick numbers are masked.
#   compare_boot.sh WORKLOAD QEMU SLOTLAB KERNEL "CMDLINE"
set -uo pipefail
workload=$1 qemu=$2 slotlab=$3 kernel=$4 cmdline=$5
here=$(cd "$(dirname "$0")" && pwd)
ref=$(mktemp)
trap 'rm -f "$ref"' EXIT
bash "$here/check_boot.sh" "$workload" 1 --save "$ref" -- \
  "$qemu" -cpu max -m 256 -display none -serial stdio -no-reboot -monitor none \
  -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$kernel" -append "$cmdline" || exit 1
bash "$here/check_boot.sh" "$workload" 1 --compare "$ref" -- \
  "$slotlab" run "$kernel" --cmdline "$cmdline" --max-insns 20000000000
