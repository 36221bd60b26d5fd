// Panels 2 and 8 on the real guest: call stacks and call bars (nesting is the
// oracle: a call made inside another ends before it), and the event log's
// filters (the categories partition the log; each Call row names the modules
// of its call record).
#include <gtest/gtest.h>

#include <map>

#include "tests/ui/guest_fixture.h"
#include "ui/model/calls_vm.h"
#include "ui/model/events_vm.h"

namespace slot::ui::test {
namespace {

TEST(CallsView, BarsNestAndStacksMatchTheTasks) {
  if (!guest_image_exists()) GTEST_SKIP() << "no guest image";
  GuestRun g;
  g.until("call:7");
  const Frame f = g.frame();
  const CallTimeline t = make_call_timeline(f, g.hist);
  ASSERT_EQ(t.bars.size(), g.hist.calls.size());
  ASSERT_GE(t.bars.size(), 7u);
  std::map<uint32_t, const CallBar*> by_call;
  for (const CallBar& b : t.bars) by_call[b.call] = &b;
  unsigned nested = 0, open = 0;
  for (const CallBar& b : t.bars) {
    EXPECT_LE(b.begin, b.end);
    EXPECT_GE(b.begin, t.begin);
    EXPECT_LE(b.end, t.end);
    ASSERT_LT(b.lane, t.lanes.size());
    EXPECT_EQ(t.lanes[b.lane].task, b.task);
    EXPECT_LT(b.depth, t.lanes[b.lane].depths);
    open += b.open;
    const engine::CallRecord& c = g.hist.calls[b.call];
    if (c.parent == engine::kNone) continue;
    ASSERT_TRUE(by_call.count(c.parent));
    const CallBar& p = *by_call[c.parent];
    EXPECT_EQ(p.lane, b.lane);
    EXPECT_EQ(p.depth + 1, b.depth);
    EXPECT_LE(p.begin, b.begin);
    EXPECT_GE(p.end, b.end);
    ++nested;
  }
  EXPECT_GE(nested, 1u) << "the demo's fs forwards to blk";
  // Stacks: one per task; their open calls are the open bars.
  const auto stacks = make_call_stacks(f, g.hist);
  unsigned lines = 0;
  for (const TaskStack& s : stacks) {
    for (size_t i = 0; i < s.lines.size(); ++i) {
      EXPECT_EQ(s.lines[i].depth, i);
      EXPECT_FALSE(g.hist.calls[s.lines[i].call].returned);
    }
    lines += unsigned(s.lines.size());
  }
  EXPECT_EQ(lines, open);
  EXPECT_GE(open, 1u) << "stopped at a call: it is open";
  // Clicking inside a bar finds it.
  const CallBar& last = t.bars.back();
  EXPECT_EQ(hit_bar(t, last.lane, last.depth, last.begin), int(t.bars.size() - 1));
}

TEST(EventsView, FiltersPartitionTheLog) {
  if (!guest_image_exists()) GTEST_SKIP() << "no guest image";
  GuestRun g;
  g.until("call:5");
  const Frame f = g.frame();
  const Names names(*f.view);
  ASSERT_EQ(g.hist.events.size(), f.events_n);
  EventFilter all;
  for (bool& b : all.show) b = true;
  EXPECT_EQ(filter_events(g.hist, all, f.cursor, names).size(), g.hist.events.size());
  size_t sum = 0;
  for (unsigned k = 0; k < kEventCats; ++k) {
    EventFilter one;
    for (unsigned j = 0; j < kEventCats; ++j) one.show[j] = j == k;
    for (size_t i : filter_events(g.hist, one, f.cursor, names))
      EXPECT_EQ(unsigned(event_cat(g.hist.events[i].kind)), k);
    sum += filter_events(g.hist, one, f.cursor, names).size();
  }
  EXPECT_EQ(sum, g.hist.events.size());

  EventFilter calls;
  for (bool& b : calls.show) b = false;
  calls.show[unsigned(EventCat::Calls)] = true;
  unsigned call_rows = 0;
  for (size_t i : filter_events(g.hist, calls, f.cursor, names)) {
    const EventRow r = event_row(g.hist, i, f.cursor, names);
    const engine::Event& e = g.hist.events[i];
    EXPECT_FALSE(r.future);
    if (e.kind != engine::EventKind::Call) continue;
    const engine::CallRecord& c = g.hist.calls[e.call];
    EXPECT_NE(r.text.find(names.module(c.caller) + " -> " + names.module(c.callee)), std::string::npos) << r.text;
    ++call_rows;
  }
  EXPECT_EQ(call_rows, 5u);

  // Text and task filters.
  EventFilter text = all;
  text.text = "slot 1:";
  for (size_t i : filter_events(g.hist, text, f.cursor, names))
    EXPECT_EQ(g.hist.events[i].kind, engine::EventKind::SlotChange);
  EventFilter task = all;
  task.task = g.hist.calls[0].task;
  for (size_t i : filter_events(g.hist, task, f.cursor, names)) EXPECT_EQ(g.hist.events[i].task, task.task);
}

TEST(EventsView, AfterAReverseStepLaterEventsAreFuture) {
  if (!guest_image_exists()) GTEST_SKIP() << "no guest image";
  GuestRun g;
  g.until("call:3");
  g.e->goto_icount(g.e->calls()[0].enter_icount);
  const Frame f = g.frame();
  const Names names(*f.view);
  ASSERT_LT(f.cursor, g.hist.events.size());
  const EventRow last = event_row(g.hist, g.hist.events.size() - 1, f.cursor, names);
  EXPECT_TRUE(last.future);
  EXPECT_FALSE(event_row(g.hist, 0, f.cursor, names).future);
}

}  // namespace
}  // namespace slot::ui::test

