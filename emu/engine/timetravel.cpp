// Time travel by deterministic replay (docs/ARCHITECTURE.md).
//
// A snapshot holds the CPU (Cpu::snapshot), the MMU (Mmu::save: every TLB
// and PSC entry, replacement state and statistics), the board (one
// serialize() for save and load), the engine's Knowledge and its history
// cursor. RAM is not copied: taking a snapshot flags every RAM page PF_WATCH
// (role R_COW); the first write to a page after that lands in on_write(),
// which copies the page's old contents into the snapshot's undo map and
// unflags it. Restoring snapshot i writes back the undo pages of the newest
// snapshot first and of snapshot i last, so every page ends up as it was at
// snapshot i; the later snapshots are dropped (replay re-creates them at the
// same instruction counts). Memory = the pages written per interval, bounded
// by EngineConfig::snapshot_budget: past it the oldest snapshot goes, and
// reverse execution reaches back less far (tt_message says how far).
//
// Replay from a snapshot is bit-identical because every time-like thing in
// the machine derives from the instruction count (docs/ARCHITECTURE.md) and device
// deadlines are absolute: how a run is cut into slices changes nothing.
// tests/engine/test_timetravel.cpp checks it.
#include <cstdio>

#include "emu/engine/impl.h"

namespace slot::engine {

namespace {
uint64_t knowledge_bytes(const Knowledge& k) {
  uint64_t b = sizeof(Knowledge) + k.spaces.size() * (sizeof(AddressSpace) + 64);
  for (const auto& [id, t] : k.tasks) b += sizeof(TaskInfo) + t.stack.size() * 4 + 64;
  return b + k.modules.size() * (sizeof(ModuleInfo) + 64);
}
}  // namespace

void Engine::Impl::take_snapshot() {
  flush_pending();
  Snapshot s;
  s.icount = m.cpu().icount();
  s.cpu = m.cpu().snapshot();
  s.mmu = m.mmu().save();
  emu::Serializer ser;
  m.board().serialize(ser);
  s.board = ser.take();
  s.know = know;
  s.cursor = cursor;
  s.fixed_bytes = sizeof(Snapshot) + s.mmu.size() + s.board.size() + knowledge_bytes(know);
  snap_bytes += s.fixed_bytes;
  snaps.push_back(std::move(s));
  for (uint64_t p = 0; p < roles.size(); ++p)
    if (!(roles[p] & R_COW)) watch_page(p << 12, R_COW);
  next_snap_at = (m.cpu().icount() / cfg.snapshot_interval + 1) * cfg.snapshot_interval;
}

void Engine::Impl::maybe_snapshot() {
  if (cfg.time_travel && m.cpu().icount() >= next_snap_at) take_snapshot();
}

void Engine::Impl::enforce_budget() {
  if (snap_bytes <= cfg.snapshot_budget || snaps.size() < 2) return;
  while (snap_bytes > cfg.snapshot_budget && snaps.size() > 1) {
    snap_bytes -= snaps.front().fixed_bytes + snaps.front().undo.size() * 4096;
    snaps.pop_front();
  }
  char msg[160];
  std::snprintf(msg, sizeof msg,
                "snapshot memory limit (%llu MiB) reached: reverse execution now reaches back to instruction %llu",
                (unsigned long long)(cfg.snapshot_budget >> 20), (unsigned long long)snaps.front().icount);
  tt_message = msg;
}

size_t Engine::Impl::snapshot_at_or_before(uint64_t icount) const {
  for (size_t j = snaps.size(); j-- > 0;)
    if (snaps[j].icount <= icount) return j;
  return kNoIndex;
}

void Engine::Impl::restore(size_t i) {
  pending.clear();
  hit.reset();
  uint8_t* ram = m.mem().data();
  for (size_t j = snaps.size(); j-- > i;)
    for (const auto& [pa, img] : snaps[j].undo) std::memcpy(ram + pa, img->data(), 4096);
  while (snaps.size() > i + 1) {
    snap_bytes -= snaps.back().fixed_bytes + snaps.back().undo.size() * 4096;
    snaps.pop_back();
  }
  Snapshot& s = snaps[i];
  snap_bytes -= s.undo.size() * 4096;
  s.undo.clear();
  m.cpu().restore(s.cpu);
  m.mmu().load(s.mmu);
  emu::Serializer in(s.board);
  m.board().serialize(in);
  know = s.know;
  cursor = s.cursor;
  for (uint64_t p = 0; p < roles.size(); ++p)
    if (!(roles[p] & R_COW)) watch_page(p << 12, R_COW);
  rebuild_pml4_roles();
  // The MMU blob carries the stale-detection mode of the snapshot's moment:
  // the stop points set now decide it (a stale stop added after the snapshot
  // must still fire going forward).
  update_mmu_observer();
  next_snap_at = (s.icount / cfg.snapshot_interval + 1) * cfg.snapshot_interval;
}

StopInfo Engine::Impl::goto_icount(uint64_t target) {
  const uint64_t now = m.cpu().icount();
  if (!searching_back) activity = "going to icount " + std::to_string(target);
  const Goal keep_goal = goal;
  goal = Goal{};
  if (target < now) {
    const size_t j = snapshot_at_or_before(target);
    if (j == kNoIndex) {
      if (snaps.empty()) return make_stop(StopReason::HistoryStart, "time travel is off");
      restore(0);
      StopInfo s = make_stop(StopReason::HistoryStart, tt_message.empty() ? "before the oldest snapshot" : tt_message);
      last_stop = s;
      if (threaded) publish(true);  // progress; thread_main publishes the stop
      return s;
    }
    restore(j);
  }
  points_on = false;
  StopInfo s = run(target, StopReason::Step, true);
  points_on = true;
  goal = keep_goal;
  return s;
}

StopInfo Engine::Impl::reverse_step() {
  const uint64_t now = m.cpu().icount();
  if (now == 0) return make_stop(StopReason::HistoryStart);
  return goto_icount(now - 1);
}

StopInfo Engine::Impl::reverse_cont() {
  uint64_t end = m.cpu().icount();
  const uint64_t start = end;
  struct Searching {
    Impl& e;
    explicit Searching(Impl& i) : e(i) { e.searching_back = true; }
    ~Searching() {
      e.searching_back = false;
      e.pause_flag = false;
    }
  } searching(*this);
  for (;;) {
    // The latest snapshot strictly before `end`.
    size_t j = kNoIndex;
    for (size_t k = snaps.size(); k-- > 0;)
      if (snaps[k].icount < end) { j = k; break; }
    if (j == kNoIndex) {
      if (snaps.empty()) return make_stop(StopReason::HistoryStart, "time travel is off");
      restore(0);
      return make_stop(StopReason::HistoryStart, tt_message);
    }
    restore(j);
    const uint64_t from = snaps[j].icount;
    // Progress (the thread publishes views while this replays): which stretch
    // of history is searched, back from where the search began.
    activity = std::string("searching back for ") + search_what + ": icount " + std::to_string(from) + " .. " +
               std::to_string(end) + " (started at " + std::to_string(start) + ")";
    collecting = true;
    collected.clear();
    StopInfo s = run(end, StopReason::Step, false);
    collecting = false;
    // A hit whose stop lands exactly at `end` is where we came from.
    while (!collected.empty() && collected.back().first >= end) collected.pop_back();
    if (!collected.empty()) {
      const auto [pos, h] = collected.back();
      collected.clear();
      StopInfo g = goto_icount(pos);
      if (g.reason == StopReason::Paused) return g;   // stopped on the way to the hit
      g.reason = StopReason::Point;
      g.point = h.point, g.event = h.event, g.message = h.message, g.addr = h.addr, g.cause_rip = h.cause_rip;
      last_stop = g;
      if (threaded) publish(true);  // progress; thread_main publishes the stop
      return g;
    }
    if (s.reason == StopReason::Paused) return s;
    if (pause_flag.exchange(false)) {   // paused between two replays
      StopInfo p = make_stop(StopReason::Paused);
      last_stop = p;
      return p;
    }
    end = from;
  }
}

StopInfo Engine::Impl::back_to_call() {
  // Only the Call catch counts here; the user's points stay set but asleep.
  auto keep = std::move(points);
  auto keep_watches = std::move(watches);
  points.clear();
  watches.clear();
  points[0] = StopPoint::on(EventKind::Call);
  points[0].label = "call";
  search_what = "the previous module call";
  StopInfo s = reverse_cont();
  search_what = "the previous stop";
  points = std::move(keep);
  watches = std::move(keep_watches);
  update_mmu_observer();  // the user's points again (the restores saw only the Call catch)
  if (s.reason == StopReason::Point) s.reason = StopReason::Step, s.point = -1, s.step = StepKind::NextCall;
  last_stop = s;
  return s;
}

void Engine::Impl::state_edited() {
  flush_pending();
  truncate_history(cursor);
  if (cfg.time_travel) take_snapshot();
}

}  // namespace slot::engine
