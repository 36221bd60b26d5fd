// The debugger engine: the only owner of a running machine (docs/ARCHITECTURE.md).
// It watches the machine architecturally (CR3 loads, writes to PML4 pages,
// privilege changes, exceptions, interrupts) and through the annotation port
// (docs/annotation.md), keeps the history of cross-module calls, steps and
// breaks, and travels back in time by deterministic replay from periodic
// snapshots. docs/debugger-engine.md explains the design.
//
// Two ways to use it:
//  - synchronously (CLI, tests, the gdb stub's own thread): call step(),
//    cont(), reverse_*() and the queries directly. Not thread-safe: one thread
//    at a time, except pause() and view(), which any thread may call.
//  - on its own thread (the GUI): start(), then post() commands or exec() any
//    function on the engine thread; read view() snapshots; stop_thread().
//    While the thread runs, call nothing else directly.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cpu/state.h"
#include "emu/engine/types.h"
#include "emu/machine/machine.h"
#include "mmu/stats.h"

namespace slot::engine {

struct EngineConfig {
  emu::MachineConfig machine;
  bool time_travel = true;                   // periodic snapshots (reverse execution)
  uint64_t snapshot_interval = 2'000'000;    // instructions between snapshots
  uint64_t snapshot_budget = 256ull << 20;   // bytes; the oldest snapshots go beyond it
  // Bytes of recorded history (events, calls, slot changes, address spaces).
  // At the limit a forward run past the recorded history stops (StopReason
  // Limit, with a message saying so); replay inside the history goes on.
  uint64_t history_budget = 1ull << 30;
  uint64_t chunk = 1'000'000;                // instructions per run slice (pause latency)
  // INVLPG / INVPCID always stop a run that asks for them; they are logged
  // as events only on request (flush=invlpg issues about a million per
  // benchmark boot; their counts are in every history point's TlbDelta).
  bool log_invlpg = false;
};

// What the GUI draws from (docs/ARCHITECTURE.md): a consistent copy made at a stop or
// every few milliseconds while running.
struct View {
  uint64_t generation = 0;       // +1 per published view
  bool running = false;
  StopInfo last_stop;
  uint64_t icount = 0;
  cpu::CpuState regs;            // rflags materialised
  uint32_t task = kNone;         // running task (by CR3)
  uint32_t module = kNone;       // module in the module slot (by PDPT)
  std::vector<AddressSpace> spaces;
  std::vector<SpaceView> pml4;   // current slot maps, same order as spaces
  std::vector<TaskInfo> tasks;
  std::vector<ModuleInfo> modules;
  std::map<uint32_t, std::vector<std::string>> op_names;  // module -> its named operations
  size_t events = 0, calls = 0;  // history sizes (query through exec())
  uint64_t serial_bytes = 0;     // COM1 bytes the guest had written by this moment (a console after
                                 //   time travel shows this many, not the furthest run's)
  mmu::MmuStats stats;
  uint64_t snapshot_bytes = 0, snapshots = 0, oldest_icount = 0;
  std::string snapshot_message;  // set once the snapshot memory limit was reached
  // While running: what the command is doing, for the status line ("to the
  // next module call", "searching back for the previous stop: icount 2000000
  // .. 4000000 of 5123456"); "" when stopped.
  std::string activity;
};

enum class CommandKind : uint8_t {
  Continue, Step, ReverseStep, ReverseContinue, BackToCall, Goto, AddPoint, RemovePoint,
};
struct Command {
  CommandKind kind = CommandKind::Continue;
  StepKind step = StepKind::Insn;  // Step
  uint64_t arg = 0;                // Goto: icount; RemovePoint: id; Continue: max insns (0 = none)
  StopPoint point;                 // AddPoint
};

class Engine {
 public:
  explicit Engine(const EngineConfig& cfg = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Loads a multiboot kernel (and its ELF symbols) and takes snapshot 0.
  // Throws std::runtime_error with one line on bad input.
  void load_kernel(const std::string& path);
  // COM1 output; replayed instructions never write it twice.
  void set_serial_sink(std::unique_ptr<emu::SerialSink> sink);

  // ---- run control (synchronous) ----------------------------------------------
  StopInfo step(StepKind kind = StepKind::Insn);
  StopInfo cont(uint64_t max_insns = 0);          // 0 = until a stop point or exit
  StopInfo reverse_step();                        // the state before the last instruction
  StopInfo reverse_cont();                        // back to the latest earlier stop-point hit
  StopInfo back_to_call();                        // back to the previous cross-module Call event
  StopInfo goto_icount(uint64_t icount);          // forward or backward, exactly
  void pause();                                   // thread-safe: ends cont() at the next slice

  // ---- stop points -------------------------------------------------------------
  int add_point(const StopPoint& p);              // returns its id (>= 1)
  bool remove_point(int id);
  std::vector<std::pair<int, StopPoint>> points() const;
  // "sym" (kernel, then every module) or "module:sym"; throws std::runtime_error
  // if unknown. Module symbols only stop while that module is in the module slot.
  int add_symbol_breakpoint(const std::string& spec);

  // ---- what the engine knows -----------------------------------------------------
  const std::vector<Event>& events() const;
  const std::vector<CallRecord>& calls() const;
  const std::vector<HistoryPoint>& history() const;
  size_t cursor() const;                          // events observed up to now (< events().size() after a reverse)
  std::vector<AddressSpace> spaces() const;
  std::vector<ModuleInfo> modules() const;
  std::vector<TaskInfo> tasks() const;            // with their current call stacks
  uint32_t current_task() const;                  // by CR3, kNone if unknown
  // PML4 of every known address space after history point `point`, or
  // before call `k` / at call `k` (after the switch into the callee).
  std::vector<SpaceView> pml4_at_point(size_t point) const;
  std::vector<SpaceView> pml4_before_call(size_t k) const;
  std::vector<SpaceView> pml4_at_call(size_t k) const;
  std::vector<SpaceView> pml4_now() const;
  std::vector<TaskStackView> stacks_at_point(size_t point) const;
  std::vector<TaskStackView> stacks_at_call(size_t k) const;
  // Symbols: "fs:read_block+0x12" for a virtual address in the current space.
  std::string symbolize(uint64_t va) const;
  std::optional<uint64_t> symbol_address(const std::string& spec, uint32_t* module = nullptr) const;
  std::string module_name(uint32_t id) const;
  // "fs.FS_READ": the callee and the operation as the guest names them
  // (op_label in types.h), the same in every panel, export and lab.
  std::string op_label(uint32_t module, uint32_t op) const;
  // Task ids are reused by the guest: the name of the task that had `id` at
  // event `at_event` (default: the latest), and the TaskCreate event that
  // began that task (kNoIndex if none) -- one Perfetto track per task life.
  std::string task_name(uint32_t id, size_t at_event = kNoIndex) const;
  size_t task_incarnation(uint32_t id, size_t at_event) const;

  // ---- machine access (side-effect free reads; writes cut the future history) ---
  emu::Machine& machine();
  const emu::Machine& machine() const;
  uint64_t icount() const;
  uint64_t insns_per_second() const;              // guest time base (board clock)
  const std::string& tlb_model() const;
  bool read_virt(uint64_t va, void* out, size_t n) const;   // current page tables, no TLB fill
  bool read_phys(uint64_t pa, void* out, size_t n) const;
  bool write_virt(uint64_t va, const void* in, size_t n);
  bool write_phys(uint64_t pa, const void* in, size_t n);
  // After changing registers or memory behind the engine's back: drops
  // history and snapshots after now (the old future is no longer replayable).
  void state_edited();
  uint64_t snapshot_bytes() const;
  uint64_t oldest_reachable_icount() const;
  std::string snapshot_message() const;           // "" until the memory limit was reached

  // ---- own thread ------------------------------------------------------------------
  void start();                                   // spawns the engine thread
  void stop_thread();                             // pauses and joins
  void post(const Command& c);                    // queued; runs on the engine thread
  // Runs fn on the engine thread, between slices of a run (never call it from
  // the engine thread itself: the future would wait for itself).
  std::future<void> exec(std::function<void(Engine&)> fn);
  std::shared_ptr<const View> view() const;       // thread-safe; latest published
  View make_view() const;                         // synchronous callers

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace slot::engine
