// String instructions MOVS CMPS STOS LODS SCAS INS OUTS with REP/REPE/REPNE
// and DF. A REP instruction runs at most kChunk iterations per step, then
// re-executes itself, so interrupts and the instruction budget stay timely;
// a fault mid-way leaves RCX/RSI/RDI at the faulting iteration (SDM Vol. 2B REP).
#include "cpu/exec/common.h"

namespace slot::cpu {

namespace {
constexpr uint64_t kChunk = 4096;

struct StrCtx {
  Cpu& c;
  const Insn& d;
  uint64_t am;
  int64_t delta;
  bool rep;
  uint64_t get(unsigned r) const { return c.s.gpr[r] & am; }
  void adv(unsigned r) { set_addr_reg(c, r, c.s.gpr[r] + uint64_t(delta), d.asz); }
  unsigned src_seg() const { return d.seg; }  // DS or the override
};

template <unsigned W, class Body> void run_string(Cpu& c, const Insn& d, Body&& body, bool conditional) {
  const uint64_t am = d.asz == 8 ? ~0ull : d.asz == 4 ? 0xFFFFFFFFull : 0xFFFFull;
  StrCtx x{c, d, am, (c.s.rflags & x86::FL_DF) ? -int64_t(W) : int64_t(W),
           bool(d.flags & (IF_REP | IF_REPNE))};
  if (!x.rep) { body(x); return; }
  for (uint64_t n = 0; (c.s.gpr[RCX] & am) != 0; ++n) {
    if (n == kChunk) { c.s.rip = c.insn_rip; return; }  // continue in the next step
    body(x);
    set_addr_reg(c, RCX, c.s.gpr[RCX] - 1, d.asz);
    if (conditional) {
      const bool zf = c.cond(4);
      if ((d.flags & IF_REP) ? !zf : zf) break;  // REPE stops on ZF=0, REPNE on ZF=1
    }
  }
}
}  // namespace

template <unsigned W> void movs(Cpu& c, const Insn& d) {
  run_string<W>(c, d, [](StrCtx& x) {
    x.c.write<W>(ES, x.get(RDI), x.c.read<W>(x.src_seg(), x.get(RSI)));
    x.adv(RSI);
    x.adv(RDI);
  }, false);
}
template <unsigned W> void cmps(Cpu& c, const Insn& d) {
  run_string<W>(c, d, [](StrCtx& x) {
    const uint64_t a = x.c.read<W>(x.src_seg(), x.get(RSI));
    const uint64_t b = x.c.read<W>(ES, x.get(RDI));
    alu<W>(x.c, 7, a, b);
    x.adv(RSI);
    x.adv(RDI);
  }, true);
}
template <unsigned W> void stos(Cpu& c, const Insn& d) {
  run_string<W>(c, d, [](StrCtx& x) {
    x.c.write<W>(ES, x.get(RDI), x.c.gpr<W>(RAX));
    x.adv(RDI);
  }, false);
}
template <unsigned W> void lods(Cpu& c, const Insn& d) {
  run_string<W>(c, d, [](StrCtx& x) {
    x.c.set_gpr<W>(RAX, x.c.read<W>(x.src_seg(), x.get(RSI)));
    x.adv(RSI);
  }, false);
}
template <unsigned W> void scas(Cpu& c, const Insn& d) {
  run_string<W>(c, d, [](StrCtx& x) {
    alu<W>(x.c, 7, x.c.gpr<W>(RAX), x.c.read<W>(ES, x.get(RDI)));
    x.adv(RDI);
  }, true);
}
template <unsigned W> void ins(Cpu& c, const Insn& d) {
  constexpr unsigned n = W > 4 ? 4 : W;
  check_io(c, uint16_t(c.s.gpr[RDX]), n);
  run_string<n>(c, d, [](StrCtx& x) {
    const uint64_t di = x.get(RDI);
    x.c.check_writable(ES, di, n);
    x.c.write<n>(ES, di, x.c.platform.io_in(uint16_t(x.c.s.gpr[RDX]), n));
    x.adv(RDI);
  }, false);
}
template <unsigned W> void outs(Cpu& c, const Insn& d) {
  constexpr unsigned n = W > 4 ? 4 : W;
  check_io(c, uint16_t(c.s.gpr[RDX]), n);
  run_string<n>(c, d, [](StrCtx& x) {
    x.c.platform.io_out(uint16_t(x.c.s.gpr[RDX]), n, uint32_t(x.c.read<n>(x.src_seg(), x.get(RSI))));
    x.adv(RSI);
  }, false);
}

SLOT_INSTANTIATE(movs)
SLOT_INSTANTIATE(cmps)
SLOT_INSTANTIATE(stos)
SLOT_INSTANTIATE(lods)
SLOT_INSTANTIATE(scas)
SLOT_INSTANTIATE(ins)
SLOT_INSTANTIATE(outs)

}  // namespace slot::cpu
