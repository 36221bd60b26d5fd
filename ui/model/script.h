// Scripted debugger sessions (`slotlab debug KERNEL --script FILE`): a list of
// the same commands the keys give, one per line, run headless or in a window.
// Every command that moves the machine prints one stop line:
//   stop <reason> icount=<n> call=<k> task=<name> module=<name>
// Instructors script a lecture with it, the docs' pictures are made with it,
// and tests check time travel end to end with it (docs/debugger.md).
//
// This file has no ImGui or SDL: parsing, the engine half of each command and
// the stop line. The app (ui/app/script_run.cpp) does the window half (open,
// select, walk, font, size, screenshot) and draws between commands.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "emu/engine/engine.h"

namespace slot::ui {

enum class ScriptVerb : uint8_t {
  // engine commands (print a stop line)
  Step, StepOver, StepOut, NextCall, OverCall, Finish, ReverseStep, BackToCall, ReverseContinue, Continue,
  Goto, Until,
  // set-up (no stop line)
  Break, Clear,
  // the window's half
  Select, Open, Walk, Pin, Font, Size, Present, Screenshot, Sleep, Quit,
};

struct ScriptCommand {
  ScriptVerb verb = ScriptVerb::Step;
  std::string arg;       // as written (the rest of the line, trimmed)
  uint64_t count = 1;    // step N, next-call N, continue N (max instructions), goto N, sleep N
  int line = 0;          // 1-based line in the file
};

// Parses a whole script; "" or "FILE:LINE: why" (nothing runs on a bad script).
// Blank lines and lines starting with '#' are skipped.
std::string parse_script(const std::string& text, const std::string& file, std::vector<ScriptCommand>& out);
// Reads and parses FILE.
std::string load_script(const std::string& path, std::vector<ScriptCommand>& out);
// "step, step-over, ... quit": for error messages and --help.
const char* script_verbs();

// True for the verbs that run the engine (and print a stop line).
bool moves_machine(ScriptVerb v);
// Runs an engine command or a set-up command on `e` (synchronously, on the
// thread that owns it). Returns the stop line for commands that move the
// machine, "" for set-up ones; `err` gets a one-line error.
std::string run_engine_command(engine::Engine& e, const ScriptCommand& c, std::string& err);

// The stop line for `e` as it stands after a stop with `reason`.
std::string stop_line(const engine::Engine& e, const std::string& reason);

}  // namespace slot::ui
