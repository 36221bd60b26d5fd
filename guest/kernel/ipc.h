// mode=ipc: the classic baseline (a server thread and address space per
// module, synchronous send/receive with message copy).
#pragma once
#include <stdint.h>

#include "guest/kernel/trap.h"

struct Task;
struct Module;
struct CallFrame;
bool ipc_call(Task* t, TrapFrame* f, Module* m, uint32_t op, const CallFrame* plan, int64_t* err);
void ipc_unwind(Task* t, TrapFrame* f, int64_t err);
void ipc_reply(Task* server, int64_t value);        // SYS_ret in a server thread
void ipc_server_abort(Task* server, int64_t err);   // fault or timeout in a server thread
bool ipc_would_deadlock(Task* waiter, Task* owner);  // owner (transitively) waits for waiter
