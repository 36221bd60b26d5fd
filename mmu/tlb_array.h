// One set-associative TLB array: entries indexed by set, tagged with VPN,
// page size and PCID, with the combined permissions precomputed at fill time
// (SDM Vol. 3A §4.10.2.2) and a per-way use stamp for replacement.
// The keys and use stamps sit in vectors of their own: lookups touch only
// the packed keys, a victim choice only the set's stamps (one or two host
// cache lines for a 12-way set instead of one entry each). Each way's entry,
// owner word and provenance (which paging entries, with which values, made
// the entry) lie together in one record (Way, below).
#pragma once
#include <cstdint>
#include <vector>

#include "mmu/config.h"
#include "mmu/events.h"
#include "mmu/replacement.h"
#include "mmu/stats.h"

namespace slot::mmu {

// The paging entries a cached translation was built from, top-down.
struct Provenance {
  uint8_t n = 0;
  uint8_t top_level = 4;      // level of pa[0]
  PhysAddr pa[4] = {};
  uint64_t val[4] = {};
  void push(PhysAddr a, uint64_t v) { if (n < 4) { pa[n] = a; val[n] = v; ++n; } }
};

struct TlbEntry {
  uint64_t vpn = 0;           // linear >> page_shift(size)
  uint64_t pfn = 0;           // physical >> page_shift(size)
  uint32_t epoch = 0;         // the PCID's flush epoch when made (see TlbArray)
  uint16_t pcid = 0;
  PageSize size = PageSize::K4;
  PageSize orig_size = PageSize::K4;
  bool valid = false, global = false;
  Perms perms;
  TlbEntryView view() const { return {vpn, pfn, size, orig_size, pcid, global, perms}; }
  // Whether `linear` lies in the page this entry was made from (INVLPG
  // must drop every splintered piece of a large page).
  bool covers(uint64_t linear) const {
    unsigned sh = page_shift(orig_size);
    return ((linear & 0xFFFF'FFFF'FFFFull) >> sh) == ((vpn << page_shift(size)) >> sh);
  }
};

// Flushing every non-global entry of one PCID (MOV to CR3, INVPCID type 1)
// is lazy: each PCID has an epoch, bumped by such a flush, and an entry is
// live only while it is global or its epoch is its PCID's current one. A
// dead entry is exactly an invalid one for lookups and replacement; the
// count of live non-global entries per PCID keeps the statistics exact.
// (The epoch is 32 bits: 2^32 flushes of one PCID would wrap.)
class TlbArray {
 public:
  TlbArray(const ArrayConfig& cfg, uint64_t seed, const uint32_t* epochs);

  const ArrayConfig& cfg() const { return cfg_; }
  bool holds(PageSize s) const { return cfg_.sizes & size_bit(s); }
  unsigned set_of(uint64_t vpn) const { return unsigned(vpn & (cfg_.sets - 1)); }
  TlbEntry& at(unsigned set, unsigned way) { return w_[set * cfg_.ways + way].e; }
  const TlbEntry& at(unsigned set, unsigned way) const { return w_[set * cfg_.ways + way].e; }
  Provenance& prov(unsigned set, unsigned way) { return w_[set * cfg_.ways + way].prov; }
  const Provenance& prov(unsigned set, unsigned way) const { return w_[set * cfg_.ways + way].prov; }
  unsigned size() const { return unsigned(w_.size()); }
  TlbEntry& flat(unsigned i) { return w_[i].e; }
  const TlbEntry& flat(unsigned i) const { return w_[i].e; }
  const Provenance& flat_prov(unsigned i) const { return w_[i].prov; }
  // A way's last use (replacement); the fast path writes it through a pointer.
  uint64_t& stamp(unsigned set, unsigned way) { return stamp_[set * cfg_.ways + way]; }
  uint64_t flat_stamp(unsigned i) const { return stamp_[i]; }
  // Which fast-path tables may hold a slot that points at the way's entry
  // (bit access * 4 + class; 0 = none). A superset: a slot refilled for
  // another entry keeps its bit here until the way is unmirrored.
  uint16_t mirrored(unsigned set, unsigned way) const { return mirrored_[set * cfg_.ways + way]; }
  void add_mirrored(unsigned set, unsigned way, uint16_t tables) { mirrored_[set * cfg_.ways + way] |= tables; }
  void clear_mirrored(unsigned set, unsigned way) { mirrored_[set * cfg_.ways + way] = 0; }

