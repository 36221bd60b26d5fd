// What every module links against: system-call stubs, the cross-module call,
// module locks, and the SLOTLAB_MODULE descriptor macro. Modules never see
// the module or task-private areas: they just call.
#pragma once
#include <stdint.h>

#include "guest/include/slotlab_abi.h"

#ifndef MODULE_ID
#error "build modules with -DMODULE_ID=<id>"
#endif

namespace u {

// *rdx_out: rdx after the call (SYS_call: who produced the value, abi::CALL_BY_*).
inline int64_t sys(uint64_t n, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0, uint64_t a4 = 0,
                   uint64_t a5 = 0, uint64_t a6 = 0, uint64_t* rdx_out = nullptr) {
  register uint64_t r10 asm("r10") = a4;
  register uint64_t r8 asm("r8") = a5;
  register uint64_t r9 asm("r9") = a6;
  uint64_t ret;
  asm volatile("syscall"
               : "=a"(ret), "+r"(r10), "+r"(r8), "+r"(r9), "+d"(a3)
               : "a"(n), "D"(a1), "S"(a2)
               : "rcx", "r11", "memory");
  if (rdx_out) *rdx_out = a3;
  return (int64_t)ret;
}

inline const abi::KInfo* kinfo() { return (const abi::KInfo*)abi::KINFO_VA; }

using MainFn = int64_t (*)(uint64_t, uint64_t, void*, uint64_t, void*, uint64_t);

// Call operation `op` of module `callee`. Buffers must be module data or
// buffers this module was given (never its stack: stack buffers are refused);
// a length or'ed with abi::BUF_IN passes a buffer the callee may only read.
inline int64_t call(uint32_t callee, uint32_t op, uint64_t arg = 0, const void* b0 = nullptr, uint64_t l0 = 0,
                    const void* b1 = nullptr, uint64_t l1 = 0) {
  if (kinfo()->mode == 1) {  // monolithic: a plain function call, same stack, same ring
    if (callee >= 32 || !kinfo()->main[callee]) return abi::E_NOMODULE;
    return ((MainFn)kinfo()->main[callee])(op, arg, (void*)b0, l0 & ~abi::BUF_IN, (void*)b1, l1 & ~abi::BUF_IN);
  }
  return sys(abi::SYS_call, callee | (uint64_t)op << 32, arg, (uint64_t)b0, l0, (uint64_t)b1, l1);
}
// call() that also says who produced the value: *by_kernel is true when the
// kernel refused or ended the call (E_* from the kernel), false when the
// callee returned it -- even if the callee returned an E_* number itself.
// (mode=monolithic: direct calls, the kernel never answers.)
inline int64_t call_by(bool* by_kernel, uint32_t callee, uint32_t op, uint64_t arg = 0, const void* b0 = nullptr,
                       uint64_t l0 = 0) {
  *by_kernel = false;
  if (kinfo()->mode == 1) return call(callee, op, arg, b0, l0);
  uint64_t by = 0;
  const int64_t r = sys(abi::SYS_call, callee | (uint64_t)op << 32, arg, (uint64_t)b0, l0, 0, 0, &by);
  *by_kernel = by == abi::CALL_BY_KERNEL;
  return r;
}
inline int64_t lock(uint32_t n) { return sys(abi::SYS_lock, MODULE_ID, n); }
// At most `ticks` timer ticks of waiting: 0, or E_TIMEOUT.
inline int64_t lock_for(uint32_t n, uint64_t ticks) { return sys(abi::SYS_lock, MODULE_ID, n, ticks); }
inline int64_t unlock(uint32_t n) { return sys(abi::SYS_unlock, MODULE_ID, n); }
inline void yield() { sys(abi::SYS_yield); }
// SYS_dev: a driver's requests to the kernel about the device it was granted (DevOp).
inline int64_t dev(uint64_t op, uint64_t a1 = 0, uint64_t a2 = 0) { return sys(abi::SYS_dev, op, a1, a2); }
inline uint32_t task_id() { return (uint32_t)sys(abi::SYS_self); }
inline uint32_t depth() { return (uint32_t)((uint64_t)sys(abi::SYS_self) >> 32); }
inline void mark(uint64_t v) { sys(abi::SYS_mark, v); }
inline uint64_t rdtsc() {
  uint32_t lo, hi;
  asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return (uint64_t)hi << 32 | lo;
}
inline void copy(void* d, const void* s, uint64_t n) {
  auto* p = (volatile uint8_t*)d;
  auto* q = (const volatile uint8_t*)s;
  while (n--) *p++ = *q++;
}
// Where this module's GiB, heap and device pages are (memlayout.h).
inline uint64_t base() { return (1ull << 39) + (uint64_t)MODULE_ID * (1ull << 30); }
inline uint8_t* heap() { return (uint8_t*)(base() + (256ull << 20)); }
inline volatile uint16_t* device() { return (volatile uint16_t*)(base() + (512ull << 20)); }
// Named shared-memory segments (SYS_shm): map at va (base() + abi::MOD_SHM and up), unmap.
inline int64_t shm_map(const char* name, uint64_t va) { return sys(abi::SYS_shm, abi::SHM_MAP, abi::shm_name(name), va); }
inline int64_t shm_unmap(uint64_t va) { return sys(abi::SYS_shm, abi::SHM_UNMAP, va); }

}  // namespace u

extern "C" int64_t module_main(uint64_t op, uint64_t arg, void* b0, uint64_t l0, void* b1, uint64_t l1);

#define SLOTLAB_MODULE(NAME, NOPS, HEAP, CALLS, PORT_FIRST, PORT_COUNT, FLAGS)                               \
  extern "C" __attribute__((section(".modinfo"), used)) const abi::ModInfo slotlab_modinfo = {               \
      abi::MODINFO_MAGIC, MODULE_ID, NOPS, HEAP, CALLS, PORT_FIRST, PORT_COUNT, FLAGS, 0,                    \
      (uint64_t)&module_main, NAME}

// The names of this module's operations, in op order, NUL-separated
// ("FS_READ\0FS_SIZE"): the kernel announces them (ANN_OP_NAME) so that the
// debugger says fs.FS_READ, not op 0. Optional: without it, ops are numbers.
namespace u {
constexpr uint32_t count_names(const char* s, uint32_t bytes) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < bytes; ++i) n += s[i] == 0;
  return n;
}
}  // namespace u
#define SLOTLAB_OPNAMES(NOPS, NAMES)                                                              \
  static_assert(u::count_names(NAMES, sizeof NAMES) == (NOPS), "one name per operation");        \
  extern "C" __attribute__((section(".opnames"), used)) const char slotlab_opnames[] = NAMES
