// `--stats` and `--stats-json FILE`: the MMU model's counters (per TLB array,
// per paging-structure cache, per address space, per PML4 slot), the cost
// model's modelled cycles, the stale-translation summary, and the run's
// instruction count and host speed -- as a table and as JSON with the same
// content (docs/trace-format.md, "Statistics").
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "emu/trace/tracer.h"
#include "mmu/config.h"
#include "mmu/stats.h"

namespace slot::trace {

struct StatsInput {
  const mmu::MmuStats* stats = nullptr;
  const mmu::TlbConfig* config = nullptr;
  mmu::CostBreakdown cost;
  mmu::KernelOps ops;         // what the CPU counted (priced in `cost`)
  uint64_t instructions = 0;
  double host_seconds = 0;
  bool observed = false;      // tracing or stale detection slowed the run
  std::string stale_mode;     // off | detect | flush-on-write
  const std::vector<StaleSite>* stale_sites = nullptr;  // null: no summary kept
  uint64_t stale_events = 0;
  bool stale_sites_truncated = false;
};

std::string format_stats_text(const StatsInput& in);
std::string format_stats_json(const StatsInput& in);

// "PML4E-cache", "PDPTE-cache", "PDE-cache" (the names MMU events use).
const char* psc_name(unsigned level);

}  // namespace slot::trace
