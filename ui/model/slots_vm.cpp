#include "ui/model/slots_vm.h"

#include <map>

#include "mmu/arch.h"

namespace slot::ui {

std::vector<SlotColumn> slot_columns(const std::set<uint16_t>& used) {
  std::vector<SlotColumn> cols;
  auto gap = [&](unsigned a, unsigned b) {
    if (a > b) return;
    SlotColumn c{uint16_t(a), uint16_t(b), ""};
    c.label = a == b ? std::to_string(a) : std::to_string(a) + "-" + std::to_string(b);
    cols.push_back(c);
  };
  unsigned next = 0;
  for (uint16_t s : used) {
    if (s > 511) continue;
    if (s > next) gap(next, s - 1u);
    cols.push_back({s, s, std::to_string(s)});
    next = s + 1u;
  }
  gap(next, 511);
  return cols;
}

std::string pte_bits(uint64_t v, bool leaf_capable) {
  std::string s;
  auto bit = [&](uint64_t m, const char* name) {
    if (v & m) join_to(s, " ", name);
  };
  bit(x86::PTE_P, "P");
  bit(x86::PTE_W, "W");
  bit(x86::PTE_U, "U");
  bit(x86::PTE_PWT, "PWT");
  bit(x86::PTE_PCD, "PCD");
  bit(x86::PTE_A, "A");
  bit(x86::PTE_D, "D");
  if (leaf_capable) bit(x86::PTE_PS, "PS");
  bit(x86::PTE_G, "G");
  bit(x86::PTE_NX, "NX");
  if (s.empty()) s += '-';
  s += " -> ";
  s += hex(v & x86::PTE_ADDR);
  return s;
}

std::string point_label(const History& h, size_t point, const Names& now) {
  if (point >= h.points.size()) return "now";
  const engine::HistoryPoint& p = h.points[point];
  const Names n = now.as_of(h, p.event);  // the point's own time
  std::string s = "#";
  s += std::to_string(point);
  s += ' ';
  if (p.call >= h.calls.size()) return s + (p.is_return ? "return" : "call");
  const engine::CallRecord& c = h.calls[p.call];
  if (!p.is_return)
    return s + "call " + std::to_string(engine::call_number(c.index)) + ": " + n.module(c.caller) + " -> " + n.op(c.callee, c.op) +
           " (task " + n.task(c.task) + ", depth " + std::to_string(c.depth) + ")";
  return s + "return " + std::to_string(engine::call_number(c.index)) + ": " + n.module(c.callee) + " -> " + n.module(c.caller) +
         " status " + std::to_string(c.status) + " (task " + n.task(c.task) + ")";
}

SlotTable make_slot_table(const Frame& f, const History& h, const std::set<uint16_t>& extra_slots) {
  SlotTable t;
  const Names base = f.view ? Names(*f.view) : Names();
  // Scrubbing shows the tables at a history point: name them as of it.
  const Names names = f.point != engine::kNoIndex && f.point < h.points.size() ? base.as_of(h, h.points[f.point].event)
                                                                              : base;
  t.caption = f.point == engine::kNoIndex ? "now" : "after " + point_label(h, f.point, names);

  std::set<uint16_t> used = extra_slots;
  for (const auto* list : {&f.pml4, &f.pml4_before})
    for (const auto& sv : *list)
      for (const auto& e : sv.slots) used.insert(e.slot);
  t.columns = slot_columns(used);

  // Which tasks' spaces point at each lower-level table: a table reached only
  // from one task's spaces is that task's private area.
  std::map<uint64_t, std::set<uint64_t>> owners;  // table -> task (or cr3 when unknown)
  for (const auto& sv : f.pml4)
    for (const auto& e : sv.slots)
      owners[e.value & x86::PTE_ADDR].insert(sv.task != engine::kNone ? sv.task : (1ull << 40) | sv.cr3);

  std::map<uint64_t, const engine::SpaceView*> before;
  for (const auto& sv : f.pml4_before) before[sv.cr3] = &sv;
  const uint64_t cur_cr3 = f.view ? f.view->regs.cr3 & ~x86::CR3_NOFLUSH : 0;

  for (const auto& sv : f.pml4) {
    SlotRow row;
    row.cr3 = sv.cr3;
    row.task = sv.task;
    row.module = sv.module;
    if (sv.task != engine::kNone) row.label = names.task(sv.task);
    else row.label = sv.name.empty() ? "cr3=" + hex(sv.cr3) : sv.name;
    if (sv.module != engine::kNone) row.label += " / " + names.module(sv.module);
    row.current = f.point == engine::kNoIndex && sv.cr3 == cur_cr3;
    auto b = before.find(sv.cr3);
    row.is_new = !f.pml4_before.empty() && b == before.end();
    for (const auto& col : t.columns) {
      SlotCell c;
      if (!col.gap()) {
        for (const auto& e : sv.slots)
          if (e.slot == col.first) c.value = e.value;
        uint64_t old = 0;
        if (b != before.end())
          for (const auto& e : b->second->slots)
            if (e.slot == col.first) old = e.value;
        // A and D are set by the processor's page walks, not by software
        // rewriting the slot (SDM Vol. 3A §4.8): they do not count as a change.
        c.changed = b != before.end() && ((old ^ c.value) & ~(x86::PTE_A | x86::PTE_D)) != 0;
        if (c.value & x86::PTE_P) {
          const uint64_t table = c.value & x86::PTE_ADDR;
          c.module = names.module_by_pdpt(table);
          if (c.module != engine::kNone) {
            c.kind = SlotKind::Module;
            c.text = names.module(c.module);
            c.colour = module_colour(c.module);
          } else if (col.first >= 256) {
            c.kind = SlotKind::Kernel;
            c.text = "kernel";
            c.colour = kKernelColour;
          } else if (owners[table].size() == 1) {
            c.kind = SlotKind::Private;
            c.text = "private";
            c.colour = kPrivateColour;
          } else {
            c.kind = SlotKind::Shared;
            c.text = "PDPT " + hex(table);
            c.colour = kOtherColour;
          }
          c.detail = "PML4[" + std::to_string(col.first) + "] = " + hex(c.value, 16) + "  " + pte_bits(c.value);
        } else if (c.value) {
          c.detail = "PML4[" + std::to_string(col.first) + "] = " + hex(c.value, 16) + " (not present)";
        }
        if (c.changed) {
          join_to(c.detail, "\n", "was " + hex(old, 16));
          const uint32_t om = names.module_by_pdpt(old & x86::PTE_ADDR);
          c.was = !(old & x86::PTE_P) ? "empty" : om != engine::kNone ? names.module(om)
                                                  : col.first >= 256 ? "kernel" : "PDPT " + hex(old & x86::PTE_ADDR);
        }
      } else {
        c.detail = "slots " + col.label + ": empty in every space shown";
      }
      row.cells.push_back(std::move(c));
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

std::string slot_role(const SlotTable& t, size_t column) {
  if (column >= t.columns.size()) return "";
  const SlotColumn& col = t.columns[column];
  // The tasks' spaces say what a slot is for; spaces no task announced (the
  // boot identity map) only when there is no task yet.
  bool tasks = false;
  for (const SlotRow& r : t.rows) tasks |= r.task != engine::kNone;
  unsigned kinds[5] = {};
  for (const SlotRow& r : t.rows)
    if (column < r.cells.size() && (r.task != engine::kNone || !tasks)) ++kinds[unsigned(r.cells[column].kind)];
  if (kinds[unsigned(SlotKind::Module)]) return "module area";
  if (kinds[unsigned(SlotKind::Kernel)]) return "kernel";
  if (kinds[unsigned(SlotKind::Private)]) return "task-private";
  if (kinds[unsigned(SlotKind::Shared)]) return "shared";
  return col.first == 0 ? "null guard" : "unused";
}

uint64_t slot_base(unsigned slot) {
  const uint64_t a = uint64_t(slot) << 39;
  return slot >= 256 ? a | 0xFFFF000000000000ull : a;
}

uint64_t cell_walk_address(const SlotCell& cell, unsigned slot, const engine::View* view) {
  if (view && cell.module != engine::kNone)
    for (const engine::ModuleInfo& m : view->modules)
      if (m.id == cell.module && m.base >> 39 == slot_base(slot) >> 39) return m.base;
  return slot_base(slot);
}

}  // namespace slot::ui
