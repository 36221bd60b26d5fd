// PUSH/POP (all forms), ENTER, LEAVE, segment-register push/pop.
// A fault part-way leaves RSP as it was: each handler restores it.
#include "cpu/exec/common.h"

namespace slot::cpu {

namespace {
// Runs f; on a fault restores RSP (and RBP) before the fault unwinds further.
template <class F> void keep_stack_on_fault(Cpu& c, F&& f) {
  const uint64_t rsp = c.s.gpr[RSP], rbp = c.s.gpr[RBP];
  try {
    f();
  } catch (...) {
    c.s.gpr[RSP] = rsp;
    c.s.gpr[RBP] = rbp;
    throw;
  }
}
}  // namespace

template <unsigned W> void push_r(Cpu& c, const Insn& d) { c.push_greg<W>(d); }
template <unsigned W> void pop_r(Cpu& c, const Insn& d) { c.pop_greg<W>(d); }
template <unsigned W> void push_i(Cpu& c, const Insn& d) { c.push<W>(d.imm); }
template <unsigned W> void push_E(Cpu& c, const Insn& d) { c.push<W>(c.read_rm<W>(d)); }
// POP r/m: an RSP-based address is computed after the increment (SDM Vol. 2B POP).
template <unsigned W> void pop_E(Cpu& c, const Insn& d) {
  keep_stack_on_fault(c, [&] { c.write_rm<W>(d, c.pop<W>()); });
}

template <unsigned W> void enter(Cpu& c, const Insn& d) {
  const unsigned level = d.imm2 & 31;
  keep_stack_on_fault(c, [&] {
    c.push<W>(c.gpr<W>(RBP));
    const uint64_t frame = c.s.gpr[RSP] & c.sp_mask();
    uint64_t bp = c.s.gpr[RBP];
    for (unsigned k = 1; k < level; ++k) {
      bp = (bp - W) & c.sp_mask();
      c.push<W>(c.read<W>(SS, bp));
    }
    if (level) c.push<W>(frame);
    const uint64_t sp = (c.s.gpr[RSP] - d.imm) & c.sp_mask();
    // SDM ENTER: #PF "if a write using the final value of the stack pointer
    // ... would cause a page fault" (a write check, not a read).
    c.check_writable(SS, sp, 1);
    c.set_gpr<W>(RBP, frame);
    c.s.gpr[RSP] = (c.s.gpr[RSP] & ~c.sp_mask()) | sp;
  });
}
template <unsigned W> void leave(Cpu& c, const Insn&) {
  keep_stack_on_fault(c, [&] {
    c.s.gpr[RSP] = (c.s.gpr[RSP] & ~c.sp_mask()) | (c.s.gpr[RBP] & c.sp_mask());
    c.set_gpr<W>(RBP, c.pop<W>());
  });
}

template <unsigned W> void push_seg(Cpu& c, const Insn& d) { c.push<W>(c.s.seg[d.op].sel); }
template <unsigned W> void pop_seg(Cpu& c, const Insn& d) {
  keep_stack_on_fault(c, [&] { c.load_seg(d.op, uint16_t(c.pop<W>())); });
  if (d.op == SS) c.ss_loaded();
}

// PUSHA/POPA (legacy modes only): the pushed SP is its value before the
// first push; POPA skips the saved SP (SDM Vol. 2B PUSHA, POPA).
template <unsigned W> void pusha(Cpu& c, const Insn&) {
  constexpr unsigned n = W == 2 ? 2 : 4;
  keep_stack_on_fault(c, [&] {
    const uint64_t sp = c.gpr<n>(RSP);
    for (unsigned r = RAX; r <= RDI; ++r) c.push<n>(r == RSP ? sp : c.gpr<n>(r));
  });
}
template <unsigned W> void popa(Cpu& c, const Insn&) {
  constexpr unsigned n = W == 2 ? 2 : 4;
  uint64_t v[8];
  keep_stack_on_fault(c, [&] {
    for (int r = RDI; r >= int(RAX); --r) v[r] = c.pop<n>();
  });
  for (unsigned r = RAX; r <= RDI; ++r)
    if (r != RSP) c.set_gpr<n>(r, v[r]);
}

// Decode-time specialisation (issue 18): PUSH r64 and POP r64 in chaining
// form, as the MOV loads and stores (exec/mov.cpp): the fast half given its
// count, a tail-called slow half that stores count and RIP and ends the
// chain, run. The fast halves are the ones Cpu::push_greg/pop_greg use
// (64-bit mode, which the fast probe requires: RSP has no mask and SS no
// base); a push that faults leaves RSP as it was, since the slow halves
// start over.
namespace {
template <unsigned W>
[[gnu::noinline]] ChainEnd push_chain_slow(Cpu& c, const Insn* d, uint64_t more, Cpu::Fast f, mmu::PhysAddr pa) {
  c.chain_slow(*d, c.chain_count(more));
  c.push_greg_rest<W>(*d, f, pa);
  return {d, more | kChainRan};
}
template <unsigned W> ChainEnd push_r_chain(Cpu& c, const Insn* d, uint64_t more) {
  const uint64_t now = c.chain_count(more);
  mmu::PhysAddr pa = 0;  // (set unless a miss)
  const Cpu::Fast f = c.push_greg_fast<W>(*d, pa, &now);
  if (f != Cpu::Fast::Ram) [[unlikely]] return push_chain_slow<W>(c, d, more, f, pa);
  const Insn* n = d->next;
  if (more && n->chain) return n->chain(c, n, more - 1);
  return {d, more | kChainRan};
}
template <unsigned W> [[gnu::noinline]] ChainEnd pop_chain_slow(Cpu& c, const Insn* d, uint64_t more) {
  c.chain_slow(*d, c.chain_count(more));
  c.pop_greg_rest<W>(*d);
  return {d, more | kChainRan};
}
template <unsigned W> ChainEnd pop_r_chain(Cpu& c, const Insn* d, uint64_t more) {
  const uint64_t now = c.chain_count(more);
  if (!c.pop_greg_fast<W>(*d, &now)) [[unlikely]] return pop_chain_slow<W>(c, d, more);
  const Insn* n = d->next;
  if (more && n->chain) return n->chain(c, n, more - 1);
  return {d, more | kChainRan};
}
}  // namespace

Spec specialise_stack(const Insn& d) {
  if (d.fn == &push_r<8>) return {&push_r<8>, &push_r_chain<8>};
  if (d.fn == &pop_r<8>) return {&pop_r<8>, &pop_r_chain<8>};
  return {};
}

SLOT_INSTANTIATE(pusha)
SLOT_INSTANTIATE(popa)
SLOT_INSTANTIATE(push_r)
SLOT_INSTANTIATE(pop_r)
SLOT_INSTANTIATE(push_i)
SLOT_INSTANTIATE(push_E)
SLOT_INSTANTIATE(pop_E)
SLOT_INSTANTIATE(enter)
SLOT_INSTANTIATE(leave)
SLOT_INSTANTIATE(push_seg)
SLOT_INSTANTIATE(pop_seg)

}  // namespace slot::cpu
