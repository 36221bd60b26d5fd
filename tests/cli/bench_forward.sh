#!/usr/bin/env bash
# `slotlab bench` runs slotlab-bench from its own directory with the arguments
# as given; without slotlab-bench beside it, it says what to build (exit 2).
# usage: bench_forward.sh SLOTLAB SCRATCH
set -u
slotlab=$1 scratch=$2
fail() { echo "FAIL: $*"; exit 1; }
out=$("$slotlab" bench design --help 2>&1) || fail "bench design --help exited $?: $out"
grep -q -- "--sweep" <<<"$out" || fail "bench design --help is not slotlab-bench's design help: $out"
out=$("$slotlab" bench frobnicate 2>&1); rc=$?
[[ $rc == 2 ]] || fail "bench frobnicate exited $rc"
grep -q "unknown command 'frobnicate'" <<<"$out" || fail "bench frobnicate said: $out"
rm -rf "$scratch" && mkdir -p "$scratch" && cp "$slotlab" "$scratch/slotlab"
out=$("$scratch/slotlab" bench emulator --quick 2>&1); rc=$?
[[ $rc == 2 ]] || fail "without slotlab-bench: exit $rc"
grep -q "slotlab-bench is not built" <<<"$out" || fail "without slotlab-bench it said: $out"
echo "ok"
