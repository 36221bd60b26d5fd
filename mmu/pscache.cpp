#include "mmu/pscache.h"

namespace slot::mmu {

Psc::Psc(const PscConfig& cfg, uint64_t seed)
    : rng(seed), cfg_(cfg), e_(cfg.entries()), prov_(cfg.entries()), hint_(cfg.sets, 0) {
  stats.level = cfg.level;
}

const char* Psc::name() const {
  return cfg_.level == 4 ? "PML4E-cache" : cfg_.level == 3 ? "PDPTE-cache" : "PDE-cache";
}

PscEntry* Psc::lookup(uint64_t linear, uint16_t pcid, unsigned* set, unsigned* way) {
  if (!valid_) return nullptr;
  const uint64_t tag = tag_of(cfg_.level, linear);
  const unsigned s = set_of(tag);
  PscEntry* row = &e_[s * cfg_.ways];
  const auto found = [&](unsigned w) {
    hint_[s] = w;
    if (set) *set = s;
    if (way) *way = w;
    return &row[w];
  };
  const auto match = [&](const PscEntry& e) { return e.valid && e.tag == tag && e.pcid == pcid; };
  if (match(row[hint_[s]])) return found(hint_[s]);
  for (unsigned w = 0; w < cfg_.ways; ++w)
    if (match(row[w])) return found(w);
  return nullptr;
}

PscEntry& Psc::fill(uint64_t linear, uint16_t pcid, PhysAddr table, Perms perms,
                    const Provenance& prov, uint64_t stamp, bool& evicting, PscEntry& evicted,
                    unsigned& set, unsigned& way) {
  uint64_t tag = tag_of(cfg_.level, linear);
  set = set_of(tag);
  PscEntry* row = &e_[set * cfg_.ways];
  evicting = false;
  way = cfg_.ways;
  for (unsigned w = 0; w < cfg_.ways && way == cfg_.ways; ++w)
    if (row[w].valid && row[w].tag == tag && row[w].pcid == pcid) way = w;
  for (unsigned w = 0; w < cfg_.ways && way == cfg_.ways; ++w)
    if (!row[w].valid) way = w;
  if (way == cfg_.ways) {
    uint64_t stamps[64];
    unsigned n = cfg_.ways < 64 ? cfg_.ways : 64;
    for (unsigned w = 0; w < n; ++w) stamps[w] = row[w].stamp;
    way = pick_victim(cfg_.policy, stamps, n, rng);
    evicting = true;
    evicted = row[way];
  }
  PscEntry& e = row[way];
  if (!e.valid) ++valid_;
  hint_[set] = way;
  e.tag = tag;
  e.table = table;
  e.stamp = stamp;
  e.pcid = pcid;
  e.valid = true;
  e.perms = perms;
  prov_[set * cfg_.ways + way] = prov;
  return e;
}

}  // namespace slot::mmu
