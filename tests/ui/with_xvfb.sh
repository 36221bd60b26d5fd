#!/bin/sh
# Runs "$@" against a private Xvfb server: the debugger's real-window tests
# (an X11 window, real resizes and pointer moves) on a machine without a
# display (CI). Xvfb -displayfd picks a free display number; no xauth or
# xvfb-run needed. Exit 77 (ctest: skipped) when Xvfb is not installed.
if ! command -v Xvfb >/dev/null 2>&1; then
  # Listing the tests (gtest_discover_tests, at build time) needs no display.
  for a in "$@"; do [ "$a" = "--gtest_list_tests" ] && exec "$@"; done
  echo "with_xvfb: Xvfb not installed (package xvfb)"
  exit 77
fi
dir=$(mktemp -d) || exit 1
Xvfb -displayfd 5 -screen 0 1920x1200x24 -nolisten tcp 5>"$dir/display" 2>"$dir/xvfb.log" &
pid=$!
i=0
while [ ! -s "$dir/display" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if [ ! -s "$dir/display" ]; then
  echo "with_xvfb: Xvfb did not start:"; cat "$dir/xvfb.log"; kill $pid 2>/dev/null; rm -rf "$dir"; exit 1
fi
DISPLAY=:$(cat "$dir/display")
export DISPLAY
"$@"
rc=$?
kill $pid 2>/dev/null
wait $pid 2>/dev/null
rm -rf "$dir"
exit $rc
