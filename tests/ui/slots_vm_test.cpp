// Panel 1's data, "PML4 slots per task", at cross-module call N of the real
// guest. Oracles: the PML4 pages in guest memory (read directly, not through
// the engine's slot tracking), and the guest's documented design
// (docs/guest.md): slot 1 holds the running module's PDPT and a call rewrites
// only that entry (flush=cr3); slot 2 is a per-task private PDPT; slot 511 is
// the kernel, one PDPT shared by every PML4; flush=pcid gives each (task,
// module) pair its own PML4 and rewrites no entry.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "mmu/arch.h"
#include "tests/ui/guest_fixture.h"
#include "tests/ui/ref_walk.h"
#include "ui/model/slots_vm.h"

namespace slot::ui::test {
namespace {

constexpr uint64_t kIgnoreAD = ~(x86::PTE_A | x86::PTE_D);

const SlotCell* cell_at(const SlotTable& t, const SlotRow& r, unsigned slot) {
  for (size_t k = 0; k < t.columns.size(); ++k)
    if (!t.columns[k].gap() && t.columns[k].first == slot) return &r.cells[k];
  return nullptr;
}

const engine::ModuleInfo* module_named(const engine::View& v, uint32_t id) {
  for (const auto& m : v.modules)
    if (m.id == id) return &m;
  return nullptr;
}

TEST(SlotColumns, CollapsesEmptyRuns) {
  const auto cols = slot_columns({1, 2, 511});
  ASSERT_EQ(cols.size(), 5u);
  EXPECT_EQ(cols[0].label, "0");
  EXPECT_EQ(cols[1].label, "1");
  EXPECT_EQ(cols[2].label, "2");
  EXPECT_TRUE(cols[3].gap());
  EXPECT_EQ(cols[3].label, "3-510");
  EXPECT_EQ(cols[4].label, "511");
  const auto all_empty = slot_columns({});
  ASSERT_EQ(all_empty.size(), 1u);
  EXPECT_EQ(all_empty[0].first, 0);
  EXPECT_EQ(all_empty[0].last, 511);
}

// The table at call N against the PML4 pages in memory.
class SlotsAtCall : public ::testing::TestWithParam<int> {};

TEST_P(SlotsAtCall, MatchesMemoryAndTheDesign) {
  if (!guest_image_exists()) GTEST_SKIP() << "no guest image";
  GuestRun g;
  const int n = GetParam();
  g.until("call:" + std::to_string(n));
  const Frame f = g.frame();
  ASSERT_TRUE(f.view);
  const engine::View& v = *f.view;
  ASSERT_GE(g.hist.calls.size(), size_t(n));
  const engine::CallRecord& call = g.hist.calls[size_t(n) - 1];
  const SlotTable t = make_slot_table(f, g.hist);

  // One row per address space, each cell equal to the PML4 entry in memory.
  ASSERT_EQ(t.rows.size(), v.spaces.size());
  std::map<uint64_t, uint64_t> pml4_of;
  for (const auto& s : v.spaces) pml4_of[s.cr3] = s.pml4;
  for (const SlotRow& row : t.rows) {
    ASSERT_TRUE(pml4_of.count(row.cr3));
    const uint64_t page = pml4_of[row.cr3];
    std::set<unsigned> present;
    for (unsigned slot = 0; slot < 512; ++slot)
      if (g.read64(page + 8 * slot) & x86::PTE_P) present.insert(slot);
    for (size_t k = 0; k < t.columns.size(); ++k) {
      const SlotColumn& col = t.columns[k];
      for (unsigned s = col.first; s <= col.last; ++s) {
        if (col.gap()) {
          EXPECT_FALSE(present.count(s)) << "slot " << s << " of " << row.label << " hidden in a gap";
          continue;
        }
        const uint64_t mem = g.read64(page + 8 * s);
        if (mem & x86::PTE_P) {
          EXPECT_EQ(row.cells[k].value & kIgnoreAD, mem & kIgnoreAD) << row.label << " slot " << s;
        }
        EXPECT_EQ(row.cells[k].kind == SlotKind::Empty, !(mem & x86::PTE_P)) << row.label << " slot " << s;
      }
    }
  }

  // The running task: slot 1 is the callee's PDPT and is the one cell that
  // changed at this call; slot 2 is private; slot 511 the kernel.
  const SlotRow* running = nullptr;
  for (const auto& r : t.rows)
    if (r.current) running = &r;
  ASSERT_NE(running, nullptr);
  EXPECT_EQ(running->task, call.task);
  const SlotCell* s1 = cell_at(t, *running, 1);
  ASSERT_NE(s1, nullptr);
  EXPECT_EQ(s1->kind, SlotKind::Module);
  EXPECT_EQ(s1->module, call.callee);
  const engine::ModuleInfo* callee = module_named(v, call.callee);
  ASSERT_NE(callee, nullptr);
  EXPECT_EQ(s1->text, callee->name);
  EXPECT_EQ(s1->value & x86::PTE_ADDR, callee->pdpt & x86::PTE_ADDR);
  for (const SlotRow& row : t.rows)
    for (size_t k = 0; k < row.cells.size(); ++k)
      EXPECT_EQ(row.cells[k].changed, &row == running && !t.columns[k].gap() && t.columns[k].first == 1)
          << row.label << " column " << t.columns[k].label;

  std::set<uint64_t> privates, kernels;
  unsigned task_rows = 0;
  for (const SlotRow& row : t.rows) {
    if (row.task == engine::kNone) continue;
    ++task_rows;
    const SlotCell* s2 = cell_at(t, row, 2);
    const SlotCell* s511 = cell_at(t, row, 511);
    ASSERT_TRUE(s2 && s511);
    EXPECT_EQ(s2->kind, SlotKind::Private) << row.label;
    EXPECT_EQ(s511->kind, SlotKind::Kernel) << row.label;
    privates.insert(s2->value & x86::PTE_ADDR);
    kernels.insert(s511->value & x86::PTE_ADDR);
  }
  EXPECT_GE(task_rows, 2u);  // the demo runs two clients
  EXPECT_EQ(privates.size(), task_rows);
  EXPECT_EQ(kernels.size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Demo, SlotsAtCall, ::testing::Values(1, 2, 3, 5, 8));

// Scrubbing the timeline: at every call the calling task's slot 1 names the
// callee, at every return the module returned to; nothing else changes.
TEST(SlotsTimeline, EveryCallAndReturn) {
  if (!guest_image_exists()) GTEST_SKIP() << "no guest image";
  GuestRun g;
  g.until("call:6");
  g.frame();
  ASSERT_GE(g.hist.points.size(), 6u);
  for (size_t j = 0; j < g.hist.points.size(); ++j) {
    Requests r;
    r.point = j;
    const Frame f = g.frame(r);
    const engine::HistoryPoint& p = g.hist.points[j];
    const engine::CallRecord& c = g.hist.calls[p.call];
    const uint32_t expect = p.is_return ? c.caller : c.callee;
    const SlotTable t = make_slot_table(f, g.hist);
    EXPECT_NE(t.caption.find(p.is_return ? "return" : "call"), std::string::npos) << t.caption;
    unsigned changed = 0;
    bool found = false;
    for (const SlotRow& row : t.rows) {
      EXPECT_FALSE(row.current) << "no row is 'current' while scrubbing";
      for (size_t k = 0; k < row.cells.size(); ++k) changed += row.cells[k].changed;
      if (row.task != c.task) continue;
      const SlotCell* s1 = cell_at(t, row, 1);
      ASSERT_NE(s1, nullptr);
      EXPECT_EQ(s1->module, expect) << "point " << j;
      EXPECT_TRUE(s1->changed) << "point " << j;
      found = true;
    }
    EXPECT_TRUE(found);
    EXPECT_EQ(changed, 1u) << "point " << j;
  }
}

// flush=pcid: one PML4 per (task, module) pair, so rows name both, and a call
// switches CR3 instead of rewriting slot 1.
TEST(SlotsPcid, RowsPerTaskAndModuleNoRewrite) {
  if (!guest_image_exists()) GTEST_SKIP() << "no guest image";
  GuestRun g("workload=demo flush=pcid");
  g.until("call:4");
  const Frame f = g.frame();
  const SlotTable t = make_slot_table(f, g.hist);
  unsigned pair_rows = 0;
  for (const SlotRow& row : t.rows) {
    if (row.module != engine::kNone) {
      ++pair_rows;
      EXPECT_NE(row.label.find(" / "), std::string::npos) << row.label;
      const SlotCell* s1 = cell_at(t, row, 1);
      ASSERT_NE(s1, nullptr);
      EXPECT_EQ(s1->module, row.module) << row.label;  // that pair's module sits in its slot 1
    }
    for (const SlotCell& c : row.cells) EXPECT_FALSE(c.changed) << row.label;
  }
  EXPECT_GE(pair_rows, 2u);
}

}  // namespace
}  // namespace slot::ui::test

namespace slot::ui::test {
namespace {

// A click on a module-area cell walks the module's own first byte, which the
// reference walk (written from the SDM, not from the MMU) finds mapped; slot
// 1's base itself (module id 0's GiB) belongs to no module (issue 15).
TEST(SlotsClick, ModuleCellWalksTheModulesBase) {
  if (!guest_image_exists()) GTEST_SKIP() << "no guest image";
  GuestRun g;
  g.until("call:1");
  const Frame f = g.frame();
  const SlotTable t = make_slot_table(f, g.hist);
  unsigned checked = 0;
  for (const SlotRow& row : t.rows) {
    if (!row.current) continue;
    const SlotCell* s1 = cell_at(t, row, 1);
    ASSERT_NE(s1, nullptr);
    const uint64_t va = cell_walk_address(*s1, 1, f.view.get());
    EXPECT_NE(va, slot_base(1)) << "a module cell walks its module, not the slot's first GiB";
    const RefWalk at_module = ref_walk([&](uint64_t pa) { return g.read64(pa); }, f.view->regs.cr3, va);
    const RefWalk at_slot = ref_walk([&](uint64_t pa) { return g.read64(pa); }, f.view->regs.cr3, slot_base(1));
    EXPECT_TRUE(at_module.ok) << std::hex << va;
    EXPECT_FALSE(at_slot.ok) << "slot 1's base is never mapped";
    ++checked;
  }
  EXPECT_EQ(checked, 1u);
  // Other slots walk their first byte, canonical in the upper half.
  EXPECT_EQ(slot_base(2), 0x10000000000ull);
  EXPECT_EQ(slot_base(511), 0xFFFFFF8000000000ull);
}

}  // namespace
}  // namespace slot::ui::test
