// Descriptor tables and segment-register loads in protected and IA-32e mode
// (SDM Vol. 3A ch. 3 and §5.5-5.8). Call gates and task gates are not
// emulated: a far transfer through one raises #GP(selector).
#include "cpu/cpu.h"
#include "cpu/descriptor.h"

namespace slot::cpu {

namespace {
uint32_t desc_base(uint64_t d) { return SegDesc{d}.base(); }
uint32_t desc_limit(uint64_t d) { return SegDesc{d}.limit(); }
uint16_t desc_attr(uint64_t d) { return SegDesc{d}.attr(); }
}  // namespace

void Cpu::set_seg_raw(unsigned seg, uint16_t sel, uint64_t base, uint32_t limit, uint16_t attr) {
  s.seg[seg] = Segment{sel, base, limit, attr};
  if (seg == CS) end_run();
}

uint64_t Cpu::read_descriptor(uint16_t sel, bool& ok) {
  const bool ldt = sel & 4;
  const TableReg t = ldt ? TableReg{s.ldtr.base, s.ldtr.limit} : s.gdtr;
  const uint32_t off = sel & ~7u;
  ok = (uint64_t(off) + 7 <= t.limit) && !(ldt && !s.ldtr.present());
  if (!ok) return 0;
  return read_lin<8>(t.base + off, true);
}

void Cpu::write_descriptor_hi_accessed(uint16_t sel) {
  const TableReg t = (sel & 4) ? TableReg{s.ldtr.base, s.ldtr.limit} : s.gdtr;
  const uint64_t la = t.base + (sel & ~7u) + 5;
  uint64_t b = read_lin<1>(la, true);
  if (!(b & 1)) write_lin<1>(la, b | 1, true);
}

void Cpu::load_seg(unsigned seg, uint16_t sel) {
  const unsigned cpl = s.cpl();
  if ((sel & ~3u) == 0) {  // null selector
    if (seg == SS && !(mode64() && cpl != 3)) fault(x86::VEC_GP, 0);
    s.seg[seg] = Segment{sel, 0, 0, uint16_t(seg == SS ? attr::kFlatData | attr::dpl(cpl) : 0)};
    if (seg == FS || seg == GS) s.seg[seg].base = 0;
    return;
  }
  bool ok;
  uint64_t d = read_descriptor(sel, ok);
  if (!ok) fault(x86::VEC_GP, sel & 0xFFFC);
  const uint16_t attr = desc_attr(d);
  const unsigned type = attr & 0xF, dpl = (attr >> 5) & 3, rpl = sel & 3;
  const bool code = type & 8;
  if (!(attr & 0x10)) fault(x86::VEC_GP, sel & 0xFFFC);  // system descriptor
  if (seg == SS) {
    if (rpl != cpl || dpl != cpl || code || !(type & 2)) fault(x86::VEC_GP, sel & 0xFFFC);
    if (!(attr & 0x80)) fault(x86::VEC_SS, sel & 0xFFFC);
  } else {
    if (code && !(type & 2)) fault(x86::VEC_GP, sel & 0xFFFC);  // execute-only
    const bool conforming = code && (type & 4);
    if (!conforming && (rpl > dpl || cpl > dpl)) fault(x86::VEC_GP, sel & 0xFFFC);
    if (!(attr & 0x80)) fault(x86::VEC_NP, sel & 0xFFFC);
  }
  write_descriptor_hi_accessed(sel);
  s.seg[seg] = Segment{sel, desc_base(d), desc_limit(d), uint16_t(attr | 1)};
}

void Cpu::load_cs_far(uint16_t sel, uint64_t target, bool is_call, unsigned osz) {
  end_run();
  if ((sel & ~3u) == 0) fault(x86::VEC_GP, 0);
  bool ok;
  uint64_t d = read_descriptor(sel, ok);
  if (!ok) fault(x86::VEC_GP, sel & 0xFFFC);
  const uint16_t attr = desc_attr(d);
  const unsigned type = attr & 0xF, dpl = (attr >> 5) & 3, cpl = s.cpl();
  if (!(attr & 0x10) || !(type & 8)) fault(x86::VEC_GP, sel & 0xFFFC);  // gates: not emulated
  if (type & 4) {
    if (dpl > cpl) fault(x86::VEC_GP, sel & 0xFFFC);
  } else if ((sel & 3) > cpl || dpl != cpl) {
    fault(x86::VEC_GP, sel & 0xFFFC);
  }
  if (!(attr & 0x80)) fault(x86::VEC_NP, sel & 0xFFFC);
  const bool l = long_mode() && (attr & 0x200);
  const uint32_t limit = desc_limit(d);
  if (!l) target &= osz == 2 ? 0xFFFF : 0xFFFFFFFF;
  if (l ? !canonical(target) : target > limit) fault(x86::VEC_GP, 0);
  if (is_call) {
    const uint64_t old_cs = s.seg[CS].sel, old_rip = s.rip;
    if (osz == 8) { push<8>(old_cs); push<8>(old_rip); }
    else if (osz == 4) { push<4>(old_cs); push<4>(old_rip); }
    else { push<2>(old_cs); push<2>(old_rip); }
  }
  write_descriptor_hi_accessed(sel);
  s.seg[CS] = Segment{uint16_t((sel & 0xFFFC) | cpl), desc_base(d), limit, uint16_t(attr | 1)};
  s.rip = target;
}

void Cpu::far_return(unsigned osz, uint16_t extra) {
  end_run();
  auto popw = [&]() -> uint64_t { return osz == 8 ? pop<8>() : osz == 4 ? pop<4>() : pop<2>(); };
  const uint64_t saved_rsp = s.gpr[RSP];
  try {
    uint64_t rip = popw();
    uint16_t sel = uint16_t(popw());
    const unsigned cpl = s.cpl(), rpl = sel & 3;
    if ((sel & ~3u) == 0 || rpl < cpl) fault(x86::VEC_GP, sel & 0xFFFC);
    bool ok;
    uint64_t d = read_descriptor(sel, ok);
    if (!ok) fault(x86::VEC_GP, sel & 0xFFFC);
    const uint16_t attr = desc_attr(d);
    const unsigned type = attr & 0xF, dpl = (attr >> 5) & 3;
    if (!(attr & 0x10) || !(type & 8)) fault(x86::VEC_GP, sel & 0xFFFC);
    if ((type & 4) ? dpl > rpl : dpl != rpl) fault(x86::VEC_GP, sel & 0xFFFC);
    if (!(attr & 0x80)) fault(x86::VEC_NP, sel & 0xFFFC);
    s.gpr[RSP] += extra;
    uint64_t rsp = 0;
    uint16_t ss = 0;
    if (rpl > cpl) {
      rsp = popw();
      ss = uint16_t(popw());
    }
    const bool l = long_mode() && (attr & 0x200);
    if (!l) rip &= osz == 2 ? 0xFFFF : 0xFFFFFFFF;
    if (l ? !canonical(rip) : rip > desc_limit(d)) fault(x86::VEC_GP, 0);
    s.seg[CS] = Segment{sel, desc_base(d), desc_limit(d), uint16_t(attr | 1)};
    s.rip = rip;
    if (rpl > cpl) {
      load_seg(SS, ss);
      s.gpr[RSP] = rsp + extra;
      emit(CpuEventKind::CplChange, cpl, rpl);
    }
  } catch (...) {
    s.gpr[RSP] = saved_rsp;
    throw;
  }
}

}  // namespace slot::cpu
