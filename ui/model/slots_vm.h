// Panel 1, "PML4 slots per task": one row per address space (one per task in
// the module-area design; one per (task, module) pair with flush=pcid), one
// column per PML4 slot in use, runs of empty slots collapsed into one labelled
// column. A cell names what the slot holds, found architecturally (docs/ARCHITECTURE.md
// §3): a module when the entry points at a module's PDPT (from the
// annotations), the kernel for the upper half (slots 256-511), task-private
// when only this task's spaces point at that PDPT, else the raw PDPT address.
#pragma once
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "ui/model/frame.h"
#include "ui/model/names.h"

namespace slot::ui {

enum class SlotKind : uint8_t { Empty, Module, Kernel, Private, Shared };

struct SlotColumn {
  uint16_t first = 0, last = 0;   // last > first: a collapsed run of empty slots
  bool gap() const { return last != first; }
  std::string label;              // "1", "3-510"
};

struct SlotCell {
  SlotKind kind = SlotKind::Empty;
  uint64_t value = 0;             // the PML4E (0 when empty)
  uint32_t module = engine::kNone;
  std::string text;               // "fs", "kernel", "private", "PDPT 0x1234000", ""
  std::string detail;             // tooltip: the entry and its bits
  Rgb colour;
  bool changed = false;           // differs from the table just before (A/D ignored)
  std::string was;                // changed: what it held before ("app", "private", "empty")
};

struct SlotRow {
  uint64_t cr3 = 0;
  uint32_t task = engine::kNone, module = engine::kNone;
  std::string label;              // "app", "app / fs" (flush=pcid), "cr3=0x..."
  bool current = false;           // the space CR3 points at now
  bool is_new = false;            // not present just before
  std::vector<SlotCell> cells;    // one per column (gap columns: Empty)
};

struct SlotTable {
  std::vector<SlotColumn> columns;
  std::vector<SlotRow> rows;
  std::string caption;            // "now" or "after call #3: app -> fs op 1"
};

// `extra_slots`: slots to show even when empty in this table (the panel passes
// every slot it has ever seen, so columns do not jump while scrubbing).
SlotTable make_slot_table(const Frame& f, const History& h, const std::set<uint16_t>& extra_slots = {});

// What a column of the table is, from what its cells hold (never from the
// guest's layout constants): "module area" (a module's PDPT in some row),
// "task-private", "kernel" (upper half), "null guard" (slot 0, empty in
// every task's space: a null pointer faults), "shared", "unused". Spaces no
// task was announced for (the boot identity map) count only before any task.
std::string slot_role(const SlotTable& t, size_t column);

// The columns for a set of used slots (0..511), empty runs collapsed.
std::vector<SlotColumn> slot_columns(const std::set<uint16_t>& used);

// "call #3 app -> fs op 1 (task app, depth 0)" / "return #3 fs -> app status 0".
std::string point_label(const History& h, size_t point, const Names& n);

// What a click on a slot cell walks: for a module-area cell whose entry
// points at a module the guest announced, that module's base (its first mapped
// byte: slot 1's own first GiB belongs to no module); else the canonical
// address of the slot's first byte (SDM Vol. 1 §3.3.7.1).
uint64_t slot_base(unsigned slot);
uint64_t cell_walk_address(const SlotCell& cell, unsigned slot, const engine::View* view);

// Decoded bits of a paging entry: "P W U A NX -> 0x1234000".
std::string pte_bits(uint64_t v, bool leaf_capable = false);

}  // namespace slot::ui
