// The MMU as the CPU sees it: linear -> physical translation with x86-64
// 4-level paging, permission checks, A/D updates, and the TLB hierarchy model
// in between (docs/mmu.md). The CPU calls only what is declared here; it never
// sees TLB arrays or walk internals.
//
// translate() is inline: a direct-mapped host-side table mirrors the L1 TLB
// entries usable right now (current PCID, current CR0/CR4/EFER, per access
// kind and privilege class), so an L1 hit is a tag compare plus two counter
// stores; everything else goes to translate_slow(). The mirror never changes
// what the model does: it is filled from, and dropped with, L1 entries.
// With the "none" model it is the only cache (QEMU-softmmu-like, flushed on
// every CR3 load, INVLPG and CR0/CR4/EFER change, no statistics).
//
// Not emulated: legacy 32-bit (non-PAE) paging, PAE paging outside long mode
// (CR0.PG=1 without EFER.LME walks 4-level tables: the CPU must not allow
// it), 5-level paging, MTRR/PAT memory types. Non-canonical
// addresses must be rejected (#GP/#SS) by the CPU before translate().
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mmu/config.h"
#include "mmu/events.h"
#include "mmu/phys.h"
#include "mmu/stats.h"
#include "mmu/types.h"

namespace slot::mmu {

// Who is asking. `supervisor_implicit` marks implicit supervisor-mode
// accesses (descriptor tables, TSS, stack switch on delivery), which are
// checked as supervisor accesses and ignore RFLAGS.AC for SMAP (SDM Vol. 3A
// §4.6.1).
struct AccessCtx {
  uint8_t cpl = 0;
  bool ac = false;
  bool supervisor_implicit = false;
};

struct Fault {
  uint64_t linear = 0;     // -> CR2
  uint32_t error_code = 0; // PF_* bits of mmu/arch.h
};

// Stale-translation handling (docs/mmu.md, "Stale translations").
//  Off          - the model keeps using cached entries, as hardware may.
//  Detect       - the same, but every TLB/PSC hit is re-walked in memory and
//                 a mismatch is reported (StaleEvent, stats.stale).
//  FlushOnWrite - NON-ARCHITECTURAL comparison mode: a write to a paging
//                 entry that a cached translation was made from drops that
//                 translation (needs on_phys_write() wired to PhysMemory).
enum class StaleMode : uint8_t { Off = 0, Detect = 1, FlushOnWrite = 2 };

class Mmu {
 public:
  // `tlb` names a preset (skylake, icelake, tiny, none) or a description
  // file; throws std::runtime_error with a one-line message when invalid.
  Mmu(PhysMemory& mem, const std::string& tlb = "skylake");
  Mmu(PhysMemory& mem, const TlbConfig& cfg);
  ~Mmu();
  Mmu(const Mmu&) = delete;
  Mmu& operator=(const Mmu&) = delete;

  // ---- control-register events (apply SDM Vol. 3A §4.10.4 invalidation) ----
  void reset_mode(const PagingMode& m);      // at reset/load: flushes all, no events
  void write_cr0(uint64_t new_cr0);          // PG 1->0 flushes all; WP takes effect
  // Honours PCID and bit 63. The stored CR3 (mode().cr3) never has bit 63
  // set: the CPU should read CR3 back from mode() (SDM: bit 63 is not written).
  void write_cr3(uint64_t new_cr3);
  void write_cr4(uint64_t new_cr4);          // PGE/PCIDE/PAE/SMEP rules
  void write_efer(uint64_t new_efer);
  // WRPKRU or WRMSR IA32_PKRS: new protection-key rights. No TLB entry is
  // invalidated (rights are checked at every hit, SDM §4.10.2.2, §4.6.2).
  void write_pkeys(uint32_t pkru, uint32_t pkrs);
  const PagingMode& mode() const;
  uint16_t current_pcid() const;

