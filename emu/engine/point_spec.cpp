#include "emu/engine/point_spec.h"

#include <cctype>
#include <exception>

namespace slot::engine {

std::string lowercase(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool parse_count(const std::string& s, uint64_t& n) {
  if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos) return false;
  n = std::stoull(s);
  return true;
}

std::string stop_word(const StopInfo& s, const std::vector<std::pair<int, StopPoint>>& points) {
  switch (s.reason) {
    case StopReason::Step:
      return s.step == StepKind::NextCall ? "call"
             : s.step == StepKind::OverCall || s.step == StepKind::FinishCall ? "return" : "step";
    case StopReason::GuestExit: return "exit";
    case StopReason::Shutdown: return "shutdown";
    case StopReason::Limit: return "limit";
    case StopReason::Paused: return "paused";
    case StopReason::HistoryStart: return "history-start";
    case StopReason::Point: break;
  }
  for (const auto& [id, p] : points) {
    if (id != s.point) continue;
    switch (p.kind) {
      case PointKind::Exec: case PointKind::ExecPhys: return "breakpoint";
      case PointKind::Write: case PointKind::WritePhys: return "watch";
      case PointKind::Event: return event_name(p.event);
    }
  }
  return "point";  // removed since
}

std::string add_breakpoint(Engine& e, const std::string& spec, int* id) {
  const size_t colon = spec.find(':');
  const std::string what = lowercase(spec.substr(0, colon));
  const std::string arg = colon == std::string::npos ? "" : spec.substr(colon + 1);
  int got = 0;
  try {
    if (what == "sym") {
      got = e.add_symbol_breakpoint(arg);
    } else if (what == "addr") {
      const std::string hex = arg.rfind("0x", 0) == 0 || arg.rfind("0X", 0) == 0 ? arg.substr(2) : arg;
      if (hex.empty() || hex.size() > 16 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
        return "addr:HEX needs a hexadecimal address, not '" + arg + "'";
      const uint64_t a = std::stoull(hex, nullptr, 16);
      StopPoint p = StopPoint::exec(a);
      p.label = spec;
      got = e.add_point(p);
    } else if (what == "event") {
      std::string kind = lowercase(arg);
      int64_t filter = -1;
      if (const size_t c2 = kind.find(':'); c2 != std::string::npos) {
        uint64_t f = 0;
        if (!parse_count(kind.substr(c2 + 1), f)) return "bad filter in --break " + spec;
        filter = int64_t(f);
        kind = kind.substr(0, c2);
      }
      for (unsigned k = 0; k < kEventKinds && !got; ++k)
        if (lowercase(event_name(EventKind(k))) == kind) {
          StopPoint p = StopPoint::on(EventKind(k), filter);
          p.label = spec;
          got = e.add_point(p);
        }
      if (!got) return "unknown event kind '" + kind + "'";
    } else {
      return "unknown --break '" + spec + "' (sym:NAME, addr:HEX, event:KIND[:FILTER])";
    }
  } catch (const std::exception& ex) {
    return ex.what();
  }
  if (id) *id = got;
  return "";
}

}  // namespace slot::engine
