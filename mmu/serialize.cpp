// Snapshots: one serialize() per component serves both save and load
// (docs/ARCHITECTURE.md). The blob holds the geometry it was made with; loading into
// a different geometry is refused. The observer and the fast-path mirror are
// not state: the mirror is rebuilt from the model on demand.
#include <cstring>
#include <stdexcept>
#include <type_traits>

#include "mmu/mmu_impl.h"

namespace slot::mmu {

namespace {
constexpr uint32_t kMagic = 0x4D4D5553;  // "SUMM"
constexpr uint32_t kVersion = 2;  // 2: TLB use stamps stored apart from the entries

struct Saver {
  std::vector<uint8_t>& out;
  template <class T> void io(T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    // (resize + memcpy, not insert: GCC 12 warns of an overflow that cannot
    // happen when insert is inlined into the first write of an empty blob)
    const size_t at = out.size();
    out.resize(at + sizeof(T));
    std::memcpy(out.data() + at, &v, sizeof(T));
  }
  template <class T> void vec(std::vector<T>& v) {
    uint64_t n = v.size();
    io(n);
    for (T& x : v) io(x);
  }
};

struct Loader {
  const uint8_t* p;
  const uint8_t* end;
  template <class T> void io(T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    if (size_t(end - p) < sizeof(T)) throw std::runtime_error("MMU snapshot: truncated");
    std::memcpy(&v, p, sizeof(T));
    p += sizeof(T);
  }
  template <class T> void vec(std::vector<T>& v) {
    uint64_t n = 0;
    io(n);
    if (n > uint64_t(end - p) / sizeof(T)) throw std::runtime_error("MMU snapshot: truncated");
    v.resize(n);
    for (T& x : v) io(x);
  }
};

template <class Ar> void counters(Ar& ar, ArrayStats& s) {
  ar.io(s.hits), ar.io(s.misses), ar.io(s.fills), ar.io(s.evictions), ar.io(s.dirty_rewalks);
  ar.io(s.invalidations);
}
template <class Ar> void counters(Ar& ar, PscStats& s) {
  ar.io(s.hits), ar.io(s.misses), ar.io(s.fills), ar.io(s.evictions), ar.io(s.invalidations);
}
template <class Ar> void counters(Ar& ar, MmuStats& s) {
  ar.io(s.l1_misses), ar.io(s.l2_hits), ar.io(s.l2_misses), ar.io(s.walks), ar.io(s.walk_refs);
  ar.io(s.ad_writes), ar.io(s.faults), ar.io(s.spurious_faults), ar.io(s.stale);
  ar.io(s.cr3_loads), ar.io(s.cr3_noflush), ar.io(s.invlpg), ar.io(s.invpcid);
}

// Geometry fingerprint: array and PSC shapes.
uint64_t geometry(const TlbConfig& c) {
  uint64_t h = c.modelled ? 1469598103934665603ull : 7;
  auto mix = [&](uint64_t v) { h = (h ^ v) * 1099511628211ull; };
  for (const ArrayConfig& a : c.arrays) mix(a.level), mix(unsigned(a.side)), mix(a.sizes), mix(a.sets), mix(a.ways);
  for (const PscConfig& p : c.pscs) mix(p.level), mix(p.sets), mix(p.ways);
  return h;
}
}  // namespace

template <class Ar> void TlbArray::serialize(Ar& ar) {
  // (The blob keeps entries and provenance as two vectors, as before the
  // ways held them together.)
  std::vector<TlbEntry> e(w_.size());
  std::vector<Provenance> prov(w_.size());
  for (size_t i = 0; i < w_.size(); ++i) e[i] = w_[i].e, prov[i] = w_[i].prov;
  ar.vec(e);
  ar.vec(stamp_);
  ar.vec(prov);
  if (e.size() != w_.size() || stamp_.size() != w_.size() || prov.size() != w_.size())
    throw std::runtime_error("MMU snapshot: a TLB array of another size");
  for (size_t i = 0; i < w_.size(); ++i) w_[i].e = e[i], w_[i].prov = prov[i];
  ar.io(rng.state);
  counters(ar, stats);
}

template <class Ar> void Psc::serialize(Ar& ar) {
  ar.vec(e_);
  valid_ = 0;  // (loaded: recounted; hints stay ways of their sets)
  for (const PscEntry& e : e_) valid_ += e.valid;
  ar.vec(prov_);
  ar.io(rng.state);
  counters(ar, stats);
}

template <class Ar> static void serialize_impl(Ar& ar, Mmu::Impl& m, uint64_t& clock) {
  uint32_t magic = kMagic, version = kVersion;
  uint64_t geo = geometry(m.cfg);
  ar.io(magic), ar.io(version), ar.io(geo);
  if (magic != kMagic || version != kVersion) throw std::runtime_error("MMU snapshot: bad header");
  if (geo != geometry(m.cfg)) throw std::runtime_error("MMU snapshot: made with another TLB geometry");
  ar.io(m.mode), ar.io(m.pcid), ar.io(clock), ar.io(m.stale), ar.io(m.epochs);
  for (TlbArray& a : m.arrays) a.serialize(ar);
  for (Psc& p : m.pscs) p.serialize(ar);
  counters(ar, m.g);
  ar.vec(m.spaces);
  uint64_t cur = m.cur_space;
  ar.io(cur);
  m.cur_space = size_t(cur);
  ar.io(m.l1_hits_mark);
  ar.io(m.slots);
}

std::vector<uint8_t> Mmu::Impl::save() const {
  std::vector<uint8_t> out;
  Saver s{out};
  uint64_t clock = o.clock_;
  serialize_impl(s, const_cast<Impl&>(*this), clock);
  return out;
}

void Mmu::Impl::load(const std::vector<uint8_t>& blob) {
  Loader l{blob.data(), blob.data() + blob.size()};
  serialize_impl(l, *this, o.clock_);
  if (cur_space >= spaces.size()) throw std::runtime_error("MMU snapshot: bad address-space index");
  space_index.clear();
  for (size_t i = 0; i < spaces.size(); ++i)
    space_index[(spaces[i].pml4_base) | spaces[i].pcid] = i;
  for (TlbArray& a : arrays) {
    a.rebuild_index();  // (and no way is mirrored)
  }
  filled_overflow = true;  // forget every fast-path slot
  flush_mirror();
  if (stale == StaleMode::FlushOnWrite) watch_all();
}

}  // namespace slot::mmu
