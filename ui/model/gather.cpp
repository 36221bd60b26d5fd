#include "ui/model/gather.h"

#include <algorithm>
#include <cstdlib>

#include "emu/devices/vga_text.h"
#include "emu/trace/disasm.h"
#include "ui/model/names.h"

namespace slot::ui {

void merge(History& h, HistoryTail&& t) {
  h.events.resize(std::min(h.events.size(), t.events_from));
  // Names announced by events that are gone go with them.
  for (auto* log : {&h.task_names, &h.module_names})
    for (auto& [id, lives] : *log)
      while (!lives.empty() && lives.back().from >= h.events.size()) lives.pop_back();
  for (auto& e : t.events) {
    if (e.kind == engine::EventKind::TaskCreate) h.task_names[e.task].push_back({h.events.size(), e.text});
    if (e.kind == engine::EventKind::Module) h.module_names[uint32_t(e.a)].push_back({h.events.size(), e.text});
    h.events.push_back(std::move(e));
  }
  h.calls.resize(std::min(h.calls.size(), t.calls_from));
  for (auto& c : t.calls) h.calls.push_back(std::move(c));
  h.points.resize(std::min(h.points.size(), t.points_from));
  for (auto& p : t.points) h.points.push_back(std::move(p));
  size_t open = std::min(h.first_open_call, h.calls.size());
  while (open < h.calls.size() && h.calls[open].returned) ++open;
  h.first_open_call = open;
}

int64_t symbol_offset(const std::string& sym) {
  if (sym.empty() || sym.rfind("0x", 0) == 0) return -1;
  const size_t plus = sym.rfind("+0x");
  if (plus == std::string::npos) return 0;
  return int64_t(std::strtoull(sym.c_str() + plus + 3, nullptr, 16));
}

Gatherer::Gatherer() : dis_(std::make_unique<trace::Disassembler>()) {}
Gatherer::~Gatherer() = default;

namespace {

unsigned code_bits(const cpu::CpuState& s) {
  if (s.seg[cpu::CS].l() && (s.efer & (1ull << 10))) return 64;
  return s.seg[cpu::CS].db() ? 32 : 16;
}

void copy_history(engine::Engine& e, const Requests& r, Frame& f) {
  const auto& ev = e.events();
  const auto& calls = e.calls();
  const auto& pts = e.history();
  HistoryTail& t = f.tail;
  t.events_from = std::min(r.known_events, ev.size());
  t.events.assign(ev.begin() + long(t.events_from), ev.end());
  t.calls_from = std::min(r.known_first_open_call, calls.size());
  t.calls.assign(calls.begin() + long(t.calls_from), calls.end());
  t.points_from = std::min(r.known_points, pts.size());
  t.points.assign(pts.begin() + long(t.points_from), pts.end());
  f.events_n = ev.size();
  f.calls_n = calls.size();
  f.points_n = pts.size();
  f.cursor = e.cursor();
}

// The PML4s just before history point `j` (a call or a return).
std::vector<engine::SpaceView> before_point(engine::Engine& e, size_t j) {
  if (j > 0) return e.pml4_at_point(j - 1);
  const auto& hp = e.history()[j];
  return hp.is_return ? std::vector<engine::SpaceView>{} : e.pml4_before_call(hp.call);
}

void slot_tables(engine::Engine& e, const Requests& r, Frame& f) {
  f.point = r.point < f.points_n ? r.point : engine::kNoIndex;
  if (f.point == engine::kNoIndex) {
    f.pml4 = f.view->pml4;
    // Highlight what the latest call or return before now changed (and
    // anything changed since): compare with the tables just before it.
    const auto& pts = e.history();
    size_t j = pts.size();
    while (j > 0 && pts[j - 1].event >= f.cursor) --j;
    if (j > 0) f.pml4_before = before_point(e, j - 1);
    for (const auto& t : f.view->tasks) f.stacks.push_back({t.id, t.name, t.stack});
    return;
  }
  f.pml4 = e.pml4_at_point(f.point);
  f.pml4_before = before_point(e, f.point);
  f.stacks = e.stacks_at_point(f.point);
}

void memory_rows(engine::Engine& e, const Requests& r, Frame& f) {
  f.mem_phys = r.mem_phys;
  const uint64_t base = r.mem_addr & ~uint64_t(15);
  for (unsigned i = 0; i < r.mem_rows; ++i) {
    MemRow row;
    row.addr = base + 16ull * i;
    row.ok = r.mem_phys ? e.read_phys(row.addr, row.bytes, 16) : e.read_virt(row.addr, row.bytes, 16);
    f.mem.push_back(row);
  }
}

void tlb_arrays(engine::Engine& e, Frame& f) {
  const mmu::Mmu& m = e.machine().mmu();
  const mmu::TlbConfig& c = m.config();
  for (const auto& a : c.arrays) {
    std::string sizes;
    for (unsigned s = 0; s < mmu::kNumPageSizes; ++s)
      if (a.sizes & mmu::size_bit(mmu::PageSize(s))) join_to(sizes, "+", mmu::page_size_name(mmu::PageSize(s)));
    f.tlb_arrays.push_back({a.name, a.sets, a.ways, a.level, false, std::string(mmu::side_name(a.side)) + " " + sizes});
  }
  for (const auto& p : c.pscs) {
    if (p.entries() == 0) continue;
    const std::string name = std::string(mmu::level_name(p.level)) + "-cache";
    f.tlb_arrays.push_back({name, p.sets, p.ways, p.level, true, "paging-structure cache"});
  }
  f.tlb = m.dump();
}

void vga_screen(engine::Engine& e, Frame& f) {
  const mmu::PhysMemory& mem = e.machine().mem();
  f.vga.resize(emu::kVgaCols * emu::kVgaRows);
  for (unsigned row = 0; row < emu::kVgaRows; ++row)
    for (unsigned col = 0; col < emu::kVgaCols; ++col) {
      const emu::VgaCell c = emu::vga_cell(mem, row, col);
      f.vga[row * emu::kVgaCols + col] = uint16_t(c.ch | c.attr << 8);
    }
}

}  // namespace

Frame Gatherer::gather(engine::Engine& e, const Requests& r) {
  Frame f;
  f.view = std::make_shared<const engine::View>(e.make_view());
  copy_history(e, r, f);
  slot_tables(e, r, f);
  if (r.walk) {
    f.has_walk = true;
    mmu::AccessCtx who;
    who.cpl = f.view->regs.cpl();
    f.walk = e.machine().mmu().debug_walk(r.walk_addr, mmu::Access::Read, who);
  }
  {
    mmu::AccessCtx who;
    who.cpl = f.view->regs.cpl();
    f.fetch_walk = e.machine().mmu().debug_walk(f.view->regs.rip, mmu::Access::Fetch, who);
    f.stack_walk = e.machine().mmu().debug_walk(f.view->regs.gpr[cpu::RSP], mmu::Access::Read, who);
  }
  memory_rows(e, r, f);
  f.points = e.points();
  tlb_arrays(e, f);
  vga_screen(e, f);

  // Disassembly: from the start of the function holding the address when it
  // is near (x86 cannot be decoded backwards reliably), else from the address.
  if (r.code_lines) {
    const cpu::CpuState& s = f.view->regs;
    const uint64_t at = r.code_at ? r.code_addr : s.rip;
    const unsigned bits = code_bits(s);
    f.rip_symbol = pretty_symbol(e.symbolize(s.rip));
    const int64_t off = symbol_offset(e.symbolize(at));
    uint64_t start = off > 0 && off < 1024 ? at - uint64_t(off) : at;
    std::vector<CodeLine> lines;
    for (int pass = 0; pass < 2; ++pass) {
      lines.clear();
      uint64_t a = start;
      bool landed = false;
      unsigned after = 0;
      while (lines.size() < 4096 && after < r.code_lines) {
        CodeLine l;
        l.addr = a;
        uint8_t buf[15];
        const unsigned n = trace::read_code(e.machine().mmu(), e.machine().mem(), a, s.cpl(), buf);
        size_t len = n ? dis_->decode(buf, n, bits, a, l.text) : 0;
        if (n == 0) l.text = "(unmapped)";
        else if (len == 0) l.text = "(bad)";
        len = std::max<size_t>(len, 1);
        l.bytes.assign(buf, buf + std::min<size_t>(len, n));
        const std::string sym = e.symbolize(a);
        if (symbol_offset(sym) == 0) l.symbol = pretty_symbol(sym);
        if (a == at) landed = true;
        if (a >= at) ++after;
        lines.push_back(std::move(l));
        if (n == 0 && a >= at) break;
        a += len;
      }
      if (landed) break;
      start = at;  // decoding from the function start did not meet `at`
    }
    // Keep about a third of the window before the address.
    size_t idx = 0;
    while (idx < lines.size() && lines[idx].addr < at) ++idx;
    const size_t before = r.code_lines / 3;
    const size_t from = idx > before ? idx - before : 0;
    const size_t to = std::min(lines.size(), from + r.code_lines);
    f.code.assign(lines.begin() + long(from), lines.begin() + long(to));
  }
  return f;
}

}  // namespace slot::ui
