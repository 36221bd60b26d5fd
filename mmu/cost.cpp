// The cost model: modelled cycles from counts. Counts are exact; cycles are a
// model (CostConfig in config.h lists the terms and docs/mmu.md the sources
// of the default latencies).
#include "mmu/mmu.h"

namespace slot::mmu {

CostBreakdown Mmu::cost(uint64_t instructions) const {
  const CostConfig& c = config().cost;
  const MmuStats s = totals();
  CostBreakdown b;
  b.instructions = double(instructions) * c.base_cpi;
  b.l1 = double(s.l1_hits) * c.l1_hit;
  b.l2 = double(s.l1_misses) * c.l2_hit;   // every L1 miss looks up the STLB
  b.walks = double(s.walks) * c.walk;
  b.mem_refs = double(s.walk_refs) * c.mem_ref;
  b.cr3 = double(s.cr3_loads) * c.cr3_load;
  b.invlpg = double(s.invlpg + s.invpcid) * c.invlpg;
  return b;
}

}  // namespace slot::mmu
