// `slotlab bench ARGS`: runs slotlab-bench, the benchmark and report
// generator built next to this program (app/bench/main.cpp), with ARGS as
// they are. It is its own program so that slotlab does not carry what starts
// QEMU, Bochs and gnuplot, and `scripts/bootstrap.sh demo` need not build it.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "app/cli.h"
#include "app/commands.h"

namespace slot::emu {

namespace {
int run_bench_program(const std::vector<std::string>& args) {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const std::string program = (ec ? std::filesystem::path(".") : self.parent_path()) / "slotlab-bench";
  if (access(program.c_str(), X_OK) != 0)
    throw std::runtime_error("bench: " + program + " is not built (cmake --build " +
                             self.parent_path().string() + " --target slotlab-bench)");
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(program.c_str()));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  execv(program.c_str(), argv.data());
  throw std::runtime_error("bench: cannot run " + program + ": " + std::strerror(errno));
}
}  // namespace

CommandAction bind_bench(CLI::App& cmd) {
  // Everything after `bench`, --help included, is slotlab-bench's to parse.
  cmd.prefix_command();
  cmd.set_help_flag();
  auto* c = &cmd;
  return [c] { return run_bench_program(c->remaining()); };
}

}  // namespace slot::emu
