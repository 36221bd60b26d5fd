// A small real run of `slotlab bench design`: four kernel variants, one point
// each plus the leak probe, on the built guest image. The expectations are
// properties of the design, checked on counts the runs produce: nothing here
// is a recorded number.
#include <gtest/gtest.h>

#include "app/bench/design.h"
#include "app/bench/design_report.h"

namespace slot::bench {
namespace {

// The one sweep of these runs: working set 1 and 64 pages, with the leak probe.
Sweep small_ws_sweep() {
  Sweep s;
  s.name = "ws";
  s.sizes = {64};
  s.depths = {1};
  s.ws = {1, 64};
  s.calls = 4;
  s.probe = true;
  return s;
}

class DesignRun4 : public ::testing::Test {

 public:
  static void SetUpTestSuite() {
    DesignPlan plan;
    for (const char* v : {"modarea/cr3", "modarea/pcid", "modarea/none", "monolithic/cr3"})
      for (const Variant& x : design_variants())
        if (x.id() == v) plan.variants.push_back(x);
    const Sweep s = small_ws_sweep();
    plan.sweeps = {s};
    run_ = new DesignRun;
    run_->boots = run_design_plan(GUEST_IMAGE, plan, 2, false);
    run_->meta = {{"command", "test"}, {"date", "today"}, {"commit", "x"}};
  }
  static void TearDownTestSuite() { delete run_; }
  static const Point& point(const std::string& v, uint64_t ws) {
    const BootResult* b = find_boot(*run_, "ws", v);
    if (!b) throw std::runtime_error("no boot for " + v);
    const Point* p = find_point(*b, 64, 1, ws);
    if (!p) throw std::runtime_error("no point for " + v);
    return *p;
  }
  static DesignRun* run_;
};
DesignRun* DesignRun4::run_ = nullptr;

void check_EveryBootFinished() {
  ASSERT_EQ(DesignRun4::run_->boots.size(), 4u);
  for (const BootResult& b : DesignRun4::run_->boots) {
    EXPECT_TRUE(b.ok) << b.variant << ": " << b.error;
    EXPECT_EQ(b.points.size(), 2u) << b.variant;
    for (const Point& p : b.points) {
      EXPECT_DOUBLE_EQ(p.pc.calls, 2.0);  // 4 - 2 calls, one client
      EXPECT_GT(p.pc.insns, 0) << b.variant;
    }
  }
}

void check_StaleOnlyUnderTheDeliberateBug() {
  for (const char* v : {"modarea/cr3", "modarea/pcid", "modarea/none", "monolithic/cr3"})
    for (uint64_t ws : {1, 64}) EXPECT_EQ(DesignRun4::point(v, ws).pc.stale, 0.0) << v;  // the bench never touches the caller
  for (const char* v : {"modarea/cr3", "modarea/pcid"}) {
    const BootResult* b = find_boot(*DesignRun4::run_, "ws", v);
    ASSERT_TRUE(b && b->probe_run) << v;
    EXPECT_EQ(b->probe_stale, 0u) << v;
    EXPECT_EQ(b->probe_result, "contained") << v;
  }
  const BootResult* none = find_boot(*DesignRun4::run_, "ws", "modarea/none");
  ASSERT_TRUE(none && none->probe_run);
  EXPECT_GT(none->probe_stale, 0u);
  EXPECT_EQ(none->probe_result, "leaked");
  EXPECT_FALSE(find_boot(*DesignRun4::run_, "ws", "monolithic/cr3")->probe_run);  // nothing to attack
}

void check_MonolithicIsTheLowerBound() {
  for (uint64_t ws : {1, 64}) {
    const PerCall& mono = DesignRun4::point("monolithic/cr3", ws).pc;
    const PerCall& cr3 = DesignRun4::point("modarea/cr3", ws).pc;
    EXPECT_LT(mono.walks, cr3.walks) << ws;
    EXPECT_LT(mono.insns, cr3.insns) << ws;
    EXPECT_EQ(mono.cr3_loads, 0.0);
    EXPECT_GT(cr3.cr3_loads, 0.0);  // a flush on the way in and on the way out
  }
}

void check_FlushingLosesToPcidOnALargeWorkingSet() {
  const PerCall& cr3 = DesignRun4::point("modarea/cr3", 64).pc;
  const PerCall& pcid = DesignRun4::point("modarea/pcid", 64).pc;
  EXPECT_GT(cr3.walks, pcid.walks);
  EXPECT_GT(cr3.l1_misses, 64.0 / 2);  // most of the working set misses again after each flush
  const mmu::CostConfig c;
  EXPECT_GT(cycles_per_call(DesignRun4::point("modarea/cr3", 64), c), cycles_per_call(DesignRun4::point("modarea/pcid", 64), c));
}

void check_ReportFromTheRun() {
  const std::string md = render_design_section(*DesignRun4::run_, {});
  EXPECT_EQ(md.find(kDesignBegin), 0u);
  EXPECT_NE(md.find(kDesignEnd), std::string::npos);
  for (const char* s : {"### Verdict", "### Per call at the base point", "### Stale translations",
                        "### Sensitivity", "seL4", "| module area, MOV CR3 flush |", "leaked", "contained"})
    EXPECT_NE(md.find(s), std::string::npos) << s;
  // The base table's walk figure for modarea/cr3 is the run's, formatted.
  EXPECT_NE(md.find("`workload=bench mode=modarea flush=none sizes=64 depths=1 ws=1,64 calls=4 probe=1 annotate=0`"),
            std::string::npos);
}

// One test for the properties, so that ctest (one process per test) boots
// the four kernels once.
TEST_F(DesignRun4, PropertiesOfARealRun) {
  check_EveryBootFinished();
  check_StaleOnlyUnderTheDeliberateBug();
  check_MonolithicIsTheLowerBound();
  check_FlushingLosesToPcidOnALargeWorkingSet();
  check_ReportFromTheRun();
}

TEST_F(DesignRun4, Deterministic) {
  const Sweep s = small_ws_sweep();
  const BootResult again = run_design_boot(GUEST_IMAGE, s, Variant{"modarea", "cr3"});
  const BootResult* first = find_boot(*DesignRun4::run_, "ws", "modarea/cr3");
  ASSERT_TRUE(again.ok && first);
  EXPECT_EQ(again.icount, first->icount);
  ASSERT_EQ(again.points.size(), first->points.size());
  for (size_t i = 0; i < again.points.size(); ++i) {
    EXPECT_EQ(again.points[i].pc.total.insns, first->points[i].pc.total.insns);
    EXPECT_EQ(again.points[i].pc.total.walks, first->points[i].pc.total.walks);
    EXPECT_EQ(again.points[i].pc.total.l1_misses, first->points[i].pc.total.l1_misses);
  }
}

// Partial pages and unmapping: two kernels, two clients, working set 16.
class DesignMemory : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    DesignPlan plan;
    for (const char* v : {"modarea/cr3", "modarea/pcid"})
      for (const Variant& x : design_variants())
        if (x.id() == v) plan.variants.push_back(x);
    Sweep size;
    size.name = "size";
    size.sizes = {4096};  // 64 bytes into a page: two partial pages
    size.calls = 4;
    Sweep whole = size;
    whole.name = "size-whole";
    whole.options = "bounce=none";
    Sweep clients;
    clients.name = "clients";
    clients.clients = {1, 2};
    clients.calls = 4;
    Sweep unmap = clients;
    unmap.name = "unmap";
    unmap.options = "unmap=1";
    plan.sweeps = {size, whole, clients, unmap};
    run_ = new DesignRun;
    run_->boots = run_design_plan(GUEST_IMAGE, plan, 2, false);
    run_->meta = {{"command", "test"}, {"date", "today"}, {"commit", "x"}};
  }
  static void TearDownTestSuite() { delete run_; }
  static const PerCall& pc(const std::string& sweep, const std::string& v, uint64_t size, uint64_t clients) {
    const BootResult* b = find_boot(*run_, sweep, v);
    if (!b || !b->ok) throw std::runtime_error("no boot for " + sweep + " " + v + (b ? ": " + b->error : ""));
    const Point* p = find_point(*b, size, 1, 16, clients);
    if (!p) throw std::runtime_error("no point for " + sweep + " " + v);
    return p->pc;
  }
  static DesignRun* run_;
};
DesignRun* DesignMemory::run_ = nullptr;

