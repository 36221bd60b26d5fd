// The interpreter: one x86-64 logical processor. It reaches memory only
// through mmu::Mmu (translation) and mmu::PhysMemory (bytes), and ports and
// interrupts only through Platform (docs/ARCHITECTURE.md, "Layers").
//
// Not emulated: real mode and virtual-8086 mode, hardware task switching,
// call gates, x87/MMX/SSE/AVX (decoded; #NM/#UD), SMM, VMX, APIC timer,
// debug-register breakpoints (DRs are stored only), alignment check (#AC),
// legacy (non-long-mode) paging. See docs/cpu.md.
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "cpu/decoded.h"
#include "cpu/decoder.h"
#include "cpu/flags.h"
#include "cpu/state.h"
#include "mmu/mmu.h"

namespace slot::cpu {

// The machine side of the CPU's narrow interface.
class Platform {
 public:
  virtual ~Platform() = default;
  virtual uint32_t io_in(uint16_t port, unsigned size) = 0;
  virtual void io_out(uint16_t port, unsigned size, uint32_t value) = 0;
  virtual uint8_t intr_ack() = 0;  // vector of the pending maskable interrupt
  // Physical addresses outside RAM (memory-mapped devices; size 1, 2, 4 or
  // 8). A platform without devices there answers as unassigned memory on
  // QEMU's pc machine does: reads 0, writes ignored.
  virtual uint64_t mmio_read(uint64_t /*pa*/, unsigned /*size*/) { return 0; }
  virtual void mmio_write(uint64_t /*pa*/, unsigned /*size*/, uint64_t /*value*/) {}
  // MSRs the CPU does not hold itself (the local APIC's: IA32_APIC_BASE, the
  // x2APIC registers, IA32_TSC_DEADLINE in instruction counts): false = #GP.
  virtual bool msr_read(uint32_t /*msr*/, uint64_t& /*value*/) { return false; }
  virtual bool msr_write(uint32_t /*msr*/, uint64_t /*value*/) { return false; }
};

// Architectural events the debugger engine may observe. Emitted only when an
// observer is attached (one predictable branch otherwise).
enum class CpuEventKind : uint8_t {
  Exception,    // vector, error code (a = error, b = CR2 for #PF)
  Interrupt,    // external interrupt delivered (vector)
  SoftInt,      // INT n / INT3 / INTO
  Cr3Write,     // a = old CR3, b = new CR3
  CplChange,    // a = old CPL, b = new CPL
  Invlpg,       // a = linear address
  Invpcid,      // a = type, b = pcid
  Cr4Write,     // a = old, b = new
  PortOut,      // a = port, b = value
};
struct CpuEvent {
  CpuEventKind kind;
  uint8_t vector = 0;
  uint64_t a = 0, b = 0;
  uint64_t rip = 0;  // the instruction that caused it
};
class CpuObserver {
 public:
  virtual ~CpuObserver() = default;
  virtual void on_cpu_event(const CpuEvent& e) = 0;
};

// A fault raised while executing; unwinds to the run loop (the one way out).
struct CpuFault {
  uint8_t vector;
  bool has_error;
  uint32_t error;
};

enum class StopReason : uint8_t { None, Limit, TripleFault, Halted, Request };

// Everything architectural plus the interpreter's own run state: what a
// snapshot must hold so that replay from it is bit-identical (trivially
// copyable, so one serialize call stores it).
struct CpuSnapshot {
  CpuState s;
  LazyFlags lf;
  uint64_t icount, shadow_until, insn_rip;
  uint64_t ring0_done, ring0_from;
  mmu::KernelOps ops;
  bool intr_line, halted, shutdown;
  int delivering;
  uint32_t dbg_hits;     // debug-register hits waiting for their #DB (a MOV SS carries them)
  bool nmi_pending, nmi_blocked;
  uint64_t dbg_blocked;  // the icount at which MOV SS / POP SS blocks debug exceptions
};

struct CodePage;
struct Gate;     // cpu/descriptor.h
struct SegDesc;

class Cpu {
 public:
  Cpu(mmu::Mmu& mmu, mmu::PhysMemory& mem, Platform& platform);
  ~Cpu();

