#!/usr/bin/env bash
# Runs a boot-test kernel under QEMU and (optionally) under another emulator,
# and judges the transcripts. See tests/boot/README.md.
#
#   run_compare.sh [--qemu QEMU] [--qemu-args "ARGS"] [--mask FILE] [--emu "CMD ARGS"] [--timeout S] [--keep DIR] KERNEL
#   run_compare.sh --mask FILE --apply-mask TRANSCRIPT   (print TRANSCRIPT as compared)
#
# Without --emu (test boot.qemu.*): QEMU's transcript must hold a summary line,
# no FAIL line that the mask does not cover, and QEMU must exit with 33
# (isa-debug-exit value 0x10). With --emu (test boot.compare.*): additionally
# `CMD ARGS KERNEL` must pass every self-check itself (no FAIL line, exit 33),
# and both transcripts, after masking, must be identical byte for byte, as must
# the exit statuses (unless a non-empty mask excuses QEMU's known deviations).
#
# Mask file (masks/<kernel>.mask), one rule per line, '#' comments, sed -E regexes:
#   LINE-RE => VALUE-RE   on lines matching LINE-RE: drop a trailing " want ...",
#                         replace the ok/FAIL status and every VALUE-RE match by
#                         "<masked>" (the rest of the line is still compared)
#   RE                    replace every match of RE by "<masked>"
# Applied to both transcripts. Keep masks empty unless QEMU truly departs from
# the SDM there, and document each one in docs/cpu-deviations.md.
set -euo pipefail

qemu=qemu-system-x86_64
qemu_args=
mask=
emu=
tmo=30
keep=
show_masked=
while (($#)); do
  case $1 in
    --qemu) qemu=$2; shift 2 ;;
    --qemu-args) qemu_args=$2; shift 2 ;;  # more QEMU options (a disk), split into words
    --mask) mask=$2; shift 2 ;;
    --emu) emu=$2; shift 2 ;;
    --timeout) tmo=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    --apply-mask) show_masked=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    -*) echo "run_compare: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
(($# == 1)) || [[ -n $show_masked ]] || { echo "usage: run_compare.sh [--qemu Q] [--mask F] [--emu CMD] KERNEL" >&2; exit 2; }
kernel=${1:-}
[[ -n $show_masked ]] || [[ -r $kernel ]] || { echo "run_compare: cannot read kernel $kernel" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
PASS_STATUS=33
FAIL_STATUS=35

# run NAME CMD... : transcript in $work/NAME.out, status in $work/NAME.rc
run() {
  local name=$1; shift
  local rc=0
  timeout --kill-after=5 "$tmo" "$@" </dev/null >"$work/$name.out" 2>"$work/$name.err" || rc=$?
  echo "$rc" >"$work/$name.rc"
  if ((rc == 124 || rc == 137)); then
    echo "run_compare: $name timed out after ${tmo}s" >&2
  fi
}

apply_mask() { # file -> stdout
  local f=$1
  if [[ -n $mask && -s $mask ]]; then
    local expr=() re line val d=$'\x01'
    while IFS= read -r re || [[ -n $re ]]; do
      [[ -z $re || $re == \#* ]] && continue
      if [[ $re == *" => "* ]]; then
        line=${re%% => *} val=${re#* => }
        expr+=(-e "\\$d$line$d{s$d want .*\$$d$d;s$d^(ok  |FAIL) $d<masked> $d;s$d$val$d<masked>${d}g}")
      else
        expr+=(-e "s$d$re$d<masked>${d}g")
      fi
    done <"$mask"
    if ((${#expr[@]})); then
      sed -E "${expr[@]}" "$f"
      return
    fi
  fi
  cat "$f"
}

mask_nonempty() {
  [[ -n $mask ]] && grep -qv -e '^[[:space:]]*$' -e '^#' "$mask"
}

# judge NAME STRICT : checks one transcript's own verdict. STRICT=1 forbids any
# FAIL line; STRICT=0 forbids only FAIL lines the mask does not cover.
judge() {
  local name=$1 strict=$2 ok=0
  local out=$work/$name.out rc
  rc=$(cat "$work/$name.rc")
  if grep -q $'\x1b' "$out"; then
    echo "[$name] transcript contains terminal escape bytes" >&2; ok=1
  fi
  if ! grep -q '^summary: ' "$out"; then
    echo "[$name] no summary line: the kernel did not finish" >&2; ok=1
  fi
  local fails
  if ((strict)); then fails=$(grep '^FAIL' "$out" || true)
  else fails=$(apply_mask "$out" | grep '^FAIL' || true); fi
  if [[ -n $fails ]]; then
    echo "[$name] failed self-checks:" >&2; echo "$fails" >&2; ok=1
  fi
  local want=$PASS_STATUS
  if ((!strict)) && grep -q '^FAIL' "$out"; then want=$FAIL_STATUS; fi  # only masked FAILs left
  if [[ $rc != "$want" ]]; then
    echo "[$name] exit status $rc, want $want" >&2; ok=1
  fi
  return $ok
}

report() {
  local name
  for name in "$@"; do
    echo "---- $name: exit $(cat "$work/$name.rc"), stderr:" >&2
    head -c 2000 "$work/$name.err" >&2 || true
    echo "---- $name: transcript (last 40 lines):" >&2
    tail -n 40 "$work/$name.out" >&2
  done
  if [[ -n $keep ]]; then mkdir -p "$keep" && cp "$work"/* "$keep"/; fi
}

if [[ -n $show_masked ]]; then apply_mask "$show_masked"; exit 0; fi

# shellcheck disable=SC2086  # the extra options are split into words on purpose
run qemu "$qemu" -cpu max -m 256 -display none -monitor none -serial stdio -no-reboot \
  -device isa-debug-exit,iobase=0xf4,iosize=0x04 $qemu_args -kernel "$kernel"

status=0
judge qemu 0 || status=1
if [[ -n $emu ]]; then
  # shellcheck disable=SC2086  # the emulator command is split into words on purpose
  run emu $emu "$kernel"
  judge emu 1 || status=1
  if ! diff -u --label qemu --label emu <(apply_mask "$work/qemu.out") <(apply_mask "$work/emu.out") \
      >"$work/diff" 2>&1; then
    echo "transcripts differ (- qemu, + emu):" >&2
    head -n 80 "$work/diff" >&2
    status=1
  fi
  qrc=$(cat "$work/qemu.rc"); erc=$(cat "$work/emu.rc")
  if [[ $qrc != "$erc" ]] && ! mask_nonempty; then
    echo "exit status differs: qemu $qrc, emu $erc" >&2
    status=1
  fi
fi
if ((status)); then
  if [[ -n $emu ]]; then report qemu emu; else report qemu; fi
  exit 1
fi
[[ -n $keep ]] && mkdir -p "$keep" && cp "$work"/* "$keep"/
echo "run_compare: $(basename "$kernel"): $(grep '^summary: ' "$work/qemu.out")${emu:+ (transcripts match)}"
