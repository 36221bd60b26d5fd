// chaos: a hostile module made of noise (workload=chaos, docs/reliability.md).
// CHAOS_RUN(seed) makes seeded random cross-module calls with random
// arguments and buffers, and runs random code: CHAOS_CODE calls into a 4 KiB
// table of pseudo-random bytes in this module's text at a seeded offset, with
// seeded registers. Random code is entered through a call to this module
// itself, so the kernel's call boundary turns its fault (or its endless loop,
// after the call timeout) into an error for the caller. The counters live on
// CHAOS_RUN's stack, which a callee's stack window never maps.
// It may call app, fs and evil, not cons, so it cannot write into the console
// text that the demo clients running beside it are checked by.
#include "guest/include/attacks.h"
#include "guest/modules/ulib.h"

SLOTLAB_MODULE("chaos", 2, 0, 1u << abi::M_APP | 1u << abi::M_FS | 1u << abi::M_EVIL | 1u << abi::M_CHAOS, 0, 0, 0);
SLOTLAB_OPNAMES(2, "CHAOS_RUN\0CHAOS_CODE");

namespace {
constexpr uint64_t kModuleArea = 1ull << 39, kGiB = 1ull << 30;
constexpr unsigned kCodeBytes = 4096, kPad = 64;

struct Blob { uint8_t b[kCodeBytes + kPad]; };
constexpr Blob make_blob() {
  Blob x{};
  uint64_t s = 0x9E3779B97F4A7C15ull;
  for (unsigned i = 0; i < kCodeBytes; ++i) {
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
    x.b[i] = uint8_t(s >> 29);
  }
  for (unsigned i = kCodeBytes; i < kCodeBytes + kPad; i += 2) x.b[i] = 0x0F, x.b[i + 1] = 0x0B;  // ud2: no running off the end
  return x;
}
// In the text segment (module.ld puts .text.* there): executable, not writable.
__attribute__((section(".text.chaos_noise"), aligned(64), used)) const Blob kNoise = make_blob();

uint8_t g_data[8192];  // module data: a buffer the kernel accepts

struct Rng {
  uint64_t s;
  uint64_t next() { s ^= s << 13, s ^= s >> 7, s ^= s << 17; return s; }
};

// A buffer from the classes the kernel must judge: module data, null, a
// kernel address, unmapped module-area space, one that spans into the next
// module's GiB, and this module's stack (always refused).
const void* random_buffer(Rng& r, uint64_t& len, const void* stack) {
  len = r.next() % 8193;
  switch (r.next() % 6) {
    case 0: return g_data + r.next() % 4096;
    case 1: return nullptr;
    case 2: return (const void*)(0xFFFFFFFF80000000ull + (r.next() & 0xFFFFF));
    case 3: return (const void*)(kModuleArea + abi::M_CHAOS * kGiB + 0x20000000);
    case 4: return (const void*)(kModuleArea + (abi::M_CHAOS + 1) * kGiB - 16);
    default: return stack;
  }
}

// Operations that would make the check of the other tasks' output unfair
// (app's demo, self-tests and bench write to the console or spin on purpose)
// or only wait for the call timeout (evil's never_return).
bool excluded(uint32_t callee, uint32_t op) {
  if (callee == abi::M_APP)
    return op == abi::APP_DEMO || op == abi::APP_SELF || op == abi::APP_SPIN || op == abi::APP_BENCH ||
           op == abi::APP_PROBE;
  if (callee == abi::M_EVIL) return op == ATK_never_return;
  if (callee == abi::M_CHAOS) return op == abi::CHAOS_RUN;
  return false;
}

int64_t run(uint64_t seed) {
  Rng r{seed * 0x2545F4914F6CDD1Dull + 1};
  volatile uint8_t stack_buf[64] = {};
  uint64_t calls = 0, fault_returns = 0;
  static constexpr uint32_t kCallees[] = {abi::M_APP, abi::M_FS, abi::M_EVIL, abi::M_BLK, abi::M_CONS, 29, abi::M_CHAOS};
  for (unsigned k = 0; k < 96; ++k) {
    int64_t res;
    if (k % 3 == 0) {  // random code
      res = u::call(abi::M_CHAOS, abi::CHAOS_CODE, r.next());
    } else {           // a random call with random arguments
      const uint32_t callee = kCallees[r.next() % (sizeof kCallees / sizeof kCallees[0])];
      uint32_t op = uint32_t(r.next() % 48);
      if (excluded(callee, op)) continue;
      uint64_t l0, l1;
      const void* b0 = random_buffer(r, l0, (const void*)stack_buf);
      const void* b1 = random_buffer(r, l1, (const void*)stack_buf);
      const uint64_t arg = (r.next() & 1) ? r.next() % 4096 : r.next() % 64;
      res = u::call(callee, op, arg, b0, l0, b1, l1);
    }
    ++calls;
    if (res == abi::E_FAULT) ++fault_returns;
    if (k % 8 == 7) u::yield();  // let the other tasks run in between
  }
  return int64_t(calls | fault_returns << 32);
}

// One run of random code: seeded registers, then a call into the noise.
int64_t noise(uint64_t seed) {
  Rng r{seed | 1};
  uint64_t target = (uint64_t)&kNoise.b[r.next() % kCodeBytes];
  const uint64_t data = (uint64_t)g_data + (r.next() % 4096);
  asm volatile("mov %[d], %%rbx\n\t"
               "mov %[d], %%rsi\n\t"
               "mov %[d], %%rdi\n\t"
               "call *%[t]"
               : [t] "+a"(target) : [d] "r"(data)
               : "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
                 "memory", "cc");
  return 0;  // the noise returned (a `ret` among the bytes, with the stack intact)
}
}  // namespace

int64_t module_main(uint64_t op, uint64_t arg, void*, uint64_t, void*, uint64_t) {
  switch (op) {
    case abi::CHAOS_RUN: return run(arg);
    case abi::CHAOS_CODE: return noise(arg);
  }
  return abi::E_INVAL;
}