  // ---- run control -------------------------------------------------------
  // Runs until icount reaches `until`, a stop is requested, or the machine
  // shuts down (triple fault). A halted CPU with no interrupt lets time pass:
  // icount jumps to `until` (time is the instruction count, docs/cpu.md "Time").
  StopReason run(uint64_t until);
  void request_stop() { stop_requested_ = true; attention_ = true; }
  // Ends the current run() early at icount `n` (a device was reprogrammed and
  // has an earlier deadline than the one run() was started with).
  // (Attention ends a run on one page, which tests only its own limit.)
  void shorten_run(uint64_t n) {
    if (n < run_until_) run_until_ = n, attention_ = true;
  }
  // The most instructions one chain of handlers runs (exec/common.h): the
  // host stack's depth in a build that makes no tail calls. Where a chain
  // runs out of budget inside a loop varies, and each time costs the host a
  // mispredicted branch or two: 256 instead of 64 made the integer loop 2.4 %
  // faster (docs/performance.md).
  static constexpr uint64_t kChain = 256;
  // A load or store in a chain (exec/mov.cpp), where the count is not kept
  // per instruction: chain_count() is its own count, which a fast-path hit
  // needs (it first charges the run's fetches up to it) and is given in a
  // register; chain_slow() stores it, RIP and insn_rip, as the
  // per-instruction path has them, before a slow half (which may fault or
  // raise attention). `more` is what the chain passed the instruction
  // (decoded.h Chain). (Nothing between reads the stored count: the fast
  // path is given it, and the stretch stores its own after the chain.)
  uint64_t chain_count(uint64_t more) const { return chain_end_ - more; }
  void chain_slow(const Insn& d, uint64_t count) {
    icount_ = count;
    insn_rip = chain_base_ + d.off;
    s.rip = insn_rip + d.len;
  }
  void set_intr_line(bool level) { intr_line_ = level; if (level) attention_ = true; }
  // An NMI (edge): delivered through vector 2 at the next instruction boundary
  // not blocked -- by MOV SS, or by an NMI handler running until its IRET
  // (SDM Vol. 3A §6.7.1); one more stays pending meanwhile.
  void raise_nmi() { nmi_pending_ = true; attention_ = true; }
  uint64_t icount() const { return icount_; }
  // Instructions retired at CPL 0 (a PMU's INST_RETIRED with only the OS
  // filter bit, SDM Vol. 3B §20.2.1.1), kept at privilege changes: an
  // instruction that changes CPL counts on the side it ends on; time a halted
  // CPU skips (icount jumps to the next deadline) is not counted.
  uint64_t ring0_icount() const { return ring0_done_ + (s.cpl() == 0 ? icount_ - ring0_from_ : 0); }
  // What the cost model prices beyond base_cpi (mmu::price): SYSCALL, SYSRET,
  // IRET, WRMSR, port I/O, REP MOVS/STOS steps and bytes.
  const mmu::KernelOps& kernel_ops() const { return ops_; }
  mmu::KernelOps& count_ops() { return ops_; }  // the instruction handlers count here
  const uint64_t* icount_ptr() const { return &icount_; }  // devices read time from it
  void set_icount(uint64_t n) { icount_ = n; }
  bool halted() const { return halted_; }
  const std::string& shutdown_report() const { return shutdown_report_; }
  void set_observer(CpuObserver* o) { obs_ = o; }

  // Runs on one code page (run_page) on or off: off, every instruction takes
  // step(), the per-instruction path the runs must be indistinguishable from
  // (tests/perf/dispatch_equivalence_test.cpp compares the two).
  void set_page_runs(bool on) { page_runs_ = on; }

  // ---- execution break filter (debuggers) ----------------------------------
  // run() returns StopReason::Request *before* executing an instruction at
  // one of these linear (or physical) addresses, except at instruction count
  // `resume_at` (the one a debugger continues from); stopped_at_break() then
  // says why. The caller decides whether the stop is one its user asked for
  // (a module-qualified breakpoint) and continues past it with resume_at set.
  // Pages without a break run at full speed; a page with one runs
  // instruction by instruction.
  void set_exec_breaks(std::vector<uint64_t> linear, std::vector<uint64_t> physical, uint64_t resume_at);
  void clear_exec_breaks() { set_exec_breaks({}, {}, ~0ull); }
  bool stopped_at_break() const { return at_break_; }

