// String instructions MOVS CMPS STOS LODS SCAS INS OUTS with REP/REPE/REPNE
// and DF. A REP instruction runs at most kChunk iterations per step, then
// re-executes itself, so interrupts and the instruction budget stay timely;
// a fault mid-way leaves RCX/RSI/RDI at the faulting iteration (SDM Vol. 2B REP).
// REP STOS has a bulk path for the iterations that stay on one page (below).
#include <algorithm>
#include <cstring>

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

struct NoBulk {
  uint64_t operator()(StrCtx&, uint64_t) const { return 0; }
};

// `bulk(x, budget)` may run up to `budget` further iterations at once after
// an ordinary one and returns how many it ran.
template <unsigned W, class Body, class Bulk = NoBulk>
void run_string(Cpu& c, const Insn& d, Body&& body, bool conditional, Bulk bulk = {}) {
  const uint64_t am = d.asz == 8 ? ~0ull : d.asz == 4 ? 0xFFFFFFFFull : 0xFFFFull;
  StrCtx x{c, d, am, (c.s.rflags & x86::FL_DF) ? -int64_t(W) : int64_t(W),
           bool(d.flags & (IF_REP | IF_REPNE))};
  if (!x.rep) { body(x); return; }
  for (uint64_t n = 0; (c.s.gpr[RCX] & am) != 0;) {
    if (n >= kChunk) { c.s.rip = c.insn_rip; return; }  // continue in the next step
    body(x);
    set_addr_reg(c, RCX, c.s.gpr[RCX] - 1, d.asz);
    ++n;
    if (conditional) {
      const bool zf = c.cond(4);
      if ((d.flags & IF_REP) ? !zf : zf) break;  // REPE stops on ZF=0, REPNE on ZF=1
    } else {
      n += bulk(x, kChunk - n);
    }
    // A data breakpoint hit: the #DB trap follows this iteration, and the
    // instruction resumes with the next one (SDM Vol. 3B §17.3.1.2).
    if (c.debug_hit()) [[unlikely]] {
      if ((c.s.gpr[RCX] & am) != 0) c.s.rip = c.insn_rip;
      return;
    }
  }
}

// REP STOS, 64-bit mode, 64-bit addresses, ascending: after an ordinary
// iteration, the following ones that store to the same page are one fill.
// When the MMU's fast path serves RDI's page (the ordinary iteration's store
// usually put it there), translate() would hit there for every iteration;
// Mmu::charge charges the TLB model one hit per iteration, exactly what
// per-iteration translation charges, so statistics and replacement are the
// same (tests/trace: GuestStats.ObservationDoesNotChangeTheModel compares a
// run against one with an MMU observer, which turns the fast path off).
// Anything else -- another page, a page the engine or the SMC check watches,
// not RAM -- takes the ordinary iterations.
// What both bulk paths require of the instruction: 64-bit mode, 64-bit
// addresses, ascending, no data breakpoints.
bool bulk_allowed(const StrCtx& x) {
  return x.delta > 0 && x.d.asz == 8 && x.c.mode64() && !x.c.watching_data();
}
// The fast-path slot serving linear page `la` for `acc` right now and the
// host address of `la` in it; nullptr if no slot serves, the page is not RAM,
// or (writes) the page has flags (code, watched).
uint8_t* bulk_page(Cpu& c, mmu::Access acc, uint64_t la, const mmu::Mmu::FastEntry*& slot) {
  slot = c.mmu.data_slot(acc, c.access_ctx(false), la >> 12);
  if (!slot || (acc == mmu::Access::Write && c.mem.page_flags(slot->page))) return nullptr;
  uint8_t* p = c.mem.ptr(slot->page, 4096);
  return p ? p + (la & 0xFFF) : nullptr;
}

