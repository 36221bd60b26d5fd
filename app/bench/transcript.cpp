#include "app/bench/transcript.h"

#include <cstdlib>

namespace slot::bench {

namespace {

// Calls f(line) for every line (without the newline).
template <class F> void for_lines(std::string_view t, F&& f) {
  while (!t.empty()) {
    const size_t nl = t.find('\n');
    std::string_view line = t.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (f(line)) return;
    if (nl == std::string_view::npos) return;
    t.remove_prefix(nl + 1);
  }
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Value of "key=" among the space-separated words of `line`.
std::optional<std::string_view> word_value(std::string_view line, std::string_view key) {
  size_t pos = 0;
  while (pos < line.size()) {
    size_t end = line.find(' ', pos);
    if (end == std::string_view::npos) end = line.size();
    const std::string_view w = line.substr(pos, end - pos);
    if (w.size() > key.size() && starts_with(w, key) && w[key.size()] == '=') return w.substr(key.size() + 1);
    pos = end + 1;
  }
  return std::nullopt;
}

bool to_u64(std::string_view s, uint64_t& v, int base = 10) {
  if (s.empty() || s.size() > 20) return false;
  const std::string tmp(s);
  char* end = nullptr;
  v = std::strtoull(tmp.c_str(), &end, base);
  return *end == 0 && tmp[0] != '-' && tmp[0] != '+';
}

std::optional<PerfLine> parse_one(std::string_view line) {
  if (!starts_with(line, "perf ")) return std::nullopt;
  PerfLine p;
  const std::string_view rest = line.substr(5);
  p.name = std::string(rest.substr(0, rest.find(' ')));
  const auto iters = word_value(line, "iters"), k = word_value(line, "k"), n = word_value(line, "loop_insns"),
             sum = word_value(line, "checksum");
  uint64_t cs = 0;
  if (p.name.empty() || !iters || !k || !n || !sum) return std::nullopt;
  if (!to_u64(*iters, p.iters) || !to_u64(*k, p.k) || !to_u64(*n, p.loop_insns) || !to_u64(*sum, cs, 16))
    return std::nullopt;
  if (p.iters * p.k != p.loop_insns) return std::nullopt;
  p.checksum = std::string(*sum);
  return p;
}

}  // namespace

std::optional<PerfLine> parse_perf_line(std::string_view transcript) {
  std::optional<PerfLine> out;
  for_lines(transcript, [&](std::string_view line) {
    out = parse_one(line);
    return out.has_value();
  });
  return out;
}

bool parse_summary(std::string_view transcript, unsigned& failed) {
  bool found = false;
  for_lines(transcript, [&](std::string_view line) {
    if (!starts_with(line, "summary: ")) return false;
    const size_t comma = line.find(", ");
    if (comma == std::string_view::npos) return false;
    std::string_view f = line.substr(comma + 2);
    const size_t sp = f.find(' ');
    uint64_t v = 0;
    if (sp == std::string_view::npos || f.substr(sp) != " failed" || !to_u64(f.substr(0, sp), v)) return false;
    failed = unsigned(v);
    found = true;
    return true;
  });
  return found;
}

GuestBench parse_guest_bench(std::string_view transcript) {
  GuestBench g;
  for_lines(transcript, [&](std::string_view line) {
    if (line == "DONE") g.done = true;
    if (!starts_with(line, "RESULT ")) return false;
    if (line.find(" FAIL") != std::string_view::npos) ++g.failures;
    else if (word_value(line, "ticks_per_call")) ++g.results;
    return false;
  });
  return g;
}

}  // namespace slot::bench
