// The run loop, instruction fetch through the decoded-instruction cache, and
// segmentation checks. Life of one instruction: docs/ARCHITECTURE.md.
#include "cpu/cpu.h"
#include "cpu/descriptor.h"

#include <algorithm>
#include <cstdio>
#include <deque>

namespace slot::cpu {

// Decoded instructions of one 4 KiB physical page, indexed by page offset.
// Instructions that straddle a page boundary are never cached (either page's
// mapping may change on its own), so a page's entries depend on its bytes alone.
struct CodePage {
  CodeSize mode = CodeSize::Bits64;
  const Insn* at[4096] = {};  // by page offset; nullptr = not decoded (one load per fetch)
  std::deque<Insn> insns;     // storage; a deque never moves what `at` points to
  // By page offset: some instruction's Insn::next or Insn::taken may lead to
  // the one there (set with the link, by linked()), so a write over it must
  // cut links (Cpu::invalidate_code); most writes to a page with code hit none.
  uint64_t targets[64] = {};
};

namespace {
// `to`, noted as a link target on its page (CodePage::targets).
const Insn* linked(CodePage* page, const Insn* to) {
  page->targets[to->off >> 6] |= 1ull << (to->off & 63);
  return to;
}
}  // namespace

const Insn kUnlinked{};

Cpu::Cpu(mmu::Mmu& m, mmu::PhysMemory& pm, Platform& p) : mmu(m), mem(pm), platform(p) { reset(); }
Cpu::~Cpu() = default;

void Cpu::reset() {
  s = CpuState{};
  lf = LazyFlags{};
  // SDM Vol. 3A §9.1.1, Table 9-1: after reset every segment is present, accessed, read/write (CS: execute/read).
  for (auto& sg : s.seg) sg = Segment{0, 0, 0xFFFF, attr::kFlatData};
  s.seg[CS].attr = attr::kFlatCode;
  s.ldtr = Segment{0, 0, 0xFFFF, 0x82};
  s.tr = Segment{0, 0, 0xFFFF, 0x8B};
  icount_ = 0;
  ring0_done_ = ring0_from_ = 0;
  ops_ = mmu::KernelOps{};
  shadow_until_ = 0;
  halted_ = shutdown_ = stop_requested_ = triple_fault_ = nmi_pending_ = nmi_blocked_ = false;
  delivering_ = -1;
  attention_ = true;
  dbg_hits_ = 0;
  dbg_blocked_ = ~0ull;
  debug_regs_changed();
  shutdown_report_.clear();
  flush_code_cache();
  sync_mmu();
}

void Cpu::reset_keep_time() {
  const uint64_t now = icount_, ring0 = ring0_icount();
  const mmu::KernelOps ops = ops_;
  reset();
  icount_ = now;
  ring0_done_ = ring0;
  ring0_from_ = now;
  ops_ = ops;
}

CpuSnapshot Cpu::snapshot() const {
  return CpuSnapshot{s,           lf,         icount_,    shadow_until_, insn_rip,
                     ring0_done_, ring0_from_, ops_, intr_line_, halted_, shutdown_, delivering_, dbg_hits_,
                     nmi_pending_, nmi_blocked_, dbg_blocked_};
}

void Cpu::restore(const CpuSnapshot& snap) {
  s = snap.s;
  lf = snap.lf;
  icount_ = snap.icount;
  ring0_done_ = snap.ring0_done;
  ring0_from_ = snap.ring0_from;
  ops_ = snap.ops;
  shadow_until_ = snap.shadow_until;
  insn_rip = snap.insn_rip;
  intr_line_ = snap.intr_line;
  halted_ = snap.halted;
  shutdown_ = snap.shutdown;
  delivering_ = snap.delivering;
  dbg_hits_ = snap.dbg_hits;
  nmi_pending_ = snap.nmi_pending;
  nmi_blocked_ = snap.nmi_blocked;
  dbg_blocked_ = snap.dbg_blocked;
  debug_regs_changed();
  stop_requested_ = false;
  attention_ = true;
  flush_code_cache();
  cur_page_ = nullptr;
  cur_page_pa_ = ~0ull;
}

void Cpu::sync_mmu() {
  mmu.reset_mode(mmu::PagingMode{s.cr0, s.cr3, s.cr4, s.efer, s.pkru, s.pkrs});
  cur_page_ = nullptr;
  cur_page_pa_ = ~0ull;
}

CodeSize Cpu::code_size() const {
  if (mode64()) return CodeSize::Bits64;
  return s.seg[CS].db() ? CodeSize::Bits32 : CodeSize::Bits16;
}

void Cpu::flush_code_cache() {
  for (auto& [pa, page] : code_) mem.clear_page_flag(pa, mmu::PF_CODE);
  code_.clear();
  cur_page_ = nullptr;
  cur_page_pa_ = ~0ull;
  for (auto& r : page_cache_) r = PageRef{};
  smc_dirty_.clear();
}

// A write to a page with cached code drops exactly the decoded instructions
// that may overlap the written bytes (one may start up to 14 bytes earlier);
// the rest of the page stays decoded. Dropped entries stay in the vector (the
// executing instruction may be one of them) until the page is recycled, and
// the links to them are cut: a run follows links, not `at`, so one left
// would run an overwritten instruction in its old form -- even the one right
// after the store, which the SDM says runs in its new form (Vol. 3A §11.6).
// Everything that follows a link reads it after the instruction before it
// ran, so a store that cuts its own `next` is seen at once.
void Cpu::invalidate_code(mmu::PhysAddr pa, unsigned len) {
  const uint64_t end = pa + len;
  for (uint64_t p = pa & ~0xFFFull; p < end; p += 4096) {
    auto it = code_.find(p);
    if (it == code_.end()) continue;
    CodePage& cp = *it->second;
    const unsigned lo = unsigned(std::max(pa, p) - p), hi = unsigned(std::min(end, p + 4096) - p);
    const unsigned from = lo >= 14 ? lo - 14 : 0;
    std::fill(&cp.at[from], &cp.at[hi], nullptr);
    bool targeted = false;
    for (unsigned o = from; o < hi; ++o) {
      const uint64_t bit = 1ull << (o & 63);
      targeted |= (cp.targets[o >> 6] & bit) != 0;
      cp.targets[o >> 6] &= ~bit;
    }
    if (targeted) {
      const auto cut = [&](const Insn*& l) {
        if (l->off >= from && l->off < hi) l = &kUnlinked;  // (kUnlinked, at offset 0, stays)
      };
      for (Insn& i : cp.insns) cut(i.next), cut(i.taken);
    }
    if (cp.insns.size() > 2 * 4096) {  // rewritten over and over: recycle at the next boundary
      smc_dirty_.push_back(p);
      attention_ = true;
    }
  }
}

void Cpu::emit(CpuEventKind k, uint64_t a, uint64_t b, uint8_t vec) {
  // Every privilege change is emitted (engines listen for it), so the ring-0
  // instruction count is kept here. icount_ does not yet count the
  // instruction making the change.
  if (k == CpuEventKind::CplChange && a == 0) ring0_done_ += icount_ - ring0_from_;
  if (k == CpuEventKind::CplChange && b == 0) ring0_from_ = icount_;
  if (obs_) obs_->on_cpu_event(CpuEvent{k, vec, a, b, insn_rip});
}

void Cpu::page_fault(const mmu::Fault& f) {
  s.cr2 = f.linear;
  fault(x86::VEC_PF, f.error_code);
}

uint64_t Cpu::translate_miss(uint64_t la, mmu::Access acc, bool implicit_sup) {
  // The MMU takes canonical addresses only, and never serves a non-canonical
  // one from a fast-path slot, so this is the one place to check what the
  // callers did not: data accesses check before (their #SS/#GP choice),
  // branches check their targets, but sequential execution can run off the
  // top of the lower half, or an instruction straddle out of it, and that
  // fetch is a non-canonical reference: #GP(0), RIP at the instruction
  // (SDM Vol. 1 §3.3.7.1).
  if (!canonical(la)) [[unlikely]] fault(x86::VEC_GP, 0);
  mmu::PhysAddr pa;
  mmu::Fault f;
  if (mmu.translate_slow(la, acc, access_ctx(implicit_sup), pa, f)) return pa;
  page_fault(f);
}

void Cpu::noncanonical(unsigned seg) { fault(seg == SS ? x86::VEC_SS : x86::VEC_GP, 0); }

uint64_t Cpu::linear_legacy(unsigned seg, uint64_t off, unsigned len, mmu::Access acc) {
  // Protected or compatibility mode: SDM Vol. 3A §5.3 (limit) and §5.4.1 (type).
  const Segment& sg = s.seg[seg];
  const uint8_t vec = seg == SS ? x86::VEC_SS : x86::VEC_GP;
  if (!sg.present() || (sg.sel < 4 && seg != CS && seg != SS && !long_mode())) [[unlikely]] fault(vec, 0);
  const unsigned t = sg.type();
  if (acc == mmu::Access::Write && ((t & 8) || !(t & 2))) [[unlikely]] fault(vec, 0);
  if (acc == mmu::Access::Read && (t & 8) && !(t & 2)) [[unlikely]] fault(vec, 0);
  const uint64_t last = off + len - 1;
  if (!(t & 8) && (t & 4)) {  // expand-down data segment
    const uint64_t upper = sg.db() ? 0xFFFFFFFFull : 0xFFFFull;
    if (off <= sg.limit || last > upper) [[unlikely]] fault(vec, 0);
  } else if (last > sg.limit) [[unlikely]] {
    fault(vec, 0);
  }
  return uint32_t(sg.base + off);
}

void Cpu::branch(uint64_t target) {
  if (mode64()) {
    if (!canonical(target)) fault(x86::VEC_GP, 0);
  } else if (target > s.seg[CS].limit) {
    fault(x86::VEC_GP, 0);
  }
  s.rip = target;
}

// The decoded instructions of physical page `ppage`, made current (a memo in
// front of the map: branches between a few pages are common).
CodePage* Cpu::code_page(uint64_t ppage, CodeSize cs) {
  if (ppage != cur_page_pa_) [[unlikely]] {
    PageRef& ref = page_cache_[(ppage >> 12) & (kPageCache - 1)];
    if (ref.pa != ppage) {
      auto& slot = code_[ppage];
      if (!slot) {
        slot = std::make_unique<CodePage>();
        slot->mode = cs;
        mem.set_page_flag(ppage, mmu::PF_CODE);
      }
      ref = PageRef{ppage, slot.get()};
    }
    cur_page_ = ref.page;
    cur_page_pa_ = ppage;
  }
  if (cur_page_->mode != cs) [[unlikely]] {
    std::fill(std::begin(cur_page_->at), std::end(cur_page_->at), nullptr);
    cur_page_->insns.clear();
    cur_page_->mode = cs;
  }
  return cur_page_;
}

// Decodes the instruction at linear `la` / physical `pa` on `page` and caches
// it, or returns it in `scratch` if it straddles into the next page.
const Insn* Cpu::decode_at(CodePage* page, uint64_t la, uint64_t pa, CodeSize cs, Insn& scratch) {
  const unsigned off = unsigned(pa & 0xFFF);
  uint64_t pa_next = ~0ull;
  auto fetch = [&](unsigned i) -> uint8_t {
    if (off + i < 4096) return uint8_t(mem.read(pa + i, 1));
    if (pa_next == ~0ull) {
      const uint64_t next = (la + (4096 - off)) & (cs == CodeSize::Bits64 ? ~0ull : 0xFFFFFFFFull);
      pa_next = translate(next, mmu::Access::Fetch, false);
    }
    return uint8_t(mem.read(pa_next + (off + i - 4096), 1));
  };
  if (decode(cs, fetch, scratch) != DecodeStatus::Ok) fault(x86::VEC_GP, 0);
  if (off + scratch.len > 4096) return &scratch;
  scratch.off = uint16_t(off);
  page->insns.push_back(scratch);
  return page->at[off] = &page->insns.back();
}

const Insn* Cpu::fetch_decode(Insn& scratch) {
  const bool m64 = mode64();
  if (!m64 && s.rip > s.seg[CS].limit) fault(x86::VEC_GP, 0);
  const uint64_t la = m64 ? s.rip : uint32_t(s.seg[CS].base + s.rip);
  const uint64_t pa = translate(la, mmu::Access::Fetch, false);
  const CodeSize cs = code_size();
  CodePage* page = code_page(pa & ~0xFFFull, cs);
  if (const Insn* d = page->at[pa & 0xFFF]) [[likely]] return d;
  return decode_at(page, la, pa, cs, scratch);
}

void Cpu::step() {
  Insn scratch;
  insn_rip = s.rip;
  open_data();
  try {
    const Insn* d = fetch_decode(scratch);
    uint64_t next = insn_rip + d->len;
    s.rip = mode64() ? next : (s.seg[CS].db() ? uint32_t(next) : uint16_t(next));
    const bool tf = s.rflags & x86::FL_TF;
    // RF suppresses instruction breakpoints for one instruction and is
    // cleared when it completes, unless it was IRET loading RF again (SDM
    // Vol. 3B §17.3.1.1). run() sends an instruction with RF set here.
    const bool rf = s.rflags & x86::FL_RF;
    if (rf) [[unlikely]] rf_keep_ = false;
    d->fn(*this, *d);
    ++icount_;
    if (rf && !rf_keep_) [[unlikely]] s.rflags &= ~x86::FL_RF;
    if (tf || dbg_hits_) [[unlikely]] debug_trap(tf);
  } catch (const CpuFault& f) {
    fault_restart(f);
  }
}

// A fault restarts the instruction: RIP back at it, then delivery.
void Cpu::fault_restart(const CpuFault& f) {
  s.rip = insn_rip;
  if (icount_ != dbg_blocked_) dbg_hits_ = 0;  // the instruction did not complete: no data-breakpoint trap
  ++icount_;  // delivery takes time, so a fault loop still reaches --max-insns
  deliver_event(f.vector, f.has_error, f.error, 0);
}

// Straight-line execution from one code page in 64-bit mode: step() without
// the per-instruction translation, page lookup and mode checks. The first
// fetch is translated like any other; the following ones on the same page
// are charged to the same first-level TLB entry by Mmu::open_run(), which
// makes the charges translate()'s fast path would make, in the same order,
// the moment anything else touches the model (so TLB statistics, the clock
// and every use stamp are unchanged). Everything per instruction that
// defines behaviour stays per instruction -- RIP, the count, the end of the
// run (a device deadline) and attention -- except inside a stretch of pure
// instructions, which nothing can observe until it ends (below). The run
// ends when RIP leaves the page,
// the slot stops serving it (INVLPG, a CR3 load, an eviction, an observer
// attached: the MMU sets attention), on a fault, or when an instruction
// changes what selects the slot and the decoding -- CS (CPL, L, D) or
// RFLAGS.AC -- or sets TF: the handlers that can do that call end_run().
// With TF set, an execution breakpoint on the page, or no slot, a run is one
// instruction.
void Cpu::run_page() {
  Insn scratch;
  insn_rip = s.rip;
  try {
    uint64_t la = s.rip;
    const uint64_t pa = translate(la, mmu::Access::Fetch, false);
    const uint64_t ppage = pa & ~0xFFFull, vpn = la >> 12, base = vpn << 12;
    CodePage* page = code_page(ppage, CodeSize::Bits64);
    const bool tf = s.rflags & x86::FL_TF;
    const bool single = tf || (brk_on_ && exec_break_page(vpn, ppage)) || dbg_exec_ ||
                        !mmu.open_run(la, ppage, access_ctx(false), &icount_, &attention_);
    open_data();
    // One compare per instruction for the run's end: a single-instruction
    // run's limit is the next count; shorten_run() raises attention.
    uint64_t limit = single ? icount_ + 1 : run_until_;
    // Nothing a handler runs writes the count (a fault leaves the loop), so
    // it is kept in a register and stored for the devices and the MMU.
    uint64_t n = icount_;
    const Insn* d = page->at[la & 0xFFF];
    for (;;) {
      if (!d) [[unlikely]] {
        d = decode_at(page, la, ppage | (la & 0xFFF), CodeSize::Bits64, scratch);
        if (d == &scratch) limit = n + 1;  // it ends on the next page
      }
      // A stretch (run_stretch) of linked instructions. (Never `scratch`:
      // its limit is the next count.)
      if (n + 1 < limit && !attention_) {
        const Stretch st = run_stretch(d, n, limit, base);
        n = st.n;
        icount_ = n;
        if (st.how == StretchEnd::RunOver) break;
        const Insn* last = st.last;
        if (st.how == StretchEnd::Branched) {  // a jump not linked yet: RIP is set
          la = s.rip;
          if ((la >> 12) != vpn) break;
          insn_rip = la;
          d = page->at[la & 0xFFF];
          if (d) last->taken = linked(page, d);
          continue;
        }
        d = st.d;
        if (d != &kUnlinked) {
          la = base + d->off;
        } else {
          la = base + last->off + last->len;
          if ((la >> 12) != vpn) {  // straight on to the next page
            s.rip = la;
            insn_rip = base + last->off;
            break;
          }
          d = page->at[la & 0xFFF];
          if (d) last->next = linked(page, d);
        }
        insn_rip = la;
        continue;  // (not decoded yet: the loop's top does it)
      }
      const uint64_t next = la + d->len;
      s.rip = next;
      d->fn(*this, *d);
      icount_ = ++n;
      if (n >= limit || attention_) break;
      la = s.rip;
      if (la == next && d->next != &kUnlinked) [[likely]] {
        insn_rip = la;
        d = d->next;  // straight on, on this page
        continue;
      }
      if ((la >> 12) != vpn) break;
      insn_rip = la;
      const Insn* prev = d;
      d = page->at[la & 0xFFF];
      if (d && prev != &scratch) {
        if (la == next) prev->next = linked(page, d);
        else prev->taken = linked(page, d);
      }
    }
    mmu.close_run(icount_ - 1);
    if (tf || dbg_hits_) [[unlikely]] debug_trap(tf);
  } catch (const CpuFault& f) {
    mmu.close_run(icount_);
    fault_restart(f);
  } catch (...) {
    mmu.close_run(icount_);
    throw;
  }
}

// A stretch: run_page's instructions from d on (n + 1 < limit, no attention),
// following the links (Insn::next and Insn::taken) until one is missing. A
// pure instruction (IF_PURE) cannot fault, read RIP or the count, or raise
// attention, so for those the count, RIP and insn_rip are written once after
// the stretch (so for a Jcc that a chain runs through: it only picks the
// link that follows); every other instruction gets all three first, as the
// per-instruction path gives them (a load or store in a chain: its count
// given to the fast path, all three stored before a slow half, which ends
// the chain), and the stretch ends as that path would when one raises
// attention. It stops where the per-instruction path would stop: before the
// instruction that reaches the limit. (No link leads to
// run_page's `scratch`.)
Cpu::Stretch Cpu::run_stretch(const Insn* d, uint64_t n, const uint64_t limit, const uint64_t base) {
  // How many more instructions the stretch may run (n + 1 < limit: at least
  // one); the count is limit - 1 - left. One register counting down is one
  // host instruction per pure instruction fewer than counting n up and
  // comparing it with the limit.
  uint64_t left = limit - 1 - n;
  const auto count = [&] { return limit - 1 - left; };
  const Insn* last = d;
  chain_base_ = base;
  for (;;) {
    if ((d->flags & IF_PURE) && left) [[likely]] {
      // It and the instructions with chaining forms linked after it as one
      // chain, `budget` at most; one alone is called the plain way (its
      // return is cheaper). A chain ends after a pure instruction or a load
      // or store, or before the impure instruction or the Jcc it returns
      // (decoded.h ChainEnd).
      if (d->flags & d->next->flags & IF_CHAIN) {
        const uint64_t budget = left < kChain ? left : kChain;
        // The count of the chain's instruction passed `more` is
        // count() + (budget - 1 - more): what a load or store in it runs at
        // (Cpu::chain_count).
        chain_end_ = count() + budget - 1;
        const ChainEnd e = d->chain(*this, d, budget - 1);
        left -= budget - (e.more & ~kChainRan);
        // (`last` is read only for a missing link, and a chain never
        // returns one: a not-run end may stand in for it.)
        last = e.last;
        if (e.more & kChainRan) {  // a load or store, run: its slow half may have raised attention
          if (attention_) [[unlikely]] {
            insn_rip = base + last->off;  // (chain_slow wrote these unless attention came from elsewhere)
            s.rip = insn_rip + last->len;
            return {last, last, count(), StretchEnd::RunOver};
          }
          d = last->next;
          continue;
        }
        d = (last->flags & IF_PURE) ? last->next : last;
        continue;
      }
      last = d;
      d = d->next;  // (a pure handler changes no link)
      last->fn(*this, *last);
      --left;
      continue;
    }
    if (d == &kUnlinked || !left) return {d, last, count(), StretchEnd::Continue};
    last = d;
    icount_ = count();
    insn_rip = base + d->off;
    const uint64_t next = insn_rip + d->len;
    s.rip = next;
    d->fn(*this, *d);
    --left;
    if (attention_) [[unlikely]] return {d, last, count(), StretchEnd::RunOver};
    if (s.rip == next) {
      d = d->next;
    } else {
      const Insn* t = d->taken;
      if (t == &kUnlinked || s.rip != base + t->off) return {d, last, count(), StretchEnd::Branched};
      d = t;
    }
  }
}

bool Cpu::handle_attention() {
  attention_ = false;
  if (!smc_dirty_.empty()) {
    for (uint64_t p : smc_dirty_) {
      code_.erase(p);
      mem.clear_page_flag(p, mmu::PF_CODE);
      if (p == cur_page_pa_) cur_page_ = nullptr, cur_page_pa_ = ~0ull;
    }
    for (auto& r : page_cache_) r = PageRef{};
    smc_dirty_.clear();
  }
  if (shutdown_) { attention_ = true; return false; }
  if (stop_requested_) { stop_requested_ = false; return false; }
  if (nmi_pending_) {
    if (!nmi_blocked_ && icount_ != dbg_blocked_) {
      nmi_pending_ = false;
      nmi_blocked_ = true;
      halted_ = false;
      insn_rip = s.rip;
      deliver_event(x86::VEC_NMI, false, 0, 1);
      // A fault while delivering it (a bad IDT) is another event: blocking stays as the SDM leaves it.
    }
    attention_ = true;
  }
  if (intr_line_) {
    if ((s.rflags & x86::FL_IF) && icount_ >= shadow_until_) {
      halted_ = false;
      insn_rip = s.rip;
      uint8_t vec = platform.intr_ack();
      deliver_event(vec, false, 0, 1);
    }
    attention_ = true;  // keep polling while the line is high
  }
  if (halted_) attention_ = true;
  return true;
}

void Cpu::set_exec_breaks(std::vector<uint64_t> linear, std::vector<uint64_t> physical, uint64_t resume_at) {
  std::sort(linear.begin(), linear.end());
  std::sort(physical.begin(), physical.end());
  brk_lin_ = std::move(linear);
  brk_phys_ = std::move(physical);
  brk_resume_ = resume_at;
  brk_on_ = !brk_lin_.empty() || !brk_phys_.empty();
}

// The engine's breakpoints name RIP by its linear address; a physical break needs a present translation
// (peeked: no TLB fill, no fault, no statistics).
bool Cpu::exec_break_here() const {
  const uint64_t la = rip_linear();
  if (std::binary_search(brk_lin_.begin(), brk_lin_.end(), la)) return true;
  mmu::PhysAddr pa;
  return !brk_phys_.empty() && mmu.peek_translate(la, pa) &&
         std::binary_search(brk_phys_.begin(), brk_phys_.end(), pa);
}

bool Cpu::exec_break_page(uint64_t vpn, uint64_t ppage) const {
  for (uint64_t a : brk_lin_)
    if (a >> 12 == vpn) return true;
  for (uint64_t a : brk_phys_)
    if (a >> 12 == ppage >> 12) return true;
  return false;
}

StopReason Cpu::run(uint64_t until) {
  run_until_ = until;
  at_break_ = false;
  while (icount_ < run_until_) {
    if (attention_) [[unlikely]] {
      if (!handle_attention()) return shutdown_ ? StopReason::TripleFault : StopReason::Request;
      if (halted_) {
        const uint64_t until = std::max(icount_, run_until_);
        if (s.cpl() == 0) ring0_from_ += until - icount_;  // skipped, not retired
        icount_ = until;
        return StopReason::Halted;
      }
    }
    if (brk_on_ && icount_ != brk_resume_ && exec_break_here()) [[unlikely]] {
      at_break_ = true;
      return StopReason::Request;
    }
    if (dbg_exec_ && !(s.rflags & x86::FL_RF) && icount_ != dbg_blocked_) [[unlikely]] {
      if (exec_breakpoint()) continue;
    }
    if (page_runs_ && mode64() && !(s.rflags & x86::FL_RF)) run_page();
    else step();
  }
  return StopReason::Limit;
}

}  // namespace slot::cpu

namespace slot::cpu {
void Cpu::check_writable(unsigned seg, uint64_t off, unsigned len) {
  const uint64_t la = linear(seg, off, len, mmu::Access::Write);
  translate(la, mmu::Access::Write, false);
  if ((la & 0xFFF) + len > 4096) translate((la | 0xFFF) + 1, mmu::Access::Write, false);
}
}  // namespace slot::cpu