TEST_F(DesignMemory, BouncingCopiesThePartialPagesAndNothingElse) {
  for (const char* v : {"modarea/cr3", "modarea/pcid"}) {
    const PerCall &bounced = pc("size", v, 4096, 1), &whole = pc("size-whole", v, 4096, 1);
    // Two partial pages: 4096 bytes in all are copied in and back (REP MOVS,
    // which the cost model prices by the byte); the TLB work is the same.
    EXPECT_GE(bounced.priced.string_bytes, whole.priced.string_bytes + 2 * 4096) << v;
    EXPECT_GT(bounced.insns, whole.insns) << v;
    EXPECT_EQ(bounced.cr3_loads, whole.cr3_loads) << v;
  }
}

TEST_F(DesignMemory, UnmappingCostsOtherClientsTheirTaggedWorkingSet) {
  // PCIDs, two clients: each unmap flushes the other client's (task, module)
  // tag, which walks b1's 16-page working set again on its next call.
  const double pcid2 = pc("unmap", "modarea/pcid", 64, 2).walks - pc("clients", "modarea/pcid", 64, 2).walks;
  EXPECT_GT(pcid2, 8.0);
  // One client: nobody else holds the page; a CR3-flushing kernel loses the
  // working set on every call anyway. One walk for the new page, at most two.
  for (const char* v : {"modarea/cr3", "modarea/pcid"})
    EXPECT_LE(pc("unmap", v, 64, 1).walks - pc("clients", v, 64, 1).walks, 2.0) << v;
  EXPECT_LE(pc("unmap", "modarea/cr3", 64, 2).walks - pc("clients", "modarea/cr3", 64, 2).walks, 2.0);
  const std::string md = render_design_section(*run_, {});
  for (const char* s : {"### Partial pages", "### Unmapping module memory", "**Dynamic module memory has a bill.**",
                        "**Partial pages bounced by default.**"})
    EXPECT_NE(md.find(s), std::string::npos) << s;
}

}  // namespace
}  // namespace slot::bench