namespace slot::ui::test {
namespace {

// One number per call everywhere a person reads it, counted from 1 (issue 15):
// `--until call:N` stops at the call the stack panel, the event log and the
// slot changes name "#N", and the N-th record is the N-th call made.
TEST(CallsView, CallsAreNumberedFromOneEverywhere) {
  if (!guest_image_exists()) GTEST_SKIP() << "no guest image";
  GuestRun g;
  g.until("call:3");
  const Frame f = g.frame();
  ASSERT_GE(g.hist.calls.size(), 3u);
  EXPECT_EQ(engine::call_number(0), 1u);
  // The innermost open call of the running task is the third call made.
  bool found = false;
  for (const TaskStack& s : make_call_stacks(f, g.hist))
    for (const StackLine& l : s.lines)
      if (l.call == 2) {
        found = true;
        EXPECT_NE(l.text.find("(call #3,"), std::string::npos) << l.text;
      }
  EXPECT_TRUE(found) << "--until call:3 stops at the third call";
  EXPECT_NE(g.hist.calls[2].index, 3u);  // the record's own index still counts from 0
}

}  // namespace
}  // namespace slot::ui::test

namespace slot::ui::test {
namespace {

// Rows are named as of their own time (issue 15): after the demo, task ids
// have been reused (the console flush runs in a slot a client had), yet every
// call bar and every event row names the task the engine's own history names
// at that call or event -- not the name the id has at the end.
TEST(NamesAtTheirTime, CallsAndEventsAfterTheRun) {
  if (!guest_image_exists()) GTEST_SKIP() << "no guest image";
  GuestRun g;
  g.until("end");
  const Frame f = g.frame();
  const Names now(*f.view);
  const CallTimeline t = make_call_timeline(f, g.hist);
  unsigned renamed = 0;
  for (const CallBar& b : t.bars) {
    const engine::CallRecord& c = g.hist.calls[b.call];
    const std::string then = g.e->task_name(c.task, c.enter_event);
    EXPECT_NE(b.detail.find("task " + then + ","), std::string::npos) << b.detail;
    renamed += then != now.task(c.task);
  }
  EXPECT_GE(renamed, 1u) << "the demo reuses a task id: the test must see a rename";
  for (size_t i = 0; i < g.hist.events.size(); ++i) {
    const engine::Event& ev = g.hist.events[i];
    if (ev.kind != engine::EventKind::Call || ev.task == engine::kNone) continue;
    EXPECT_EQ(event_row(g.hist, i, g.hist.events.size(), now).task, g.e->task_name(ev.task, i)) << "event " << i;
  }
}

// Operations are named the way the guest names them (issue 15: fs.FS_READ,
// not op 0), in the events panel, the call bars and the engine's exports
// alike, and still after going back to before the names were announced.
TEST(NamesAtTheirTime, OperationsAreNamedAsTheGuestNamesThem) {
  if (!guest_image_exists()) GTEST_SKIP() << "no guest image";
  GuestRun g;
  g.until("end");
  // The demo's calls, by the ABI's numbers (guest/include/slotlab_abi.h):
  // app -> fs FS_SIZE (1) and FS_READ (0), fs -> blk BLK_READ (0), app -> cons CONS_WRITE (0).
  EXPECT_EQ(g.e->op_label(2, 0), "fs.FS_READ");
  EXPECT_EQ(g.e->op_label(2, 1), "fs.FS_SIZE");
  EXPECT_EQ(g.e->op_label(3, 0), "blk.BLK_READ");
  EXPECT_EQ(g.e->op_label(4, 0), "cons.CONS_WRITE");
  EXPECT_EQ(g.e->op_label(2, 200), "fs.op200");  // beyond the named ops: a number
  EXPECT_EQ(g.e->op_label(5, 1), "evil.read_other_module");  // attack 1 (attacks.h)
  EXPECT_EQ(g.e->op_label(5, 42), "evil.keep_window_use");
  EXPECT_EQ(g.e->op_label(5, 43), "evil.keep_lent_use");
  EXPECT_EQ(g.e->op_label(5, 36), "evil.toctou_lookup");
  EXPECT_EQ(g.e->op_label(5, 37), "evil.driver_dma_outside");
  EXPECT_EQ(g.e->op_label(5, 38), "evil.unmap_passed_buffer");
  EXPECT_EQ(g.e->op_label(5, 39), "evil.keep_lent_page");  // attack 39, the last
  EXPECT_EQ(g.e->op_label(5, 40), "evil.op40");  // unnamed: a number
  EXPECT_EQ(g.e->goto_icount(0).icount, 0u);
  const Frame f = g.frame();
  const Names n(*f.view);
  unsigned rows = 0;
  for (size_t i = 0; i < g.hist.events.size(); ++i) {
    const engine::Event& ev = g.hist.events[i];
    if (ev.kind != engine::EventKind::Call) continue;
    const engine::CallRecord& c = g.hist.calls[ev.call];
    const std::string label = g.e->op_label(c.callee, c.op);
    EXPECT_EQ(label.find(".op"), std::string::npos) << label;
    EXPECT_NE(event_row(g.hist, i, f.cursor, n.as_of(g.hist, i)).text.find(label), std::string::npos) << label;
    ++rows;
  }
  EXPECT_EQ(rows, g.hist.calls.size());
  EXPECT_GE(rows, 5u);
}

}  // namespace
}  // namespace slot::ui::test

