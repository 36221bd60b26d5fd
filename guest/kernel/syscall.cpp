#include "guest/kernel/syscall.h"

#include "guest/kernel/config.h"
#include "guest/kernel/task.h"
#include "guest/kernel/ipc.h"
#include "guest/kernel/xcall.h"

namespace {
using Handler = void (*)(Task*, TrapFrame*);
constexpr Handler kHandlers[] = {
#define SLOTLAB_SYS_ENTRY(n, name) sys_##name,
    SLOTLAB_SYSCALLS(SLOTLAB_SYS_ENTRY)
#undef SLOTLAB_SYS_ENTRY
};
static_assert(sizeof kHandlers / sizeof kHandlers[0] == abi::SYS_COUNT);
}  // namespace

extern "C" void syscall_dispatch(TrapFrame* f) {
  if (f->rax >= abi::SYS_COUNT) {
    f->rax = (uint64_t)abi::E_NOSYS;
    return;
  }
  Task* t = g_current;
  kHandlers[f->rax](t, f);
  // A call whose budget ran out while its callee yielded or slept in the kernel
  // (task.cpp on_timer_tick) ends here, on the way back to ring 3.
  if (CallFrame* c = t->calls.top(); c && c->ticks > CALL_TIMEOUT_TICKS && !t->is_server)
    xcall_unwind(t, f, abi::E_TIMEOUT);
  else if (t->is_server && t->busy && t->srv_ticks > CALL_TIMEOUT_TICKS)
    ipc_server_abort(t, abi::E_TIMEOUT);
}

extern "C" {
extern const FastPathFn fast_paths[3][2][2];
extern FastPathFn fast_call, fast_ret;
}

void fastpath_init() {
  const unsigned kernel = !g_cfg.fastpath ? 0 : g_cfg.mode == Mode::ModArea ? 1 : g_cfg.mode == Mode::Ipc ? 2 : 0;
  fast_call = fast_paths[kernel][g_cfg.call_records][0];
  fast_ret = fast_paths[kernel][g_cfg.call_records][1];
}
