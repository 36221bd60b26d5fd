#include "tests/engine/guest_fixture.h"

#include <cstring>

#include "emu/serialize.h"

namespace slot::engine::test {

std::string guest_image() { return SLOTLAB_GUEST_IMAGE; }

std::string guest_module_image(const std::string& name) {
  std::string k = guest_image();
  return k.substr(0, k.rfind('/') + 1) + "modules/" + name + ".elf";
}

Booted boot(const std::string& cmdline, EngineConfig cfg) {
  cfg.machine.cmdline = cmdline;
  Booted b;
  b.e = std::make_unique<Engine>(cfg);
  b.e->load_kernel(guest_image());
  auto sink = std::make_unique<emu::StringSink>();
  b.console = sink.get();
  b.e->set_serial_sink(std::move(sink));
  return b;
}

// The MMU field by field: Mmu::save() copies whole structs, padding bytes
// included, so two saves of one state may differ in bytes that mean nothing.
// Mode, every statistic, and every valid TLB/PSC entry with its age
// (replacement state) are what the model's future behaviour depends on.
std::vector<uint8_t> mmu_fields(const mmu::Mmu& mmu) {
  emu::Serializer s;
  mmu::PagingMode mode = mmu.mode();
  s.io(mode.cr0), s.io(mode.cr3), s.io(mode.cr4), s.io(mode.efer);
  uint16_t pcid = mmu.current_pcid();
  s.io(pcid);
  const mmu::MmuStats st = mmu.stats();
  for (uint64_t v : {st.translations, st.l1_hits, st.l1_misses, st.l2_hits, st.l2_misses, st.walks, st.walk_refs,
                     st.ad_writes, st.faults, st.spurious_faults, st.stale, st.cr3_loads, st.cr3_noflush, st.invlpg,
                     st.invpcid})
    s.io(v);
  for (const auto& a : st.arrays) {
    for (uint64_t v : {a.hits, a.misses, a.fills, a.evictions, a.dirty_rewalks}) s.io(v);
    for (uint64_t v : a.invalidations) s.io(v);
  }
  for (const auto& p : st.pscs) {
    for (uint64_t v : {p.hits, p.misses, p.fills, p.evictions}) s.io(v);
    for (uint64_t v : p.invalidations) s.io(v);
  }
  auto counters = [&](const mmu::SpaceCounters& c) {
    for (uint64_t v : {c.translations, c.l1_hits, c.l1_misses, c.l2_hits, c.l2_misses, c.walks, c.walk_refs,
                       c.psc_hits, c.faults, c.stale, c.invalidated})
      s.io(v);
  };
  for (const auto& sp : st.spaces) {
    uint64_t b = sp.pml4_base, loads = sp.cr3_loads;
    uint16_t p = sp.pcid;
    s.io(b), s.io(p), s.io(loads);
    counters(sp.c);
  }
  for (const auto& sl : st.slots) {
    uint32_t n = sl.slot;
    s.io(n);
    counters(sl.c);
  }
  for (const mmu::TlbDumpEntry& d : mmu.dump()) {
    std::string name = d.array;
    s.io(name);
    uint32_t set = d.set, way = d.way, level = d.psc_level;
    uint64_t vpn = d.entry.vpn, pfn = d.entry.pfn, age = d.age;
    uint8_t flags = uint8_t(d.entry.global | d.entry.perms.w << 1 | d.entry.perms.u << 2 | d.entry.perms.nx << 3 |
                            d.entry.perms.dirty << 4 | d.psc << 5);
    uint8_t size = uint8_t(d.entry.size), orig = uint8_t(d.entry.orig_size);
    uint16_t epcid = d.entry.pcid;
    s.io(set), s.io(way), s.io(level), s.io(vpn), s.io(pfn), s.io(age), s.io(flags), s.io(size), s.io(orig),
        s.io(epcid);
  }
  uint64_t blob = mmu.save().size();
  s.io(blob);
  return s.take();
}

MachineState capture(emu::Machine& m) {
  MachineState s;
  s.ram.assign(m.mem().data(), m.mem().data() + m.mem().size());
  // CpuSnapshot field by field: the struct has padding bytes whose values mean nothing.
  const cpu::CpuSnapshot c = m.cpu().snapshot();
  emu::Serializer ser;
  cpu::CpuState st = c.s;
  for (uint64_t v : st.gpr) ser.io(v);
  ser.io(st.rip), ser.io(st.rflags), ser.io(st.cr0), ser.io(st.cr2), ser.io(st.cr3), ser.io(st.cr4), ser.io(st.cr8);
  for (auto& sg : st.seg) ser.io(sg.sel), ser.io(sg.base), ser.io(sg.limit), ser.io(sg.attr);
  for (uint64_t v : st.dr) ser.io(v);
  ser.io(st.efer), ser.io(st.star), ser.io(st.lstar), ser.io(st.cstar), ser.io(st.fmask), ser.io(st.kernel_gs_base);
  ser.io(st.gdtr.base), ser.io(st.gdtr.limit), ser.io(st.idtr.base), ser.io(st.idtr.limit);
  for (auto* sg : {&st.tr, &st.ldtr}) ser.io(sg->sel), ser.io(sg->base), ser.io(sg->limit), ser.io(sg->attr);
  ser.io(st.tsc_aux), ser.io(st.pat), ser.io(st.tsc_offset), ser.io(st.pkru), ser.io(st.pkrs);
  cpu::LazyFlags lf = c.lf;  // the interpreter's own state: replay must reproduce it too
  ser.io(lf.res), ser.io(lf.a), ser.io(lf.b), ser.io(lf.op), ser.io(lf.w), ser.io(lf.cin), ser.io(lf.cfof);
  uint64_t rflags = m.cpu().rflags();
  ser.io(rflags);
  uint64_t ic = c.icount, sh = c.shadow_until;
  ser.io(ic), ser.io(sh);
  uint8_t flags = uint8_t(c.intr_line | c.halted << 1 | c.shutdown << 2 | c.nmi_pending << 3 | c.nmi_blocked << 4);
  ser.io(flags);
  uint32_t hits = c.dbg_hits;
  uint64_t blocked = c.dbg_blocked;
  ser.io(hits), ser.io(blocked);
  int deliv = c.delivering;
  ser.io(deliv);
  s.cpu = ser.take();
  s.mmu = mmu_fields(m.mmu());
  emu::Serializer b;
  m.board().serialize(b);
  s.board = b.take();
  return s;
}

std::string first_difference(const MachineState& a, const MachineState& b) {
  auto diff = [](const char* what, const std::vector<uint8_t>& x, const std::vector<uint8_t>& y) -> std::string {
    if (x.size() != y.size()) return std::string(what) + ": sizes differ";
    for (size_t i = 0; i < x.size(); ++i)
      if (x[i] != y[i]) return std::string(what) + ": first difference at byte " + std::to_string(i);
    return "";
  };
  for (auto r : {diff("ram", a.ram, b.ram), diff("cpu", a.cpu, b.cpu), diff("mmu", a.mmu, b.mmu),
                 diff("board", a.board, b.board)})
    if (!r.empty()) return r;
  return "identical";
}

MachineState bare_state_at(const std::string& cmdline, uint64_t icount, std::string* console) {
  emu::MachineConfig mc;
  mc.cmdline = cmdline;
  emu::Machine m(mc);
  m.load_kernel(guest_image());
  auto sink = std::make_unique<emu::StringSink>();
  emu::StringSink* text = sink.get();
  m.board().set_serial_sink(std::move(sink));
  m.run(icount);
  if (console) *console = text->text();
  return capture(m);
}

}  // namespace slot::engine::test
