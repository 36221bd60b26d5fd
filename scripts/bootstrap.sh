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

build() { # dir, extra cmake args...
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja "$@"
  cmake --build "$dir" -j "$jobs"
}

install_missing
case "$what" in
  demo)
    build build
    # The guest's demo workload: two client tasks read files through the fs
    # server from the block driver and write them to the console driver.
    ./build/slotlab demo
    ;;
  test)
    build build
    (cd build && ctest --output-on-failure -j "$jobs")
    # -O1: sanitized code compiles faster and still runs the guest at a useful speed.
    build build-asan -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE=-O1 -DSLOTLAB_SANITIZE=ON
    # Under ASan the interpreter is ~5x slower: the runs of hundreds of millions of
    # instructions with a re-walk on every TLB hit (label slow; Stepping.Stale...;
    # the selftest history checks) took 4-9 minutes each there. They run in the
    # normal build above; the same code paths run under ASan on the small kernels.
    # The lockstep runs (QEMU against the gdb stub) too: the stub's code runs under ASan in gdb.batch.*.
    (cd build-asan && ctest --output-on-failure -j "$jobs" -LE 'nosan|slow|lockstep' \
       -E 'Stepping.StaleTranslationStop|HistoryTest.*workload=selftest')
    # libFuzzer targets under ASan+UBSan (docs/reliability.md): clang-14, only
    # the fuzz targets and the libraries they link, a fixed number of runs each.
    CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_CXX_FLAGS_RELEASE=-O1 -DSLOTLAB_FUZZ=ON -DSLOTLAB_SANITIZE=ON -DSLOTLAB_BUILD_UI=OFF
    cmake --build build-fuzz -j "$jobs" --target fuzz_all
    (cd build-fuzz && ctest --output-on-failure -j "$jobs" -L fuzz)
    ;;
  *)
    echo "usage: scripts/bootstrap.sh demo|test" >&2; exit 2 ;;
esac