  // ---- state -------------------------------------------------------------
  CpuState s;
  LazyFlags lf;
  uint64_t rflags() const { return lf.op == FO_NONE ? s.rflags : (s.rflags & ~kStatusFlags) | lf.status(); }
  void set_rflags(uint64_t v) {
    lf.op = FO_NONE;
    s.rflags = (v & x86::FL_DEFINED) | x86::FL_RESERVED_ONE;
    end_run();  // TF or AC may have changed
  }
  void materialize() { if (lf.op != FO_NONE) { s.rflags = rflags(); lf.op = FO_NONE; } }
  void reset();                      // power-on state (flat, protected mode off)
  // A reboot: the power-on state, but the clock (icount), the CPL-0 count
  // and the operation counts go on.
  void reset_keep_time();
  bool triple_faulted() const { return triple_fault_; }  // the shutdown was a triple fault
  CpuSnapshot snapshot() const;
  void restore(const CpuSnapshot& snap);  // drops cached code; restore the MMU with Mmu::load()
  void sync_mmu();                   // after external state changes (loader, snapshots)
  CodeSize code_size() const;
  bool long_mode() const { return s.efer & x86::EFER_LMA; }
  bool mode64() const { return long_mode() && s.seg[CS].l(); }
  // RIP as a linear address (CS base added, and wrapped, outside 64-bit mode).
  uint64_t rip_linear() const { return mode64() ? s.rip : uint32_t(s.seg[CS].base + s.rip); }
  void invalidate_code(mmu::PhysAddr pa, unsigned len);  // SMC write notification
  void flush_code_cache();

  // ---- used by instruction handlers (exec/) ---------------------------------
  uint64_t insn_rip = 0;  // address of the executing instruction (RIP already points past it)
  mmu::Mmu& mmu;
  mmu::PhysMemory& mem;
  Platform& platform;

  template <unsigned W> uint64_t reg(unsigned r, bool rex) const;
  template <unsigned W> void set_reg(unsigned r, bool rex, uint64_t v);
  template <unsigned W> uint64_t gpr(unsigned r) const { return s.gpr[r] & mask<W>(); }
  // (A size_t index: GCC then uses the byte it zero-extended from the Insn as
  // is; with `unsigned` every register write paid a copy and a re-extension.)
  template <unsigned W> void set_gpr(size_t r, uint64_t v);

  uint64_t ea(const Insn& d) const;          // offset (not linear) of the memory operand
  // Segmentation checks; the 64-bit case inline (no limits, FS/GS bases).
  uint64_t linear(unsigned seg, uint64_t off, unsigned len, mmu::Access acc);
  template <unsigned W> uint64_t read(unsigned seg, uint64_t off);
  template <unsigned W> void write(unsigned seg, uint64_t off, uint64_t v);
  // What read()/write() fall back to when their inline common case does not apply.
  template <unsigned W> [[gnu::noinline]] uint64_t read_slow(unsigned seg, uint64_t off);
  template <unsigned W> [[gnu::noinline]] void write_slow(unsigned seg, uint64_t off, uint64_t v);
  template <unsigned W> [[gnu::noinline]] void write_phys(uint64_t pa, uint64_t v);
  // The fast half of read()/write(): the common case's checks and a fast-path probe.
  // (`now`: the count a chained access runs at, not stored yet; see Mmu::translate_fast.)
  template <unsigned W> bool translate_data_fast(unsigned seg, uint64_t off, mmu::Access acc, mmu::PhysAddr& pa,
                                                 const uint64_t* now = nullptr);
  // The one common case every frameless access below shares (see cpu_inline.h).
  enum class Fast : uint8_t { Ram, Phys, Miss };
  template <unsigned W, mmu::Access A>
  Fast data_fast(unsigned seg, uint64_t off, mmu::PhysAddr& pa, const uint64_t* now = nullptr);
  template <unsigned W> uint64_t ram_load(mmu::PhysAddr pa);
  uint64_t linear64(unsigned seg, uint64_t off) const;  // 64-bit mode: only FS and GS add a base
  mmu::AccessCtx access_ctx(bool implicit_sup) const;   // who the MMU sees as making an access now
  uint64_t phys_read(uint64_t pa, unsigned size);             // RAM, else the platform (MMIO)
  void phys_write(uint64_t pa, unsigned size, uint64_t v);
  // MOV r, m: read() into register d.reg, with nothing after a call, so the
  // common case needs no stack frame.
  template <unsigned W> void load_greg(const Insn& d, uint64_t off);
  // PUSH r / POP r the same way: the 64-bit common case (RAM, a fast-path
  // slot) with no frame, else push()/pop() from the start.
  template <unsigned W> void push_greg(const Insn& d);
  template <unsigned W> void pop_greg(const Insn& d);
  // Their fast halves, shared with the chaining forms (exec/stack.cpp): a
  // push done when Fast::Ram, a pop done when true; else nothing changed and
  // the *_rest half finishes (a push to a watched or code page at pa) or
  // starts over.
  template <unsigned W> Fast push_greg_fast(const Insn& d, mmu::PhysAddr& pa, const uint64_t* now = nullptr);
  template <unsigned W> bool pop_greg_fast(const Insn& d, const uint64_t* now = nullptr);
  template <unsigned W> [[gnu::noinline]] void push_greg_rest(const Insn& d, Fast f, mmu::PhysAddr pa);
  template <unsigned W> [[gnu::noinline]] void pop_greg_rest(const Insn& d);
  template <unsigned W> [[gnu::noinline]] void load_greg_slow(const Insn& d, uint64_t off);
  template <unsigned W> uint64_t read_lin(uint64_t la, bool implicit_sup = false);
  template <unsigned W> void write_lin(uint64_t la, uint64_t v, bool implicit_sup = false);
  void check_writable(unsigned seg, uint64_t off, unsigned len);  // before multi-part writes

