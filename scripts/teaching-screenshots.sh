#!/bin/sh
# Regenerates every picture of docs/teaching/ and docs/debugger.md from the
# real guest, headless (SDL's offscreen driver), with scripted sessions:
# `slotlab lab N --script` sets the debugger up exactly as `slotlab lab N`
# does, then runs the lab's script (docs/teaching/scripts/labN.slab), which
# takes the pictures. Run from the repository's top directory:
#   scripts/teaching-screenshots.sh [BUILD_DIR]     (default: build)
set -eu
B=${1:-build}
S=$B/slotlab
K=$B/guest/slotlab-guest.elf
export SDL_VIDEODRIVER=offscreen
mkdir -p docs/teaching/img docs/img
for n in 1 2 3 4 6; do "$S" lab $n --kernel "$K" --script docs/teaching/scripts/lab$n.slab; done
"$S" lab 5 --kernel "$K" --cmdline mode=ipc --script docs/teaching/scripts/lab5.slab
"$S" lab 7 --kernel "$K" --tlb docs/teaching/lab7/small-stlb.tlb --script docs/teaching/scripts/lab7.slab
"$S" debug "$K" --cmdline workload=demo --script docs/scripts/debugger-tour.slab
