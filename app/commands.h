// The command table: every `slotlab` command once, with the one line of help
// that `slotlab --help` lists (the README's command table repeats it; a test
// compares the two) and the function that declares its options. A command's
// bind() adds its options to the command's CLI::App and returns what runs it
// once the command line has parsed; its option values live in that closure.
#pragma once
#include <functional>
#include <memory>
#include <span>

namespace CLI { class App; }

namespace slot::emu {

using CommandAction = std::function<int()>;  // returns the process exit status

struct Command {
  const char* name;
  const char* help;
  CommandAction (*bind)(CLI::App& cmd);
};

// The usual binder: the command's option values in a State that the action
// owns, declared by bind(cmd, state), run by run(state).
template <class State>
CommandAction bind_state(CLI::App& cmd, void (*bind)(CLI::App&, State&), int (*run)(const State&)) {
  auto state = std::make_shared<State>();
  bind(cmd, *state);
  return [state, run] { return run(*state); };
}

// In the order `slotlab --help` lists them.
std::span<const Command> commands();

// The binders, one per app/cli_<name>.cpp.
CommandAction bind_run(CLI::App& cmd);        // boot like QEMU, traces and dumps (cli_run.cpp)
CommandAction bind_demo(CLI::App& cmd);       // the guided tour (cli_demo.cpp)
CommandAction bind_trace(CLI::App& cmd);      // call tree and exports from the engine (cli_trace.cpp)
CommandAction bind_debug(CLI::App& cmd);      // the GUI debugger (cli_debug.cpp)
CommandAction bind_lab(CLI::App& cmd);        // the classroom labs (cli_lab.cpp, lab/)
CommandAction bind_gdbserver(CLI::App& cmd);  // a gdb remote stub (cli_gdb.cpp)
CommandAction bind_bench(CLI::App& cmd);      // hands over to slotlab-bench (cli_bench_forward.cpp)

}  // namespace slot::emu
