#include "mmu/tlb_array.h"

namespace slot::mmu {

TlbArray::TlbArray(const ArrayConfig& cfg, uint64_t seed, const uint32_t* epochs)
    : rng(seed), cfg_(cfg), epochs_(epochs), key_(cfg.entries(), 0), e_(cfg.entries()),
      prov_(cfg.entries()), live_(4096, 0) {
  stats.name = cfg.name;
  stats.level = cfg.level;
  stats.side = cfg.side;
}

int TlbArray::lookup(PageSize s, uint64_t vpn, uint16_t pcid) const {
  const unsigned base = set_of(vpn) * cfg_.ways;
  const uint64_t want = key(s, vpn);
  const uint64_t* k = &key_[base];
  for (unsigned w = 0; w < cfg_.ways; ++w) {
    if (k[w] != want) continue;
    const TlbEntry& e = e_[base + w];
    if (e.global || (e.pcid == pcid && e.epoch == epochs_[pcid])) return int(w);
  }
  return -1;
}

unsigned TlbArray::choose_way(PageSize s, uint64_t vpn, uint16_t pcid, bool global, bool& evicting) {
  const unsigned base = set_of(vpn) * cfg_.ways;
  const TlbEntry* set = &e_[base];
  const uint64_t want = key(s, vpn);
  const unsigned n = cfg_.ways;
  uint64_t stamps[64];
  unsigned free_way = n;
  for (unsigned w = 0; w < n; ++w) {
    const TlbEntry& e = set[w];
    const bool is_live = key_[base + w] != 0 && live(e);
    if (!is_live) {
      if (free_way == n) free_way = w;
      continue;
    }
    if (key_[base + w] == want && (e.pcid == pcid || (global && e.global))) {
      evicting = false;  // the same page: refresh in place
      return w;
    }
    stamps[w] = e.stamp;
  }
  evicting = free_way == n;
  return evicting ? pick_victim(cfg_.policy, stamps, n, rng) : free_way;
}

void TlbArray::commit(unsigned set, unsigned way) {
  const unsigned i = set * cfg_.ways + way;
  TlbEntry& e = e_[i];
  e.epoch = epochs_[e.pcid];
  if (key_[i]) --held_[(key_[i] >> 1) & 3];
  key_[i] = key(e.size, e.vpn);
  ++held_[unsigned(e.size)];
  if (!e.global) ++live_[e.pcid];
}

void TlbArray::kill(unsigned set, unsigned way) {
  const unsigned i = set * cfg_.ways + way;
  TlbEntry& e = e_[i];
  if (live(e) && !e.global && live_[e.pcid]) --live_[e.pcid];
  e.valid = false;
  if (key_[i]) --held_[(key_[i] >> 1) & 3];
  key_[i] = 0;
}

void TlbArray::rebuild_index() {
  live_.assign(4096, 0);
  for (unsigned& h : held_) h = 0;
  for (size_t i = 0; i < e_.size(); ++i) {
    const TlbEntry& e = e_[i];
    key_[i] = e.valid ? key(e.size, e.vpn) : 0;
    if (e.valid) ++held_[unsigned(e.size)];
    if (live(e) && !e.global) ++live_[e.pcid];
  }
}

}  // namespace slot::mmu
