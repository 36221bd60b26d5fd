// translate() on an L1 hit and a mixed working set, skylake vs none (the
// functional-only baseline). Not a ctest test: run build-*/tests/mmu/mmu_bench.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "mmu/mmu.h"
#include "tests/mmu/pt_builder.h"

namespace slot::mmu::test {
namespace {

struct BenchWorld {
  PhysMemory mem{64 << 20};
  PtBuilder pt{mem};
  std::unique_ptr<Mmu> mmu;
  explicit BenchWorld(const char* model) {
    for (unsigned i = 0; i < 512; ++i) pt.map(0x40'0000 + i * 0x1000ull, 0x200'0000 + i * 0x1000ull, PageSize::K4);
    mmu = std::make_unique<Mmu>(mem, model);
    mmu->reset_mode(PagingMode{kCr0, pt.cr3, kCr4 | x86::CR4_PGE, kEfer});
  }
};

// The same 4 KiB page over and over: the L1 hit path.
void BM_L1Hit(benchmark::State& st, const char* model) {
  BenchWorld w(model);
  const AccessCtx who{3, false, false};
  uint64_t va = 0x40'0000, sum = 0;
  Fault f;
  for (auto _ : st) {
    PhysAddr pa;
    w.mmu->translate(va + (sum & 0xFF8), Access::Read, who, pa, f);
    sum += pa;
  }
  benchmark::DoNotOptimize(sum);
}

// 16 pages round robin, data reads and writes plus a fetch page: all L1 hits
// in skylake (16 pages fit the 64-entry DTLB), all mirror hits in none.
void BM_Mixed16(benchmark::State& st, const char* model) {
  BenchWorld w(model);
  const AccessCtx who{3, false, false};
  uint64_t i = 0, sum = 0;
  Fault f;
  for (auto _ : st) {
    PhysAddr pa;
    const uint64_t va = 0x40'0000 + (i % 16) * 0x1000 + (i & 0x3F8);
    w.mmu->translate(va, Access(i % 3 == 2 ? 1 : 0), who, pa, f);
    w.mmu->translate(0x41'0000 + (i & 0xFF), Access::Fetch, who, pa, f);
    sum += pa;
    ++i;
  }
  benchmark::DoNotOptimize(sum);
}

// 256 pages: misses the L1 DTLB (64 entries) but fits the STLB.
void BM_Stlb256(benchmark::State& st, const char* model) {
  BenchWorld w(model);
  const AccessCtx who{3, false, false};
  uint64_t i = 0, sum = 0;
  Fault f;
  for (auto _ : st) {
    PhysAddr pa;
    w.mmu->translate(0x40'0000 + ((i * 97) % 256) * 0x1000, Access::Read, who, pa, f);
    sum += pa;
    ++i;
  }
  benchmark::DoNotOptimize(sum);
}

// A CR3 reload every 64 accesses to 16 pages (a syscall-heavy guest).
void BM_Cr3Every64(benchmark::State& st, const char* model) {
  BenchWorld w(model);
  const AccessCtx who{3, false, false};
  uint64_t i = 0, sum = 0;
  Fault f;
  for (auto _ : st) {
    PhysAddr pa;
    if ((i & 63) == 0) w.mmu->write_cr3(w.pt.cr3);
    w.mmu->translate(0x40'0000 + (i % 16) * 0x1000, Access::Read, who, pa, f);
    sum += pa;
    ++i;
  }
  benchmark::DoNotOptimize(sum);
}

}  // namespace
}  // namespace slot::mmu::test

// MMU_BENCH_ITERS=N fixes the iteration count, so that
//   perf stat -e instructions:u mmu_bench --benchmark_filter=X
// run with two values of N gives instructions per translate() exactly,
// whatever else the machine is doing.
int main(int argc, char** argv) {
  using namespace slot::mmu::test;
  const char* iters = std::getenv("MMU_BENCH_ITERS");
  const struct { const char* name; void (*fn)(benchmark::State&, const char*); } benches[] = {
      {"BM_L1Hit", BM_L1Hit}, {"BM_Mixed16", BM_Mixed16}, {"BM_Stlb256", BM_Stlb256},
      {"BM_Cr3Every64", BM_Cr3Every64}};
  for (const auto& b : benches)
    for (const char* model : {"skylake", "none"}) {
      auto* r = benchmark::RegisterBenchmark((std::string(b.name) + "/" + model).c_str(), b.fn, model);
      if (iters) r->Iterations(std::strtoll(iters, nullptr, 10));
    }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
