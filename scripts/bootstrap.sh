#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (run as root):
#   scripts/bootstrap.sh demo   install what is missing, build, run the main demo
#   scripts/bootstrap.sh test   install what is missing, build, run every test
#                               (normal build, then ASan+UBSan build, then
#                               the libFuzzer targets built with clang-14)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
what=${1:-demo}
jobs=$(nproc 2>/dev/null || echo 2)

install_missing() {
  local missing=()
  while read -r pkg; do
    [[ -z "$pkg" || "$pkg" == \#* ]] && continue
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done < scripts/deps.txt
  if ((${#missing[@]})); then
    echo "bootstrap: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

phase() { echo; echo "== bootstrap: $*"; }

build() { # dir, [--target T ...], extra cmake args... ; the build's own output goes to DIR.log
  local dir=$1; shift
  local targets=()
  while [[ $# -gt 0 && $1 == --target ]]; do targets+=(--target "$2"); shift 2; done
  phase "configuring and building $dir (${targets[*]:-everything}; log: $dir.log)"
  if ! { cmake -S . -B "$dir" -G Ninja "$@" && cmake --build "$dir" -j "$jobs" "${targets[@]}"; } > "$dir.log" 2>&1; then
    tail -n 60 "$dir.log"
    echo "bootstrap: the build failed; the whole log is $dir.log" >&2
    exit 1
  fi
}

phase "installing what is missing (scripts/deps.txt)"
install_missing
case "$what" in
  demo)
    # Only what the demo needs: the CLI and the guest (the tests are built
    # by `scripts/bootstrap.sh test`).
    build build --target slotlab --target slotlab-guest
    phase "the demo: two client tasks read files through the fs server from the block driver and write them to
   the console driver; every cross-module call explained"
    ./build/slotlab demo
    phase "done. Next, as printed (from this directory):"
    cat <<'NEXT'
  build/slotlab lab 1 --check            # lab 1's observations, no display needed
  build/slotlab debug build/guest/slotlab-guest.elf --cmdline "workload=attacks flush=none" \
      --script docs/teaching/scripts/lab2-story.slab     # lab 2's story, headless, with a screenshot
  build/slotlab debug build/guest/slotlab-guest.elf      # the debugger window (needs a display;
                                                         #   without one: xvfb-run, --script or --screenshot)
  scripts/bootstrap.sh test              # build and run every test
NEXT
    ;;
  test)
    build build
    phase "tests (normal build)"
    (cd build && ctest --output-on-failure -j "$jobs")
    # -O1: sanitized code compiles faster and still runs the guest at a useful speed.
    build build-asan -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE=-O1 -DSLOTLAB_SANITIZE=ON
    phase "tests under ASan+UBSan"
    # Under ASan the interpreter is ~5x slower: the runs of hundreds of millions of
    # instructions with a re-walk on every TLB hit (label slow; Stepping.Stale...;
    # the selftest history checks) took 4-9 minutes each there. They run in the
    # normal build above; the same code paths run under ASan on the small kernels.
    # The lockstep runs (QEMU against the gdb stub) too: the stub's code runs under ASan in gdb.batch.*.
    (cd build-asan && ctest --output-on-failure -j "$jobs" -LE 'nosan|slow|lockstep' \
       -E 'Stepping.StaleTranslationStop|HistoryTest.*workload=selftest')
    # libFuzzer targets under ASan+UBSan (docs/reliability.md): clang-14, only
    # the fuzz targets and the libraries they link, a fixed number of runs each.
    CC=clang-14 CXX=clang++-14 build build-fuzz --target fuzz_all -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_CXX_FLAGS_RELEASE=-O1 -DSLOTLAB_FUZZ=ON -DSLOTLAB_SANITIZE=ON -DSLOTLAB_BUILD_UI=OFF
    phase "fuzz targets"
    (cd build-fuzz && ctest --output-on-failure -j "$jobs" -L fuzz)
    ;;
  *)
    echo "usage: scripts/bootstrap.sh demo|test" >&2; exit 2 ;;
esac