  // ---- translation -------------------------------------------------------
  // Translate one access that does not cross a page boundary (the CPU splits
  // crossing accesses and checks both pages before any byte is written).
  // Returns true and sets `pa`, or returns false and fills `fault` (then
  // the CPU sets CR2 = fault.linear and delivers #PF with fault.error_code).
  // With CR0.PG=0 it is the identity.
  bool translate(uint64_t linear, Access acc, const AccessCtx& who, PhysAddr& pa, Fault& fault) {
    if (translate_fast(linear, acc, access_class(who), pa)) [[likely]] return true;
    return translate_slow(linear, acc, who, pa, fault);
  }
  // The two halves of translate(), for a caller that keeps the slow one out
  // of line: translate_fast() serves the access from a fast-path slot
  // (access class `cls` = access_class(who)) or returns false having
  // changed nothing the model shows; translate_slow() must then follow.
  // A miss leaves the open run's fetches uncharged: translate_slow() (or
  // whatever the caller does instead) settles them before it touches the
  // model. A hit charges them first, then itself, with the clock in a
  // register: one load and one store of it. `now`, if given, is the count
  // *count of open_run() is about to hold (a caller with it in a register
  // that stores it later, and only while a run is open).
  [[gnu::always_inline]] bool translate_fast(uint64_t linear, Access acc, unsigned cls, PhysAddr& pa,
                                             const uint64_t* now = nullptr) {
    const uint64_t vpn = linear >> 12;
    FastEntry& e = fast_[unsigned(acc)][cls][vpn & (kFastSlots - 1)];
    if (e.tag != vpn) return false;
    // Everything read before the first store through a counter pointer,
    // which the compiler must assume may alias any of it.
    uint64_t* const hits = e.hits;
    uint64_t* const stamp = e.stamp;
    pa = e.page | (linear & 0xFFF);
    uint64_t clock = now ? charged_to(clock_, *now) : settled(clock_);
    ++*hits;
    *stamp = ++clock;
    clock_ = clock;
    return true;
  }
  bool translate_slow(uint64_t linear, Access acc, const AccessCtx& who, PhysAddr& pa, Fault& fault);
  static unsigned access_class(const AccessCtx& w) {
    // 0 = user, 1 = explicit supervisor with AC=1, 2 = other supervisor (perms.h)
    return w.supervisor_implicit ? 2u : w.cpl == 3 ? 0u : w.ac ? 1u : 2u;
  }

  // Instruction fetches that stay on one page. After translate() served the
  // fetch of the instruction whose number is *count, open_run() makes the
  // fast-path slot that served it the run's slot: each later instruction of
  // the run is one more fetch of that page, and the CPU only advances
  // *count. The charges translate()'s fast path would have made (hit
  // counter, clock, the L1 entry's use stamp) are made before anything else
  // touches the model -- at the next translation, invalidation, CR write,
  // statistics read or dump -- and at close_run(last), which charges the
  // fetches up to instruction number `last`. Every counter and stamp is
  // therefore what per-instruction charging gives, in the same order. If the
  // slot stops serving the page mid-run (an eviction, an INVLPG, a CR3
  // load), *lost is set: the CPU ends the run and translates again.
  // open_run() returns false, opening nothing, if the slot does not serve
  // the page (never mirrored, an observer attached).
  struct FastEntry {
    uint64_t tag;        // linear >> 12, or kNoTag
    uint64_t page;       // physical address of the 4 KiB page
    uint64_t* hits;      // the serving L1 array's hit counter
    uint64_t* stamp;     // the serving L1 entry's use stamp
  };
  bool open_run(uint64_t linear, PhysAddr page, const AccessCtx& who, const uint64_t* count, bool* lost) {
    const FastEntry* e = &fast_[unsigned(Access::Fetch)][access_class(who)][(linear >> 12) & (kFastSlots - 1)];
    if (e->tag != linear >> 12 || e->page != page) return false;
    run_slot_ = e;
    run_tag_ = e->tag;
    run_page_ = e->page;
    run_hits_ = e->hits;
    run_stamp_ = e->stamp;
    run_lost_ = lost;
    run_charged_ = *count;
    run_count_ = count;
    return true;
  }
  void close_run(uint64_t last) {
    if (!run_slot_) return;
    clock_ = charged_to(clock_, last);
    run_slot_ = nullptr;
    run_count_ = &run_charged_;
  }
  // Runs of data accesses of one kind to one page (a REP STOS staying on a
  // page): data_slot() names the fast-path slot if it serves page `vpn` for
  // `who` now (else nullptr; no side effect), and charge() then counts `n`
  // accesses exactly as n fast-path hits of translate() would (counter += n,
  // the entry's stamp as after the last one).
  const FastEntry* data_slot(Access acc, const AccessCtx& who, uint64_t vpn) const {
    const FastEntry* e = &fast_[unsigned(acc)][access_class(who)][vpn & (kFastSlots - 1)];
    return e->tag == vpn ? e : nullptr;
  }
  void charge(const FastEntry* e, uint64_t n) {
    settle();
    *e->hits += n;
    clock_ += n;
    *e->stamp = clock_;
  }
  // n (read, write) pairs, as REP MOVS makes them: each slot's counter += n,
  // the read's stamp as after the last read, the write's as after the last
  // write (which wins if both name one entry).
  void charge_copy(const FastEntry* rd, const FastEntry* wr, uint64_t n) {
    settle();
    *rd->hits += n;
    *wr->hits += n;
    clock_ += 2 * n;
    *rd->stamp = clock_ - 1;
    *wr->stamp = clock_;
  }

