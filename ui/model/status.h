// The status line under the toolbar: why the machine stopped (the same word
// as a scripted session's stop line), where, and in which call.
#pragma once
#include <string>

#include "ui/model/frame.h"

namespace slot::ui {

// "stopped: stale (event:stale) | icount 1533836 | call 3 app -> evil.read_caller_module | task ... |
//  module slot: evil | CPL 3 | 0x... sym"
std::string status_text(const engine::View& v, const Frame& f, const History& h);

// The running task's innermost open call (an index into calls), or kNone.
uint32_t current_call(const engine::View& v);

}  // namespace slot::ui
