#!/usr/bin/env bash
# workload=cat against a disk made by standard tools: a ustar archive written
# by `tar`, with files of several sizes (empty, one byte, block-sized, 200 KB
# of random bytes) and a path longer than 100 characters (ustar's prefix
# field). For each file, on slotlab (--disk) and on QEMU (virtio-blk-pci, the
# same image), in three variants of the design: the guest's CAT line must be
# exactly the one the host computes (length, CRC-32 with Python's zlib), and
# the image must come out unchanged. A missing name gives an error line on both.
# The kernel's own check that the device's registers are mapped in blk's
# module area and no other must say so on both, and its count of the disk's
# interrupts must show them all through the I/O APIC, none through the 8259.
# usage: cat_disk.sh QEMU SLOTLAB GUEST_IMAGE
set -u
qemu=$1 slotlab=$2 kernel=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src"
long="a_directory_with_a_rather_long_name_to_need_the_ustar_prefix_field/and_another_level_below_it"
python3 - "$work/src" "$long" <<'PY'
import os, random, sys
root, long = sys.argv[1], sys.argv[2]
r = random.Random(19)
files = {"empty.txt": b"", "one.txt": b"x", "block.bin": bytes(r.getrandbits(8) for _ in range(512)),
         "big.bin": bytes(r.getrandbits(8) for _ in range(200000)),
         long + "/file_at_the_end_of_a_long_path.txt": b"found through the prefix field\n"}
for name, data in files.items():
    os.makedirs(os.path.dirname(os.path.join(root, name)) or root, exist_ok=True)
    open(os.path.join(root, name), "wb").write(data)
PY
names=(empty.txt one.txt block.bin big.bin "$long/file_at_the_end_of_a_long_path.txt")
(cd "$work/src" && tar --format=ustar -cf "$work/disk.img" "${names[@]}") || { echo "FAIL tar"; exit 1; }
cp "$work/disk.img" "$work/orig.img"
fail=0
for name in "${names[@]}" no-such-file; do
  want=$(python3 -c '
import sys, zlib
name = sys.argv[2]
try: d = open(sys.argv[1] + "/" + name, "rb").read()
except FileNotFoundError: print("CAT file=%s error=-9" % name); sys.exit()
print("CAT file=%s bytes=%d crc32=%08x" % (name, len(d), zlib.crc32(d)))' "$work/src" "$name")
  for variant in "mode=modarea flush=cr3" "mode=monolithic flush=cr3" "mode=ipc flush=pcid"; do
    cmdline="workload=cat file=$name $variant"
    timeout 120 "$qemu" -cpu max -m 256 -display none -monitor none -serial stdio -no-reboot \
      -device isa-debug-exit,iobase=0xf4,iosize=0x04 -drive "file=$work/disk.img,format=raw,if=none,id=d0" \
      -device virtio-blk-pci,drive=d0 -kernel "$kernel" -append "$cmdline" </dev/null 2>"$work/q.err" |
      tr -d '\r' >"$work/q.out"
    timeout 120 "$slotlab" run --disk "$work/disk.img" "$kernel" --cmdline "$cmdline" >"$work/s.out" 2>"$work/s.err"
    got_q=$(grep '^CAT ' "$work/q.out") got_s=$(grep '^CAT ' "$work/s.out")
    if [[ $got_s != "$want" || $got_q != "$want" ]] ||
        ! grep -qE '^DISK registers mapped in the module page tables of: blk( \(|$)' "$work/s.out" ||
        ! grep -qE '^DISK interrupts: [1-9][0-9]* through the I/O APIC \(pin [0-9]+, vector [0-9]+\), 0 through the 8259$' "$work/s.out" ||
        ! diff -q "$work/q.out" "$work/s.out" >/dev/null ||
        ! cmp -s "$work/disk.img" "$work/orig.img"; then
      echo "FAIL $cmdline"; echo "  want:   $want"; echo "  slotlab: $got_s"; echo "  qemu:    $got_q"
      diff "$work/q.out" "$work/s.out" | head -5; cat "$work/s.err"; fail=1
    else
      echo "ok   $cmdline: $got_s"
    fi
  done
done
exit $fail
