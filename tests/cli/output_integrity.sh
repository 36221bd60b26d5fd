#!/bin/sh
# Every output is all or nothing (issue 16): for each kind of file slotlab
# writes, a full device (/dev/full), a path that cannot be created, and a file
# size limit hit half way (ulimit -f, the closest a test gets to a full disk)
# must each give an exit status other than 0 with a message naming the path,
# and leave nothing at the target (an old file there stays as it was).
#   output_integrity.sh SLOTLAB KERNEL WORKDIR
. "$(dirname "$0")/lib.sh"

# check NAME OPT PATH-PLACEHOLDER COMMAND... : runs the command three ways.
check() {
  name=$1; shift
  # 1. /dev/full
  cmd=$(echo "$*" | sed "s|@OUT@|/dev/full|g")
  sh -c "$cmd" >/dev/null 2>err.txt; rc=$?
  [ $rc -ne 0 ] || fail "$name to /dev/full: exit 0"
  grep -q "/dev/full" err.txt || fail "$name to /dev/full: no message naming it: $(cat err.txt)"
  # 2. a directory that does not exist: refused before the run
  cmd=$(echo "$*" | sed "s|@OUT@|$W/no/such/dir/out|g")
  sh -c "$cmd" >/dev/null 2>err.txt; rc=$?
  [ $rc -ne 0 ] || fail "$name to a missing directory: exit 0"
  grep -q "no/such/dir" err.txt || fail "$name to a missing directory: no message: $(cat err.txt)"
  # 3. a size limit half way: the old file stays, no partial file, no temporary left
  echo "old content" > target
  cmd=$(echo "$*" | sed "s|@OUT@|$W/target|g")
  sh -c "trap '' XFSZ; ulimit -f 1; $cmd" >/dev/null 2>err.txt; rc=$?
  [ $rc -ne 0 ] || fail "$name past the file size limit: exit 0"
  [ "$(cat target)" = "old content" ] || fail "$name past the file size limit: the target was changed"
  ls | grep -q '\.tmp\.' && fail "$name: a temporary file was left: $(ls)"
  rm -f target target.tmp.*
  echo "checked $name"
}

check "run --trace-out" "$S" run "$K" --trace all --trace-out @OUT@
check "run --stats-json" "$S" run "$K" --cmdline workload=bench --stats-json @OUT@
check "run --tlb-dump" "$S" run "$K" --tlb-dump-at 1000000,1500000 --tlb-dump @OUT@
check "run --serial" "$S" run "$K" --cmdline workload=attacks --serial @OUT@
check "trace --chrome-trace" "$S" trace "$K" --chrome-trace @OUT@
check "trace --events-jsonl" "$S" trace "$K" --events-jsonl @OUT@
check "trace --serial" "$S" trace "$K" --cmdline workload=attacks --serial @OUT@
if "$S" debug --help >/dev/null 2>&1; then
  check "debug --screenshot" env SDL_VIDEODRIVER=offscreen "$S" debug "$K" --until call:1 --screenshot @OUT@
fi
finish
