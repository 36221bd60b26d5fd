// Exports of the engine's history for the tools people already use
// (docs/debugger-engine.md, "Exports"):
//  - the call tree as text (per cross-module call: task, caller -> callee,
//    operation, instructions, TLB misses per level, walks, modelled cycles,
//    inclusive and exclusive);
//  - Chrome trace-event JSON (Perfetto, chrome://tracing): one track per
//    task with nested slices for calls, instant events for PML4 slot changes
//    and CR3 loads, counter tracks for TLB misses;
//  - every event as one JSON object per line.
// All of them read a finished (or paused) engine; none runs the machine.
#pragma once
#include <cstdio>
#include <string>

#include "emu/engine/engine.h"

namespace slot::engine {

void write_call_tree(const Engine& e, std::FILE* out);
// Guest time: instruction count / the board clock's instructions per second.
void write_chrome_trace(const Engine& e, std::FILE* out);
void write_events_jsonl(const Engine& e, std::FILE* out);

// One event as a JSON object (no newline); the JSONL line format.
std::string event_json(const Engine& e, size_t index);

}  // namespace slot::engine
