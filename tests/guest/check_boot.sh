#!/usr/bin/env bash
# Boot the guest kernel on an emulator and check its transcript.
#
#   check_boot.sh WORKLOAD OK_STATUS [--save FILE] [--compare FILE] -- EMULATOR COMMAND...
#
# The emulator command must already carry the kernel command line (QEMU:
# -append "workload=... mode=... flush=...", slotlab: --cmdline "..."), so the
# same checks serve both machines. OK_STATUS is the emulator's exit status for
# a guest exit code 0 (QEMU's isa-debug-exit gives (0 << 1) | 1 = 1).
# --save writes the transcript with timing fields masked; --compare diffs the
# masked transcript against a saved one (QEMU vs slotlab, line for line).
set -uo pipefail
workload=$1 ok_status=$2
shift 2
save="" compare=""
while [[ $# -gt 0 && $1 != -- ]]; do
  case $1 in
    --save) save=$2; shift 2 ;;
    --compare) compare=$2; shift 2 ;;
    *) echo "check_boot: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ ${1:-} == -- ]] || { echo "check_boot: missing -- EMULATOR COMMAND" >&2; exit 2; }
shift
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$@" < /dev/null > "$out" 2> "$out.err"
status=$?
tr -d '\r' < "$out" > "$out.clean" && mv "$out.clean" "$out"
fail() { echo "check_boot: FAIL: $*" >&2; echo "---- transcript ----" >&2; cat "$out" >&2; cat "$out.err" >&2; rm -f "$out.err"; exit 1; }
rm -f "$out.err"

grep -q '^SLOTLAB guest ' "$out" || fail "no banner"
grep -q '^PANIC' "$out" && fail "kernel panic"
[[ $(tail -n 1 "$out") == DONE ]] || fail "last line is not DONE"
[[ $status == "$ok_status" ]] || fail "exit status $status, want $ok_status"
case $workload in
  selftest)
    n=$(grep -c '^SELFTEST ' "$out")
    ((n >= 10)) || fail "only $n SELFTEST lines"
    bad=$(grep '^SELFTEST ' "$out" | grep -v -E '^SELFTEST [a-z0-9_]+: ok$')
    [[ -z $bad ]] || fail "not ok: $bad"
    grep -q -E '^SELFTESTS total=[0-9]+ failed=0$' "$out" || fail "summary"
    ;;
  attacks)
    if ! grep -q '^ATTACKS skipped' "$out"; then
      n=$(grep -c '^ATTACK ' "$out")
      ((n >= 12)) || fail "only $n ATTACK lines"
      bad=$(grep '^ATTACK ' "$out" | grep -v -E '^ATTACK [a-z0-9_]+: contained$')
      [[ -z $bad ]] || fail "not contained: $bad"
      grep -q -E '^ATTACKS total=[0-9]+ breaches=0$' "$out" || fail "summary"
    fi
    ;;
  demo)
    grep -q -E '^DEMO console bytes=[0-9]+ ok$' "$out" || fail "demo did not finish ok"
    [[ $(grep -c '^DEMO client ' "$out") == 2 ]] || fail "want two clients"
    grep -q '^CONSOLE task=' "$out" || fail "no console output"
    ;;
  bench)
    n=$(grep -c -E '^RESULT mode=[a-z]+ flush=[a-z0-9]+ size=[0-9]+ depth=[0-9]+ ws=[0-9]+ calls=[0-9]+ ticks_per_call=[0-9]+$' "$out")
    ((n >= 1)) || fail "no RESULT lines"
    grep -q 'FAIL' "$out" && fail "a bench point failed"
    ;;
  chaos)  # docs/reliability.md: the kernel survived and the demo clients beside the chaos were right
    grep -q -E '^CHAOS seed=[0-9]+ calls=[0-9]+ faults=[0-9]+ kernel=alive$' "$out" || fail "no CHAOS summary"
    grep -q '^CHAOS clients ok ' "$out" || fail "the other tasks' output was wrong"
    ;;
  *) echo "check_boot: unknown workload $workload" >&2; exit 2 ;;
esac
masked=$(sed -E 's/ticks_per_call=[0-9]+/ticks_per_call=X/' "$out")
[[ -n $save ]] && printf '%s\n' "$masked" > "$save"
if [[ -n $compare ]]; then
  diff <(printf '%s\n' "$masked") "$compare" > /dev/null || fail "transcript differs from $compare"
fi
echo "check_boot: $workload ok ($(wc -l < "$out") lines)"
