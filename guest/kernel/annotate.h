// The kernel's side of the annotation port (emu/annotation_protocol.h,
// docs/annotation.md). Writes vanish where no emulator listens (QEMU).
#pragma once
#include <stdint.h>

struct Module;
// The module (ANN_MODULE), then one ANN_OP_NAME per name in `opnames`
// (its .opnames section: NUL-separated names in op order; nullptr if none).
void annotate_module(const Module& m, const char* opnames, uint32_t opnames_bytes);
void annotate_address_space(uint64_t cr3, uint32_t task, uint32_t module, const char* name);
void annotate_task_create(uint32_t task, uint32_t home_module, uint32_t parent, const char* name);
void annotate_task_exit(uint32_t task, int64_t value);
void annotate_mark(const char* text);

// The general path's and the fastpath's call and return records (out of
// line: the debugger's tests put breakpoints on them). annotate=0 leaves them
// out (the kernel's own cost, without the debugger's instrumentation; tasks,
// modules and marks are still announced); the fastpath is instantiated
// without them then (fastpath.cpp).
struct BufferWindow;
void annotate_call(uint32_t task, uint32_t caller, uint32_t callee, uint32_t op, uint32_t depth,
                   const BufferWindow* bufs, unsigned nbuf);
void annotate_return(uint32_t task, int64_t status, uint32_t depth, uint32_t callee, uint32_t caller);
