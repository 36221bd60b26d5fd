#include "app/bench/host_info.h"

#include <fstream>

#include "app/bench/runner.h"

#ifndef SLOTLAB_SOURCE_DIR
#define SLOTLAB_SOURCE_DIR "."
#endif

namespace slot::bench {

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

std::string host_model() {
  std::ifstream f("/proc/cpuinfo");
  for (std::string line; std::getline(f, line);)
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown CPU";
}

std::string loadavg() {
  std::ifstream f("/proc/loadavg");
  std::string one, five, fifteen;
  f >> one >> five >> fifteen;
  return f ? one + " " + five + " " + fifteen : "unknown";
}

std::string source_commit() {
  std::string commit = first_line(git({"rev-parse", "--short", "HEAD"}));
  if (commit.empty()) return "unknown";
  if (!git({"status", "--porcelain", "--untracked-files=no", "--", ".", ":!docs/results.md", ":!docs/img"}).empty())
    commit += " + uncommitted changes";
  return commit;
}

std::string git(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"git", "-C", SLOTLAB_SOURCE_DIR};
  argv.insert(argv.end(), args.begin(), args.end());
  const RunResult r = run_process(argv, 30);
  return r.status == 0 ? r.transcript : "";
}

std::string grouped(uint64_t v) {
  std::string s = std::to_string(v), o;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i && (s.size() - i) % 3 == 0) o += ',';
    o += s[i];
  }
  return o;
}

}  // namespace slot::bench
