#include "ui/model/script.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "emu/engine/point_spec.h"
#include "ui/model/names.h"
#include "ui/model/session.h"
#include "ui/model/status.h"

namespace slot::ui {

namespace {

struct VerbInfo {
  const char* name;
  ScriptVerb verb;
  enum Arg : uint8_t { None, Count, Number, Text } arg;
  const char* stop;   // the stop line's reason when the run ended as asked (StopReason::Step)
};
// The keys' commands (ui/model/keys.h) under the names the menus use.
constexpr VerbInfo kVerbs[] = {
    {"step", ScriptVerb::Step, VerbInfo::Count, "step"},                 // F11
    {"step-over", ScriptVerb::StepOver, VerbInfo::Count, "step"},        // F10
    {"step-out", ScriptVerb::StepOut, VerbInfo::None, "step"},           // Shift+F11
    {"next-call", ScriptVerb::NextCall, VerbInfo::Count, "call"},        // F8
    {"over-call", ScriptVerb::OverCall, VerbInfo::None, "return"},       // F7
    {"finish", ScriptVerb::Finish, VerbInfo::None, "return"},            // Shift+F8
    {"reverse-step", ScriptVerb::ReverseStep, VerbInfo::Count, "step"},  // Ctrl+F11
    {"back-to-call", ScriptVerb::BackToCall, VerbInfo::None, "call"},    // Ctrl+F8
    {"reverse-continue", ScriptVerb::ReverseContinue, VerbInfo::None, "step"},  // Shift+F5
    {"continue", ScriptVerb::Continue, VerbInfo::Count, "step"},         // F5; N = at most N instructions
    {"goto", ScriptVerb::Goto, VerbInfo::Number, "goto"},                // goto ICOUNT
    {"until", ScriptVerb::Until, VerbInfo::Text, "until"},               // until SPEC (as --until)
    {"break", ScriptVerb::Break, VerbInfo::Text, ""},                    // break SPEC (as --break)
    {"clear", ScriptVerb::Clear, VerbInfo::None, ""},                    // remove every stop point
    {"select", ScriptVerb::Select, VerbInfo::Text, ""},                  // select task NAME|ID
    {"open", ScriptVerb::Open, VerbInfo::Text, ""},                      // open PANEL[,PANEL...]
    {"walk", ScriptVerb::Walk, VerbInfo::Text, ""},                      // walk ADDR|REGISTER
    {"pin", ScriptVerb::Pin, VerbInfo::None, ""},                        // pin the page walk (compare later)
    {"font", ScriptVerb::Font, VerbInfo::Text, ""},                      // font SCALE
    {"size", ScriptVerb::Size, VerbInfo::Text, ""},                      // size WxH
    {"present", ScriptVerb::Present, VerbInfo::Text, ""},                // present on|off
    {"screenshot", ScriptVerb::Screenshot, VerbInfo::Text, ""},          // screenshot PATH [PANEL]
    {"sleep", ScriptVerb::Sleep, VerbInfo::Number, ""},                  // sleep MS (a window only)
    {"quit", ScriptVerb::Quit, VerbInfo::None, ""},
};

const VerbInfo& info(ScriptVerb v) {
  for (const VerbInfo& i : kVerbs)
    if (i.verb == v) return i;
  return kVerbs[0];
}

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

}  // namespace

const char* script_verbs() {
  return "step [N], step-over [N], step-out, next-call [N], over-call, finish, reverse-step [N], back-to-call, "
         "reverse-continue, continue [N], goto ICOUNT, until SPEC, break SPEC, clear, select task NAME, "
         "open PANELS, walk ADDR|stop, pin, font SCALE, size WxH, present on|off, screenshot PATH [PANEL], sleep MS, quit";
}

bool moves_machine(ScriptVerb v) { return v <= ScriptVerb::Until; }

std::string parse_script(const std::string& text, const std::string& file, std::vector<ScriptCommand>& out) {
  out.clear();
  std::istringstream in(text);
  std::string raw;
  int line = 0;
  while (std::getline(in, raw)) {
    ++line;
    const std::string l = trim(raw);
    if (l.empty() || l[0] == '#') continue;
    const size_t sp = l.find_first_of(" \t");
    const std::string word = engine::lowercase(l.substr(0, sp));
    const std::string arg = sp == std::string::npos ? "" : trim(l.substr(sp));
    const std::string where = file + ":" + std::to_string(line) + ": ";
    const VerbInfo* vi = nullptr;
    for (const VerbInfo& i : kVerbs)
      if (word == i.name) vi = &i;
    if (!vi) return where + "unknown command '" + word + "' (one of: " + script_verbs() + ")";
    ScriptCommand c;
    c.verb = vi->verb;
    c.arg = arg;
    c.line = line;
    switch (vi->arg) {
      case VerbInfo::None:
        if (!arg.empty()) return where + word + " takes no argument (got '" + arg + "')";
        break;
      case VerbInfo::Count:
        c.count = vi->verb == ScriptVerb::Continue ? 0 : 1;
        if (!arg.empty() && (!engine::parse_count(arg, c.count) || (c.count == 0 && vi->verb != ScriptVerb::Continue)))
          return where + word + " wants a count of 1 or more (got '" + arg + "')";
        break;
      case VerbInfo::Number:
        if (!engine::parse_count(arg, c.count)) return where + word + " wants a number (got '" + arg + "')";
        break;
      case VerbInfo::Text:
        if (arg.empty()) return where + word + " needs an argument";
        if (c.verb == ScriptVerb::Select) {
          // "select task NAME" reads as the menus say it; "select NAME" works too.
          const std::string rest = engine::lowercase(arg).rfind("task ", 0) == 0 ? trim(arg.substr(5)) : arg;
          if (rest.empty()) return where + "select task needs a name or an id";
          c.arg = rest;
        }
        if (c.verb == ScriptVerb::Present && arg != "on" && arg != "off")
          return where + "present wants on or off (got '" + arg + "')";
        break;
    }
    out.push_back(std::move(c));
  }
  return "";
}

std::string load_script(const std::string& path, std::vector<ScriptCommand>& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return "cannot read script " + path;
  std::ostringstream ss;
  ss << f.rdbuf();
  return parse_script(ss.str(), path, out);
}

std::string stop_line(const engine::Engine& e, const std::string& reason) {
  const engine::View v = e.make_view();
  const Names n(v);
  const uint32_t k = current_call(v);
  const std::string call = k == engine::kNone ? "-" : std::to_string(engine::call_number(k));
  char buf[512];
  std::snprintf(buf, sizeof buf, "stop %s icount=%llu call=%s task=%s module=%s", reason.c_str(),
                (unsigned long long)v.icount, call.c_str(), n.task(v.task).c_str(), n.module(v.module).c_str());
  return buf;
}

std::string run_engine_command(engine::Engine& e, const ScriptCommand& c, std::string& err) {
  using engine::StepKind;
  err.clear();
  engine::StopInfo s;
  auto steps = [&](StepKind k) {
    for (uint64_t i = 0; i < c.count; ++i) {
      s = e.step(k);
      if (s.reason != engine::StopReason::Step) break;
    }
  };
  switch (c.verb) {
    case ScriptVerb::Step: steps(StepKind::Insn); break;
    case ScriptVerb::StepOver: steps(StepKind::OverInsn); break;
    case ScriptVerb::StepOut: s = e.step(StepKind::Out); break;
    case ScriptVerb::NextCall: steps(StepKind::NextCall); break;
    case ScriptVerb::OverCall: s = e.step(StepKind::OverCall); break;
    case ScriptVerb::Finish: s = e.step(StepKind::FinishCall); break;
    case ScriptVerb::ReverseStep:
      for (uint64_t i = 0; i < c.count; ++i)
        if (s = e.reverse_step(); s.reason != engine::StopReason::Step) break;
      break;
    case ScriptVerb::BackToCall: {
      // As the key does (Session::back_to_call): from a call's own landing
      // point, the previous call.
      const uint64_t now = e.icount();
      if (now > 0) e.goto_icount(now - 1);
      s = e.back_to_call();
      break;
    }
    case ScriptVerb::ReverseContinue: s = e.reverse_cont(); break;
    case ScriptVerb::Continue: s = e.cont(c.count); break;
    case ScriptVerb::Goto:
      s = e.goto_icount(c.count);
      if (e.icount() == c.count) s.reason = engine::StopReason::Step;
      break;
    case ScriptVerb::Until:
      if (err = run_until(e, c.arg); !err.empty()) return "";
      s.reason = engine::StopReason::Step;
      break;
    case ScriptVerb::Break:
      err = engine::add_breakpoint(e, c.arg);
      return "";
    case ScriptVerb::Clear:
      for (const auto& [id, p] : e.points()) e.remove_point(id);
      return "";
    default:
      return "";
  }
  const std::string word =
      s.reason == engine::StopReason::Step ? info(c.verb).stop : engine::stop_word(s, e.points());
  std::string line = stop_line(e, word);
  if (!s.message.empty() && s.reason != engine::StopReason::Point && s.message != word) line += "  # " + s.message;
  return line;
}

}  // namespace slot::ui
