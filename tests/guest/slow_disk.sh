#!/usr/bin/env bash
# A slow disk on slotlab (--disk-latency-us: each virtio-blk request completes
# that long after its notification, in guest time, so the run is the same
# every time -- QEMU has no deterministic equivalent, hence slotlab only):
#  - 1.7 ms per request: a 64 KiB write is 128 block requests, ~218 ms, more
#    than one call's 200-tick budget but each request far within its own. In
#    every variant the write must succeed and leave the image Python computes
#    (a budget that counted a server's waits for the servers it called made
#    mode=ipc answer E_TIMEOUT here, and on a loaded machine under QEMU).
#  - the driver sleeps while the disk works: as many CR3 loads as with the
#    default 10 us disk (a waiting driver that yielded instead kept it and init
#    switching to each other: ~750,000 CR3 loads).
#  - 150 ms per request, longer than the driver waits (100 ticks): an error
#    line, the image unchanged.
# usage: slow_disk.sh SLOTLAB GUEST_IMAGE
set -u
slotlab=$1 kernel=$2
here=$(dirname "$0")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src"
python3 -c "
import random, sys
open(sys.argv[1], 'wb').write(random.Random(29).randbytes(100000))" "$work/src/data.bin"
(cd "$work/src" && tar --format=ustar -cf "$work/orig.img" data.bin) || { echo "FAIL tar"; exit 1; }
fail=0
check() {  # WHAT STATUS DETAILS
  if [[ $2 == 0 ]]; then echo "ok   $1"; else echo "FAIL $1"; printf '%s\n' "$3" | head -8; fail=1; fi
}
run() {  # IMAGE LATENCY CMDLINE -> stdout and --stats
  timeout 300 "$slotlab" run --disk "$1" --disk-latency-us "$2" --stats "$kernel" --cmdline "$3" 2>&1
}
cr3_loads() { sed -n 's/^CR3 loads \([0-9]*\).*/\1/p' "$1"; }

want=$(python3 "$here/disk_expect.py" "$work/orig.img" data.bin 0 65536 5 "$work/want.img")
for variant in "mode=modarea flush=cr3" "mode=modarea flush=pcid" "mode=monolithic flush=cr3" \
               "mode=ipc flush=pcid" "mode=ipc flush=cr3 fastpath=0"; do
  cmd="workload=cat file=data.bin write=65536 at=0 seed=5 $variant"
  cp "$work/orig.img" "$work/fast.img" && cp "$work/orig.img" "$work/slow.img"
  run "$work/fast.img" 10 "$cmd" > "$work/fast.out"
  run "$work/slow.img" 1700 "$cmd" > "$work/slow.out"
  got=$(grep -a '^CAT file=' "$work/slow.out")
  st=0
  [[ $got == "$want" ]] && cmp -s "$work/slow.img" "$work/want.img" || st=1
  check "1.7 ms disk, $cmd: $got" $st "want $want
$(cmp "$work/slow.img" "$work/want.img")"
  fast=$(cr3_loads "$work/fast.out") slow=$(cr3_loads "$work/slow.out")
  st=0
  [[ -n $fast && -n $slow ]] && (( slow <= fast + fast / 10 )) || st=1
  check "the driver sleeps, $variant: CR3 loads $slow with the slow disk, $fast with the default" $st ""
done
for variant in "mode=modarea flush=cr3" "mode=ipc flush=pcid"; do
  cmd="workload=cat file=data.bin write=1024 at=0 seed=5 $variant"
  cp "$work/orig.img" "$work/dead.img"
  got=$(run "$work/dead.img" 150000 "$cmd" | grep -a '^CAT file=')
  st=0
  [[ $got =~ ^CAT\ file=data.bin\ error=-[0-9]+$ ]] && cmp -s "$work/dead.img" "$work/orig.img" || st=1
  check "150 ms disk, $cmd: $got" $st "$(cmp "$work/dead.img" "$work/orig.img")"
done
exit $fail
