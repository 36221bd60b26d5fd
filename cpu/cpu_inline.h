// Hot-path helpers of Cpu used by every instruction handler: register and
// memory operands, the stack, conditions. Included at the end of cpu.h.
#pragma once

namespace slot::cpu {

inline bool canonical(uint64_t la) { return x86::is_canonical(la); }

template <unsigned W> inline uint64_t Cpu::reg(unsigned r, bool rex) const {
  if constexpr (W == 1) {
    if (!rex && r >= 4 && r < 8) return (s.gpr[r - 4] >> 8) & 0xFF;
  }
  return s.gpr[r] & mask<W>();
}

template <unsigned W> inline void Cpu::set_gpr(size_t r, uint64_t v) {
  if constexpr (W == 8) s.gpr[r] = v;
  else if constexpr (W == 4) s.gpr[r] = uint32_t(v);  // 32-bit writes zero-extend (SDM Vol. 1 §3.4.1.1)
  else s.gpr[r] = (s.gpr[r] & ~mask<W>()) | (v & mask<W>());
}

template <unsigned W> inline void Cpu::set_reg(unsigned r, bool rex, uint64_t v) {
  if constexpr (W == 1) {
    if (!rex && r >= 4 && r < 8) {
      s.gpr[r - 4] = (s.gpr[r - 4] & ~0xFF00ull) | ((v & 0xFF) << 8);
      return;
    }
  }
  set_gpr<W>(r, v);
}

inline uint64_t Cpu::ea(const Insn& d) const {
  uint64_t off = uint64_t(int64_t(d.disp));
  if (d.base == RIP_REG) off += s.rip;
  else if (d.base != NO_REG) off += s.gpr[d.base];
  if (d.index != NO_REG) off += s.gpr[d.index] << d.scale;
  return d.asz == 8 ? off : d.asz == 4 ? uint32_t(off) : uint16_t(off);
}

// The fast half inline; the model's slow path, with its fault record, out
// of line so the common case builds nothing on the stack.
inline mmu::AccessCtx Cpu::access_ctx(bool implicit_sup) const {
  return mmu::AccessCtx{uint8_t(implicit_sup ? 0 : s.cpl()), bool(s.rflags & x86::FL_AC), implicit_sup};
}

[[gnu::always_inline]] inline uint64_t Cpu::translate(uint64_t la, mmu::Access acc, bool implicit_sup) {
  mmu::PhysAddr pa;
  if (mmu.translate_fast(la, acc, mmu::Mmu::access_class(access_ctx(implicit_sup)), pa)) [[likely]] return pa;
  return translate_miss(la, acc, implicit_sup);
}

// SDM Vol. 3A §3.3.7.1: in 64-bit mode only FS and GS add a base, and the
// access must be canonical (#SS for stack references, else #GP).
inline uint64_t Cpu::linear64(unsigned seg, uint64_t off) const {
  return off + ((seg == FS || seg == GS) ? s.seg[seg].base : 0);
}
[[gnu::always_inline]] inline uint64_t Cpu::linear(unsigned seg, uint64_t off, unsigned len, mmu::Access acc) {
  if (!mode64()) [[unlikely]] return linear_legacy(seg, off, len, acc);
  const uint64_t la = linear64(seg, off);
  if (!canonical(la) || !canonical(la + len - 1)) [[unlikely]] noncanonical(seg);
  return la;
}

// Physical accesses outside RAM go to the platform's memory-mapped devices.
inline uint64_t Cpu::phys_read(uint64_t pa, unsigned size) {
  if (pa < mem.size() && size <= mem.size() - pa) return mem.read(pa, size);
  return platform.mmio_read(pa, size);
}
inline void Cpu::phys_write(uint64_t pa, unsigned size, uint64_t v) {
  if (pa < mem.size() && size <= mem.size() - pa) return mem.write(pa, size, v);
  platform.mmio_write(pa, size, v);
}

template <unsigned W> inline uint64_t Cpu::read_lin(uint64_t la, bool sup) {
  if (!sup) watch_data(la, W, false);
  if ((la & 0xFFF) + W <= 4096) [[likely]] {
    uint64_t pa = translate(la, mmu::Access::Read, sup);
    if (const uint8_t* p = mem.ptr(pa, W)) [[likely]] {
      uint64_t v = 0;
      std::memcpy(&v, p, W);
      return v;
    }
    return phys_read(pa, W);
  }
  uint64_t split = 4096 - (la & 0xFFF);
  uint64_t pa0 = translate(la, mmu::Access::Read, sup);
  uint64_t pa1 = translate(la + split, mmu::Access::Read, sup);
  uint64_t v = 0;
  for (unsigned k = 0; k < W; ++k) v |= phys_read(k < split ? pa0 + k : pa1 + (k - split), 1) << (8 * k);
  return v;
}

template <unsigned W> inline void Cpu::write_lin(uint64_t la, uint64_t v, bool sup) {
  if (!sup) watch_data(la, W, true);
  if ((la & 0xFFF) + W <= 4096) [[likely]] {
    write_phys<W>(translate(la, mmu::Access::Write, sup), v);
    return;
  }
  // Both pages must be writable before any byte lands (SDM Vol. 3A §4.7 note on split accesses).
  uint64_t split = 4096 - (la & 0xFFF);
  uint64_t pa0 = translate(la, mmu::Access::Write, sup);
  uint64_t pa1 = translate(la + split, mmu::Access::Write, sup);
  for (unsigned k = 0; k < W; ++k) phys_write(k < split ? pa0 + k : pa1 + (k - split), 1, (v >> (8 * k)) & 0xFF);
}

// The common case of an explicit data access inline, with no call but tail
// calls (so no stack frame): 64-bit mode, no data breakpoint armed, within
// one page, served by a fast-path slot, RAM. Anything else -- and every
// fault -- goes the general way (read_lin/write_lin), which repeats the
// checks in their architectural order; a failed fast-path probe changes
// nothing the model shows, so the repetition is invisible.
template <unsigned W>
[[gnu::always_inline]] inline bool Cpu::translate_data_fast(unsigned seg, uint64_t off, mmu::Access acc,
                                                            mmu::PhysAddr& pa, const uint64_t* now) {
  // One test for the mode, data breakpoints and who is accessing (data_cls_).
  const unsigned cls = data_cls_;
  if (cls == kNoDataFast) [[unlikely]] return false;
  const uint64_t la = linear64(seg, off);
  // No canonical test: a fast-path slot never holds a non-canonical page
  // number (Mmu::Impl::mirror), so such an address misses and the general
  // path raises its #GP/#SS. Within one page, la + W - 1 is canonical too.
  return (la & 0xFFF) + W <= 4096 && mmu.translate_fast(la, acc, cls, pa, now);
}
// Where the common case of a data access ends up: Ram (ram_at(pa) holds the
// operand, and a store needs no notification), Phys (a store to a watched or
// code page: finish at pa) or Miss (start over on the general path). A
// fast-path slot only ever serves RAM (Mmu::Impl::mirror), so a hit needs no
// bounds check; device memory always misses. The callers below finish each
// case in a tail call, so none of them needs a stack frame.
template <unsigned W, mmu::Access A>
[[gnu::always_inline]] inline Cpu::Fast Cpu::data_fast(unsigned seg, uint64_t off, mmu::PhysAddr& pa,
                                                       const uint64_t* now) {
  if (!translate_data_fast<W>(seg, off, A, pa, now)) [[unlikely]] return Fast::Miss;
  if (A == mmu::Access::Write && mem.ram_flags(pa)) [[unlikely]] return Fast::Phys;
  return Fast::Ram;
}
template <unsigned W> [[gnu::always_inline]] inline uint64_t Cpu::ram_load(mmu::PhysAddr pa) {
  uint64_t v = 0;
  std::memcpy(&v, mem.ram_at(pa), W);
  return v;
}
template <unsigned W> inline uint64_t Cpu::read(unsigned seg, uint64_t off) {
  mmu::PhysAddr pa;
  const Fast f = data_fast<W, mmu::Access::Read>(seg, off, pa);
  if (f == Fast::Ram) [[likely]] return ram_load<W>(pa);
  return read_slow<W>(seg, off);  // (a read is never Phys)
}
template <unsigned W> inline void Cpu::write(unsigned seg, uint64_t off, uint64_t v) {
  mmu::PhysAddr pa;
  const Fast f = data_fast<W, mmu::Access::Write>(seg, off, pa);
  if (f == Fast::Ram) [[likely]] return (void)std::memcpy(mem.ram_at(pa), &v, W);
  if (f == Fast::Phys) return write_phys<W>(pa, v);
  return write_slow<W>(seg, off, v);
}
template <unsigned W> [[gnu::always_inline]] inline void Cpu::load_greg(const Insn& d, uint64_t off) {
  mmu::PhysAddr pa;
  const Fast f = data_fast<W, mmu::Access::Read>(d.seg, off, pa);
  if (f == Fast::Ram) [[likely]] return set_gpr<W>(d.reg, ram_load<W>(pa));
  return load_greg_slow<W>(d, off);
}
// In 64-bit mode (which translate_data_fast requires) the stack pointer has
// no mask; a failed probe changes nothing, so the slow halves start over.
template <unsigned W>
[[gnu::always_inline]] inline Cpu::Fast Cpu::push_greg_fast(const Insn& d, mmu::PhysAddr& pa, const uint64_t* now) {
  const uint64_t v = gpr<W>(d.reg), sp = s.gpr[RSP] - W;
  const Fast f = data_fast<W, mmu::Access::Write>(SS, sp, pa, now);
  if (f == Fast::Ram) [[likely]] {
    std::memcpy(mem.ram_at(pa), &v, W);
    s.gpr[RSP] = sp;
  }
  return f;
}
template <unsigned W> [[gnu::always_inline]] inline bool Cpu::pop_greg_fast(const Insn& d, const uint64_t* now) {
  const uint64_t sp = s.gpr[RSP];
  mmu::PhysAddr pa;
  if (data_fast<W, mmu::Access::Read>(SS, sp, pa, now) != Fast::Ram) [[unlikely]] return false;
  s.gpr[RSP] = sp + W;
  set_gpr<W>(d.reg, ram_load<W>(pa));  // after the increment: POP RSP loads the value read
  return true;
}
template <unsigned W> [[gnu::always_inline]] inline void Cpu::push_greg(const Insn& d) {
  mmu::PhysAddr pa = 0;  // (set unless a miss)
  const Fast f = push_greg_fast<W>(d, pa);
  if (f != Fast::Ram) [[unlikely]] return push_greg_rest<W>(d, f, pa);
}
template <unsigned W> [[gnu::always_inline]] inline void Cpu::pop_greg(const Insn& d) {
  if (!pop_greg_fast<W>(d)) [[unlikely]] return pop_greg_rest<W>(d);
}
template <unsigned W> void Cpu::push_greg_rest(const Insn& d, Fast f, mmu::PhysAddr pa) {
  if (f != Fast::Phys) return push<W>(gpr<W>(d.reg));
  write_phys<W>(pa, gpr<W>(d.reg));
  s.gpr[RSP] -= W;
}
template <unsigned W> void Cpu::pop_greg_rest(const Insn& d) {
  const uint64_t v = pop<W>();
  set_gpr<W>(d.reg, v);
}
template <unsigned W> void Cpu::load_greg_slow(const Insn& d, uint64_t off) {
  set_gpr<W>(d.reg, read_slow<W>(d.seg, off));
}
template <unsigned W> uint64_t Cpu::read_slow(unsigned seg, uint64_t off) {
  return read_lin<W>(linear(seg, off, W, mmu::Access::Read));
}
template <unsigned W> void Cpu::write_slow(unsigned seg, uint64_t off, uint64_t v) {
  write_lin<W>(linear(seg, off, W, mmu::Access::Write), v);
}
template <unsigned W> void Cpu::write_phys(uint64_t pa, uint64_t v) {
  if (uint8_t* p = mem.ptr(pa, W)) {
    if (mem.page_flags(pa)) mem.notify_write(pa, W);
    std::memcpy(p, &v, W);
    return;
  }
  phys_write(pa, W, v);
}

// The register forms stay in the handler; the memory forms are out of line
// so that a register-only handler needs no stack frame.
template <unsigned W> [[gnu::noinline]] uint64_t Cpu::read_mem(const Insn& d) { return read<W>(d.seg, ea(d)); }
template <unsigned W> [[gnu::noinline]] void Cpu::write_mem(const Insn& d, uint64_t v) { write<W>(d.seg, ea(d), v); }

template <unsigned W> inline uint64_t Cpu::read_rm(const Insn& d) {
  if (d.mem()) return read_mem<W>(d);
  return reg<W>(d.rm, d.flags & IF_REX);
}
template <unsigned W> inline void Cpu::write_rm(const Insn& d, uint64_t v) {
  if (d.mem()) write_mem<W>(d, v);
  else set_reg<W>(d.rm, d.flags & IF_REX, v);
}

template <unsigned W, class F> inline void Cpu::rmw(const Insn& d, F&& f) {
  if (!d.mem()) [[likely]] {
    const bool rex = d.flags & IF_REX;
    set_reg<W>(d.rm, rex, f(reg<W>(d.rm, rex)) & mask<W>());
    return;
  }
  rmw_mem<W>(d, f);
}

template <unsigned W, class F> [[gnu::noinline]] void Cpu::rmw_mem(const Insn& d, F& f) {
  const uint64_t la = linear(d.seg, ea(d), W, mmu::Access::Write);
  watch_data(la, W, true);
  if ((la & 0xFFF) + W <= 4096) [[likely]] {
    const uint64_t pa = translate(la, mmu::Access::Write, false);
    uint8_t* p = mem.ptr(pa, W);
    uint64_t v = 0;
    if (p) std::memcpy(&v, p, W);
    else v = phys_read(pa, W);
    const uint64_t r = f(v);
    if (p) {
      if (mem.page_flags(pa)) [[unlikely]] mem.notify_write(pa, W);
      std::memcpy(p, &r, W);
    } else {
      phys_write(pa, W, r);
    }
    return;
  }
  const uint64_t split = 4096 - (la & 0xFFF);
  const uint64_t pa0 = translate(la, mmu::Access::Write, false);
  const uint64_t pa1 = translate(la + split, mmu::Access::Write, false);
  uint64_t v = 0;
  for (unsigned k = 0; k < W; ++k) v |= phys_read(k < split ? pa0 + k : pa1 + (k - split), 1) << (8 * k);
  const uint64_t r = f(v);
  for (unsigned k = 0; k < W; ++k) phys_write(k < split ? pa0 + k : pa1 + (k - split), 1, (r >> (8 * k)) & 0xFF);
}

inline uint64_t Cpu::sp_mask() const {
  if (mode64()) return ~0ull;
  return s.seg[SS].db() ? 0xFFFFFFFFull : 0xFFFFull;
}

template <unsigned W> inline void Cpu::push(uint64_t v) {
  uint64_t m = sp_mask();
  uint64_t sp = (s.gpr[RSP] - W) & m;
  write<W>(SS, sp, v);
  s.gpr[RSP] = (s.gpr[RSP] & ~m) | sp;
}

template <unsigned W> inline uint64_t Cpu::pop() {
  uint64_t m = sp_mask();
  uint64_t sp = s.gpr[RSP] & m;
  uint64_t v = read<W>(SS, sp);
  s.gpr[RSP] = (s.gpr[RSP] & ~m) | ((sp + W) & m);
  return v;
}

inline bool Cpu::cond(unsigned cc) const {
  const bool lazy = lf.op != FO_NONE;
  const uint64_t f = s.rflags;
  auto zf = [&] { return lazy ? lf.zf() : bool(f & x86::FL_ZF); };
  auto sf = [&] { return lazy ? lf.sf() : bool(f & x86::FL_SF); };
  auto of = [&] { return lazy ? lf.of() : bool(f & x86::FL_OF); };
  auto cfv = [&] { return lazy ? lf.cf() : bool(f & x86::FL_CF); };
  auto pf = [&] { return lazy ? lf.pf() : bool(f & x86::FL_PF); };
  bool r;
  switch (cc >> 1) {
    case 0: r = of(); break;
    case 1: r = cfv(); break;
    case 2: r = zf(); break;
    case 3: r = cfv() || zf(); break;
    case 4: r = sf(); break;
    case 5: r = pf(); break;
    case 6: r = sf() != of(); break;
    default: r = zf() || (sf() != of()); break;
  }
  return r != bool(cc & 1);
}

}  // namespace slot::cpu