  // Read-modify-write of the r/m operand: the write permission is checked
  // before anything is computed, so a fault leaves flags and registers intact.
  template <unsigned W, class F> void rmw(const Insn& d, F&& f);
  template <unsigned W, class F> void rmw_mem(const Insn& d, F& f);
  template <unsigned W> uint64_t read_mem(const Insn& d);
  template <unsigned W> void write_mem(const Insn& d, uint64_t v);
  template <unsigned W> uint64_t read_rm(const Insn& d);
  template <unsigned W> void write_rm(const Insn& d, uint64_t v);
  template <unsigned W> uint64_t read_greg(const Insn& d) const { return reg<W>(d.reg, d.flags & IF_REX); }
  template <unsigned W> void write_greg(const Insn& d, uint64_t v) { set_reg<W>(d.reg, d.flags & IF_REX, v); }

  template <unsigned W> void push(uint64_t v);
  template <unsigned W> uint64_t pop();
  uint64_t sp_mask() const;  // stack address-size mask (SS.B / 64-bit)

  bool cond(unsigned cc) const;
  template <unsigned W> void set_lazy(FlagOp op, uint64_t a, uint64_t b, uint64_t res, bool cin = false) {
    lf.op = op; lf.w = W; lf.a = a; lf.b = b; lf.res = res; lf.cin = cin; lf.cfof = 0;
  }
  // Rotates: CF and OF change, the other status flags stay as they are.
  void set_cf_of(bool cf, bool of) {
    if (lf.op == FO_NONE)
      s.rflags = (s.rflags & ~(x86::FL_CF | x86::FL_OF)) | (cf ? x86::FL_CF : 0) | (of ? x86::FL_OF : 0);
    else
      lf.cfof = uint8_t(LazyFlags::kCfOfSet | (cf ? 1 : 0) | (of ? 2 : 0));
  }
  // Shifts: SF, ZF, PF from the result, AF 0, CF and OF as computed.
  template <unsigned W> void set_shift_flags(uint64_t res, bool cf, bool of) {
    set_lazy<W>(FO_LOGIC, 0, 0, res);
    lf.cfof = uint8_t(LazyFlags::kCfOfSet | (cf ? 1 : 0) | (of ? 2 : 0));
  }
  bool cf() const { return lf.op == FO_NONE ? (s.rflags & x86::FL_CF) : lf.cf(); }
  void set_status(uint64_t mask_bits, uint64_t values) {
    materialize();
    s.rflags = (s.rflags & ~mask_bits) | (values & mask_bits);
  }

  [[noreturn]] void fault(uint8_t vec) { throw CpuFault{vec, false, 0}; }
  [[noreturn]] void fault(uint8_t vec, uint32_t err) { throw CpuFault{vec, true, err}; }
  [[noreturn]] void gp0() { fault(x86::VEC_GP, 0); }
  void require_cpl0() { if (s.cpl() != 0) gp0(); }
  void branch(uint64_t target);  // near branch: canonical/limit check, then RIP