  bool live(const TlbEntry& e) const { return e.valid && (e.global || e.epoch == epochs_[e.pcid]); }
  // The way holding (s, vpn) usable under `pcid`, or -1.
  // Inline: every slow translation probes several arrays. Only the set's
  // packed keys are read, and the owner word of a way whose key matches.
  int lookup(PageSize s, uint64_t vpn, uint16_t pcid) const {
    const unsigned base = set_of(vpn) * cfg_.ways;
    const uint64_t want = key(s, vpn);
    const uint64_t mine = owner(epochs_[pcid], pcid, false);
    const uint64_t* k = &key_[base];
    const Way* o = &w_[base];
    // The presets' associativities get a scan unrolled at compile time: a
    // way that does not match costs a compare and a branch, no loop.
    switch (cfg_.ways) {
      case 4: return find_way<4>(k, o, want, mine, 4);
      case 8: return find_way<8>(k, o, want, mine, 8);
      case 12: return find_way<12>(k, o, want, mine, 12);
      case 16: return find_way<16>(k, o, want, mine, 16);
      default: return find_way<0>(k, o, want, mine, cfg_.ways);
    }
  }
  // After writing an entry's fields (valid = true): index it and count it.
  void commit(unsigned set, unsigned way) {
    const TlbEntry& e = at(set, way);
    commit(set, way, e.size, e.vpn, e.pcid, e.global);
  }
  // The same with the fields the caller just wrote passed along, not read
  // back from the entry (a fill: after its byte stores, which may alias
  // anything, the compiler would reload each field from memory).
  void commit(unsigned set, unsigned way, PageSize s, uint64_t vpn, uint16_t pcid, bool global) {
    const unsigned i = set * cfg_.ways + way;
    const uint32_t epoch = epochs_[pcid];
    w_[i].e.epoch = epoch;
    if (key_[i]) --held_[(key_[i] >> 1) & 3];
    key_[i] = key(s, vpn);
    w_[i].own = owner(epoch, pcid, global);
    ++held_[unsigned(s)];
    if (!global) ++live_[pcid];
  }
  // Makes an entry invalid. Reads only the packed key and the owner word
  // (which say what the entry holds as of its commit), not the entry's other
  // fields.
  void kill(unsigned set, unsigned way) {
    const unsigned i = set * cfg_.ways + way;
    if (const uint64_t k = key_[i]) {
      const uint64_t o = w_[i].own;
      const unsigned p = unsigned(o & 0xFFFF);
      if (!(o & kOwnGlobal) && live_owner(o) && live_[p]) --live_[p];
      --held_[(k >> 1) & 3];
    }
    w_[i].e.valid = false;
    key_[i] = 0;
    all_live_[set] = 0;
  }
  // A valid way is about to be overwritten by a fill (an eviction): its
  // owner's count of live entries forgets it, as kill() would; the key stays
  // for commit() to replace, and the set keeps its every-way-live mark (the
  // way is live again once committed), which kill() would clear.
  void evict(unsigned set, unsigned way) {
    const uint64_t o = w_[set * cfg_.ways + way].own;
    const unsigned p = unsigned(o & 0xFFFF);
    if (!(o & kOwnGlobal) && live_owner(o) && live_[p]) --live_[p];
  }
  // The base linear address of the page a valid way holds (from its key).
  uint64_t base_of(unsigned set, unsigned way) const {
    const uint64_t k = key_[set * cfg_.ways + way];
    return (k >> 3) << page_shift(PageSize((k >> 1) & 3));
  }
  // The PCID's epoch was bumped: its live non-global entries died. Returns how many.
  unsigned expire(uint16_t pcid) {
    const unsigned n = live_[pcid];
    live_[pcid] = 0;
    if (n) ++live_gen_;  // some set may now hold a dead way
    return n;
  }
  void rebuild_index();
  // Whether any entry of size `s` may be valid (lookups skip empty arrays).
  bool holds_any(PageSize s) const { return held_[unsigned(s)] != 0; }
  // The way a fill of (s, vpn, pcid) goes to: an entry for the same page
  // and PCID is overwritten in place (no duplicates), else an invalid way,
  // else the policy's victim. `evicting` says whether a valid entry of
  // another page is replaced. `absent`: the caller's lookup of this page
  // just missed, so no entry for it can be found -- the first way not live
  // is taken without scanning the rest (the result is the same).
  // Inline for the common case of a thrashing set (absent, every way known
  // live): the policy's victim straight away, no scan and no call.
  unsigned choose_way(PageSize s, uint64_t vpn, uint16_t pcid, bool global, bool& evicting,
                      bool absent = false) {
    const unsigned set = set_of(vpn);
    if (absent && all_live_[set] == live_gen_) {
      evicting = true;
      return victim_(&stamp_[set * cfg_.ways], cfg_.ways, rng);
    }
    return choose_way_scan(s, vpn, pcid, global, evicting, absent);
  }

