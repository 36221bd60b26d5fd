#include "guest/kernel/syscall.h"

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
