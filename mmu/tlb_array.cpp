#include "mmu/tlb_array.h"

namespace slot::mmu {

TlbArray::TlbArray(const ArrayConfig& cfg, uint64_t seed, const uint32_t* epochs)
    : rng(seed), cfg_(cfg), victim_(victim_fn(cfg.policy, cfg.ways)), epochs_(epochs), key_(cfg.entries(), 0),
      w_(cfg.entries()), stamp_(cfg.entries(), 0), mirrored_(cfg.entries(), 0),
      live_(4096, 0), all_live_(cfg.sets, 0) {
  stats.name = cfg.name;
  stats.level = cfg.level;
  stats.side = cfg.side;
}

unsigned TlbArray::choose_way_scan(PageSize s, uint64_t vpn, uint16_t pcid, bool global, bool& evicting,
                                   bool absent) {
  const unsigned n = cfg_.ways;
  const unsigned set = set_of(vpn), base = set * n;
  const uint64_t* k = &key_[base];
  const uint64_t want = key(s, vpn);
  const Way* o = &w_[base];
  const uint64_t mine = owner(epochs_[pcid], pcid, false);
  // A way with a key is valid; it is live unless its PCID was flushed since.
  auto dead = [&](unsigned w) { return k[w] == 0 || (o[w].own != mine && !live_owner(o[w].own)); };
  evicting = false;
  if (absent) {
    if (all_live_[set] != live_gen_) {
      for (unsigned w = 0; w < n; ++w)
        if (dead(w)) return w;
    }
  } else {
    unsigned free_way = n;
    for (unsigned w = 0; w < n; ++w) {
      if (dead(w)) {
        if (free_way == n) free_way = w;
      } else if (k[w] == want &&
                 ((o[w].own & 0xFFFF) == pcid || (global && (o[w].own & kOwnGlobal)))) [[unlikely]] {
        return w;  // the same page: refresh in place
      }
    }
    if (free_way < n) return free_way;
  }
  // Every way is live, so the set's stamps are the victim choice's input as they are.
  all_live_[set] = live_gen_;
  evicting = true;
  return victim_(&stamp_[base], n, rng);
}

void TlbArray::rebuild_index() {
  mirrored_.assign(w_.size(), 0);
  live_.assign(4096, 0);
  all_live_.assign(cfg_.sets, 0);
  for (unsigned& h : held_) h = 0;
  for (size_t i = 0; i < w_.size(); ++i) {
    const TlbEntry& e = w_[i].e;
    key_[i] = e.valid ? key(e.size, e.vpn) : 0;
    w_[i].own = owner(e.epoch, e.pcid, e.global);
    if (e.valid) ++held_[unsigned(e.size)];
    if (live(e) && !e.global) ++live_[e.pcid];
  }
}

}  // namespace slot::mmu
