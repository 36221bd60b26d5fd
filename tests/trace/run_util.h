// Helpers for the trace tests: run the slotlab binary (or another tool) with
// a shell command line, capture its streams, read files, and compare text
// with a golden file.
#pragma once
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace trace_test {

struct Result {
  int status = -1;
  std::string out, err;
};

inline std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// A fresh directory for one test's files.
inline std::string scratch() {
  const testing::TestInfo* t = testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(t->test_suite_name()) + "." + t->name();
  for (char& c : name)
    if (c == '/') c = '_';
  const std::filesystem::path d = std::filesystem::path(testing::TempDir()) / ("slotlab_trace_" + name);
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d.string();
}

// Runs `cmd` through the shell with stdout/stderr captured in `dir`.
inline Result shell(const std::string& dir, const std::string& cmd) {
  const std::string o = dir + "/stdout.txt", e = dir + "/stderr.txt";
  const int rc = std::system((cmd + " >" + o + " 2>" + e).c_str());
  Result r;
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  r.out = read_file(o);
  r.err = read_file(e);
  return r;
}

inline Result slotlab(const std::string& dir, const std::string& args) {
  return shell(dir, std::string(SLOTLAB_BIN) + " run " + args);
}

// The golden kernel exits through isa-debug-exit with 0: status (0 << 1) | 1.
inline constexpr int kKernelExit = 1;

}  // namespace trace_test
