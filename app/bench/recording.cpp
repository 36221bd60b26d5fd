#include "app/bench/recording.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace slot::bench {

namespace {
constexpr const char* kNames[] = {"qemu", "slotlab", "slotlab-tlb-none", "slotlab-trace", "slotlab-break", "bochs"};
constexpr const char* kTitles[] = {"QEMU 7.2 TCG",
                                   "slotlab (skylake TLB)",
                                   "slotlab (--tlb none)",
                                   "slotlab (skylake, --trace all)",
                                   "slotlab (skylake, debugger, 1 breakpoint)",
                                   "Bochs 2.7 (GRUB ISO)"};
constexpr const char* kHeader = "# slotlab bench emulator: recorded run v1";

// Values may hold anything (profiles are multi-line): backslash escapes.
std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '\\') o += "\\\\";
    else if (c == '\t') o += "\\t";
    else if (c == '\n') o += "\\n";
    else if (c != '\r') o += c;
  }
  return o;
}

std::string unesc(const std::string& s) {
  std::string o;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      o += s[i];
      continue;
    }
    const char n = s[++i];
    o += n == 't' ? '\t' : n == 'n' ? '\n' : n;
  }
  return o;
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t t = line.find('\t', start);
    out.push_back(line.substr(start, t == std::string::npos ? std::string::npos : t - start));
    if (t == std::string::npos) return out;
    start = t + 1;
  }
}

uint64_t to_u64(const std::string& s, size_t line) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  if (s.empty() || *end) throw std::runtime_error("recording line " + std::to_string(line) + ": bad number '" + s + "'");
  return v;
}

double to_double(const std::string& s, size_t line) {
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end) throw std::runtime_error("recording line " + std::to_string(line) + ": bad number '" + s + "'");
  return v;
}
}  // namespace

const char* engine_name(Engine e) { return kNames[unsigned(e)]; }
const char* engine_title(Engine e) { return kTitles[unsigned(e)]; }

bool parse_engine(const std::string& s, Engine& out) {
  for (Engine e : kEngines)
    if (s == engine_name(e)) {
      out = e;
      return true;
    }
  return false;
}

const std::string& Recording::get(const std::string& key) const {
  static const std::string empty;
  for (const auto& [k, v] : meta)
    if (k == key) return v;
  return empty;
}

void Recording::set(const std::string& key, const std::string& value) {
  for (auto& [k, v] : meta)
    if (k == key) {
      v = value;
      return;
    }
  meta.emplace_back(key, value);
}

std::string to_tsv(const Recording& r) {
  std::ostringstream o;
  o << kHeader << "\n";
  for (const auto& [k, v] : r.meta) o << "meta\t" << esc(k) << "\t" << esc(v) << "\n";
  o << "# sample workload engine run wall_s icount loop_insns status ok checksum note\n";
  for (const Sample& s : r.samples) {
    char wall[32];
    std::snprintf(wall, sizeof wall, "%.6f", s.wall_s);
    o << "sample\t" << esc(s.workload) << "\t" << engine_name(s.engine) << "\t" << s.run << "\t" << wall << "\t"
      << s.icount << "\t" << s.loop_insns << "\t" << s.status << "\t" << (s.ok ? 1 : 0) << "\t" << esc(s.checksum)
      << "\t" << esc(s.note) << "\n";
  }
  return o.str();
}

Recording from_tsv(const std::string& text) {
  Recording r;
  std::istringstream in(text);
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    const std::vector<std::string> f = split_tabs(line);
    const std::string where = "recording line " + std::to_string(n);
    if (f[0] == "meta") {
      if (f.size() != 3) throw std::runtime_error(where + ": want meta KEY VALUE");
      r.meta.emplace_back(unesc(f[1]), unesc(f[2]));
    } else if (f[0] == "sample") {
      if (f.size() != 11) throw std::runtime_error(where + ": want 10 sample fields, got " + std::to_string(f.size() - 1));
      Sample s;
      s.workload = unesc(f[1]);
      if (!parse_engine(f[2], s.engine)) throw std::runtime_error(where + ": unknown engine '" + f[2] + "'");
      s.run = unsigned(to_u64(f[3], n));
      s.wall_s = to_double(f[4], n);
      s.icount = to_u64(f[5], n);
      s.loop_insns = to_u64(f[6], n);
      s.status = int(std::strtol(f[7].c_str(), nullptr, 10));
      s.ok = f[8] == "1";
      s.checksum = unesc(f[9]);
      s.note = unesc(f[10]);
      r.samples.push_back(std::move(s));
    } else {
      throw std::runtime_error(where + ": unknown record '" + f[0] + "'");
    }
  }
  return r;
}

}  // namespace slot::bench
