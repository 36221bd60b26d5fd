// Stop points named on a command line: `slotlab debug --break`, `slotlab lab`,
// `slotlab trace --break`, the benchmark's breakpoint row.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "emu/engine/engine.h"

namespace slot::engine {

// Sets the stop point `spec` names:
//   sym:NAME              a symbol breakpoint ("fs:module_main", "xcall_enter")
//   addr:HEX              an execution breakpoint at a virtual address
//   event:KIND[:FILTER]   an event catch; FILTER is the vector (exception),
//                         the slot (slot_change) or the callee id (call)
// Returns "" and the point's id in *id, or a one-line error (nothing set).
std::string add_breakpoint(Engine& e, const std::string& spec, int* id = nullptr);

// Why a run stopped, in one word, as the debugger's status line and the
// scripted sessions print it: "step", "breakpoint" (execution), "watch"
// (write), the event's name for an event catch ("stale", "call",
// "slot_change", "exception"), "exit", "shutdown", "limit", "paused",
// "history-start".
std::string stop_word(const StopInfo& s, const std::vector<std::pair<int, StopPoint>>& points);

// Small parsing helpers the command-line specs share.
std::string lowercase(std::string s);
bool parse_count(const std::string& s, uint64_t& n);  // decimal digits only

}  // namespace slot::engine
