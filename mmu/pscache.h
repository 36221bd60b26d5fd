// Paging-structure caches (SDM Vol. 3A §4.10.3): PML4E cache keyed by linear
// bits 47:39, PDPTE cache by 47:30, PDE cache by 47:21, all tagged with the
// PCID. An entry holds the physical address of the next paging structure and
// the rights combined so far (AND of R/W and U/S, OR of XD). Entries are made
// only from present entries with A=1 and no reserved bit set (§4.10.3.1),
// never carry G (§4.10.2.4), and may stay after the entry in memory changes.
#pragma once
#include <cstdint>
#include <vector>

#include "mmu/config.h"
#include "mmu/replacement.h"
#include "mmu/stats.h"
#include "mmu/tlb_array.h"

namespace slot::mmu {

struct PscEntry {
  uint64_t tag = 0;         // linear bits 47:(12 + 9*(level-1))
  PhysAddr table = 0;       // next paging structure
  uint64_t stamp = 0;
  uint16_t pcid = 0;
  bool valid = false;
  Perms perms;              // w, u, nx combined over the levels above
};

class Psc {
 public:
  Psc(const PscConfig& cfg, uint64_t seed);
  unsigned level() const { return cfg_.level; }
  const PscConfig& cfg() const { return cfg_; }
  const char* name() const;
  static uint64_t tag_of(unsigned level, uint64_t linear) {
    return (linear & 0xFFFF'FFFF'FFFFull) >> (12 + 9 * (level - 1));
  }
  unsigned set_of(uint64_t tag) const { return unsigned(tag & (cfg_.sets - 1)); }
  bool enabled() const { return cfg_.entries() > 0; }

  // Entry for `linear` under `pcid`, or nullptr. Does not touch stamps.
  // (At most one valid entry matches: fill() overwrites one for the same
  // tag and PCID. So the way of the set's last hit or fill, tried first,
  // gives what the scan gives; an empty cache -- after a flush -- answers
  // without a scan. Every walk starts with a lookup per level.)
  PscEntry* lookup(uint64_t linear, uint16_t pcid, unsigned* set = nullptr, unsigned* way = nullptr);
  // Fills (overwriting an entry for the same tag and PCID). Returns the slot
  // used; `evicted` gets the replaced valid entry if any.
  PscEntry& fill(uint64_t linear, uint16_t pcid, PhysAddr table, Perms perms,
                 const Provenance& prov, uint64_t stamp, bool& evicting, PscEntry& evicted,
                 unsigned& set, unsigned& way);

  void drop(unsigned i) {
    if (e_[i].valid) e_[i].valid = false, --valid_;
  }

  unsigned size() const { return unsigned(e_.size()); }
  PscEntry& flat(unsigned i) { return e_[i]; }
  const PscEntry& flat(unsigned i) const { return e_[i]; }
  const Provenance& flat_prov(unsigned i) const { return prov_[i]; }
  Provenance& prov_of(const PscEntry& e) { return prov_[&e - e_.data()]; }

  PscStats stats;
  Rng rng;

  template <class Ar> void serialize(Ar& ar);

 private:
  PscConfig cfg_;
  std::vector<PscEntry> e_;
  std::vector<Provenance> prov_;
  unsigned valid_ = 0;           // valid entries
  std::vector<unsigned> hint_;   // per set: the way last hit or filled
};

}  // namespace slot::mmu
