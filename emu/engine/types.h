// The debugger engine's data model: plain structs the CLI, the gdb stub, the
// exporters and the GUI read. Nothing here refers to a running machine; every
// struct can be copied into a snapshot for another thread (docs/ARCHITECTURE.md).
//
// Indices are stable: event i, call k and history point j keep their meaning
// for the whole session, also across reverse execution (replay re-observes the
// same events instead of appending new ones).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace slot::engine {

inline constexpr uint32_t kNone = 0xFFFFFFFFu;     // no task / module / call
inline constexpr size_t kNoIndex = ~size_t(0);
inline constexpr uint64_t kNone64 = ~uint64_t(0);     // no instruction count

// How every panel, export and lab names an operation: "fs.FS_READ" when the
// module named op `op` (ANN_OP_NAME), else "fs.op3".
std::string op_label(const std::string& module, const std::vector<std::string>* op_names, uint32_t op);

// ---- events -----------------------------------------------------------------
// What `a`, `b`, `c` mean for each kind is in the comment (and in
// docs/trace-format.md, the JSON names).
enum class EventKind : uint8_t {
  Exception,     // vector; a = error code, b = CR2 (for #PF)
  Interrupt,     // vector (external, delivered)
  SoftInt,       // vector (INT n / INT3 / INTO)
  Cr3Load,       // a = old CR3, b = new CR3 (as written; bit 63 = no flush)
  CplChange,     // a = old CPL, b = new CPL
  Invlpg,        // a = linear address        } logged only with EngineConfig::log_invlpg;
  Invpcid,       // a = type, b = PCID         } they always stop a run that asks
  Cr4Write,      // a = old, b = new
  NewSpace,      // a = CR3 (PML4 base | PCID): first time this address space is seen
  SlotChange,    // slot; a = old PML4E, b = new PML4E, c = physical address of the entry
  Call,          // call = index into calls(); task
  Return,        // call = the call that ended; a = status (int64)
  TaskCreate,    // task; text = name
  TaskExit,      // task; a = exit value
  Module,        // a = module id; text = name
  Name,          // an ANN_ADDRESS_SPACE record: a = CR3; task; text = name
  Mark,          // text = the guest's marker text
  BadAnnotation, // text = why; a = the offending dword (malformed records are ignored)
  // Only raised while a stop point asks for them (they need the MMU observer,
  // which costs the TLB fast path); they stop the run but are never logged.
  TlbMiss,       // a = linear address that missed every TLB level (a walk follows)
  Stale,         // a = linear address, b = cached physical address, c = current (or ~0 unmapped)
};
const char* event_name(EventKind k);
inline constexpr unsigned kEventKinds = unsigned(EventKind::Stale) + 1;

struct Event {
  EventKind kind = EventKind::Mark;
  uint8_t vector = 0;
  uint16_t slot = 0;
  uint32_t task = kNone;   // the task running (by CR3), or the annotated task
  uint32_t call = kNone;   // Call / Return
  uint64_t icount = 0;     // instruction count when it happened
  uint64_t rip = 0;        // the instruction that caused it
  uint64_t cr3 = 0;        // CR3 at that moment
  uint64_t a = 0, b = 0, c = 0;
  std::string text;
};

// ---- what the engine has learnt about the guest ------------------------------
struct AddressSpace {
  uint64_t cr3 = 0;         // PML4 base | PCID (bit 63 stripped)
  uint64_t pml4 = 0;        // physical address of the PML4 page
  uint32_t task = kNone;    // from the annotation, if any
  uint32_t module = kNone;  // flush=pcid: one space per (task, module)
  std::string name;         // annotation name, or "cr3=0x..."
};

struct ModuleInfo {
  uint32_t id = kNone;
  std::string name;
  uint64_t pdpt = 0;        // physical address of its PDPT (module-slot PML4E target)
  uint64_t base = 0;        // virtual load base
  uint64_t symtab = 0, symtab_bytes = 0, strtab = 0, strtab_bytes = 0;  // physical
};