  // System (exec/system*.cpp, interrupts.cpp, segments.cpp).
  void write_cr(unsigned n, uint64_t v);
  void write_msr(uint32_t msr, uint64_t v);
  uint64_t read_msr(uint32_t msr);
  bool read_model_msr(uint32_t msr, uint64_t& v) const;  // model_msrs.cpp; false: not one of them
  bool write_model_msr(uint32_t msr, uint64_t v);
  void load_seg(unsigned seg, uint16_t sel);            // MOV/POP Sreg semantics
  void load_cs_far(uint16_t sel, uint64_t rip, bool is_call, unsigned osz);  // far jmp/call target
  void set_seg_raw(unsigned seg, uint16_t sel, uint64_t base, uint32_t limit, uint16_t attr);
  uint64_t read_descriptor(uint16_t sel, bool& ok);       // 8 bytes from GDT/LDT
  void write_descriptor_hi_accessed(uint16_t sel);
  void software_interrupt(uint8_t vec, bool int3_or_into);
  void iret(unsigned osz);
  void far_return(unsigned osz, uint16_t pop_extra);
  void emit(CpuEventKind k, uint64_t a = 0, uint64_t b = 0, uint8_t vec = 0);
  void set_cpl_segments_64(uint16_t cs_sel, uint16_t ss_sel, unsigned cpl);  // syscall/sysret helper
  void interrupt_shadow() { shadow_until_ = icount_ + 2; }  // icount_ still counts the STI itself
  // MOV SS / POP SS: interrupts and debug exceptions wait one instruction
  // (SDM Vol. 3A §6.8.3); a data breakpoint the load hit is reported after
  // the next instruction, even if that one enters a handler.
  void ss_loaded() { interrupt_shadow(), dbg_blocked_ = icount_ + 1; }

  // ---- debug registers (SDM Vol. 3B §17.2-17.3; cpu/debug.cpp) -------------
  void debug_regs_changed();  // after DR7 or CR4.DE change: which breakpoints are armed
  // Data and I/O breakpoints: records hits (DR6.Bn) for the #DB trap after
  // the instruction. One test of a flag when none is armed.
  void watch_data(uint64_t la, unsigned len, bool write) {
    if (dbg_data_) [[unlikely]] data_breakpoint(la, len, write);
  }
  void watch_io(uint16_t port, unsigned len) {
    if (dbg_io_) [[unlikely]] io_breakpoint(port, len);
  }
  bool watching_data() const { return dbg_data_ != 0; }
  bool debug_hit() const { return dbg_hits_ != 0; }  // a REP string stops its iterations
  void general_detect();  // MOV DR with DR7.GD set: #DB fault, DR6.BD
  void icebp();           // INT1 (F1): a trap-like #DB past the gate DPL check
  void rf_loaded() { rf_keep_ = true; }  // IRET/SYSRET set RF: it covers the next instruction
  void halt() { halted_ = true; attention_ = true; }
  // Stops the machine with a report for a feature we do not emulate (never a
  // silent wrong answer): the run ends like a shutdown.
  void unsupported(const std::string& what) {
    shutdown_report_ = "not emulated: " + what;
    shutdown_ = true;
    attention_ = true;
  }
  void note_smc() { attention_ = true; }
  // The instruction changed CS (CPL, L), RFLAGS.TF or RFLAGS.AC, which
  // select the fetch slot and the decoding of a run on one page, or the
  // debug registers: the run ends after it, and the rest of the
  // instruction's data accesses take the general path (data_cls_).
  void end_run() {
    attention_ = true;
    data_cls_ = kNoDataFast;
  }
  bool observing() const { return obs_ != nullptr; }

