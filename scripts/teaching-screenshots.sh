#!/bin/sh
# Regenerates every picture of docs/teaching/ from the real guest, headless
# (SDL's offscreen driver): `slotlab lab N --screenshot` sets the debugger up
# exactly as `slotlab lab N` does and runs it to the point shown.
#   scripts/teaching-screenshots.sh [BUILD_DIR]     (default: build)
set -eu
B=${1:-build}
S=$B/slotlab
K=$B/guest/slotlab-guest.elf
O=docs/teaching/img
export SDL_VIDEODRIVER=offscreen
mkdir -p $O
shot() { echo "$O/$1"; out=$O/$1; shift; "$S" lab "$@" --kernel "$K" --screenshot "$out"; }

shot lab1-call.png  1 --until call:3 --size 1600x1000
shot lab1-slots.png 1 --until call:3 --panel slots --size 900x420
shot lab2-stale.png 2 --until event:stale --walk rsi --size 1600x1000
shot lab3-tlb.png   3 --until call:300 --panel tlb --size 900x600
shot lab4-fault.png 4 --until event:exception:1 --walk cr2 --size 1600x1000
shot lab5-ipc-slots.png 5 --cmdline mode=ipc --until call:6 --panel slots --size 900x420
shot lab6-walk.png  6 --until call:3 --panel walk --size 900x520
shot lab7-tlb.png   7 --tlb docs/teaching/lab7/small-stlb.tlb --panel tlb --size 900x600