struct TaskInfo {
  uint32_t id = kNone;
  std::string name;
  uint32_t home_module = kNone, parent = kNone;
  bool exited = false;
  int64_t exit_value = 0;
  std::vector<uint32_t> stack;  // open calls, outermost first (indices into calls())
};

// Counter deltas over an interval, from Mmu::stats() and Mmu::cost().
struct TlbDelta {
  uint64_t insns = 0;
  uint64_t l1_misses = 0, l2_misses = 0;   // L1 TLB (I+D), L2/STLB
  uint64_t walks = 0, walk_refs = 0;       // page walks, their memory references
  uint64_t cr3_loads = 0, invlpg = 0, stale = 0, faults = 0;
  double cycles = 0;                       // modelled cycles (instructions + TLB cost)
  TlbDelta& operator+=(const TlbDelta& o);
  TlbDelta& operator-=(const TlbDelta& o);
};

struct CallBuffer {
  uint64_t caller_addr = 0, window_addr = 0;
  uint32_t len = 0;
};

// Where a stop at an event leaves the machine, the one landing point every
// control uses (F8, a click on a call, on its bar, on an event row): after the
// instruction that caused it, since a run stops at an instruction boundary --
// except for an exception, whose faulting instruction does not retire. (A
// slot change stops right after the store that made it, too: the engine asks
// for a stop when it sees a store to a PML4 while a slot-change catch is set.)
constexpr uint64_t landing_icount(EventKind kind, uint64_t icount) {
  return kind == EventKind::Exception ? icount : icount + 1;
}

// Calls are numbered from 1 wherever a person reads or types them (the demo,
// `trace --calls`, gdb's monitor, the GUI, `--until call:N`, the labs);
// CallRecord::index and the engine's vectors count from 0.
constexpr uint32_t call_number(uint32_t index) { return index + 1; }

struct CallRecord {
  uint32_t index = 0;
  uint32_t task = kNone, caller = kNone, callee = kNone, op = 0, depth = 0;
  uint32_t parent = kNone;        // enclosing open call of the same task
  std::vector<CallBuffer> buffers;
  uint64_t enter_icount = 0, enter_rip = 0, cr3 = 0;
  size_t enter_event = kNoIndex;  // index into events()
  size_t before_event = kNoIndex; // the task's last entry into ring 0 before the call (the
                                  //   syscall that made it): "before the call" means there
  bool returned = false;
  uint64_t return_icount = 0;
  int64_t status = 0;
  size_t return_event = kNoIndex;
  // The call's span: from the caller's kernel entry (its SYSCALL) to the
  // kernel's exit back to the caller, so the kernel path on both sides is in
  // the costs below (the annotation records sit in the middle of it).
  // kNone64 when the engine did not see them (time travel into the middle).
  uint64_t entry_icount = kNone64, exit_icount = kNone64;
  uint64_t kernel_insns = 0;      // ring-0 instructions in that span (whoever ran)
  // Costs count only while the calling task is on the CPU (its kernel work
  // included: it runs under the task's CR3), so tasks scheduled in meanwhile
  // are left out. `wall` is everything between enter and return. In
  // mode=ipc the callee runs in a server thread: there `wall` is the cost.
  TlbDelta inclusive;             // enter -> return, this task only
  TlbDelta exclusive;             // inclusive minus the children's inclusive
  TlbDelta wall;                  // enter -> return, whoever ran
};

// A history point: every Call and Return event. Holds what changed since the
// previous point, so thousands of calls cost little.
struct HistoryPoint {
  size_t event = 0;               // index into events()
  uint32_t call = kNone;
  bool is_return = false;
  uint32_t task = kNone;
  uint32_t top_after = kNone;     // the task's innermost open call after this point
  size_t slot_log_end = 0;        // slot changes [0, slot_log_end) happened before this point
  TlbDelta delta;                 // since the previous point
};

