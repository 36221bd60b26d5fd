#!/usr/bin/env bash
# Boot workload=attacks with a deliberately weaker option and check that
# exactly the named attacks breach -- the ones that option leaves open -- and
# every other attack is still contained.
#
#   expect_breaches.sh "ATTACK_NAME ..." -- EMULATOR COMMAND...
set -uo pipefail
want=$(tr ' ' '\n' <<< "$1" | sed '/^$/d' | sort)
shift
[[ ${1:-} == -- ]] || { echo "expect_breaches: missing -- EMULATOR COMMAND" >&2; exit 2; }
shift
out=$("$@" < /dev/null 2>&1 | tr -d '\r')
fail() { echo "expect_breaches: FAIL: $*" >&2; printf '%s\n' "$out" >&2; exit 1; }
[[ $(tail -n 1 <<< "$out") == DONE ]] || fail "last line is not DONE"
n=$(grep -c '^ATTACK [a-z0-9_]*: ' <<< "$out")
((n >= 12)) || fail "only $n ATTACK lines"
got=$(grep '^ATTACK [a-z0-9_]*: BREACH' <<< "$out" | sed -E 's/^ATTACK ([a-z0-9_]+): .*/\1/' | sort)
other=$(grep '^ATTACK [a-z0-9_]*: ' <<< "$out" | grep -v -E ': (contained|BREACH)' || true)
[[ -z $other ]] || fail "neither contained nor a breach: $other"
[[ $got == "$want" ]] || fail "breaches: $(echo $got), want: $(echo $want)"
grep -q -E "^ATTACKS total=[0-9]+ breaches=$(wc -w <<< "$want")\$" <<< "$out" || fail "summary"
echo "expect_breaches: exactly $(echo $want) breached"
