#include "app/bench/profile.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "app/bench/runner.h"

namespace slot::bench {

namespace {

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& a : v) {
    if (!s.empty()) s += ' ';
    s += a.find(' ') == std::string::npos ? a : "\"" + a + "\"";
  }
  return s;
}

std::string temp_path(const char* stem) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir && *dir ? dir : "/tmp") + "/slotlab-bench-" + stem + "-" + std::to_string(getpid());
}

std::string trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t\r");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

}  // namespace

bool perf_works() {
  const RunResult r = run_process({"perf", "record", "-q", "-e", "cpu-clock", "-o", "/dev/null", "--", "true"}, 30);
  return r.status == 0;
}

std::string parse_perf_report(const std::string& report, unsigned top) {
  std::istringstream in(report);
  std::string line, out;
  unsigned n = 0;
  while (n < top && std::getline(in, line)) {
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    const size_t pct = t.find('%');
    if (pct == std::string::npos || pct == 0) continue;
    char* end = nullptr;
    std::strtod(t.c_str(), &end);
    if (end != t.c_str() + pct) continue;
    std::string sym = trim(t.substr(pct + 1));
    // Columns after the symbol (perf's IPC columns) are set off by 2+ spaces;
    // a symbol itself holds single spaces at most ("unsigned int").
    const size_t gap = sym.find("  ", 4);
    if (gap != std::string::npos) sym = trim(sym.substr(0, gap));
    if (sym.rfind("[.] ", 0) == 0 || sym.rfind("[k] ", 0) == 0) sym = sym.substr(0, 4) + trim(sym.substr(4));
    const std::string p = t.substr(0, pct + 1);  // perf's own figure, e.g. "13.95%"
    out += std::string(p.size() < 7 ? 7 - p.size() : 0, ' ') + p + "  " + sym + "\n";
    ++n;
  }
  return out;
}

std::string parse_callgrind_annotate(const std::string& report, unsigned top) {
  // Header "... PROGRAM TOTALS" gives the total; function lines are
  // "<count> (<pct>%)  file:function" or "<count>  file:function".
  std::istringstream in(report);
  std::string line, out;
  double total = 0;
  unsigned n = 0;
  bool in_functions = false;
  while (std::getline(in, line)) {
    const std::string t = trim(line);
    std::string digits;
    size_t i = 0;
    for (; i < t.size() && (isdigit((unsigned char)t[i]) || t[i] == ','); ++i)
      if (t[i] != ',') digits += t[i];
    if (digits.empty()) {
      if (t.find("file:function") != std::string::npos) in_functions = true;
      continue;
    }
    const double count = std::strtod(digits.c_str(), nullptr);
    if (t.find("PROGRAM TOTALS") != std::string::npos) {
      total = count;
      continue;
    }
    if (!in_functions || total <= 0 || n >= top) continue;
    std::string rest = trim(t.substr(i));
    if (!rest.empty() && rest[0] == '(') rest = trim(rest.substr(rest.find(')') + 1));
    char b[32];
    std::snprintf(b, sizeof b, "%6.1f%%  ", 100.0 * count / total);
    out += b + rest + "\n";
    ++n;
  }
  return out;
}

Profile profile(const std::vector<std::string>& argv, unsigned top, bool use_perf) {
  Profile p;
  p.command = join(argv);
  if (use_perf) {
    p.tool = "perf";
    const std::string data = temp_path("perf");
    std::vector<std::string> rec = {"perf", "record", "-q", "-e", "cpu-clock", "-F", "4000", "-o", data, "--"};
    rec.insert(rec.end(), argv.begin(), argv.end());
    const RunResult r = run_process(rec, 900);
    const RunResult rep =
        run_process({"perf", "report", "-i", data, "--stdio", "--no-children", "--sort", "symbol"}, 300);
    std::remove(data.c_str());
    std::remove((data + ".old").c_str());
    p.text = parse_perf_report(rep.transcript, top);
    p.command = "perf record -e cpu-clock -F 4000 -- " + p.command + "; perf report --no-children --sort symbol";
    p.ok = !p.text.empty();
    if (!p.ok) p.error = "perf produced no samples: " + r.error + rep.error;
    return p;
  }
  p.tool = "callgrind";
  const std::string data = temp_path("callgrind");
  std::vector<std::string> rec = {"valgrind", "--tool=callgrind", "--callgrind-out-file=" + data};
  rec.insert(rec.end(), argv.begin(), argv.end());
  const RunResult r = run_process(rec, 3600);
  const RunResult rep = run_process({"callgrind_annotate", data}, 300);
  std::remove(data.c_str());
  p.text = parse_callgrind_annotate(rep.transcript, top);
  p.command = "valgrind --tool=callgrind " + p.command + "; callgrind_annotate";
  p.ok = !p.text.empty();
  if (!p.ok) p.error = "callgrind produced nothing: " + r.error + rep.error;
  return p;
}

}  // namespace slot::bench
