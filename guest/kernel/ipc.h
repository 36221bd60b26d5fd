// mode=ipc: the classic baseline (a server thread and address space per
// module, synchronous send/receive with message copy).
#pragma once
#include <stdint.h>

#include "guest/kernel/task.h"
#include "guest/kernel/trap.h"

struct Task;
struct Module;
struct CallFrame;
bool ipc_call(Task* t, TrapFrame* f, Module* m, uint32_t op, const CallFrame* plan, int64_t* err);
void ipc_unwind(Task* t, TrapFrame* f, int64_t err);
void ipc_reply(Task* server, int64_t value, uint64_t by = 0);  // SYS_ret in a server thread (by: abi::CALL_BY_*)
void ipc_server_abort(Task* server, int64_t err);   // fault or timeout in a server thread
bool ipc_would_deadlock(Task* waiter, Task* owner);  // owner (transitively) waits for waiter
extern Task* g_server[];                            // module id -> its server thread (nullptr: none yet)

// Server s takes client t's request for module `callee` (chain length
// `depth`): both paths' bookkeeping of a send.
inline void ipc_accept(Task* s, Task* t, uint32_t callee, unsigned depth) {
  s->ipc_req.caller_module = t->cur_module;
  s->ipc_req.callee_module = callee;
  s->busy = true;
  s->ipc_client = t;
  s->ipc_depth = depth;
  s->ipc_origin = t->ipc_origin;
  s->srv_ticks = 0;
  t->ipc_waiting_on = s;
}
