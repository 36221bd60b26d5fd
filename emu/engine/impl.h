// Engine internals shared by the engine's .cpp files (not a public header).
//
// Three kinds of state:
//  - Knowledge: what is true *now* (known address spaces, tasks and their
//    call stacks, modules, the annotation stream). Snapshots copy it; replay
//    rebuilds it.
//  - History: everything ever observed, append-only with a cursor. Replay
//    below the furthest point reached re-observes events (checks them against
//    the log and moves the cursor) instead of appending, so indices are stable.
//  - Snapshots: machine state at instruction counts that are multiples of the
//    interval, with copy-on-write undo pages (timetravel.cpp).
#pragma once
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "emu/engine/annotation.h"
#include "emu/engine/engine.h"
#include "emu/engine/page_pool.h"
#include "emu/engine/symbols.h"
#include "mmu/events.h"

namespace slot::engine {

struct Knowledge {
  std::vector<AddressSpace> spaces;
  std::unordered_map<uint64_t, size_t> by_cr3;  // CR3 without bit 63 -> spaces
  std::map<uint32_t, ModuleInfo> modules;
  std::map<uint32_t, TaskInfo> tasks;
  AnnParser parser;
  TlbDelta cum_at_point;     // cumulative counters at the last history point
  // Counters charged to each task while it was on the CPU (by CR3; kNone =
  // spaces the guest did not name), so a call's cost leaves out the other
  // tasks that were scheduled in meanwhile.
  std::map<uint32_t, TlbDelta> task_cum;
  uint32_t acct_task = kNone;
  TlbDelta acct_mark;
  size_t points_seen = 0;    // history points observed so far
  std::map<uint32_t, size_t> kernel_entry;  // task -> its last CplChange-to-0 event
  // A call counts from the caller's kernel entry (the SYSCALL that made it)
  // to the kernel's exit back to the calling task, not from annotation to
  // annotation: the counters as they were at each task's last kernel entry,
  // and the calls whose Return record came but whose task is not back in
  // ring 3 yet.
  struct EntryMark {
    uint64_t icount = 0, ring0 = 0;
    TlbDelta task_cum, wall;
  };
  std::map<uint32_t, EntryMark> entry_mark;
  bool in_ring0 = false;
  std::map<uint32_t, std::vector<uint32_t>> returning;  // task -> calls
  uint64_t serial_pos = 0;   // COM1 bytes produced so far (replay prints none twice)
};

struct SlotLog {
  uint64_t pml4 = 0;         // physical page of the PML4
  uint16_t slot = 0;
  uint64_t old_v = 0, new_v = 0;
  size_t event = 0;
};
struct SpaceLog {
  AddressSpace as;
  size_t event = 0;          // its NewSpace event
  std::vector<uint64_t> init;  // the 512 entries when it was discovered
};
struct History {
  std::vector<Event> events;
  std::vector<CallRecord> calls;
  std::vector<TlbDelta> enter_cum, enter_wall, child_sum;  // parallel to calls
  std::vector<uint64_t> enter_ring0;                        // ring-0 instructions at the call's start
  std::vector<HistoryPoint> points;
  std::vector<SlotLog> slots;
  std::vector<SpaceLog> spaces;
  std::map<uint32_t, std::string> task_names, module_names;
  std::map<uint32_t, std::vector<std::string>> op_names;  // module -> name of each op (ANN_OP_NAME)
  // Task ids are reused: each TaskCreate starts a new life (event, name).
  std::map<uint32_t, std::vector<std::pair<size_t, std::string>>> task_lives;
};

// A write to a PML4 entry seen before it lands; diffed once it has landed
// (at the next event, the next write to the entry by another instruction, or
// the end of the run slice), which is also when its SlotChange is logged.
struct PendingWrite {
  uint64_t entry_pa, old_v, icount, rip, cr3;
};

struct Snapshot {
  uint64_t icount = 0;
  cpu::CpuSnapshot cpu;
  std::vector<uint8_t> mmu, board;
  Knowledge know;
  size_t cursor = 0;
  // Pre-images (as of this snapshot) of pages first written after it.
  std::unordered_map<uint64_t, PagePool::Ptr> undo;
  uint64_t fixed_bytes = 0;  // blobs and knowledge, estimated
};

// Per physical page: why the engine flags it PF_WATCH.
enum PageRole : uint8_t { R_PML4 = 1, R_COW = 2, R_WATCH = 4 };

struct Hit {
  StopReason reason = StopReason::Point;
  int point = -1;
  size_t event = kNoIndex;
  uint64_t addr = 0;
  uint64_t cause_rip = kNone64;   // StopInfo::cause_rip
  std::string message;
};

struct Goal {
  StepKind kind = StepKind::Insn;
  bool active = false;       // call-level goal (NextCall / OverCall / FinishCall), checked per event
  bool insn_level = false;   // OverInsn / Out, checked per instruction
  uint32_t task = kNone;
  size_t depth = 0;
  uint64_t rsp = 0, ret = 0;
  uint8_t cpl = 0;
};

class ReplaySink;

class Engine::Impl final : public cpu::CpuObserver, public mmu::MmuObserver {
 public:
  explicit Impl(const EngineConfig& cfg);
  ~Impl() override;

