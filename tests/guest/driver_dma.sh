#!/usr/bin/env bash
# A driver that programs DMA into memory it was not given (attack
# driver_dma_outside). guest/manifest.txt with one change -- evil granted the
# virtio-blk device as well as blk -- passed as the boot manifest, with a
# ustar disk attached, on QEMU (virtio-blk-pci) and on slotlab (--disk), in
# the module-area and IPC kernels. Evil then asks the device, through the
# kernel and around it, to read a disk block into the kernel's memory. On
# both machines every attack must be contained by the kernel's evidence (the
# canary unchanged, the driver ended on a fault when it reached for the
# registers) and the disk image left as it was.
# usage: driver_dma.sh QEMU SLOTLAB GUEST_IMAGE SOURCE_DIR
set -u
qemu=$1 slotlab=$2 kernel=$3 src=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed -E 's/^(evil .*)$/\1 device=virtio-blk/' "$src/guest/manifest.txt" > "$work/policy.txt"
grep -q '^evil .* device=virtio-blk$' "$work/policy.txt" || { echo "FAIL: no evil line to change"; exit 1; }
mkdir "$work/src"
echo "the message of the day" > "$work/src/motd.txt"  # toctou_lookup looks it up
(cd "$work/src" && tar --format=ustar -cf "$work/orig.img" motd.txt) || { echo "FAIL tar"; exit 1; }
fail=0
for variant in "mode=modarea flush=cr3" "mode=ipc flush=pcid"; do
  for engine in qemu slotlab; do
    cp "$work/orig.img" "$work/disk.img"
    if [[ $engine == qemu ]]; then
      cmd=("$qemu" -cpu max -m 256 -display none -monitor none -serial stdio -no-reboot
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 -drive "file=$work/disk.img,format=raw,if=none,id=d0"
        -device virtio-blk-pci,drive=d0 -kernel "$kernel" -initrd "$work/policy.txt manifest"
        -append "workload=attacks $variant")
    else
      cmd=("$slotlab" run "$kernel" --disk "$work/disk.img" --initrd "$work/policy.txt manifest"
        --cmdline "workload=attacks $variant")
    fi
    out=$(timeout 300 "${cmd[@]}" < /dev/null 2>&1 | tr -d '\r')
    if grep -qx "MANIFEST refused: evil asked for ports=0x20-0x21 device=vga" <<< "$out" &&
        grep -qx "ATTACK driver_dma_outside: contained" <<< "$out" &&
        grep -qx "ATTACKS total=[0-9]* breaches=0" <<< "$out" && cmp -s "$work/disk.img" "$work/orig.img"; then
      echo "ok   $engine $variant: evil held the disk, and the kernel kept its DMA in bounds"
    else
      echo "FAIL $engine $variant"; grep -E '^(MANIFEST|DISK|ATTACKS|ATTACK .*BREACH|ATTACK driver)' <<< "$out" | head -20
      cmp "$work/disk.img" "$work/orig.img"; fail=1
    fi
  done
done
exit $fail
