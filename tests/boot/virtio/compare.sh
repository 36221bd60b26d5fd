#!/usr/bin/env bash
# The virtio kernel (kernel/main.cpp) with a disk, on QEMU and on slotlab:
#   1. QEMU's default device (`-device virtio-blk-pci,drive=d0`, transitional,
#      with MSI-X) against `slotlab run --disk`: the transcripts, masked by
#      virtio.mask (two documented differences), must match;
#   2. QEMU's modern-only device without MSI-X (disable-legacy=on,vectors=0)
#      against slotlab with the kernel's "identity" command line: also the
#      whole configuration space must match;
#   3. after each run, the image: the kernel writes sector 7 only, so QEMU's
#      image and slotlab's must be equal, and differ from the original in
#      sector 7 alone, which holds what the kernel wrote (i * 3 + 0x5A);
#   4. the same image offered read-only (--disk-read-only) must come out unchanged.
# usage: compare.sh QEMU SLOTLAB KERNEL
set -u
qemu=$1 slotlab=$2 kernel=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

# The disk: 1 MiB, byte o = pat(o) as in the kernel.
python3 -c '
import sys
n = 1 << 20
sys.stdout.buffer.write(bytes((((o >> 9) * 13 + (o & 511) * 7 + 1) & 0xFF) for o in range(n)))' >"$work/orig.img"
python3 -c '
import sys
d = bytearray(open(sys.argv[1], "rb").read())
d[7 * 512:8 * 512] = bytes((i * 3 + 0x5A) & 0xFF for i in range(512))
open(sys.argv[2], "wb").write(d)' "$work/orig.img" "$work/want.img"

check_images() { # label
  if ! cmp -s "$work/q.img" "$work/s.img"; then echo "FAIL $1: QEMU's image and slotlab's differ"; fail=1; fi
  if ! cmp -s "$work/s.img" "$work/want.img"; then
    echo "FAIL $1: slotlab's image is not the original with sector 7 rewritten:"
    cmp -l "$work/want.img" "$work/s.img" | head -5; fail=1
  else
    echo "ok   $1: both images hold the write to sector 7 and nothing else changed"
  fi
}

for variant in default identity; do
  cp "$work/orig.img" "$work/q.img"; cp "$work/orig.img" "$work/s.img"
  dev="-device virtio-blk-pci,drive=d0" cmdline=()
  if [[ $variant == identity ]]; then dev+=",disable-legacy=on,vectors=0 -append identity"; cmdline=(--cmdline identity); fi
  if "$here/../run_compare.sh" --qemu "$qemu" --mask "$here/virtio.mask" \
      --qemu-args "-drive file=$work/q.img,format=raw,if=none,id=d0 $dev" \
      --emu "$slotlab run --disk $work/s.img ${cmdline[*]}" "$kernel"; then
    echo "ok   $variant: transcripts match"
  else
    echo "FAIL $variant: transcripts"; fail=1
  fi
  check_images "$variant"
done

# Read-only: the kernel's write fails (IOERR), so its own checks fail, but
# the file must come out byte for byte the original.
cp "$work/orig.img" "$work/s.img"; chmod 0644 "$work/s.img"
timeout 60 "$slotlab" run --disk "$work/s.img" --disk-read-only "$kernel" >"$work/ro.out" 2>&1
if cmp -s "$work/s.img" "$work/orig.img" && grep -q '^FAIL write sector 7: status = 1 want 0' "$work/ro.out" &&
    grep -q '^FAIL does not offer RO = 1 want 0' "$work/ro.out"; then
  echo "ok   read-only: RO offered, the write answered IOERR, the file unchanged"
else
  echo "FAIL read-only"; grep -E '^FAIL|summary' "$work/ro.out"; fail=1
fi
exit $fail
