// Ctrl-C (SIGINT) and SIGTERM during a long run: instead of dying with a
// trace cut in the middle of a record, the run stops at the next instruction
// boundary, the outputs are finished (a trace's end line says "interrupted"),
// the summary so far is printed, and the command exits 130. While a
// StopOnSignal lives, the signals call `stop(arg)`, which must be
// async-signal-safe (an atomic store: Cpu::request_stop, Engine::pause).
#pragma once

namespace slot::emu {

class StopOnSignal {
 public:
  StopOnSignal(void (*stop)(void*), void* arg);
  ~StopOnSignal();   // the previous handlers again
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;
  static bool interrupted();   // a signal came while one lived
  static int signal_number();  // which (SIGINT or SIGTERM), 0 if none
};

inline constexpr int kExitInterrupted = 130;   // 128 + SIGINT, as shells report it

}  // namespace slot::emu
