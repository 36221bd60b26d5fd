// Translation through the model (the slow path behind Mmu::translate) and
// the control-register side: the rules of SDM Vol. 3A §4.10.4.1 for what
// MOV to CR0/CR3/CR4 invalidate.
#include "mmu/mmu.h"

#include "mmu/arch.h"
#include "mmu/mmu_impl.h"
#include "mmu/perms.h"

namespace slot::mmu {

namespace {
bool user_mode(const AccessCtx& w) { return w.cpl == 3 && !w.supervisor_implicit; }
unsigned class_of(const AccessCtx& w) {
  return w.supervisor_implicit ? kSup : w.cpl == 3 ? kUser : w.ac ? kSupAc : kSup;
}
}  // namespace

Mmu::Impl::Impl(Mmu& owner, PhysMemory& m, const TlbConfig& c) : o(owner), mem(m), cfg(c) {
  for (size_t i = 0; i < cfg.arrays.size(); ++i)
    arrays.emplace_back(cfg.arrays[i], cfg.seed + 0x9E37 * (i + 1), epochs.data());
  pscs.reserve(cfg.pscs.size());
  for (size_t i = 0; i < cfg.pscs.size(); ++i) {
    pscs.emplace_back(cfg.pscs[i], cfg.seed + 0x7F4A * (i + 1));
    psc_at[cfg.pscs[i].level] = &pscs.back();
  }
  build_plans();
  g.model = cfg.name;
  spaces.push_back(SpaceStats{});
  space_index[0] = 0;
}

WalkRequest Mmu::Impl::request(uint64_t linear, Access acc, unsigned cls, bool effects,
                               bool perms) const {
  return WalkRequest{linear, acc, cls, mode, effects, perms};
}

WalkStart Mmu::Impl::cr3_start() const {
  WalkStart st;
  st.table = mode.cr3 & x86::PHYS_ADDR_MASK;
  return st;
}

void Mmu::Impl::emit_tlb(TlbEventKind k, unsigned a, unsigned set, unsigned way, uint64_t linear,
                         Access acc, InvCause cause) {
  TlbEvent ev;
  ev.kind = k;
  ev.array = arrays[a].cfg().name.c_str();
  ev.array_index = a;
  ev.set = set;
  ev.way = way;
  ev.linear = linear;
  ev.access = acc;
  ev.entry = arrays[a].at(set, way).view();
  ev.cause = cause;
  obs->on_tlb(ev);
}

void Mmu::Impl::emit_steps(uint64_t linear, Access acc, const WalkStep* steps, unsigned n) {
  for (unsigned i = 0; i < n; ++i) obs->on_walk_step(WalkEvent{linear, acc, steps[i]});
}

bool Mmu::Impl::raise(uint64_t linear, Access acc, Check c, bool user, bool from_tlb, Fault& fault) {
  fault.linear = linear;
  fault.error_code = pf_error_code(c, acc, user, mode.cr4, mode.efer);
  if (cfg.modelled) {
    // SDM Vol. 3A §4.10.4.1: a #PF invalidates the TLB entries for the
    // faulting page (current PCID, and globals) and the paging-structure-
    // cache entries that would be used for it, so a fault caused only by
    // stale cached rights happens at most once (§4.10.4.3).
    drop_page(linear, pcid, true, InvCause::PageFault);
    drop_psc_for(linear, pcid, InvCause::PageFault);
    ++g.faults;
    if (from_tlb) ++g.spurious_faults;
    ++space().c.faults;
    ++slot(linear).faults;
  }
  if (obs) [[unlikely]] obs->on_fault(FaultEvent{linear, acc, fault.error_code, c, from_tlb});
  return false;
}

bool Mmu::Impl::translate(uint64_t linear, Access acc, const AccessCtx& who, PhysAddr& pa,
                          Fault& fault) {
  const unsigned cls = class_of(who);
  const bool user = user_mode(who);
  if (!paging()) {
    pa = linear;
    mirror(acc, cls, linear, linear, nullptr, &scratch_hits, &scratch_stamp);
    return true;
  }
  if (!cfg.modelled) return translate_untracked(linear, acc, cls, user, pa, fault);

  // First level: the arrays of this side, every page size at once.
  const unsigned side = acc == Access::Fetch ? 0 : 1;
  bool rewalk = false;
  if (Hit h = lookup(side, linear)) {
    TlbArray& arr = arrays[h.array()];
    TlbEntry& e = arr.at(h.set(), h.way());
    ++arr.stats.hits;
    arr.stamp(h.set(), h.way()) = ++o.clock_;
    if (obs) [[unlikely]] emit_tlb(TlbEventKind::Hit, unsigned(h.array()), h.set(), h.way(), linear, acc);
    const PhysAddr epa = (e.pfn << page_shift(e.size)) | (linear & (page_bytes(e.size) - 1));
    if (stale == StaleMode::Detect)
      check_stale(arr.cfg().name.c_str(), linear, acc, epa, e.size, e.perms, arr.prov(h.set(), h.way()));
    // The TLB caches rights; they are checked against the current mode
    // (§4.10.2.2), and a refusal faults without a walk ("spurious" #PF
    // after a relaxation that was not invalidated, §4.10.4.3).
    if (Check c = check_access(e.perms, acc, cls, mode); c != Check::None)
      return raise(linear, acc, c, user, true, fault);
    if (acc == Access::Write && !e.perms.dirty) {
      // A write through an entry with D=0 walks again to set D (§4.8).
      ++arr.stats.dirty_rewalks;
      rewalk = true;
    } else {
      pa = epa;
      mirror_entry(acc, cls, linear, epa, h);
      return true;
    }
  }
  // (References taken once: a counter's increment could alias the vector
  // and index behind space(), which would be reloaded after each.)
  SpaceCounters& sp = space().c;
  SpaceCounters& sl = slot(linear);
  if (!rewalk) {
    ++g.l1_misses;
    ++sp.l1_misses;
    ++sp.translations;
    ++sl.l1_misses;
  }

  // Second level.
  if (!rewalk) {
    if (Hit h = lookup(2, linear)) {
      TlbArray& arr = arrays[h.array()];
      TlbEntry& e = arr.at(h.set(), h.way());
      ++arr.stats.hits;
      ++g.l2_hits;
      ++sp.l2_hits;
      ++sl.l2_hits;
      arr.stamp(h.set(), h.way()) = ++o.clock_;
      if (obs) [[unlikely]] emit_tlb(TlbEventKind::Hit, unsigned(h.array()), h.set(), h.way(), linear, acc);
      const PhysAddr epa = (e.pfn << page_shift(e.size)) | (linear & (page_bytes(e.size) - 1));
      if (stale == StaleMode::Detect)
        check_stale(arr.cfg().name.c_str(), linear, acc, epa, e.size, e.perms,
                    arr.prov(h.set(), h.way()));
      if (Check c = check_access(e.perms, acc, cls, mode); c != Check::None)
        return raise(linear, acc, c, user, true, fault);
      if (!(acc == Access::Write && !e.perms.dirty)) {
        const Translation t{e.pfn << page_shift(e.size), e.size, e.orig_size, e.perms, e.global};
        pa = epa;
        // (the L2 entry's provenance is read in place: fill() touches only
        // level 1; `absent`: the first-level lookup missed, which fill counts)
        if (Hit f = fill(side, linear, t, arr.prov(h.set(), h.way()), true))
          mirror_entry(acc, cls, linear, epa, f);
        return true;
      }
      ++arr.stats.dirty_rewalks;
      rewalk = true;
    } else {
      ++g.l2_misses;
      ++sp.l2_misses;
      ++sl.l2_misses;
      if (obs) [[unlikely]] {
        TlbEvent ev;
        ev.kind = TlbEventKind::Miss;
        ev.array = "L2";
        ev.array_index = ~0u;
        ev.linear = linear;
        ev.access = acc;
        obs->on_tlb(ev);
      }
    }
  }
  return finish_walk(linear, acc, cls, user, !rewalk, pa, fault);
}

// The page walk after a TLB miss (or for a D-bit update), through the PSCs.
bool Mmu::Impl::finish_walk(uint64_t linear, Access acc, unsigned cls, bool user, bool missed,
                            PhysAddr& pa, Fault& fault) {
  const unsigned side = acc == Access::Fetch ? 0 : 1;
  const WalkStart st = psc_start(linear, acc);
  own_write = true;
  walk_into(mem, request(linear, acc, cls, true, true), st, walk_buf);
  const WalkResult& r = walk_buf;
  own_write = false;
  ++g.walks;
  g.walk_refs += r.mem_refs;
  g.ad_writes += r.ad_writes;
  SpaceCounters& sp = space().c;
  SpaceCounters& sl = slot(linear);
  ++sp.walks, ++sl.walks;
  sp.walk_refs += r.mem_refs, sl.walk_refs += r.mem_refs;
  if (obs) [[unlikely]] emit_steps(linear, acc, r.steps, r.nsteps);
  psc_fill(linear, r, st);
  if (stale == StaleMode::Detect && st.psc_level) check_stale_psc(linear, acc, st);
  if (!r.ok) return raise(linear, acc, r.failed, user, false, fault);

  const Translation t{r.page, r.size, r.size, r.perms,
                      r.global && (mode.cr4 & x86::CR4_PGE) != 0};
  pa = r.page | (linear & (page_bytes(r.size) - 1));
  fill(2, linear, t, r.prov, missed);  // (each fill counts its level's miss when `missed`)
  // The walk allowed this access with these rights under this mode (and a
  // write set D), so the new first-level entry serves it: no second check.
  if (Hit f = fill(side, linear, t, r.prov, missed)) mirror_entry(acc, cls, linear, pa, f);
  return true;
}

// "none": a plain walk; the fast-path mirror is the only cache.
bool Mmu::Impl::translate_untracked(uint64_t linear, Access acc, unsigned cls, bool user,
                                    PhysAddr& pa, Fault& fault) {
  own_write = true;
  walk_into(mem, request(linear, acc, cls, true, true), cr3_start(), walk_buf);
  const WalkResult& r = walk_buf;
  own_write = false;
  if (obs) [[unlikely]] emit_steps(linear, acc, r.steps, r.nsteps);
  if (!r.ok) return raise(linear, acc, r.failed, user, false, fault);
  pa = r.page | (linear & (page_bytes(r.size) - 1));
  mirror(acc, cls, linear, pa, &r.perms, &scratch_hits, &scratch_stamp);
  return true;
}

// ---- control registers (SDM Vol. 3A §4.10.4.1) ----

void Mmu::Impl::reset_mode(const PagingMode& m) {
  MmuObserver* keep = obs;
  obs = nullptr;  // no events on reset
  flush_all_entries(InvCause::Reset);
  obs = keep;
  mode = m;
  mode.cr3 &= ~x86::CR3_NOFLUSH;
  pcid = (mode.cr4 & x86::CR4_PCIDE) ? uint16_t(mode.cr3 & x86::CR3_PCID_MASK) : 0;
  flush_mirror();
  switch_space();
}

void Mmu::Impl::write_cr0(uint64_t v) {
  const uint64_t old = mode.cr0;
  mode.cr0 = v;
  // PG 1 -> 0 invalidates everything, globals and all PCIDs included.
  if ((old & x86::CR0_PG) && !(v & x86::CR0_PG)) flush_all_entries(InvCause::Cr0Change);
  flush_mirror();  // WP and PG change what the mirror may serve
}

void Mmu::Impl::write_cr3(uint64_t v) {
  const uint64_t old = mode.cr3;
  const bool pcide = mode.cr4 & x86::CR4_PCIDE;
  const bool noflush = pcide && (v & x86::CR3_NOFLUSH);
  mode.cr3 = v & ~x86::CR3_NOFLUSH;
  attribute_hits();
  pcid = pcide ? uint16_t(mode.cr3 & x86::CR3_PCID_MASK) : 0;
  unsigned nt = 0, np = 0;
  // Bit 63 clear (or PCIDE = 0): drop the new PCID's non-global TLB entries
  // and its paging-structure-cache entries. Bit 63 set: nothing.
  if (cfg.modelled && !noflush) nt = flush_pcid_entries(pcid, false, InvCause::Cr3Load, &np);
  ++g.cr3_loads;
  if (noflush) ++g.cr3_noflush;
  switch_space();
  ++space().cr3_loads;
  flush_mirror();
  if (obs) [[unlikely]] obs->on_cr3(Cr3Event{old, v, pcid, noflush, nt, np});
}

void Mmu::Impl::write_cr4(uint64_t v) {
  const uint64_t old = mode.cr4;
  const uint64_t changed = old ^ v;
  mode.cr4 = v;
  const uint16_t old_pcid = pcid;
  pcid = (v & x86::CR4_PCIDE) ? uint16_t(mode.cr3 & x86::CR3_PCID_MASK) : 0;
  if ((changed & x86::CR4_PGE) || ((old & x86::CR4_PCIDE) && !(v & x86::CR4_PCIDE))) {
    flush_all_entries(InvCause::Cr4Change);
  } else if ((changed & x86::CR4_PAE) || ((v & x86::CR4_SMEP) && !(old & x86::CR4_SMEP))) {
    flush_pcid_entries(old_pcid, true, InvCause::Cr4Change, nullptr);
  }
  if (pcid != old_pcid) {
    attribute_hits();
    switch_space();
  }
  flush_mirror();
}

void Mmu::Impl::write_efer(uint64_t v) {
  mode.efer = v;
  flush_mirror();  // NXE changes reserved bits and what XD means
}

void Mmu::Impl::write_pkeys(uint32_t pkru, uint32_t pkrs) {
  mode.pkru = pkru;
  mode.pkrs = pkrs;
  flush_mirror();  // the mirror serves pages the old rights allowed
}

// ---- Mmu: thin forwarding ----

Mmu::Mmu(PhysMemory& mem, const std::string& tlb) : Mmu(mem, load_config(tlb)) {}

Mmu::Mmu(PhysMemory& mem, const TlbConfig& cfg) {
  for (auto& per_acc : fast_)
    for (auto& table : per_acc)
      for (FastEntry& f : table) f = FastEntry{kNoTag, 0, nullptr, nullptr};
  impl_ = std::make_unique<Impl>(*this, mem, cfg);
}

Mmu::~Mmu() = default;

bool Mmu::translate_slow(uint64_t linear, Access acc, const AccessCtx& who, PhysAddr& pa,
                         Fault& fault) {
  settle();  // the open run's fetches first (a fast-path miss leaves them)
  return impl_->translate(linear, acc, who, pa, fault);
}

void Mmu::reset_mode(const PagingMode& m) { settle(); impl_->reset_mode(m); }
void Mmu::write_cr0(uint64_t v) { settle(); impl_->write_cr0(v); }
void Mmu::write_cr3(uint64_t v) { settle(); impl_->write_cr3(v); }
void Mmu::write_cr4(uint64_t v) { settle(); impl_->write_cr4(v); }
void Mmu::write_efer(uint64_t v) { settle(); impl_->write_efer(v); }
void Mmu::write_pkeys(uint32_t pkru, uint32_t pkrs) { settle(); impl_->write_pkeys(pkru, pkrs); }
const PagingMode& Mmu::mode() const { return impl_->mode; }
uint16_t Mmu::current_pcid() const { return impl_->pcid; }
const TlbConfig& Mmu::config() const { return impl_->cfg; }
bool Mmu::modelled() const { return impl_->cfg.modelled; }
MmuObserver* Mmu::observer() const { return impl_->obs; }
StaleMode Mmu::stale_mode() const { return impl_->stale; }
MmuStats Mmu::stats() const { settle(); return impl_->stats(); }
MmuStats Mmu::totals() const { settle(); return impl_->totals(); }
void Mmu::reset_stats() { settle(); impl_->reset_stats(); }
std::vector<TlbDumpEntry> Mmu::dump() const { settle(); return impl_->dump(); }
DebugWalk Mmu::debug_walk(uint64_t linear, Access acc, const AccessCtx& who) const {
  settle();
  return impl_->debug_walk(linear, acc, who);
}
std::vector<uint8_t> Mmu::save() const { settle(); return impl_->save(); }
void Mmu::load(const std::vector<uint8_t>& blob) { settle(); impl_->load(blob); }
void Mmu::on_phys_write(PhysAddr pa, unsigned size) { settle(); impl_->phys_write(pa, size); }

void Mmu::set_observer(MmuObserver* obs) {
  settle();
  impl_->obs = obs;
  impl_->flush_mirror();  // observed runs report every hit: no fast path
}

void Mmu::set_stale_mode(StaleMode m) {
  settle();
  impl_->stale = m;
  impl_->flush_mirror();
  if (m == StaleMode::FlushOnWrite) impl_->watch_all();
}

void Mmu::flush_all() {
  settle();
  MmuObserver* keep = impl_->obs;
  impl_->obs = nullptr;
  impl_->flush_all_entries(InvCause::Reset);
  impl_->obs = keep;
}

bool Mmu::peek_translate(uint64_t linear, PhysAddr& pa) const {
  const Impl& m = *impl_;
  if (!m.paging()) { pa = linear; return true; }
  const WalkResult r = walk(m.mem, m.request(linear, Access::Read, kSup, false, false), m.cr3_start());
  if (!r.ok) return false;
  pa = r.page | (linear & (page_bytes(r.size) - 1));
  return true;
}

}  // namespace slot::mmu
