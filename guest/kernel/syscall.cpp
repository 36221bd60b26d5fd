#include "guest/kernel/syscall.h"

#include "guest/kernel/config.h"
#include "guest/kernel/task.h"

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
  kHandlers[f->rax](g_current, f);
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