// One PML4 as it was at some point: present entries only.
struct SlotEntry {
  uint16_t slot = 0;
  uint64_t value = 0;
};
struct SpaceView {
  uint64_t cr3 = 0;
  uint32_t task = kNone, module = kNone;
  std::string name;
  std::vector<SlotEntry> slots;
};
struct TaskStackView {
  uint32_t task = kNone;
  std::string name;
  std::vector<uint32_t> calls;    // outermost first
};

// ---- stop points: breakpoints, watchpoints, event catches --------------------
enum class PointKind : uint8_t {
  Exec,       // instruction at virtual `addr` is about to execute (any space, or only
              //   while module `module` is in the module slot: symbol breakpoints)
  ExecPhys,   // instruction at physical `addr` is about to execute
  Write,      // a write touches [addr, addr+len) (virtual, resolved when set)
  WritePhys,  // a write touches physical [addr, addr+len)
  Event,      // an event of kind `event`; `filter` (-1 = any) is the vector for
              //   Exception/Interrupt/SoftInt, the slot for SlotChange, the
              //   callee module for Call; TlbMiss matches the page of `addr`
};
struct StopPoint {
  PointKind kind = PointKind::Exec;
  uint64_t addr = 0, len = 1;
  uint32_t module = kNone;
  EventKind event = EventKind::Exception;
  int64_t filter = -1;
  std::string label;              // shown in stops ("fs:module_main", "page fault")

  static StopPoint exec(uint64_t va) { StopPoint p; p.kind = PointKind::Exec; p.addr = va; return p; }
  static StopPoint exec_phys(uint64_t pa) { StopPoint p; p.kind = PointKind::ExecPhys; p.addr = pa; return p; }
  static StopPoint write(uint64_t va, uint64_t n) { StopPoint p; p.kind = PointKind::Write; p.addr = va; p.len = n; return p; }
  static StopPoint write_phys(uint64_t pa, uint64_t n) { StopPoint p; p.kind = PointKind::WritePhys; p.addr = pa; p.len = n; return p; }
  static StopPoint on(EventKind k, int64_t f = -1) { StopPoint p; p.kind = PointKind::Event; p.event = k; p.filter = f; return p; }
  static StopPoint tlb_miss(uint64_t va) { StopPoint p = on(EventKind::TlbMiss); p.addr = va; p.filter = 0; return p; }
};

// ---- stops ------------------------------------------------------------------
enum class StepKind : uint8_t {
  Insn,        // one instruction
  OverInsn,    // over a near CALL (stops at the return address, same stack), else Insn
  Out,         // until the current function's near RET has executed
  NextCall,    // to the next cross-module call (any task)
  OverCall,    // until this task's next Return that leaves it at depth <= the current depth
               //   (a call made from here has returned, or this call itself returned)
  FinishCall,  // until the innermost open cross-module call of this task returns
};

enum class StopReason : uint8_t {
  Step,          // the requested step finished
  Point,         // a stop point hit (StopInfo::point, ::event for Event points)
  GuestExit,     // isa-debug-exit: exit_status
  Shutdown,      // triple fault / not emulated: message
  Limit,         // the instruction budget ran out
  Paused,        // pause() from another thread
  HistoryStart,  // reverse execution reached the oldest snapshot
};
const char* stop_reason_name(StopReason r);

struct StopInfo {
  StopReason reason = StopReason::Step;
  uint64_t icount = 0, rip = 0;
  int point = -1;                 // stop point id
  size_t event = kNoIndex;        // the event that stopped it (logged events only)
  uint64_t addr = 0;              // TlbMiss/Stale/Invlpg: linear address; #PF: CR2; SlotChange:
                                  //   the entry's physical address; Write: physical address written
  uint32_t exit_status = 0;
  // The instruction that caused the stop (the debugger marks it): an event
  // stop's instruction (a stale use, a fault, a PML4 write, a watched store
  // retire before the machine stops, so this is not RIP), an execution
  // breakpoint's own address; kNone64 for steps, limits and pauses.
  uint64_t cause_rip = kNone64;
  StepKind step = StepKind::Insn;   // Step: which step finished (the status line says "call" for F8)
  std::string message;
};


}  // namespace slot::engine