  ArrayStats stats;
  Rng rng;

  template <class Ar> void serialize(Ar& ar);

 private:
  // A way's entry, owner word and provenance lie together, in two lines of
  // the host's cache: a fill writes all three and an eviction reads the
  // owner (in three arrays of their own they cost a TLB-thrashing loop
  // three or four lines per fill). The keys and stamps, which a lookup or
  // victim choice reads for a whole set, stay packed.
  struct alignas(64) Way {
    TlbEntry e;
    uint64_t own = 0;  // owner(epoch, pcid, global) when committed
    Provenance prov;
  };
  static_assert(sizeof(Way) == 128);
  static uint64_t key(PageSize s, uint64_t vpn) { return vpn << 3 | unsigned(s) << 1 | 1; }
  // Who may use a way: PCID, the epoch it was made in, and G -- packed so
  // one compare says "live, not global, this PCID" (the common case).
  static constexpr uint64_t kOwnGlobal = 1ull << 63;
  static uint64_t owner(uint32_t epoch, uint16_t pcid, bool global) {
    return (global ? kOwnGlobal : 0) | uint64_t(epoch) << 16 | pcid;
  }
  // lookup()'s scan of one set: the first of its n ways holding `want`
  // usable by `mine` (that PCID, or global). N = n, or 0 when n is not fixed.
  template <unsigned N>
  static int find_way(const uint64_t* k, const Way* o, uint64_t want, uint64_t mine, unsigned n) {
#pragma GCC unroll 16
    for (unsigned w = 0; w < (N ? N : n); ++w)
      if (k[w] == want && (o[w].own == mine || (o[w].own & kOwnGlobal))) return int(w);
    return -1;
  }
  unsigned choose_way_scan(PageSize s, uint64_t vpn, uint16_t pcid, bool global, bool& evicting,
                           bool absent);
  bool live_owner(uint64_t o) const { return (o & kOwnGlobal) || uint32_t(o >> 16) == epochs_[o & 0xFFFF]; }
  ArrayConfig cfg_;
  VictimFn victim_;  // cfg_'s policy for its way count
  const uint32_t* epochs_;
  std::vector<uint64_t> key_;   // per way: key(size, vpn) if valid, else 0
  std::vector<Way> w_;
  std::vector<uint64_t> stamp_;  // per way: last use
  std::vector<uint16_t> mirrored_;  // per way: mirrored()'s tables
  std::vector<uint32_t> live_;  // live non-global entries per PCID
  // Per set: live_gen_ when every way was last seen live (choose_way), else
  // older. A way dies only by kill() (which clears its set's mark) or by its
  // PCID's epoch (expire(), which ages every mark), so a current mark lets
  // choose_way skip its scan for a dead way -- the STLB's 12 ways on every
  // miss of a TLB-thrashing loop.
  std::vector<uint64_t> all_live_;
  uint64_t live_gen_ = 1;
  unsigned held_[kNumPageSizes] = {};  // entries with a key, per size (dead ones included)
};

}  // namespace slot::mmu
