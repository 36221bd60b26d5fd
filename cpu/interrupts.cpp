// Exception and interrupt delivery (SDM Vol. 3A ch. 6): the IA-32e IDT with
// 16-byte gates, IST, stack switch to TSS.RSPn, and the double-fault rules;
// a minimal legacy protected-mode path (32-bit interrupt/trap gates) for
// faults before long mode is on; IRET in both. Task gates: not emulated.
#include <cstdio>
#include <utility>

#include "cpu/cpu.h"
#include "cpu/descriptor.h"

namespace slot::cpu {

namespace {
constexpr int kException = 0, kExternal = 1, kSoftware = 2;

bool contributory(uint8_t v) { return v == 0 || (v >= 10 && v <= 13); }
std::string describe(uint8_t v) {
  static const char* names[] = {"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#CSO",
                                "#TS", "#NP", "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM"};
  if (v < 20) return names[v];
  char b[16];
  std::snprintf(b, sizeof b, "vector %u", v);
  return b;
}
}  // namespace

void Cpu::deliver_event(uint8_t vec, bool has_err, uint32_t err, int kind) {
  // (deliver() ends the run: CS and RFLAGS change)
  if (kind == kException) emit(CpuEventKind::Exception, err, vec == x86::VEC_PF ? s.cr2 : 0, vec);
  else if (kind == kExternal) emit(CpuEventKind::Interrupt, 0, 0, vec);
  try {
    deliver(vec, has_err, err, kind);
    return;
  } catch (const CpuFault& f2) {
    // A fault while delivering: SDM Vol. 3A §6.15, table 6-5.
    if (kind == kException && vec == x86::VEC_DF) {
      char b[160];
      std::snprintf(b, sizeof b, "triple fault: %s (error %#x) while delivering #DF, RIP=%#llx CR2=%#llx",
                    describe(f2.vector).c_str(), f2.error, (unsigned long long)insn_rip,
                    (unsigned long long)s.cr2);
      shutdown_report_ = b;
      shutdown_ = true;
      triple_fault_ = true;
      attention_ = true;
      return;
    }
    const bool df = kind == kException &&
                    ((contributory(vec) && contributory(f2.vector)) ||
                     (vec == x86::VEC_PF && (f2.vector == x86::VEC_PF || contributory(f2.vector))));
    if (df) {
      deliver_event(x86::VEC_DF, true, 0, kException);
      return;
    }
    deliver_event(f2.vector, f2.has_error, f2.error, kException);
  }
}

// The RFLAGS image an event pushes: RF set for a fault-class exception other
// than an instruction-breakpoint #DB (SDM Vol. 3B §17.3.1.1), so that the
// restarted instruction does not hit its instruction breakpoint again.
uint64_t Cpu::event_rflags(uint8_t vec, int kind) {
  bool fault_class = false;
  if (vec == x86::VEC_DB) fault_class = std::exchange(db_fault_, false);  // only the GD #DB
  else fault_class = vec < 22 && ((0x3B7CE1u >> vec) & 1);  // #DE #BR #UD #NM #TS #NP #SS #GP #PF #MF #AC #XM #VE #CP
  return rflags() | (kind == kException && fault_class ? x86::FL_RF : 0);
}

void Cpu::deliver(uint8_t vec, bool has_err, uint32_t err, int kind) {
  // CS and RFLAGS change: the next fetch may be of another privilege, from
  // this very page (INT n to a handler beside it), so the run ends here.
  end_run();
  halted_ = false;
  if (!(s.cr0 & x86::CR0_PE)) {
    char b[96];
    std::snprintf(b, sizeof b, "%s in real mode (not emulated) at RIP=%#llx", describe(vec).c_str(),
                  (unsigned long long)insn_rip);
    shutdown_report_ = b;
    shutdown_ = true;
    attention_ = true;
    return;
  }
  if (long_mode()) deliver_long(vec, has_err, err, kind);
  else deliver_legacy(vec, has_err, err, kind);
}

// SDM Vol. 3A §6.12.1 (protection on gates) and §6.14.1 (64-bit gates): the
// gate must be an interrupt or trap gate, present, and -- for INT n, INT3,
// INTO -- of DPL >= CPL; the selector must name a present non-null code
// segment of DPL <= CPL, in long mode a 64-bit one (L=1, D=0). Error codes:
// the IDT entry for the gate, the selector for the segment. Returns the
// code segment's descriptor.
SegDesc Cpu::check_gate(const Gate& gate, unsigned type, uint32_t idt_err, uint32_t ext, int kind) {
  if (type != systype::kIntGate && type != systype::kTrapGate) fault(x86::VEC_GP, idt_err);
  const unsigned cpl = s.cpl();
  if (kind == kSoftware && gate.dpl() < cpl) fault(x86::VEC_GP, idt_err);
  if (!gate.present()) fault(x86::VEC_NP, idt_err);
  const uint16_t sel = gate.selector();
  if ((sel & ~3u) == 0) fault(x86::VEC_GP, ext);
  bool ok;
  const SegDesc d{read_descriptor(sel, ok)};
  if (!ok) fault(x86::VEC_GP, (sel & 0xFFFC) | ext);
  const uint16_t at = d.attr();
  bool bad = !(at & attr::kS) || !(at & attr::kCode) || d.dpl() > cpl;
  if (long_mode()) bad |= !(at & attr::kLong) || (at & attr::kDefaultBig);
  if (bad) fault(x86::VEC_GP, (sel & 0xFFFC) | ext);
  if (!(at & attr::kPresent)) fault(x86::VEC_NP, (sel & 0xFFFC) | ext);
  return d;
}

void Cpu::deliver_long(uint8_t vec, bool has_err, uint32_t err, int kind) {
  const uint32_t ext = kind == kSoftware ? 0 : 1;
  const uint32_t idt_err = (uint32_t(vec) << 3) | 2 | ext;
  if (uint64_t(vec) * 16 + 15 > s.idtr.limit) fault(x86::VEC_GP, idt_err);
  const Gate gate{read_lin<8>(s.idtr.base + vec * 16ull, true), read_lin<8>(s.idtr.base + vec * 16ull + 8, true)};
  const unsigned type = gate.type();
  const SegDesc d = check_gate(gate, type, idt_err, ext, kind);
  const uint16_t at = d.attr();
  const unsigned cpl = s.cpl();
  const uint16_t sel = gate.selector();
  const uint64_t target = gate.offset64();
  const unsigned ist = gate.ist();
  const unsigned new_cpl = (at & attr::kConforming) ? cpl : attr::dpl_of(at);
  uint64_t rsp = s.gpr[RSP];
  auto tss_read = [&](unsigned off) -> uint64_t {
    if (off + 7 > s.tr.limit) fault(x86::VEC_TS, s.tr.sel & 0xFFFC);
    return read_lin<8>(s.tr.base + off, true);
  };
  if (ist) rsp = tss_read(36 + (ist - 1) * 8);
  else if (new_cpl < cpl) rsp = tss_read(4 + new_cpl * 8);
  if (!canonical(rsp)) fault(x86::VEC_SS, ext);
  rsp &= ~0xFull;  // SDM Vol. 3A §6.14.2: the new stack is 16-byte aligned
  const uint64_t frame[6] = {has_err ? err : 0, s.rip, s.seg[CS].sel, event_rflags(vec, kind), s.gpr[RSP], s.seg[SS].sel};
  const unsigned n = has_err ? 6 : 5;
  for (unsigned k = 0; k < n; ++k) {
    rsp -= 8;
    write_lin<8>(rsp, frame[has_err ? 5 - k : 5 - k], true);
  }
  // Commit: nothing below may fault.
  materialize();
  s.rflags &= ~(x86::FL_TF | x86::FL_NT | x86::FL_RF | x86::FL_VM);
  if (type == systype::kIntGate) s.rflags &= ~x86::FL_IF;
  // SDM Vol. 3A §6.14.2: on a privilege change SS is loaded with a null selector whose RPL is the new CPL.
  if (new_cpl != cpl) s.seg[SS] = Segment{uint16_t(new_cpl), 0, 0, uint16_t(attr::kFlatData | attr::dpl(new_cpl))};
  s.seg[CS] = Segment{uint16_t((sel & 0xFFFC) | new_cpl), 0, 0xFFFFFFFF, uint16_t(at | attr::kAccessed)};
  s.gpr[RSP] = rsp;
  s.rip = target;
  if (new_cpl != cpl) emit(CpuEventKind::CplChange, cpl, new_cpl);
}

void Cpu::deliver_legacy(uint8_t vec, bool has_err, uint32_t err, int kind) {
  const uint32_t ext = kind == kSoftware ? 0 : 1;
  const uint32_t idt_err = (uint32_t(vec) << 3) | 2 | ext;
  if (uint64_t(vec) * 8 + 7 > s.idtr.limit) fault(x86::VEC_GP, idt_err);
  const Gate gate{read_lin<8>(uint32_t(s.idtr.base + vec * 8ull), true), 0};
  const unsigned type = gate.type5();   // with S: 16-bit gates and task gates are not emulated
  const SegDesc d = check_gate(gate, type, idt_err, ext, kind);
  const uint16_t at = d.attr();
  const unsigned cpl = s.cpl();
  const uint16_t sel = gate.selector();
  const uint32_t target = gate.offset32();
  const unsigned new_cpl = (at & attr::kConforming) ? cpl : attr::dpl_of(at);
  const Segment old_ss = s.seg[SS];
  const uint64_t old_rsp = s.gpr[RSP];
  const uint64_t fl = event_rflags(vec, kind);
  const Segment old_cs = s.seg[CS];
  const uint64_t old_rip = s.rip;
  if (new_cpl < cpl) {
    if (12 > s.tr.limit) fault(x86::VEC_TS, s.tr.sel & 0xFFFC);
    uint32_t esp = uint32_t(read_lin<4>(s.tr.base + 4 + new_cpl * 8, true));
    uint16_t ss = uint16_t(read_lin<2>(s.tr.base + 8 + new_cpl * 8, true));
    s.seg[CS].sel = uint16_t((s.seg[CS].sel & ~3) | new_cpl);  // so the SS checks see the new CPL
    try {
      load_seg(SS, ss);
    } catch (...) {
      s.seg[CS] = old_cs;
      throw;
    }
    s.gpr[RSP] = esp;
  }
  try {
    if (new_cpl < cpl) { push<4>(old_ss.sel); push<4>(old_rsp); }
    push<4>(fl);
    push<4>(old_cs.sel);
    push<4>(old_rip);
    if (has_err) push<4>(err);
  } catch (...) {
    s.seg[SS] = old_ss;
    s.seg[CS] = old_cs;
    s.gpr[RSP] = old_rsp;
    throw;
  }
  materialize();
  s.rflags &= ~(x86::FL_TF | x86::FL_NT | x86::FL_RF | x86::FL_VM);
  if (type == systype::kIntGate) s.rflags &= ~x86::FL_IF;
  s.seg[CS] = Segment{uint16_t((sel & 0xFFFC) | new_cpl), d.base(), d.limit(), uint16_t(at | attr::kAccessed)};
  s.rip = target;
  if (new_cpl != cpl) emit(CpuEventKind::CplChange, cpl, new_cpl);
}

void Cpu::software_interrupt(uint8_t vec, bool) {
  emit(CpuEventKind::SoftInt, 0, 0, vec);
  // INT n pushes the address of the next instruction (RIP already advanced).
  deliver(vec, false, 0, kSoftware);
}

void Cpu::iret(unsigned osz) {
  end_run();  // CS and RFLAGS change
  ++ops_.iret;
  nmi_blocked_ = false;  // the next IRET ends NMI blocking (SDM Vol. 3A §6.7.1), also one that faults
  const unsigned cpl = s.cpl();
  const uint64_t saved_rsp = s.gpr[RSP];
  auto popv = [&]() -> uint64_t { return osz == 8 ? pop<8>() : osz == 4 ? pop<4>() : pop<2>(); };
  try {
    if (s.rflags & x86::FL_NT) fault(x86::VEC_GP, 0);  // task return: not emulated
    uint64_t rip = popv();
    uint16_t sel = uint16_t(popv());
    uint64_t fl = popv();
    const bool m64 = mode64();
    const unsigned rpl = sel & 3;
    uint64_t rsp = 0;
    uint16_t ss = 0;
    const bool outer = rpl > cpl;
    if (m64 || outer) {
      rsp = popv();
      ss = uint16_t(popv());
    }
    if ((sel & ~3u) == 0 || rpl < cpl) fault(x86::VEC_GP, sel & 0xFFFC);
    bool ok;
    const SegDesc d{read_descriptor(sel, ok)};
    if (!ok) fault(x86::VEC_GP, sel & 0xFFFC);
    const uint16_t at = d.attr();
    const unsigned type = at & 0xF, dpl = d.dpl();
    if (!(at & attr::kS) || !(type & attr::kCode)) fault(x86::VEC_GP, sel & 0xFFFC);
    if ((type & 4) ? dpl > rpl : dpl != rpl) fault(x86::VEC_GP, sel & 0xFFFC);
    if (!(at & attr::kPresent)) fault(x86::VEC_NP, sel & 0xFFFC);
    const bool l = long_mode() && (at & attr::kLong);
    if (!l) rip &= osz == 2 ? 0xFFFF : 0xFFFFFFFF;
    const uint32_t base = d.base(), limit = d.limit();
    if (l ? !canonical(rip) : rip > limit) fault(x86::VEC_GP, 0);
    // RFLAGS: IOPL changes only at CPL 0, IF only when CPL <= IOPL (SDM Vol. 2A IRET).
    uint64_t modifiable = x86::FL_CF | x86::FL_PF | x86::FL_AF | x86::FL_ZF | x86::FL_SF | x86::FL_TF |
                          x86::FL_DF | x86::FL_OF | x86::FL_NT | x86::FL_RF | x86::FL_AC | x86::FL_ID;
    const unsigned iopl = (s.rflags >> 12) & 3;
    if (cpl == 0) modifiable |= x86::FL_IOPL;
    if (cpl <= iopl) modifiable |= x86::FL_IF;
    if (osz == 2) modifiable &= 0xFFFF;
    const uint64_t cur = rflags();
    // Load SS first (it can fault); then commit the rest.
    const Segment old_cs = s.seg[CS];
    if (m64 || outer) {
      s.seg[CS].sel = uint16_t((s.seg[CS].sel & ~3) | rpl);  // SS checks against the new CPL
      try {
        if ((ss & ~3u) == 0 && l && rpl != 3)
          s.seg[SS] = Segment{ss, 0, 0, uint16_t(attr::kFlatData | attr::dpl(rpl))};
        else load_seg(SS, ss);
      } catch (...) {
        s.seg[CS] = old_cs;
        throw;
      }
    }
    set_rflags((cur & ~modifiable) | (fl & modifiable));
    if (s.rflags & x86::FL_RF) rf_loaded();
    s.seg[CS] = Segment{sel, base, limit, uint16_t(at | attr::kAccessed)};
    s.rip = rip;
    if (m64 || outer) s.gpr[RSP] = rsp;
    if (outer) {
      for (unsigned sr : {ES, DS, FS, GS}) {
        const Segment& sg = s.seg[sr];
        const bool conf_code = (sg.type() & 0xC) == 0xC;
        if (sg.s() && !conf_code && sg.dpl() < rpl) s.seg[sr] = Segment{0, 0, 0, 0};
      }
      emit(CpuEventKind::CplChange, cpl, rpl);
    }
    if (s.rflags & x86::FL_IF) attention_ = true;
  } catch (...) {
    s.gpr[RSP] = saved_rsp;
    throw;
  }
}

}  // namespace slot::cpu
