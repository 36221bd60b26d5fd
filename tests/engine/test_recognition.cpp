// Architectural recognition on the real guest, checked against sources the
// engine's bookkeeping does not produce: live guest memory at a stop, the
// guest's module records (PDPT addresses), the IDT in guest memory, CR2.
#include <gtest/gtest.h>

#include <set>

#include "mmu/arch.h"
#include "tests/engine/guest_fixture.h"

namespace slot::engine {
namespace {

uint64_t pdpt_of(const Engine& e, uint32_t module) {
  for (const ModuleInfo& m : e.modules())
    if (m.id == module) return m.pdpt;
  return ~0ull;
}

uint64_t slot_value(const std::vector<SpaceView>& v, uint64_t cr3, unsigned slot) {
  for (const SpaceView& s : v)
    if (s.cr3 == cr3)
      for (const SlotEntry& e : s.slots)
        if (e.slot == slot) return e.value;
  return 0;
}

TEST(Recognition, EveryCr3LoadIsAKnownAddressSpace) {
  auto b = test::boot("workload=demo mode=modarea flush=cr3");
  ASSERT_EQ(b.e->cont().reason, StopReason::GuestExit);
  std::set<uint64_t> spaces;
  for (const AddressSpace& a : b.e->spaces()) spaces.insert(a.cr3);
  size_t loads = 0;
  for (const Event& ev : b.e->events())
    if (ev.kind == EventKind::Cr3Load) {
      ++loads;
      EXPECT_TRUE(spaces.count(ev.b & ~x86::CR3_NOFLUSH)) << std::hex << ev.b;
    }
  EXPECT_GT(loads, 10u);
  std::set<std::string> names;
  for (const AddressSpace& a : b.e->spaces()) names.insert(a.name);
  EXPECT_TRUE(names.count("client-a"));
  EXPECT_TRUE(names.count("client-b"));
}

// Architecture vs annotation: at every call the module slot of the task's
// PML4 (from observed writes) holds the callee's PDPT (from the guest's
// MODULE record), and before the call it held the caller's.
void check_slot_follows_module(const std::string& cmdline) {
  auto b = test::boot(cmdline);
  Engine& e = *b.e;
  ASSERT_EQ(e.cont().reason, StopReason::GuestExit);
  ASSERT_GT(e.calls().size(), 10u);
  for (const CallRecord& c : e.calls()) {
    const uint64_t at = slot_value(e.pml4_at_call(c.index), c.cr3, 1);
    EXPECT_EQ(at & x86::PTE_ADDR, pdpt_of(e, c.callee)) << cmdline << " call " << c.index;
    const uint64_t before = slot_value(e.pml4_before_call(c.index), c.cr3, 1);
    EXPECT_EQ(before & x86::PTE_ADDR, pdpt_of(e, c.caller)) << cmdline << " call " << c.index;
  }
}

TEST(Recognition, ModuleSlotFollowsTheCallFlushCr3) { check_slot_follows_module("workload=demo flush=cr3"); }
TEST(Recognition, ModuleSlotFollowsTheCallFlushInvlpg) { check_slot_follows_module("workload=demo flush=invlpg"); }

// Every SlotChange against memory observed by a different mechanism: a
// physical write watchpoint on the PML4 page stops right after each write;
// the entries are read from RAM there and diffed with the previous stop.
TEST(Recognition, SlotChangesMatchMemoryAtWatchStops) {
  auto b = test::boot("workload=demo flush=cr3");
  Engine& e = *b.e;
  e.step(StepKind::NextCall);
  uint64_t pml4 = 0;
  for (const AddressSpace& a : e.spaces())
    if (a.name == "client-a") pml4 = a.pml4;
  ASSERT_NE(pml4, 0u);
  std::vector<uint64_t> prev(512);
  for (unsigned i = 0; i < 512; ++i) e.read_phys(pml4 + 8 * i, &prev[i], 8);
  e.add_point(StopPoint::write_phys(pml4, 4096));
  size_t changes = 0;
  for (int n = 0; n < 2000; ++n) {
    const StopInfo s = e.cont();
    if (s.reason != StopReason::Point) break;
    std::vector<uint64_t> now(512);
    for (unsigned i = 0; i < 512; ++i) e.read_phys(pml4 + 8 * i, &now[i], 8);
    // The SlotChange events logged for the instruction before this stop.
    std::vector<const Event*> logged;
    for (const Event& ev : e.events())
      if (ev.kind == EventKind::SlotChange && ev.icount + 1 == s.icount && (ev.c & ~0xFFFull) == pml4)
        logged.push_back(&ev);
    std::vector<unsigned> changed;
    for (unsigned i = 0; i < 512; ++i)
      if (now[i] != prev[i] && (now[i] ^ prev[i]) != x86::PTE_A) changed.push_back(i);
    ASSERT_EQ(logged.size(), changed.size()) << "at icount " << s.icount;
    for (size_t k = 0; k < changed.size(); ++k) {
      EXPECT_EQ(logged[k]->slot, changed[k]);
      EXPECT_EQ(logged[k]->a, prev[changed[k]]);
      EXPECT_EQ(logged[k]->b, now[changed[k]]);
    }
    changes += changed.size();
    prev = now;
  }
  EXPECT_GE(changes, 8u);  // client-a makes 5 calls: 2 switches each, the first before we watch
}

// flush=pcid: one PML4 per (task, module); the CR3 of every call names the
// callee's space, and that space's slot 1 is the callee's PDPT.
TEST(Recognition, PcidSpacesPerTaskAndModule) {
  auto b = test::boot("workload=demo flush=pcid");
  Engine& e = *b.e;
  ASSERT_EQ(e.cont().reason, StopReason::GuestExit);
  const auto spaces = e.spaces();  // a copy: the pointers below must outlive the loop
  size_t named = 0;
  for (const AddressSpace& a : spaces)
    if (a.name.find('/') != std::string::npos) ++named;
  EXPECT_GE(named, 4u);
  for (const CallRecord& c : e.calls()) {
    const AddressSpace* as = nullptr;
    for (const AddressSpace& a : spaces)
      if (a.cr3 == c.cr3) as = &a;
    ASSERT_NE(as, nullptr) << "call " << c.index;
    EXPECT_EQ(as->module, c.callee);
    EXPECT_EQ(slot_value(e.pml4_at_call(c.index), c.cr3, 1) & x86::PTE_ADDR, pdpt_of(e, c.callee));
  }
}

// A page fault stop: CR2 and the handler address come from the machine
// (CR2 register, IDT gate in guest memory), not from the engine's event.
TEST(Recognition, PageFaultEventMatchesCr2AndTheIdt) {
  auto b = test::boot("workload=attacks");
  Engine& e = *b.e;
  e.add_point(StopPoint::on(EventKind::Exception, x86::VEC_PF));
  const StopInfo s = e.cont();
  ASSERT_EQ(s.reason, StopReason::Point);
  const Event& ev = e.events()[s.event];
  EXPECT_EQ(ev.vector, x86::VEC_PF);
  const cpu::Cpu& c = e.machine().cpu();
  EXPECT_EQ(c.s.cr2, ev.b);
  uint8_t gate[16];
  ASSERT_TRUE(e.read_virt(c.s.idtr.base + 16 * x86::VEC_PF, gate, 16));
  uint64_t off = uint64_t(gate[0] | gate[1] << 8) | uint64_t(gate[6] | gate[7] << 8) << 16;
  uint32_t hi;
  std::memcpy(&hi, gate + 8, 4);
  off |= uint64_t(hi) << 32;
  EXPECT_EQ(c.s.rip, off);
  EXPECT_EQ(c.s.cpl(), 0);
}

TEST(Recognition, InterruptsAndPrivilegeChangesAreEvents) {
  // The selftest runs long enough for the timer (~200 M instructions; the
  // demo ends before its first tick).
  auto b = test::boot("workload=selftest");
  ASSERT_EQ(b.e->cont().reason, StopReason::GuestExit);
  size_t irq = 0, to_user = 0, to_kernel = 0;
  uint64_t last_cpl = ~0ull;
  for (const Event& ev : b.e->events()) {
    irq += ev.kind == EventKind::Interrupt;
    if (ev.kind != EventKind::CplChange) continue;
    if (last_cpl != ~0ull) {
      EXPECT_EQ(ev.a, last_cpl);  // each change starts where the last one ended
    }
    last_cpl = ev.b;
    to_user += ev.b == 3;
    to_kernel += ev.b == 0;
  }
  EXPECT_GT(irq, 0u);
  EXPECT_GT(to_user, 10u);
  EXPECT_GT(to_kernel, 10u);
}

}  // namespace
}  // namespace slot::engine