  EngineConfig cfg;
  mutable emu::Machine m;  // Machine has no const accessors; const queries only read
  AnnotationPort port;
  Symbols syms;
  Knowledge know;
  History hist;
  size_t cursor = 0;
  uint64_t serial_high = 0;  // COM1 bytes already printed
  ReplaySink* sink = nullptr;
  std::vector<PendingWrite> pending;
  std::vector<uint8_t> roles;  // PageRole per RAM page

  // stop points
  std::map<int, StopPoint> points;
  int next_point = 1;
  struct WatchRange { int id; uint64_t pa, len; };
  std::vector<WatchRange> watches;
  bool points_on = true;     // false while travelling (goto)
  bool mmu_observing = false;
  Goal goal;
  std::optional<Hit> hit;
  bool collecting = false;   // reverse-continue: note hits, do not stop
  std::vector<std::pair<uint64_t, Hit>> collected;
  std::atomic<bool> pause_flag{false}, running{false};

  // time travel (timetravel.cpp)
  PagePool page_pool;  // before snaps: their undo images go back to it
  std::deque<Snapshot> snaps;
  uint64_t snap_bytes = 0;
  uint64_t next_snap_at = 0;
  std::string tt_message;
  std::string activity;     // what the running command does (View::activity); set by the command
  std::atomic<bool> searching_back{false};  // inside reverse_cont (pause() ends it; its goto_icount()
                                            //   keeps the search's words)
  const char* search_what = "the previous stop";   // back_to_call(): "the previous module call"
  uint64_t far_icount = 0;  // the furthest instruction count any run reached (history_budget)

  // thread (thread.cpp)
  std::thread th;
  std::mutex q_mu;
  std::condition_variable q_cv;
  struct Item { bool run_control; std::function<void()> fn; };
  std::deque<Item> queue;
  bool quit = false;
  std::atomic<bool> thread_done{false};
  bool threaded = false;
  mutable std::mutex view_mu;
  std::shared_ptr<const View> published;
  uint64_t view_gen = 0;
  std::chrono::steady_clock::time_point last_publish;
  StopInfo last_stop;
  Engine* self = nullptr;

  // ---- observe.cpp ----
  void on_cpu_event(const cpu::CpuEvent& e) override;
  void on_tlb(const mmu::TlbEvent& e) override;
  void on_stale(const mmu::StaleEvent& e) override;
  void on_write(uint64_t pa, unsigned len);
  void flush_pending();
  size_t discover(uint64_t cr3);
  void watch_page(uint64_t pa, uint8_t role);
  void unwatch_page(uint64_t pa, uint8_t role);
  void rebuild_pml4_roles();
  void update_mmu_observer();
  uint64_t cur_cr3() const;
  uint32_t task_of_cr3(uint64_t cr3) const;
  uint32_t module_in_slot() const;  // module whose PDPT the current module slot holds
  Event base_event(EventKind k) const;

  // ---- annotate.cpp ----
  void on_ann_dword(uint32_t v, unsigned size);
  void handle(const AnnRecord& r);
  void load_module_symbols(const ModuleInfo& mi);
  TlbDelta cum_now() const;
  void on_kernel_entry(const Event& e);
  void on_kernel_exit(const Event& e);   // finishes the calls returning to e.task
  TlbDelta task_cum_now(uint32_t task, const TlbDelta& global) const;
  void charge_switch(uint32_t new_task);
  size_t add_point(uint32_t call, bool is_return, uint32_t task, size_t ev, bool fresh);

  // ---- history.cpp ----
  size_t log(const Event& e, bool& fresh);  // appends or re-observes
  uint64_t history_bytes() const;           // what EngineConfig::history_budget bounds
  void check(size_t idx);                   // stop points and goals
  void check_transient(const Event& e);     // events that are never logged
  size_t emit(const Event& e);              // flush_pending + log + check; its index
  const std::pair<size_t, std::string>* task_life(uint32_t id, size_t at) const;
  void truncate_history(size_t at_event);
  std::vector<SpaceView> pml4_at(size_t event_limit, size_t slot_end) const;
  std::vector<TaskStackView> stacks_at(size_t point) const;

  // ---- run.cpp ----
  StopInfo run(uint64_t target, StopReason at_target, bool skip_first);
  StopInfo run_chunks(uint64_t target, StopReason at_target, bool skip_first);
  void arm_exec_breaks(uint64_t resume_at);
  StopInfo run_single(uint64_t target, StopReason at_target, bool skip_first);
  bool after_run(emu::RunExit r, StopInfo& out);  // true: stop with `out`
  bool exec_point_hit(int& id) const;
  bool needs_single_step() const;
  StopInfo make_stop(StopReason r, const std::string& msg = {}) const;
  StopInfo step(StepKind k);
  StopInfo cont(uint64_t max_insns);
  bool near_ret_at_rip() const;
  bool near_call_at_rip(uint64_t& next) const;

  // ---- timetravel.cpp ----
  void take_snapshot();
  void maybe_snapshot();
  void restore(size_t i);
  size_t snapshot_at_or_before(uint64_t icount) const;  // kNoIndex if none
  StopInfo goto_icount(uint64_t icount);
  StopInfo reverse_step();
  StopInfo reverse_cont();
  StopInfo back_to_call();
  void enforce_budget();
  void state_edited();

  // ---- thread.cpp ----
  void publish(bool running_now);
  void thread_main();
  void maybe_publish();
  void serve_between_slices();
  View make_view() const;

  // misc
  bool read_virt(uint64_t va, void* out, size_t n) const;
};

}  // namespace slot::engine
