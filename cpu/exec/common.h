// Shared helpers for instruction handlers (exec/*.cpp).
#pragma once
#include <array>
#include <utility>

#include "cpu/cpu.h"
#include "cpu/table.h"

namespace slot::cpu {

// The eight classic ALU operations (SDM Vol. 2 ADD..CMP); op = opcode bits 5:3.
// Returns the result (for CMP: the unchanged destination).
// Always inlined: the handlers switch on a decode-time constant right after.
template <unsigned W> [[gnu::always_inline]] inline uint64_t alu(Cpu& c, unsigned op, uint64_t a, uint64_t b) {
  constexpr uint64_t m = mask<W>();
  a &= m;
  b &= m;
  uint64_t r;
  switch (op) {
    case 0: r = (a + b) & m; c.set_lazy<W>(FO_ADD, a, b, r); return r;
    case 1: r = a | b; c.set_lazy<W>(FO_LOGIC, a, b, r); return r;
    case 2: { const bool ci = c.cf(); r = (a + b + ci) & m; c.set_lazy<W>(FO_ADC, a, b, r, ci); return r; }
    case 3: { const bool ci = c.cf(); r = (a - b - ci) & m; c.set_lazy<W>(FO_SBB, a, b, r, ci); return r; }
    case 4: r = a & b; c.set_lazy<W>(FO_LOGIC, a, b, r); return r;
    case 5: r = (a - b) & m; c.set_lazy<W>(FO_SUB, a, b, r); return r;
    case 6: r = a ^ b; c.set_lazy<W>(FO_LOGIC, a, b, r); return r;
    default: r = (a - b) & m; c.set_lazy<W>(FO_SUB, a, b, r); return a;
  }
}

template <unsigned W> constexpr uint64_t sx(uint64_t v) {
  if constexpr (W == 8) return v;
  constexpr unsigned sh = 64 - 8 * W;
  return uint64_t(int64_t(v << sh) >> sh);
}

// Writes an address-size register (string pointers, the LOOP/REP count): a
// 32-bit write zero-extends like any 32-bit GPR write, a 16-bit one merges.
inline void set_addr_reg(Cpu& c, unsigned r, uint64_t v, unsigned asz) {
  if (asz == 8) c.s.gpr[r] = v;
  else if (asz == 4) c.s.gpr[r] = uint32_t(v);
  else c.s.gpr[r] = (c.s.gpr[r] & ~0xFFFFull) | (v & 0xFFFF);
}

// IN/OUT/INS/OUTS permission: CPL <= IOPL, else the TSS I/O bitmap
// (SDM Vol. 1 §19.5). Raises #GP(0) when denied. Defined in system.cpp.
void check_io(Cpu& c, uint16_t port, unsigned size);

// Status flags from individual bits (for eager writers).
inline uint64_t szp(uint64_t r, uint64_t signbit) {
  return ((r == 0) ? x86::FL_ZF : 0) | ((r & signbit) ? x86::FL_SF : 0) | (parity(r) ? x86::FL_PF : 0);
}

// Decode-time specialisation: the table {&F::template fn<0>, ..., fn<N-1>}
// of a handler family indexed by a sub-operation fixed at compile time.
template <class F, unsigned... I> constexpr std::array<Handler, sizeof...(I)> op_table_of(
    std::integer_sequence<unsigned, I...>) {
  return {&F::template fn<I>...};
}
template <class F, unsigned N> inline constexpr auto kOpTable = op_table_of<F>(std::make_integer_sequence<unsigned, N>{});

// Handler chaining (issue 18). A pure instruction (IF_PURE: general
// registers and flags only -- no fault, no RIP, no count, no attention) in
// chaining form runs the instruction linked after it itself if that one has
// a chaining form too (a pure one, a 64-bit Jcc, exec/control.cpp, or a MOV
// load or store, exec/mov.cpp, which counts itself), as a
// tail call, instead of returning to run_stretch's loop: each handler's indirect
// jump is a branch site of its own (the host predicts the next handler from
// this one), and the loop's call, return and tests per instruction go. The
// budget `more` stays in a register. run_stretch bounds it by Cpu::kChain,
// so a build that makes no tail calls (unoptimised, sanitised) holds at most
// that many frames. The count and RIP are run_stretch's to write, after
// (but for a load's or store's own, Cpu::chain_count and chain_slow).
template <Handler F> ChainEnd chain_step(Cpu& c, const Insn* d, uint64_t more) {
  F(c, *d);
  const Insn* n = d->next;  // (a pure handler changes no link)
  if (more && n->chain) return n->chain(c, n, more - 1);
  return {d, more};
}
template <Handler F> constexpr Spec chained() { return {F, &chain_step<F>}; }
template <class F, unsigned... I> constexpr std::array<Spec, sizeof...(I)> chained_table_of(
    std::integer_sequence<unsigned, I...>) {
  return {chained<&F::template fn<I>>()...};
}
// kOpTable for a family of pure handlers: each with its chaining form.
template <class F, unsigned N>
inline constexpr auto kChainedTable = chained_table_of<F>(std::make_integer_sequence<unsigned, N>{});

}  // namespace slot::cpu
