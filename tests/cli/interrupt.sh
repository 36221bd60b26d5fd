#!/bin/sh
# Ctrl-C in the middle of a traced run (issue 16): the run stops, the trace is
# complete -- every line a whole record, the last one the end record with
# "interrupted": true --, the statistics so far are printed, and slotlab exits
# 130. The same for `slotlab trace`: its exports are written from what was
# recorded.
#   interrupt.sh SLOTLAB KERNEL WORKDIR
. "$(dirname "$0")/lib.sh"

# Waits (10 s at most) until a file matching $1 has more than $2 bytes.
grown() {
  i=0
  while [ $i -lt 200 ]; do
    for f in $1; do [ -f "$f" ] && [ "$(wc -c < "$f")" -gt "$2" ] && return 0; done
    sleep 0.05; i=$((i + 1))
  done
  return 1
}

"$S" run "$K" --cmdline workload=bench --trace all --trace-out t.jsonl --stats > serial.txt 2> err.txt &
pid=$!
grown "t.jsonl.tmp.*" 100000 || fail "the trace did not grow"
kill -INT $pid
wait $pid; rc=$?
[ $rc -eq 130 ] || fail "run: exit $rc, not 130"
grep -q "interrupted after" err.txt || fail "run: no 'interrupted' message: $(tail -3 err.txt)"
grep -qi "instructions" err.txt || fail "run: no statistics printed"
python3 - t.jsonl <<'PY' || fail "run: the trace is not complete JSONL ending in an interrupted end record"
import json, sys
lines = open(sys.argv[1]).read().split("\n")
assert lines[-1] == "", "no newline at the end"
recs = [json.loads(l) for l in lines[:-1]]
assert recs[-1]["type"] == "end" and recs[-1].get("interrupted") is True, recs[-1]
assert recs[-1]["records"] == len(recs) - 2, (recs[-1]["records"], len(recs))
print("run: %d records, end record %s" % (len(recs) - 2, recs[-1]))
PY
ls | grep -q '\.tmp\.' && fail "a temporary file was left: $(ls)"

"$S" trace "$K" --cmdline workload=bench --events-jsonl ev.jsonl --break event:call 2> terr.txt &
pid=$!
grown "terr.txt" 200 || fail "trace: no progress"
kill -TERM $pid
wait $pid; rc=$?
[ $rc -eq 130 ] || fail "trace: exit $rc, not 130"
grep -q "interrupted after" terr.txt || fail "trace: no 'interrupted' message: $(tail -3 terr.txt)"
python3 -c "import json,sys; [json.loads(l) for l in open('ev.jsonl')]" || fail "trace: ev.jsonl is not whole"
finish
