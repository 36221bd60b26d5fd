// System-call handlers, one per file (sys_<name>.cpp), declared from the
// master list in slotlab_abi.h. Each reads its arguments from the TrapFrame
// and leaves its result in f->rax (or rewrites the frame: call, ret).
#pragma once
#include "guest/include/slotlab_abi.h"
#include "guest/kernel/trap.h"

struct Task;
#define SLOTLAB_SYS_DECL(n, name) void sys_##name(Task* t, TrapFrame* f);
SLOTLAB_SYSCALLS(SLOTLAB_SYS_DECL)
#undef SLOTLAB_SYS_DECL

// SYS_call and SYS_ret try the fastpath first (fastpath.cpp); chosen once at
// boot from mode= and fastpath=.
void fastpath_init();
// 0 (take the general path), a trap frame to leave through with SYSRET, or a
// module entry | 1 (fastpath.cpp).
using FastPathFn = uint64_t (*)(TrapFrame*);
