// Configuration of the TLB model: the arrays of the hierarchy, the
// paging-structure caches, and the cost model's latencies. Built from a
// preset (presets.cpp) or a description file (config_parse.cpp; the format is
// documented in docs/mmu.md, "Custom description files").
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "mmu/stats.h"
#include "mmu/types.h"

namespace slot::mmu {

// One set-associative TLB array. `sets` is a power of two; sets*ways entries.
struct ArrayConfig {
  std::string name;
  unsigned level = 1;       // 1 = first level (L1 ITLB/DTLB), 2 = second level (STLB)
  Side side = Side::Data;
  uint8_t sizes = 0;        // bitmask of size_bit(PageSize)
  unsigned sets = 1, ways = 1;
  Policy policy = Policy::Plru;
  unsigned entries() const { return sets * ways; }
};

// One paging-structure cache (SDM Vol. 3A §4.10.3.1). level: 4 = PML4E
// cache, 3 = PDPTE cache, 2 = PDE cache. entries == 0 disables it.
struct PscConfig {
  unsigned level = 4;
  unsigned sets = 1, ways = 0;
  Policy policy = Policy::Lru;
  unsigned entries() const { return sets * ways; }
};

// Latencies of the cost model, in core cycles. The model is
//   cycles = instructions * base_cpi + l1_hit * L1 hits + l2_hit * (L1 misses)
//          + walk * walks + mem_ref * walk memory references
//          + cr3_load * CR3 loads + invlpg * INVLPG/INVPCID
// (an L1 miss always pays the STLB lookup; a walk adds its fixed cost and
// one mem_ref per paging entry read from memory). See docs/mmu.md.
// The cost model's prices, in cycles. docs/mmu.md §6 gives each default's
// published source, or says it is an assumption.
struct CostConfig {
  double base_cpi = 1.0;
  double l1_hit = 0.0;    // hidden in the load pipeline on Skylake
  double l2_hit = 9.0;    // STLB hit (docs/mmu.md)
  double walk = 20.0;     // page-walk fixed cost (docs/mmu.md: ~20-30 + refs)
  double mem_ref = 4.0;   // one paging-entry read, assumed an L1D hit
  // Direct costs of privileged instructions, beyond base_cpi.
  double cr3_load = 100.0;     // MOV to CR3 that flushes (bit 63 clear, or no PCIDs)
  double cr3_noflush = 100.0;  // MOV to CR3 with bit 63 set
  double invlpg = 100.0;
  double invpcid = 100.0;
  double syscall = 40.0, sysret = 30.0, iret = 70.0;
  double wrmsr = 144.0;
  double port_io = 225.0;      // per IN/OUT (device-dependent)
  // REP MOVS / REP STOS: start-up per step, then bytes at this bandwidth
  // (0 = bytes free).
  double string_start = 35.0;
  double string_bw = 32.0;     // bytes per cycle
};

// Modelled cycles of `in` under `c` (cost.cpp): the one formula every report uses.
CostBreakdown price(const CostConfig& c, const CostInputs& in);

// The prices by name, in the order of a description file's `cost` line.
struct CostField {
  const char* name;
  double CostConfig::*field;
};
const std::vector<CostField>& cost_fields();

struct TlbConfig {
  std::string name;
  bool modelled = true;  // false = "none": functional translation only
  std::vector<ArrayConfig> arrays;
  std::vector<PscConfig> pscs;
  CostConfig cost;
  uint64_t seed = 1;     // for Policy::Random
};

// Presets: "skylake" (default), "icelake", "tiny", "none". Returns false
// for an unknown name.
bool preset_config(const std::string& name, TlbConfig& out);
const std::vector<std::string>& preset_names();

// Parses a description; on error throws std::runtime_error whose message is
// one line "FILE:LINE: what is wrong".
TlbConfig parse_config_text(const std::string& text, const std::string& filename);
TlbConfig parse_config_file(const std::string& path);

// A preset name or a file path (what `--tlb` takes). Throws like above.
TlbConfig load_config(const std::string& preset_or_file);

// Checks geometry (power-of-two sets, at least one way, sizes non-empty,
// known levels). Throws std::runtime_error with `where` as the prefix.
void validate_config(const TlbConfig& c, const std::string& where);

// Renders a config in the description-file format (round-trips through
// parse_config_text).
std::string format_config(const TlbConfig& c);

}  // namespace slot::mmu
