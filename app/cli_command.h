// The `slotlab` subcommands besides `run`. Each registers its options on the
// CLI::App when constructed; after parsing, main.cpp runs the one chosen.
// One template serves them all; each cli_<name>.cpp specialises State and the
// four members for its tag.
//   bench      benchmarks (emu/bench, docs/performance.md, docs/results.md)
//   gdbserver  the engine behind a gdb remote stub (emu/gdb, docs/gdb.md)
//   debug      the GUI debugger (ui/, docs/debugger.md); without the UI built
//              (-DSLOTLAB_BUILD_UI=OFF) it says so and exits with status 2
//   demo       the README's first command: every cross-module call explained
//   trace      call tree, Chrome/Perfetto trace and event lines from the engine
//   lab        the classroom labs: set up the debugger, or check them headless
//              (app/lab, docs/teaching/)
#pragma once
#include <memory>

namespace CLI { class App; }

namespace slot::emu {

template <class Tag>
class Subcommand {
 public:
  explicit Subcommand(CLI::App& app);
  ~Subcommand();
  bool chosen() const;
  int run() const;  // the process exit status

 private:
  struct State;
  std::unique_ptr<State> st_;
};

using BenchCommand = Subcommand<struct BenchTag>;
using GdbCommand = Subcommand<struct GdbTag>;
using DebugCommand = Subcommand<struct DebugTag>;
using DemoCommand = Subcommand<struct DemoTag>;
using TraceCommand = Subcommand<struct TraceTag>;
using LabCommand = Subcommand<struct LabTag>;

}  // namespace slot::emu
