#include "app/commands.h"

namespace slot::emu {

namespace {
constexpr Command kCommands[] = {
    {"run", "boot a multiboot kernel, COM1 to stdout, exit like QEMU's isa-debug-exit; TLB traces, statistics and "
            "dumps (docs/trace-format.md)",
     bind_run},
    {"demo", "boot the demo workload and explain every cross-module call: the task's PML4 before and after, the "
             "call stack, the TLB cost",
     bind_demo},
    {"trace", "run a kernel on the debugger engine and export its cross-module calls (call tree, Chrome/Perfetto "
              "trace, event lines)",
     bind_trace},
    {"debug", "the GUI debugger: step from module call to module call and watch every task's PML4 slots "
              "(docs/debugger.md)",
     bind_debug},
    {"lab", "the classroom labs (docs/teaching/): set up the debugger for lab N, or check its observations "
            "headless with --check",
     bind_lab},
    {"gdbserver", "boot a kernel on the debugger engine behind a gdb remote stub (docs/gdb.md)", bind_gdbserver},
    {"bench", "benchmarks and the results report (docs/performance.md, docs/results.md); runs slotlab-bench",
     bind_bench},
};
}  // namespace

std::span<const Command> commands() { return kCommands; }

}  // namespace slot::emu