  // ---- invalidation instructions -----------------------------------------
  void invlpg(uint64_t linear);              // a NOP for a non-canonical address
  // INVPCID types 0-3; `pcid` is the descriptor's first quadword (bits 63:12
  // must be 0), `linear` its second. Returns false if the instruction must
  // raise #GP(0) (bad type, bad descriptor, non-canonical type-0 address,
  // or a non-zero PCID for type 0/1 with CR4.PCIDE=0).
  bool invpcid(unsigned type, uint64_t pcid, uint64_t linear);

  // ---- side-effect free (debugger) ---------------------------------------
  // Walks the current page tables without touching A/D bits, TLBs or stats;
  // true if `linear` is mapped (present, no reserved bits), whatever the rights.
  bool peek_translate(uint64_t linear, PhysAddr& pa) const;
  // Every step of a walk of memory, plus whether the TLB / a PSC would
  // serve the access now (and whether that cached entry is stale).
  DebugWalk debug_walk(uint64_t linear, Access acc = Access::Read, const AccessCtx& who = {}) const;

  // ---- observation, statistics, dumps --------------------------------------
  void set_observer(MmuObserver* obs);       // nullptr detaches
  MmuObserver* observer() const;
  void set_stale_mode(StaleMode m);          // may change at run time
  StaleMode stale_mode() const;
  // Physical-write listener hook (PhysMemory calls it before a write lands
  // on a PF_WATCH page; the machine fans its single listener out to us).
  void on_phys_write(PhysAddr pa, unsigned size);

  const TlbConfig& config() const;
  bool modelled() const;                     // false for "none"
  MmuStats stats() const;
  // The global counters alone (no per-array, per-space or per-slot lists):
  // what a debugger reads at every call event, without the copies.
  MmuStats totals() const;
  void reset_stats();
  // Modelled cycles of everything so far; `ops` is what the CPU counted
  // (Cpu::kernel_ops()), zero for a model of the MMU alone.
  CostBreakdown cost(uint64_t instructions, const KernelOps& ops = {}) const;
  std::vector<TlbDumpEntry> dump() const;    // every valid TLB and PSC entry
  void flush_all();                          // debugger command; cause Reset, no events

  // ---- snapshots ------------------------------------------------------------
  // The whole MMU state (mode, every array and PSC entry, replacement state,
  // statistics, stale mode). load() throws std::runtime_error if the blob was
  // made with a different TLB geometry.
  std::vector<uint8_t> save() const;
  void load(const std::vector<uint8_t>& blob);

  class Impl;
  Impl& impl() { return *impl_; }
  const Impl& impl() const { return *impl_; }

 private:
  static constexpr unsigned kFastSlots = 256;
  static constexpr uint64_t kNoTag = ~0ull;
  // The open run's fetches not yet charged (see open_run); const because
  // making deferred charges is not a change a reader may see. Inline and
  // not "unlikely": inside a run nearly every data access finds some. The
  // counter and stamp are the run slot's as open_run found them: every
  // change to the slot enters the model, which settles first, and ends the
  // run, so no charge is made after it.
  void settle() const { clock_ = settled(clock_); }
  // The same, on a clock the caller holds in a register: charges the open
  // run's pending fetches after `clock` and returns the clock after them.
  [[gnu::always_inline]] uint64_t settled(uint64_t clock) const { return charged_to(clock, *run_count_); }
  // Charges the open run's fetches up to instruction number `now` (hit
  // counter, clock, the run entry's stamp as after the last of them): the
  // one rule settle(), translate_fast() and close_run() share.
  [[gnu::always_inline]] uint64_t charged_to(uint64_t clock, uint64_t now) const {
    const uint64_t charged = run_charged_;
    if (now > charged) {
      uint64_t* const run_stamp = run_stamp_;
      run_charged_ = now;
      *run_hits_ += now - charged;
      clock += now - charged;
      *run_stamp = clock;
    }
    return clock;
  }
  void run_slot_changed() const;  // Impl: a fast-path slot was cleared or refilled

  FastEntry fast_[3][3][kFastSlots];
  // The model's time; mutable for settle().
  mutable uint64_t clock_ = 0;
  const FastEntry* run_slot_ = nullptr;
  uint64_t run_tag_ = 0, run_page_ = 0;
  uint64_t* run_hits_ = nullptr;
  uint64_t* run_stamp_ = nullptr;
  bool* run_lost_ = nullptr;
  mutable uint64_t run_charged_ = 0;
  const uint64_t* run_count_ = &run_charged_;  // no run: always equal
  std::unique_ptr<Impl> impl_;
};

}  // namespace slot::mmu
