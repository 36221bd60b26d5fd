#!/usr/bin/env bash
# The boot manifest handed over by the boot loader: guest/manifest.txt with
# one change -- evil also granted the VGA device -- passed as a multiboot
# module whose string's second word is "manifest" (QEMU -initrd, slotlab
# --initrd, the same syntax). On both machines the kernel must say it took
# the loader's manifest, refuse only evil's ports and disk, and exactly the attack on
# VGA memory must now breach (the kernel's own evidence). A module without
# the word leaves the embedded manifest in force: nothing breaches.
# usage: manifest_module.sh QEMU SLOTLAB GUEST_IMAGE SOURCE_DIR
set -u
qemu=$1 slotlab=$2 kernel=$3 src=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed -E 's/^(evil .*)$/\1 device=vga/' "$src/guest/manifest.txt" > "$work/policy.txt"
grep -q '^evil .* device=vga$' "$work/policy.txt" || { echo "FAIL: no evil line to change"; exit 1; }
qemu_cmd=("$qemu" -cpu max -m 256 -display none -monitor none -serial stdio -no-reboot
  -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$kernel" -append "workload=attacks")
fail=0
for engine in qemu slotlab; do
  if [[ $engine == qemu ]]; then cmd=("${qemu_cmd[@]}" -initrd "$work/policy.txt manifest")
  else cmd=("$slotlab" run "$kernel" --initrd "$work/policy.txt manifest" --cmdline "workload=attacks"); fi
  out=$("${cmd[@]}" < /dev/null 2>&1 | tr -d '\r')
  size=$(stat -c %s "$work/policy.txt")
  if grep -qx "MANIFEST from the boot loader: $size bytes" <<< "$out" &&
      grep -qx "MANIFEST refused: evil asked for ports=0x20-0x21 device=virtio-blk" <<< "$out" &&
      bash "$src/tests/guest/expect_breaches.sh" "self_granted_vga" -- "${cmd[@]}" > /dev/null; then
    echo "ok   $engine: the loader's manifest granted evil the VGA, and only that attack breached"
  else
    echo "FAIL $engine"; grep -E '^(MANIFEST|ATTACK)' <<< "$out" | head -40; fail=1
  fi
  # A module that is not marked as the manifest changes nothing.
  if [[ $engine == qemu ]]; then cmd=("${qemu_cmd[@]}" -initrd "$work/policy.txt")
  else cmd=("$slotlab" run "$kernel" --initrd "$work/policy.txt" --cmdline "workload=attacks"); fi
  out=$("${cmd[@]}" < /dev/null 2>&1 | tr -d '\r')
  if ! grep -q '^MANIFEST from the boot loader' <<< "$out" && grep -qx 'ATTACKS total=[0-9]* breaches=0' <<< "$out"; then
    echo "ok   $engine: an unmarked module leaves the embedded manifest"
  else
    echo "FAIL $engine (unmarked module)"; grep -E '^(MANIFEST|ATTACKS)' <<< "$out"; fail=1
  fi
done
exit $fail
