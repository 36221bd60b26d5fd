// The preset TLB models. Each figure names its source; what no vendor
// publishes (paging-structure-cache sizes, replacement policies) is a common
// model and says so. docs/mmu.md has the table with sources.
#include <stdexcept>

#include "mmu/config.h"

namespace slot::mmu {

namespace {
constexpr uint8_t k4 = size_bit(PageSize::K4), k2 = size_bit(PageSize::M2), k1 = size_bit(PageSize::G1);

ArrayConfig arr(const char* name, unsigned level, Side side, uint8_t sizes, unsigned entries,
                unsigned ways, Policy p) {
  return ArrayConfig{name, level, side, sizes, entries / ways, ways, p};
}

// Paging-structure caches: sizes unpublished; docs/mmu.md's common model
// (PML4E 4, PDPTE 8, PDE 32), fully associative, LRU.
std::vector<PscConfig> common_pscs(unsigned pml4, unsigned pdpt, unsigned pd) {
  return {PscConfig{4, 1, pml4, Policy::Lru}, PscConfig{3, 1, pdpt, Policy::Lru},
          PscConfig{2, 1, pd, Policy::Lru}};
}

TlbConfig skylake() {
  // Intel Skylake client: docs/mmu.md, from the Intel 64 and IA-32
  // Architectures Optimization Reference Manual (248966), table 2-15
  // ("TLB parameters of the Skylake microarchitecture"), which also gives
  // the 8-entry (per thread) ITLB for 2M/4M pages. Skylake has no 1G ITLB:
  // 1G code pages are splintered into 2M ITLB entries (SDM Vol. 3A §4.10.2.3).
  // Replacement is unpublished: tree-PLRU is the usual assumption.
  TlbConfig c;
  c.name = "skylake";
  c.arrays = {
      arr("l1i_4k", 1, Side::Instr, k4, 128, 8, Policy::Plru),
      arr("l1i_2m", 1, Side::Instr, k2, 8, 8, Policy::Plru),
      arr("l1d_4k", 1, Side::Data, k4, 64, 4, Policy::Plru),
      arr("l1d_2m", 1, Side::Data, k2, 32, 4, Policy::Plru),
      arr("l1d_1g", 1, Side::Data, k1, 4, 4, Policy::Plru),
      arr("stlb", 2, Side::Unified, k4 | k2, 1536, 12, Policy::Plru),
      arr("stlb_1g", 2, Side::Unified, k1, 16, 4, Policy::Plru),
  };
  c.pscs = common_pscs(4, 8, 32);
  return c;
}

TlbConfig icelake() {
  // Intel Ice Lake client (Sunny Cove). CPUID leaf 18H of a Core
  // i7-1068NG7 (deterministic address translation parameters, recorded in
  // github.com/urd00m/System-Projects, cache_timer/i7_writeup.md): 8-entry
  // fully associative ITLB for 2M/4M pages; load DTLB 4K 64 entries 4-way,
  // 2M/4M 32 entries 4-way, 1G 8 entries fully associative; STLB 4K/2M 1024
  // entries 8-way plus a second 1024-entry 8-way STLB for 4K/1G; a 16-entry
  // fully associative store-only DTLB. The 128-entry 8-way 4K ITLB is from
  // Chips and Cheese ("Sunny Cove: Intel's Lost Generation"), as collected
  // in github.com/jiegec/cpu docs/sunny_cove.d2.
  // Simplifications: the store-only DTLB is not modelled (stores use the
  // load DTLB arrays), and the 4K/1G STLB receives only 1G pages (4K pages
  // fill the 4K/2M STLB).
  TlbConfig c;
  c.name = "icelake";
  c.arrays = {
      arr("l1i_4k", 1, Side::Instr, k4, 128, 8, Policy::Plru),
      arr("l1i_2m", 1, Side::Instr, k2, 8, 8, Policy::Plru),
      arr("l1d_4k", 1, Side::Data, k4, 64, 4, Policy::Plru),
      arr("l1d_2m", 1, Side::Data, k2, 32, 4, Policy::Plru),
      arr("l1d_1g", 1, Side::Data, k1, 8, 8, Policy::Plru),
      arr("stlb", 2, Side::Unified, k4 | k2, 1024, 8, Policy::Plru),
      arr("stlb_1g", 2, Side::Unified, k1, 1024, 8, Policy::Plru),
  };
  c.pscs = common_pscs(4, 8, 32);
  return c;
}

TlbConfig tiny() {
  // For teaching: a handful of entries and true LRU, so that misses,
  // evictions and PSC reuse show up in a few dozen accesses.
  TlbConfig c;
  c.name = "tiny";
  c.arrays = {
      arr("l1i_4k", 1, Side::Instr, k4, 4, 2, Policy::Lru),
      arr("l1i_2m", 1, Side::Instr, k2, 2, 2, Policy::Lru),
      arr("l1d_4k", 1, Side::Data, k4, 4, 2, Policy::Lru),
      arr("l1d_2m", 1, Side::Data, k2, 2, 2, Policy::Lru),
      arr("l1d_1g", 1, Side::Data, k1, 2, 2, Policy::Lru),
      arr("stlb", 2, Side::Unified, k4 | k2, 16, 4, Policy::Lru),
      arr("stlb_1g", 2, Side::Unified, k1, 2, 2, Policy::Lru),
  };
  c.pscs = common_pscs(2, 2, 4);
  return c;
}

TlbConfig none() {
  TlbConfig c;
  c.name = "none";
  c.modelled = false;
  return c;
}
}  // namespace

const std::vector<std::string>& preset_names() {
  static const std::vector<std::string> names = {"skylake", "icelake", "tiny", "none"};
  return names;
}

bool preset_config(const std::string& name, TlbConfig& out) {
  if (name == "skylake") out = skylake();
  else if (name == "icelake") out = icelake();
  else if (name == "tiny") out = tiny();
  else if (name == "none") out = none();
  else return false;
  return true;
}

TlbConfig load_config(const std::string& preset_or_file) {
  TlbConfig c;
  if (preset_config(preset_or_file, c)) return c;
  return parse_config_file(preset_or_file);
}

}  // namespace slot::mmu