template <unsigned W> struct StosBulk {
  uint64_t operator()(StrCtx& x, uint64_t budget) const {
    Cpu& c = x.c;
    if (!bulk_allowed(x)) return 0;
    const uint64_t di = c.s.gpr[RDI];  // ES has base 0 in 64-bit mode
    const uint64_t n = std::min({c.s.gpr[RCX], budget, (4096 - (di & 0xFFF)) / W});
    if (n == 0) return 0;
    const mmu::Mmu::FastEntry* slot;
    uint8_t* p = bulk_page(c, mmu::Access::Write, di, slot);
    if (!p) return 0;
    c.mmu.charge(slot, n);
    const uint64_t v = c.gpr<W>(RAX);
    for (uint64_t i = 0; i < n; ++i) std::memcpy(p + i * W, &v, W);
    c.count_ops().string_bytes += n * W;
    c.s.gpr[RDI] = di + n * W;
    c.s.gpr[RCX] -= n;
    return n;
  }
};
// REP MOVS, 64-bit mode, 64-bit addresses, ascending, DS/ES (no FS/GS
// base): after an ordinary iteration, the following ones whose source and
// destination both stay on their pages are one copy, element by element in
// the architectural order (so an overlapping copy repeats its pattern as the
// iterations would). Each iteration reads, then writes: Mmu::charge_copy
// charges n reads to the source's fast-path slot and n writes to the
// destination's, with the clock and both use stamps as after the n
// interleaved pairs. A destination page with flags (code, watched), a
// source that is not RAM, or a slot that does not serve takes the ordinary
// iterations.
template <unsigned W> struct MovsBulk {
  uint64_t operator()(StrCtx& x, uint64_t budget) const {
    Cpu& c = x.c;
    if (!bulk_allowed(x) || x.d.seg == FS || x.d.seg == GS) return 0;
    const uint64_t si = c.s.gpr[RSI], di = c.s.gpr[RDI];
    const uint64_t n =
        std::min({c.s.gpr[RCX], budget, (4096 - (si & 0xFFF)) / W, (4096 - (di & 0xFFF)) / W});
    if (n == 0) return 0;
    const mmu::Mmu::FastEntry *rd, *wr;
    const uint8_t* src = bulk_page(c, mmu::Access::Read, si, rd);
    uint8_t* dst = bulk_page(c, mmu::Access::Write, di, wr);
    if (!src || !dst) return 0;
    c.mmu.charge_copy(rd, wr, n);
    for (uint64_t i = 0; i < n; ++i) std::memcpy(dst + i * W, src + i * W, W);
    c.count_ops().string_bytes += n * W;
    c.s.gpr[RSI] = si + n * W;
    c.s.gpr[RDI] = di + n * W;
    c.s.gpr[RCX] -= n;
    return n;
  }
};
// REP MOVS and REP STOS are what the cost model prices as copies: a start-up
// per step and the bytes at a bandwidth (mmu::price), so they are counted.
void count_string_step(Cpu& c, const Insn& d) {
  if (d.flags & (IF_REP | IF_REPNE)) ++c.count_ops().string_steps;
}

}  // namespace

template <unsigned W> void movs(Cpu& c, const Insn& d) {
  count_string_step(c, d);
  run_string<W>(c, d, [](StrCtx& x) {
    x.c.write<W>(ES, x.get(RDI), x.c.read<W>(x.src_seg(), x.get(RSI)));
    x.adv(RSI);
    x.adv(RDI);
    x.c.count_ops().string_bytes += W;
  }, false, MovsBulk<W>{});
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
  count_string_step(c, d);
  run_string<W>(c, d, [](StrCtx& x) {
    x.c.write<W>(ES, x.get(RDI), x.c.gpr<W>(RAX));
    x.adv(RDI);
    x.c.count_ops().string_bytes += W;
  }, false, StosBulk<W>{});
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
    ++x.c.count_ops().port_io;
    x.adv(RDI);
  }, false);
}
template <unsigned W> void outs(Cpu& c, const Insn& d) {
  constexpr unsigned n = W > 4 ? 4 : W;
  check_io(c, uint16_t(c.s.gpr[RDX]), n);
  run_string<n>(c, d, [](StrCtx& x) {
    x.c.platform.io_out(uint16_t(x.c.s.gpr[RDX]), n, uint32_t(x.c.read<n>(x.src_seg(), x.get(RSI))));
    ++x.c.count_ops().port_io;
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