#include "ui/model/console_vm.h"

namespace slot::ui::test {
namespace {

// Panels show the machine at the instruction shown, nothing later (issue 15):
// after the demo, going back to its start must not show the DONE line the
// furthest run printed; running forward again shows it, once.
TEST(ConsoleAtItsTime, GoingBackHidesWhatWasPrintedLater) {
  if (!guest_image_exists()) GTEST_SKIP() << "no guest image";
  GuestRun g;
  g.until("end");
  const std::string full = console_text(*g.log, g.frame());
  ASSERT_NE(full.find("\nDONE"), std::string::npos) << full;
  g.e->goto_icount(1000);
  const std::string early = console_text(*g.log, g.frame());
  EXPECT_EQ(early.find("DONE"), std::string::npos) << early;
  EXPECT_EQ(full.compare(0, early.size(), early), 0) << "the earlier console is a prefix of the later one";
  EXPECT_LT(early.size(), full.size());
  g.until("end");
  const std::string again = console_text(*g.log, g.frame());
  EXPECT_EQ(again, full);
}

}  // namespace
}  // namespace slot::ui::test

#include "ui/model/tlb_vm.h"

namespace slot::ui::test {
namespace {

// The TLB panel's miss plot has one sample per call or return up to the
// moment shown: after going back to the start it has none of the later ones.
TEST(ConsoleAtItsTime, TlbPlotStopsAtTheMomentShown) {
  if (!guest_image_exists()) GTEST_SKIP() << "no guest image";
  GuestRun g;
  g.until("end");
  const size_t at_end = make_tlb(g.frame(), nullptr, g.hist).l1_mpki.size();
  ASSERT_GE(at_end, 10u);
  g.e->goto_icount(1000);
  EXPECT_EQ(make_tlb(g.frame(), nullptr, g.hist).l1_mpki.size(), 0u) << "no call has happened by icount 1000";
  g.until("call:3");
  const size_t three = make_tlb(g.frame(), nullptr, g.hist).l1_mpki.size();
  EXPECT_GE(three, 3u);
  EXPECT_LT(three, at_end);
}

}  // namespace
}  // namespace slot::ui::test

namespace slot::ui::test {
namespace {

// A click on a call (its stack line, its bar, its event row) goes to the
// call's landing point: the call is then on the running task's stack and its
// bar is drawn, as after F8 (issue 15). Going to its record's own instruction
// -- one earlier -- shows neither.
TEST(CallsView, GoingToACallLandsWhereF8Stops) {
  if (!guest_image_exists()) GTEST_SKIP() << "no guest image";
  GuestRun g;
  g.until("call:3");
  g.frame();  // merges the history
  ASSERT_GE(g.hist.calls.size(), 3u);
  const engine::CallRecord call = g.hist.calls[2];
  g.until("end");
  auto on_stack = [&](const Frame& f) {
    for (const TaskStack& s : make_call_stacks(f, g.hist))
      for (const StackLine& l : s.lines)
        if (l.call == 2) return true;
    return false;
  };
  auto has_bar = [&](const Frame& f) {
    for (const CallBar& b : make_call_timeline(f, g.hist).bars)
      if (b.call == 2) return true;
    return false;
  };
  g.e->goto_icount(engine::landing_icount(engine::EventKind::Call, call.enter_icount));
  const Frame at = g.frame();
  EXPECT_TRUE(on_stack(at));
  EXPECT_TRUE(has_bar(at));
  g.e->goto_icount(call.enter_icount);
  const Frame before = g.frame();
  EXPECT_FALSE(on_stack(before)) << "one instruction earlier the record is not written yet";
}

}  // namespace
}  // namespace slot::ui::test
