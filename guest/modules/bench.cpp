// b1, b2, b3: the benchmark chain. B_CALL touches `ws` pages of the module's
// heap (its working set) and both ends of the buffer, then calls the next
// bench module while depth remains. Built three times (MODULE_ID 6, 7, 8).
#include "guest/modules/ulib.h"

#ifndef BENCH_NAME
#error "BENCH_NAME"
#endif
constexpr uint32_t kNext = MODULE_ID + 1;
SLOTLAB_MODULE(BENCH_NAME, abi::B_NOPS, 512, MODULE_ID < abi::M_B3 ? 1u << kNext : 0u, 0, 0, 0);
SLOTLAB_OPNAMES(abi::B_NOPS, "B_CALL");

int64_t module_main(uint64_t op, uint64_t arg, void* b0, uint64_t l0, void*, uint64_t) {
  if (op != abi::B_CALL) return abi::E_INVAL;
  uint64_t depth = arg >> 32, ws = arg & 0xFFFFFFFF;
  const bool unmap = ws & abi::BENCH_UNMAP;
  ws &= ~abi::BENCH_UNMAP;
  volatile uint8_t* heap = u::heap();
  uint64_t sum = 0;
  if (unmap) {
    const uint64_t va = (1ull << 39) + (uint64_t)MODULE_ID * (1ull << 30) + abi::MOD_DYN;
    int64_t r = u::sys(abi::SYS_mem, abi::MEM_MAP, va, 1);
    if (r < 0) return r;
    *(volatile uint64_t*)va = depth;
    r = u::sys(abi::SYS_mem, abi::MEM_UNMAP, va, 1);
    if (r < 0) return r;
  }
  for (uint64_t p = 0; p < ws && p < 512; ++p) {
    uint8_t v = heap[p * 4096];
    heap[p * 4096] = (uint8_t)(v + 1);
    sum += v;
  }
  if (l0) {
    auto* b = (volatile uint8_t*)b0;
    sum += b[0] + b[l0 - 1];
  }
  if (depth > 1) {
    int64_t r = u::call(kNext, abi::B_CALL, (depth - 1) << 32 | ws, b0, l0);
    if (r < 0) return r;
  }
  return (int64_t)(sum & 0xFFFF);
}
