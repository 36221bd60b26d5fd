// Architectural recognition (docs/ARCHITECTURE.md): CPU events become engine events,
// every CR3 value is an address space, and a write to a page that a known CR3
// uses as its PML4 is a slot change.
//
// Slot changes and the write hook: PhysMemory calls the listener *before* a
// write lands and tells only (pa, len). So the listener reads the old entry
// and queues it; the new value is read once the write has certainly landed:
// at the next event the engine logs, at the next write to the same entry by a
// different instruction, or at the end of the run slice. Nothing can happen
// between the listener and the store it announces, so every one of those
// points sees the stored value, and the SlotChange keeps the icount and RIP of
// the writing instruction, ordered before anything that instruction caused
// later. Several stores to one entry by one instruction (a split write) stay
// one change. A change of the Accessed bit alone is the page walker's own
// A-bit update (SDM Vol. 3A §4.8), not software rewriting the slot: ignored.
#include <cstdio>

#include "emu/engine/impl.h"
#include "mmu/arch.h"

namespace slot::engine {

uint64_t Engine::Impl::cur_cr3() const { return m.mmu().mode().cr3 & ~x86::CR3_NOFLUSH; }

uint32_t Engine::Impl::task_of_cr3(uint64_t cr3) const {
  auto it = know.by_cr3.find(cr3 & ~x86::CR3_NOFLUSH);
  return it == know.by_cr3.end() ? kNone : know.spaces[it->second].task;
}

uint32_t Engine::Impl::module_in_slot() const {
  if (!(m.mmu().mode().cr0 & x86::CR0_PG) || know.modules.empty()) return kNone;
  const uint64_t pml4 = cur_cr3() & x86::PTE_ADDR;
  for (const auto& [id, mi] : know.modules) {
    const uint64_t e = m.mem().read(pml4 + 8 * ((mi.base >> 39) & 511), 8);
    if ((e & x86::PTE_P) && (e & x86::PTE_ADDR) == mi.pdpt) return id;
  }
  return kNone;
}

Event Engine::Impl::base_event(EventKind k) const {
  Event e;
  e.kind = k;
  e.icount = m.cpu().icount();
  e.rip = m.cpu().insn_rip;
  e.cr3 = cur_cr3();
  e.task = task_of_cr3(e.cr3);
  return e;
}

void Engine::Impl::on_cpu_event(const cpu::CpuEvent& ce) {
  using K = cpu::CpuEventKind;
  Event e;
  switch (ce.kind) {
    case K::PortOut: return;  // annotations arrive through the port device
    case K::Exception: e = base_event(EventKind::Exception); e.a = ce.a, e.b = ce.b; break;
    case K::Interrupt: e = base_event(EventKind::Interrupt); break;
    case K::SoftInt: e = base_event(EventKind::SoftInt); break;
    case K::Cr3Write:
      e = base_event(EventKind::Cr3Load);
      e.a = ce.a, e.b = ce.b;
      e.cr3 = ce.b & ~x86::CR3_NOFLUSH;
      break;
    case K::CplChange: e = base_event(EventKind::CplChange); e.a = ce.a, e.b = ce.b; break;
    case K::Invlpg: e = base_event(EventKind::Invlpg); e.a = ce.a; break;
    case K::Invpcid: e = base_event(EventKind::Invpcid); e.a = ce.a, e.b = ce.b; break;
    case K::Cr4Write: e = base_event(EventKind::Cr4Write); e.a = ce.a, e.b = ce.b; break;
  }
  e.vector = ce.vector;
  e.rip = ce.rip;
  if ((e.kind == EventKind::Invlpg || e.kind == EventKind::Invpcid) && !cfg.log_invlpg) {
    check_transient(e);
    return;
  }
  if (e.kind == EventKind::CplChange && e.b == 0) {
    on_kernel_entry(e);
    know.kernel_entry[e.task] = emit(e);
    return;
  }
  if (e.kind == EventKind::CplChange && e.a == 0) {
    const size_t ev = emit(e);
    on_kernel_exit(hist.events[ev]);
    return;
  }
  if (e.kind == EventKind::Cr3Load) {
    const uint64_t cr3 = ce.b & ~x86::CR3_NOFLUSH;
    const bool known = know.by_cr3.count(cr3);
    if (!known) discover(cr3);  // the space exists before it is loaded
    e.task = task_of_cr3(cr3);
    charge_switch(e.task);
  }
  emit(e);
}

size_t Engine::Impl::discover(uint64_t cr3) {
  cr3 &= ~x86::CR3_NOFLUSH;
  if (auto it = know.by_cr3.find(cr3); it != know.by_cr3.end()) return it->second;
  AddressSpace as;
  as.cr3 = cr3;
  as.pml4 = cr3 & x86::PTE_ADDR;
  char name[40];
  std::snprintf(name, sizeof name, "cr3=%#llx", (unsigned long long)cr3);
  as.name = name;
  know.spaces.push_back(as);
  const size_t idx = know.spaces.size() - 1;
  know.by_cr3[cr3] = idx;
  watch_page(as.pml4, R_PML4);

  flush_pending();
  Event e = base_event(EventKind::NewSpace);
  e.a = cr3;
  e.cr3 = cr3;
  e.task = kNone;
  bool fresh;
  const size_t ev = log(e, fresh);
  if (fresh) {
    SpaceLog sl{as, ev, std::vector<uint64_t>(512)};
    for (unsigned i = 0; i < 512; ++i) sl.init[i] = m.mem().read(as.pml4 + 8 * i, 8);
    hist.spaces.push_back(std::move(sl));
  }
  check(ev);
  return idx;
}

void Engine::Impl::watch_page(uint64_t pa, uint8_t role) {
  const uint64_t page = pa >> 12;
  if (page >= roles.size()) return;
  roles[page] |= role;
  m.mem().set_page_flag(pa, mmu::PF_WATCH);
}

void Engine::Impl::unwatch_page(uint64_t pa, uint8_t role) {
  const uint64_t page = pa >> 12;
  if (page >= roles.size()) return;
  roles[page] &= uint8_t(~role);
  // The MMU's FlushOnWrite mode flags pages of its own and never tells which.
  if (roles[page] == 0 && m.mmu().stale_mode() != mmu::StaleMode::FlushOnWrite)
    m.mem().clear_page_flag(pa, mmu::PF_WATCH);
}

void Engine::Impl::rebuild_pml4_roles() {
  for (uint64_t p = 0; p < roles.size(); ++p)
    if (roles[p] & R_PML4) unwatch_page(p << 12, R_PML4);
  for (const AddressSpace& as : know.spaces) watch_page(as.pml4, R_PML4);
}

void Engine::Impl::on_write(uint64_t pa, unsigned len) {
  const uint64_t end = pa + len;
  for (uint64_t page = pa >> 12; page <= (end - 1) >> 12; ++page) {
    if (page >= roles.size() || roles[page] == 0) continue;
    const uint8_t r = roles[page];
    const uint64_t base = page << 12;
    if (r & R_COW) {
      // Copy-on-write: keep the page as it was at the latest snapshot.
      auto& slot = snaps.back().undo[base];
      if (!slot) {
        slot = page_pool.get();
        std::memcpy(slot->data(), m.mem().data() + base, 4096);
        snap_bytes += 4096;
      }
      unwatch_page(base, R_COW);
    }
    if (r & R_PML4) {
      const uint64_t lo = std::max(pa, base) & ~7ull, hi = std::min(end, base + 4096);
      const uint64_t now = m.cpu().icount();
      for (uint64_t entry = lo; entry < hi; entry += 8) {
        bool queued = false;
        for (size_t i = 0; i < pending.size(); ++i) {
          if (pending[i].entry_pa != entry) continue;
          if (pending[i].icount == now) { queued = true; break; }
          flush_pending();  // an earlier instruction's store to it has landed
          break;
        }
        if (!queued) pending.push_back({entry, m.mem().read(entry, 8), now, m.cpu().insn_rip, cur_cr3()});
      }
      // The new value is known once the store has landed, i.e. at the next
      // instruction boundary: a run that catches slot changes stops there
      // (after_run() logs the change and checks it, and goes on if the value
      // did not change), so the stop lands right after the storing
      // instruction, where a click on the event lands (landing_icount).
      if (points_on && !hit)
        for (const auto& [id, p] : points)
          if (p.kind == PointKind::Event && p.event == EventKind::SlotChange) {
            m.request_stop();
            break;
          }
    }
    if ((r & R_WATCH) && points_on)
      for (const WatchRange& w : watches)
        if (pa < w.pa + w.len && w.pa < end && !hit) {
          Hit h;
          h.point = w.id;
          char msg[64];
          std::snprintf(msg, sizeof msg, "write to %#llx (%u bytes)", (unsigned long long)pa, len);
          h.message = msg;
          h.addr = pa;
          h.cause_rip = m.cpu().insn_rip;
          hit = h;
          m.request_stop();
        }
  }
}

void Engine::Impl::flush_pending() {
  if (pending.empty()) return;
  std::vector<PendingWrite> todo;
  todo.swap(pending);
  for (const PendingWrite& p : todo) {
    const uint64_t now = m.mem().read(p.entry_pa, 8);
    if (now == p.old_v || (now ^ p.old_v) == x86::PTE_A) continue;
    const uint64_t page = p.entry_pa & ~0xFFFull;
    Event e;
    e.kind = EventKind::SlotChange;
    e.icount = p.icount, e.rip = p.rip, e.cr3 = p.cr3;
    e.slot = uint16_t((p.entry_pa & 0xFFF) / 8);
    e.a = p.old_v, e.b = now, e.c = p.entry_pa;
    for (const AddressSpace& as : know.spaces)
      if (as.pml4 == page && as.task != kNone) { e.task = as.task; break; }
    bool fresh;
    const size_t idx = log(e, fresh);
    if (fresh) hist.slots.push_back({page, e.slot, p.old_v, now, idx});
    check(idx);
  }
}

void Engine::Impl::update_mmu_observer() {
  bool want = false;
  for (const auto& [id, p] : points)
    if (p.kind == PointKind::Event && (p.event == EventKind::TlbMiss || p.event == EventKind::Stale)) want = true;
  if (want != mmu_observing) {
    m.mmu().set_observer(want ? this : nullptr);
    mmu_observing = want;
  }
  bool stale = false;
  for (const auto& [id, p] : points)
    if (p.kind == PointKind::Event && p.event == EventKind::Stale) stale = true;
  if (stale && m.mmu().stale_mode() == mmu::StaleMode::Off) m.mmu().set_stale_mode(mmu::StaleMode::Detect);
}

// The MMU reports a Miss once an access has missed every TLB level (it then
// walks): that is "a TLB miss on this address".
void Engine::Impl::on_tlb(const mmu::TlbEvent& te) {
  if (te.kind != mmu::TlbEventKind::Miss) return;
  Event e = base_event(EventKind::TlbMiss);
  e.a = te.linear;
  check_transient(e);
}

void Engine::Impl::on_stale(const mmu::StaleEvent& se) {
  Event e = base_event(EventKind::Stale);
  e.a = se.linear, e.b = se.cached_pa, e.c = se.current_ok ? se.current_pa : ~0ull;
  e.text = se.source;
  check_transient(e);
}

}  // namespace slot::engine