 private:
  void step();
  void deliver(uint8_t vec, bool has_err, uint32_t err, int kind);  // kind: 0 exc, 1 ext, 2 soft
  void deliver_event(uint8_t vec, bool has_err, uint32_t err, int kind);
  void deliver_long(uint8_t vec, bool has_err, uint32_t err, int kind);
  void deliver_legacy(uint8_t vec, bool has_err, uint32_t err, int kind);
  // The checks both IDT formats make on the gate and on the code segment it
  // names (faulting if one fails); returns that segment's descriptor.
  SegDesc check_gate(const Gate& gate, unsigned type, uint32_t idt_err, uint32_t ext, int kind);
  bool handle_attention();
  void run_page();
  // A stretch of linked instructions inside a run (cpu/cpu.cpp), out of line
  // so that its loop over pure instructions has the registers to itself.
  enum class StretchEnd : uint8_t { Continue, RunOver, Branched };
  struct Stretch {
    const Insn* d;     // Continue: the next instruction (perhaps kUnlinked)
    const Insn* last;  // the last one run
    uint64_t n;        // the count after it
    StretchEnd how;
  };
  [[gnu::noinline]] Stretch run_stretch(const Insn* d, uint64_t n, uint64_t limit, uint64_t base);
  void debug_trap(bool tf);
  uint64_t event_rflags(uint8_t vec, int kind);
  bool exec_breakpoint();
  void data_breakpoint(uint64_t la, unsigned len, bool write);
  void io_breakpoint(uint16_t port, unsigned len);
  bool exec_break_here() const;
  bool exec_break_page(uint64_t vpn, uint64_t ppage) const;
  void fault_restart(const CpuFault& f);
  CodePage* code_page(uint64_t ppage, CodeSize cs);
  const Insn* decode_at(CodePage* page, uint64_t la, uint64_t pa, CodeSize cs, Insn& scratch);
  const Insn* fetch_decode(Insn& scratch);
  uint64_t translate(uint64_t la, mmu::Access acc, bool implicit_sup);
  [[noreturn, gnu::noinline, gnu::cold]] void page_fault(const mmu::Fault& f);
  [[gnu::noinline]] uint64_t translate_miss(uint64_t la, mmu::Access acc, bool implicit_sup);
  uint64_t linear_legacy(unsigned seg, uint64_t off, unsigned len, mmu::Access acc);
  [[noreturn, gnu::noinline, gnu::cold]] void noncanonical(unsigned seg);

  std::unordered_map<uint64_t, std::unique_ptr<CodePage>> code_;
  // Direct-mapped memo in front of code_ (branches between pages are common).
  struct PageRef { uint64_t pa = ~0ull; CodePage* page = nullptr; };
  static constexpr unsigned kPageCache = 64;
  PageRef page_cache_[kPageCache];
  CodePage* cur_page_ = nullptr;
  uint64_t cur_page_pa_ = ~0ull;
  std::vector<uint64_t> smc_dirty_;
  uint64_t icount_ = 0;
  // Of the chain running now (run_stretch): the count its instruction that
  // is passed `more` = 0 runs at, and its code page's linear address.
  uint64_t chain_end_ = 0, chain_base_ = 0;
  uint64_t ring0_done_ = 0, ring0_from_ = 0;  // ring0_icount(): closed intervals, start of the open one
  mmu::KernelOps ops_;
  uint64_t run_until_ = 0;
  bool page_runs_ = true;
  uint64_t shadow_until_ = 0;
  bool attention_ = true;
  bool intr_line_ = false;
  bool halted_ = false;
  bool stop_requested_ = false;
  bool shutdown_ = false;
  int delivering_ = -1;  // vector being delivered (for #DF rules), -1 none
  std::string shutdown_report_;
  CpuObserver* obs_ = nullptr;
  std::vector<uint64_t> brk_lin_, brk_phys_;  // sorted
  uint64_t brk_resume_ = ~0ull;
  bool brk_on_ = false;
  bool at_break_ = false;
  // Debug registers: armed breakpoints by kind (bit n = DRn), this
  // instruction's hits, the MOV SS block, RF bookkeeping, a #DB from GD.
  uint8_t dbg_exec_ = 0, dbg_data_ = 0, dbg_io_ = 0;
  // The fast-path class (Mmu::access_class) of explicit data accesses, fixed
  // where execution starts (run_page, step: open_data()) and cleared by
  // end_run(), so within a run -- which ends whenever CPL, RFLAGS.AC, the
  // mode or the data breakpoints change -- it is what access_ctx() gives.
  // kNoDataFast: not 64-bit mode, a data breakpoint armed, or cleared.
  static constexpr uint8_t kNoDataFast = 3;
  uint8_t data_cls_ = kNoDataFast;
  void open_data() {
    data_cls_ = mode64() && !dbg_data_ ? uint8_t(mmu::Mmu::access_class(access_ctx(false))) : kNoDataFast;
  }
  uint32_t dbg_hits_ = 0;
  uint64_t dbg_blocked_ = ~0ull;
  bool rf_keep_ = false;
  bool db_fault_ = false;
  bool triple_fault_ = false;
  bool nmi_pending_ = false, nmi_blocked_ = false;
};

}  // namespace slot::cpu

#include "cpu/cpu_inline.h"
