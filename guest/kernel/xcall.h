// The cross-module call (SYS_call) and its undo (SYS_ret, or an unwind after
// a fault or a timeout). Runs in the calling task; the callee is entered by
// rewriting the task's user TrapFrame.
#pragma once
#include <stdint.h>

#include "guest/kernel/trap.h"

struct Task;
// SYS_call: f->rdi = callee | op << 32, rsi = arg, rdx/r10 = buf0/len0,
// r8/r9 = buf1/len1. Either enters the callee (f rewritten, returns true) or
// fails without side effects (returns false, *err set).
bool xcall_enter(Task* t, TrapFrame* f, int64_t* err);
// SYS_ret with `value` at depth > 0: resume the caller with rax = value and
// rdx = who produced it (abi::CALL_BY_CALLEE, or CALL_BY_KERNEL when the
// kernel ends the call: xcall_unwind).
void xcall_return(Task* t, TrapFrame* f, int64_t value, uint64_t by = 0);
// End the innermost call with an error (fault, timeout): release its locks,
// then return like xcall_return.
void xcall_unwind(Task* t, TrapFrame* f, int64_t err);

// The last call that passed a buffer (for the self-tests' no-copy check).
struct LastCall {
  uint32_t task, caller_module;
  uint64_t caller_va, window_va, window_pte;
};
extern LastCall g_last_buffer_call;
