// What every panel draws from (docs/ARCHITECTURE.md): one consistent copy of the
// engine's state, gathered on the engine thread between run slices
// (gather.h), plus the session's append-only history. Nothing here points into
// a running machine, and nothing here includes ImGui: the view models
// (*_vm.h) turn a Frame (and the previous one) into plain rows per panel.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "emu/engine/engine.h"
#include "mmu/config.h"
#include "mmu/stats.h"

namespace slot::ui {

// Events, calls and history points seen so far. The engine keeps their indices
// stable for the whole session (engine/types.h), so the GUI copies only the
// tail of each list per gather; a call record is re-copied while it is open
// (its return fields are filled later).
// A name as the guest announced it, from event `from` on (task ids are reused:
// each TaskCreate starts a new life).
struct NameLife {
  size_t from = 0;
  std::string name;
};
struct History {
  std::vector<engine::Event> events;
  std::vector<engine::CallRecord> calls;
  std::vector<engine::HistoryPoint> points;
  size_t first_open_call = 0;  // calls before this index have returned
  // Task and module names by the event that announced them (kept by merge()),
  // so that every row is labelled with the names of its own time.
  std::map<uint32_t, std::vector<NameLife>> task_names, module_names;
};

// The tail of the history since a gather request's `known_*` sizes.
struct HistoryTail {
  size_t events_from = 0, calls_from = 0, points_from = 0;
  std::vector<engine::Event> events;
  std::vector<engine::CallRecord> calls;
  std::vector<engine::HistoryPoint> points;
};
void merge(History& h, HistoryTail&& t);

// One line of disassembly.
struct CodeLine {
  uint64_t addr = 0;
  std::vector<uint8_t> bytes;
  std::string text;     // "mov rax, qword ptr [rbx]", "(unmapped)", "(bad)"
  std::string symbol;   // "fs:read_block" on a function's first instruction, else ""
};

// One 16-byte row of the memory panel; `ok` is false where nothing is mapped.
struct MemRow {
  uint64_t addr = 0;
  bool ok = false;
  uint8_t bytes[16] = {};
};

// A TLB or paging-structure-cache array as configured (its geometry).
struct TlbArrayInfo {
  std::string name;
  unsigned sets = 0, ways = 0, level = 1;
  bool psc = false;
  std::string side_sizes;   // "D 4K", "U 4K+2M", "PML4E cache"
};

// What the panels ask the next gather for (view state that needs the machine).
struct Requests {
  // Timeline: the history point to show in the slot table; kNoIndex = now.
  size_t point = engine::kNoIndex;
  // Page walk.
  bool walk = false;
  uint64_t walk_addr = 0;
  // Memory panel: `mem_rows` rows of 16 bytes from `mem_addr`.
  uint64_t mem_addr = 0;
  bool mem_phys = false;
  unsigned mem_rows = 0;
  // Disassembly: around RIP unless `code_addr` is set.
  bool code_at = false;
  uint64_t code_addr = 0;
  unsigned code_lines = 0;
  // Sizes of the history already copied.
  size_t known_events = 0, known_points = 0, known_first_open_call = 0;
};

struct Frame {
  std::shared_ptr<const engine::View> view;
  size_t cursor = 0;                 // events observed up to now
  HistoryTail tail;                  // merged into the session's History
  size_t events_n = 0, calls_n = 0, points_n = 0;  // history sizes at this frame

  // Slot table (panel 1) at Requests::point, and just before it.
  size_t point = engine::kNoIndex;
  std::vector<engine::SpaceView> pml4, pml4_before;
  std::vector<engine::TaskStackView> stacks;   // call stacks at `point` (or now)

  // Page walk (panel 6).
  bool has_walk = false;
  mmu::DebugWalk walk;
  // What the next instruction fetch (RIP) and a stack read (RSP) would hit:
  // the TLB panel marks those entries.
  mmu::DebugWalk fetch_walk, stack_walk;

  // Memory (panel 5).
  bool mem_phys = false;
  std::vector<MemRow> mem;

  // Disassembly (panel 4) and the stop points (breakpoint markers).
  std::vector<CodeLine> code;
  std::string rip_symbol;
  std::vector<std::pair<int, engine::StopPoint>> points;

  // TLB (panel 7): geometry and every valid entry.
  std::vector<TlbArrayInfo> tlb_arrays;
  std::vector<mmu::TlbDumpEntry> tlb;

  // Console (panel 9): the VGA text screen, one uint16 per cell (char | attr << 8).
  std::vector<uint16_t> vga;
};

}  // namespace slot::ui
