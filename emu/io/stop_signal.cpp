#include "emu/io/stop_signal.h"

#include <csignal>

namespace slot::emu {

namespace {
volatile std::sig_atomic_t g_signal = 0;
void (*volatile g_stop)(void*) = nullptr;
void* volatile g_arg = nullptr;
struct sigaction g_old_int, g_old_term;

extern "C" void on_signal(int sig) {
  g_signal = sig;
  if (auto* f = g_stop) f(g_arg);
}
}  // namespace

StopOnSignal::StopOnSignal(void (*stop)(void*), void* arg) {
  g_signal = 0;
  g_arg = arg;
  g_stop = stop;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &g_old_int);
  sigaction(SIGTERM, &sa, &g_old_term);
}

StopOnSignal::~StopOnSignal() {
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
  g_stop = nullptr;
  g_arg = nullptr;
}

bool StopOnSignal::interrupted() { return g_signal != 0; }
int StopOnSignal::signal_number() { return g_signal; }

}  // namespace slot::emu
