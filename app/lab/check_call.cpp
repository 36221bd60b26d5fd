// Labs 1 and 6: one cross-module call taken apart — the PML4 entry it
// rewrites, the order of what the kernel does, the buffer window, and the
// 4-level walk of that window done by hand (SDM Vol. 3A section 4.5).
#include <algorithm>
#include <vector>

#include "app/lab/check.h"
#include "mmu/arch.h"

namespace slot::lab {

namespace {

uint64_t slot_of(const std::vector<engine::SpaceView>& v, uint64_t cr3, unsigned slot, bool* found = nullptr) {
  for (const engine::SpaceView& s : v)
    if (s.cr3 == cr3) {
      if (found) *found = true;
      for (const engine::SlotEntry& e : s.slots)
        if (e.slot == slot) return e.value;
      return 0;
    }
  if (found) *found = false;
  return 0;
}

uint64_t pdpt_of(const engine::Engine& e, uint32_t module) {
  for (const engine::ModuleInfo& m : e.modules())
    if (m.id == module) return m.pdpt;
  return ~0ull;
}

// The walk a student does by hand: index = 9 address bits per level, entry =
// table + 8 * index, next table = entry bits 51:12, until an entry maps the
// page (PS in a PDPTE/PDE, or a PTE). Returns the physical address, or ~0.
struct HandStep {
  unsigned level, index;
  uint64_t entry_pa, raw;
};
uint64_t walk_by_hand(const engine::Engine& e, uint64_t cr3, uint64_t va, std::vector<HandStep>& steps) {
  uint64_t table = cr3 & x86::PTE_ADDR;
  for (unsigned level = 4; level >= 1; --level) {
    const unsigned shift = 12 + 9 * (level - 1);
    const unsigned index = unsigned(va >> shift) & 511;
    const uint64_t entry_pa = table + 8ull * index;
    uint64_t raw = 0;
    if (!e.read_phys(entry_pa, &raw, 8)) return ~0ull;
    steps.push_back({level, index, entry_pa, raw});
    if (!(raw & x86::PTE_P)) return ~0ull;
    const bool leaf = level == 1 || ((level == 2 || level == 3) && (raw & x86::PTE_PS));
    if (leaf) {
      const uint64_t mask = (1ull << shift) - 1;
      return ((raw & x86::PTE_ADDR) & ~mask) | (va & mask);
    }
    table = raw & x86::PTE_ADDR;
  }
  return ~0ull;
}

// Runs to the first call of app -> fs made while another task's address
// space also has the app in its module slot (the demo's second client).
bool first_call_with_two_clients(Booted& b, size_t& k) {
  engine::Engine& e = *b.e;
  for (int i = 0; i < 64; ++i) {
    const engine::StopInfo s = e.step(engine::StepKind::NextCall);
    if (s.reason == engine::StopReason::GuestExit || s.reason == engine::StopReason::Shutdown) return false;
    k = e.calls().size() - 1;
    const engine::CallRecord& c = e.calls()[k];
    if (c.caller != guest::APP || c.callee != guest::FS) continue;
    for (const engine::SpaceView& sv : e.pml4_at_call(k))
      if (sv.task != c.task && sv.task != engine::kNone && slot_of({sv}, sv.cr3, guest::kModuleSlot) != 0 &&
          (slot_of({sv}, sv.cr3, guest::kModuleSlot) & x86::PTE_ADDR) == pdpt_of(e, guest::APP))
        return true;
  }
  return false;
}

}  // namespace

int check_module_call(const Lab& lab, const CheckEnv& env) {
  Report r(lab);
  Booted b = boot(env, lab.cmdline, lab_tlb(lab, env));
  engine::Engine& e = *b.e;
  const engine::StopInfo first = e.step(engine::StepKind::NextCall);
  r.expect(first.reason == engine::StopReason::Point || first.reason == engine::StopReason::Step,
           "F8 stops at a module call", engine::stop_reason_name(first.reason));
  if (e.calls().empty()) return r.expect(false, "a call was recorded"), r.failed();
  const engine::CallRecord c0 = e.calls()[0];
  r.expect(c0.caller == guest::APP && c0.callee == guest::FS, "the first call is app -> fs",
           e.module_name(c0.caller) + " -> " + e.op_label(c0.callee, c0.op));

  size_t k = 0;
  if (!r.expect(first_call_with_two_clients(b, k), "a call app -> fs while the other client also runs app"))
    return r.failed();
  const engine::CallRecord& c = e.calls()[k];
  r.note("call " + std::to_string(k + 1) + ": task " + std::to_string(c.task) + " (" + e.task_name(c.task) + ")");
  const uint64_t app = pdpt_of(e, guest::APP), fs = pdpt_of(e, guest::FS);
  const auto before = e.pml4_before_call(k), at = e.pml4_at_call(k);
  bool found = false;
  const uint64_t s1_before = slot_of(before, c.cr3, guest::kModuleSlot, &found);
  const uint64_t s1_at = slot_of(at, c.cr3, guest::kModuleSlot);
  r.expect(found && (s1_before & x86::PTE_ADDR) == app && (s1_at & x86::PTE_ADDR) == fs,
           "the caller's PML4[1] goes from app's PDPT to fs's PDPT",
           hex(s1_before) + " -> " + hex(s1_at) + ", app PDPT " + hex(app) + ", fs PDPT " + hex(fs));
  // Every other entry of the caller's PML4, and every entry of every other
  // task's PML4, is unchanged (A bits aside: the walker sets those).
  auto same = [](uint64_t x, uint64_t y) { return (x & ~x86::PTE_A) == (y & ~x86::PTE_A); };
  int other_changes = 0, others = 0;
  for (const engine::SpaceView& sv : at) {
    const bool caller = sv.cr3 == c.cr3;
    if (!caller && sv.task != engine::kNone && sv.task != c.task) ++others;
    for (unsigned slot : {0u, guest::kModuleSlot, guest::kPrivateSlot, guest::kKernelSlot}) {
      if (caller && slot == guest::kModuleSlot) continue;
      if (!same(slot_of(before, sv.cr3, slot), slot_of(at, sv.cr3, slot))) ++other_changes;
    }
  }
  r.expect(others >= 1 && other_changes == 0, "no other slot and no other task's PML4 changed",
           std::to_string(others) + " other task spaces, " + std::to_string(other_changes) + " changed entries");

  // The order of events between the system call and the callee (docs/guest.md steps 6-7).
  size_t slot_ev = engine::kNoIndex, cr3_ev = engine::kNoIndex;
  const auto& ev = e.events();
  for (size_t i = c.before_event == engine::kNoIndex ? 0 : c.before_event; i < c.enter_event; ++i) {
    if (ev[i].kind == engine::EventKind::SlotChange && ev[i].slot == guest::kModuleSlot && slot_ev == engine::kNoIndex)
      slot_ev = i;
    if (ev[i].kind == engine::EventKind::Cr3Load && slot_ev != engine::kNoIndex && cr3_ev == engine::kNoIndex) cr3_ev = i;
  }
  r.expect(slot_ev != engine::kNoIndex, "a slot_change of PML4[1] before the call event");
  if (cr3_ev != engine::kNoIndex) {
    const bool same_pml4 = (ev[cr3_ev].a & x86::PTE_ADDR) == (ev[cr3_ev].b & x86::PTE_ADDR);
    r.expect(same_pml4, "flush=cr3: then a CR3 load of the same PML4 (flushes non-global entries)",
             hex(ev[cr3_ev].a) + " -> " + hex(ev[cr3_ev].b));
  } else {
    r.expect(b.cmdline.find("flush=cr3") == std::string::npos, "flush=cr3: a CR3 load after the slot change");
  }

  // The buffer and its window.
  if (!r.expect(!c.buffers.empty(), "the call passes a buffer")) return r.failed();
  const engine::CallBuffer buf = c.buffers[0];
  const bool in_app = buf.caller_addr >= guest::module_base(guest::APP) &&
                      buf.caller_addr < guest::module_base(guest::APP) + guest::kGiB;
  r.expect(in_app, "the caller's buffer lies in app's GiB of the module area", hex(buf.caller_addr));
  // The app calls from its home (depth 0), so fs runs at depth 1.
  const uint64_t want_window = guest::buffer_window(1) + (buf.caller_addr & 0xFFF);
  r.expect(buf.window_addr == want_window && (buf.window_addr >> 39) == guest::kPrivateSlot,
           "the callee sees it in the depth-1 buffer window, slot 2, same page offset",
           hex(buf.window_addr) + ", expected " + hex(want_window));
  // The caller's frame: walk the app's address through the app's PDPT (the
  // entry the caller had in slot 1), i.e. through its PML4 as it was before.
  uint64_t app_pa = ~0ull;
  {
    const uint64_t pdpt = s1_before & x86::PTE_ADDR;
    uint64_t pdpte = 0, pde = 0, pte = 0;
    const uint64_t va = buf.caller_addr;
    if (e.read_phys(pdpt + 8 * ((va >> 30) & 511), &pdpte, 8) && (pdpte & x86::PTE_P) &&
        e.read_phys((pdpte & x86::PTE_ADDR) + 8 * ((va >> 21) & 511), &pde, 8) && (pde & x86::PTE_P) &&
        e.read_phys((pde & x86::PTE_ADDR) + 8 * ((va >> 12) & 511), &pte, 8) && (pte & x86::PTE_P))
      app_pa = (pte & x86::PTE_ADDR) | (va & 0xFFF);
  }
  const mmu::DebugWalk w = e.machine().mmu().debug_walk(buf.window_addr);
  const uint64_t off = buf.caller_addr & 0xFFF;
  if (off == 0 && buf.len >= 4096) {
    r.expect(w.ok && app_pa != ~0ull && w.pa == app_pa, "the window maps the caller's own frame (no copy)",
             "window -> " + hex(w.pa) + ", app's page -> " + hex(app_pa));
  } else {
    // A partial page: the rest of it is app's. The kernel maps a fresh frame
    // holding the buffer's bytes at the same offset and zeros around them.
    const uint64_t n = std::min<uint64_t>(buf.len, 4096 - off);
    std::vector<uint8_t> mine(4096), theirs(n);
    bool same = w.ok && app_pa != ~0ull && w.pa != app_pa && e.read_phys(w.pa & ~0xFFFull, mine.data(), 4096) &&
                e.read_phys(app_pa, theirs.data(), n) && std::equal(theirs.begin(), theirs.end(), mine.begin() + off);
    for (uint64_t i = 0; i < 4096; ++i) same = same && (i - off < n || mine[i] == 0);
    r.expect(same, "the buffer is a partial page: the window maps a fresh frame with its bytes, zeros around them",
             "window -> " + hex(w.pa) + ", app's page -> " + hex(app_pa) + ", " + std::to_string(buf.len) + " bytes");
  }
  const mmu::DebugWalk wc = e.machine().mmu().debug_walk(buf.caller_addr);
  r.expect(!wc.ok && !wc.steps.empty() && wc.steps.back().level == 3,
           "in the callee the caller's address is not mapped: the walk ends at the PDPTE",
           wc.ok ? "mapped" : "ends at level " + std::to_string(wc.steps.empty() ? 0 : wc.steps.back().level));
  return r.failed();
}

int check_page_walk(const Lab& lab, const CheckEnv& env) {
  Report r(lab);
  Booted b = boot(env, lab.cmdline, lab_tlb(lab, env));
  engine::Engine& e = *b.e;
  // F8 until a call passes a buffer (the demo's third: app -> fs FS_READ).
  auto wanted = [&] {
    return !e.calls().empty() && !e.calls().back().buffers.empty() && e.calls().back().parent == engine::kNone;
  };
  for (int i = 0; i < 16 && !wanted(); ++i)
    e.step(engine::StepKind::NextCall);
  if (!r.expect(wanted(), "F8: a call from app's home that passes a buffer",
                std::to_string(e.calls().size()) + " calls"))
    return r.failed();
  const engine::CallRecord& c = e.calls().back();
  const uint64_t va = c.buffers[0].window_addr;
  const uint64_t cr3 = e.make_view().regs.cr3;
  r.note("address " + hex(va) + ", CR3 " + hex(cr3));
  // Indices from the address alone: 0x10041000xxx is slot 2, GiB 1, 2 MiB page 8, 4K page 0.
  const unsigned want[4] = {2, 1, 8, 0};
  std::vector<HandStep> st;
  const uint64_t pa = walk_by_hand(e, cr3, va, st);
  bool idx_ok = st.size() == 4;
  for (size_t i = 0; i < st.size() && i < 4; ++i) {
    idx_ok = idx_ok && st[i].index == want[i];
    r.note("level " + std::to_string(st[i].level) + " index " + std::to_string(st[i].index) + " entry @" +
           hex(st[i].entry_pa) + " = " + hex(st[i].raw));
  }
  r.expect(idx_ok, "four levels with indices 2, 1, 8, 0 (bits 47:39, 38:30, 29:21, 20:12)");
  const mmu::DebugWalk w = e.machine().mmu().debug_walk(va);
  bool same = w.steps.size() == st.size();
  for (size_t i = 0; same && i < st.size(); ++i)
    same = w.steps[i].entry_pa == st[i].entry_pa && w.steps[i].raw == st[i].raw && w.steps[i].level == st[i].level;
  r.expect(same, "the page-walk panel shows the same entries at the same physical addresses");
  r.expect(w.ok && pa == w.pa, "and the same physical address", hex(pa) + " vs " + hex(w.pa));
  bool user = true;
  for (const HandStep& s : st) user = user && (s.raw & x86::PTE_U);
  r.expect(st.size() == 4 && user && (st[3].raw & x86::PTE_NX) && !(st[3].raw & x86::PTE_G),
           "every level U=1; the window PTE is NX and not global (docs/guest.md step 5)");
  r.expect(st.size() == 4 && (st[0].raw & x86::PTE_ADDR) != 0 && (st[0].raw & x86::PTE_G) == 0,
           "the PML4E of slot 2 points at the task's private PDPT", st.empty() ? "" : hex(st[0].raw));
  return r.failed();
}

}  // namespace slot::lab
