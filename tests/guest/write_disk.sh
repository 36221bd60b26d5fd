#!/usr/bin/env bash
# workload=cat write=N at=OFFSET seed=S: the guest overwrites part of a file
# on a ustar disk made by `tar` (fs FS_WRITE -> blk BLK_WRITE -> a virtio-blk
# OUT request), then reads the whole file back and prints its CRC-32. On
# slotlab (--disk) and on QEMU (virtio-blk-pci), each on its own copy of the
# image, in three variants of the design, for writes that start and end
# inside blocks, cover whole blocks only, and run past the end of the file
# (clipped: a ustar file never grows):
#  - the CAT line must be the one Python computes from the changed file;
#  - both images must then equal the image Python computes (the pattern
#    written at the file's data offset in the archive, nothing else changed);
#  - after a restart, each engine reads the image the *other* one wrote and
#    prints the same CRC (the writes reached the file and survive).
# A read-only disk (slotlab --disk-read-only, QEMU readonly=on: the device
# offers VIRTIO_BLK_F_RO) gives an error line on both and leaves it unchanged.
# usage: write_disk.sh QEMU SLOTLAB GUEST_IMAGE
set -u
qemu=$1 slotlab=$2 kernel=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src"
python3 - "$work/src" <<'PY'
import random, sys
r = random.Random(23)
open(sys.argv[1] + "/big.bin", "wb").write(bytes(r.getrandbits(8) for _ in range(200000)))
open(sys.argv[1] + "/small.txt", "wb").write(b"".join(b"line %04d of a small file\n" % i for i in range(40)))
PY
(cd "$work/src" && tar --format=ustar -cf "$work/orig.img" big.bin small.txt) || { echo "FAIL tar"; exit 1; }
qemu_run() {  # IMAGE CMDLINE [drive options] -> stdout
  timeout 120 "$qemu" -cpu max -m 256 -display none -monitor none -serial stdio -no-reboot \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -drive "file=$1,format=raw,if=none,id=d0${3:-}" \
    -device virtio-blk-pci,drive=d0 -kernel "$kernel" -append "$2" </dev/null 2>"$work/q.err" | tr -d '\r'
}
slotlab_run() {  # IMAGE CMDLINE [slotlab options]
  timeout 120 "$slotlab" run --disk "$1" ${3:-} "$kernel" --cmdline "$2" 2>"$work/s.err"
}
fail=0
check() {  # WHAT CONDITION-STATUS DETAILS
  if [[ $2 == 0 ]]; then echo "ok   $1"; else echo "FAIL $1"; printf '%s\n' "$3" | head -8; fail=1; fi
}
for w in "big.bin 1000 70000 5" "big.bin 1024 512 6" "big.bin 199990 100 7" "small.txt 0 1040 8" "small.txt 700 3 9"; do
  read -r name at n seed <<< "$w"
  want=$(python3 "$(dirname "$0")/disk_expect.py" "$work/orig.img" "$name" "$at" "$n" "$seed" "$work/want.img")
  for variant in "mode=modarea flush=cr3" "mode=monolithic flush=cr3" "mode=ipc flush=pcid"; do
    cmd="workload=cat file=$name write=$n at=$at seed=$seed $variant"
    cp "$work/orig.img" "$work/q.img" && cp "$work/orig.img" "$work/s.img"
    qemu_run "$work/q.img" "$cmd" > "$work/q.out"
    slotlab_run "$work/s.img" "$cmd" > "$work/s.out"
    got_q=$(grep '^CAT file=' "$work/q.out") got_s=$(grep '^CAT file=' "$work/s.out")
    st=0
    [[ $got_q == "$want" && $got_s == "$want" ]] || st=1
    diff -q "$work/q.out" "$work/s.out" > /dev/null || st=1
    cmp -s "$work/q.img" "$work/want.img" && cmp -s "$work/s.img" "$work/want.img" || st=1
    check "$cmd: $got_s" $st "want $want / qemu $got_q / slotlab $got_s
$(diff "$work/q.out" "$work/s.out"; cmp "$work/s.img" "$work/want.img"; cmp "$work/q.img" "$work/want.img"; cat "$work/s.err")"
  done
  # A restart, each engine on the other's image.
  again_s=$(slotlab_run "$work/q.img" "workload=cat file=$name" | grep '^CAT file=')
  again_q=$(qemu_run "$work/s.img" "workload=cat file=$name" | grep '^CAT file=')
  st=0; [[ $again_s == "$want" && $again_q == "$want" ]] || st=1
  check "restart: slotlab reads QEMU's image, QEMU slotlab's: $again_s" $st "want $want / $again_s / $again_q"
done
# Read-only: refused by the driver (VIRTIO_BLK_F_RO), the image unchanged.
cmd="workload=cat file=small.txt write=10 at=0 seed=1"
cp "$work/orig.img" "$work/ro.img"
qemu_run "$work/ro.img" "$cmd" ",readonly=on" > "$work/q.out"
slotlab_run "$work/ro.img" "$cmd" --disk-read-only > "$work/s.out"
st=0
grep -qE '^CAT file=small.txt error=-[0-9]+$' "$work/s.out" || st=1
diff -q "$work/q.out" "$work/s.out" > /dev/null || st=1
cmp -s "$work/ro.img" "$work/orig.img" || st=1
check "read-only disk: $(grep '^CAT file=' "$work/s.out")" $st "$(diff "$work/q.out" "$work/s.out"; cat "$work/s.out")"
exit $fail
