// The MMU as the CPU sees it: linear -> physical translation with x86-64
// 4-level paging, permission checks, A/D updates, and the TLB hierarchy model
// in between (mmu/tlb.h). The CPU calls only what is declared here; it never
// sees TLB arrays or walk internals.
//
// Not emulated: legacy 32-bit (non-PAE) paging, PAE paging outside long mode,
// 5-level paging, protection keys, MTRR/PAT memory types (PAT is stored only).
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "mmu/phys.h"

namespace slot::mmu {

enum class Access : uint8_t { Read = 0, Write = 1, Fetch = 2 };

// Paging-relevant processor state. The CPU owns the registers; it hands the
// MMU a copy whenever CR0/CR3/CR4/EFER change (through the write_* calls
// below, which also apply the SDM's invalidation rules).
struct PagingMode {
  uint64_t cr0 = 0, cr3 = 0, cr4 = 0, efer = 0;
};

// Who is asking. `supervisor_implicit` marks implicit supervisor-mode
// accesses (descriptor tables, TSS, stack switch on delivery), which are
// checked as CPL 0 and ignore RFLAGS.AC for SMAP (SDM Vol. 3A §4.6).
struct AccessCtx {
  uint8_t cpl = 0;
  bool ac = false;
  bool supervisor_implicit = false;
};

struct Fault {
  uint64_t linear = 0;     // -> CR2
  uint32_t error_code = 0; // PF_* bits of mmu/arch.h
};

class Mmu {
 public:
  // `tlb` names a preset (skylake, icelake, tiny, none) or a description
  // file; throws std::runtime_error with a one-line message when invalid.
  Mmu(PhysMemory& mem, const std::string& tlb = "skylake");
  ~Mmu();
  Mmu(const Mmu&) = delete;
  Mmu& operator=(const Mmu&) = delete;

  // ---- control-register events (apply SDM Vol. 3A §4.10.4 invalidation) ----
  void reset_mode(const PagingMode& m);      // at reset/load: no events
  void write_cr0(uint64_t new_cr0);          // PG/WP changes
  void write_cr3(uint64_t new_cr3);          // honours PCID and bit 63
  void write_cr4(uint64_t new_cr4);          // PGE/PCIDE toggles flush
  void write_efer(uint64_t new_efer);
  const PagingMode& mode() const;

  // ---- translation -------------------------------------------------------
  // Translate one access that does not cross a page boundary (the CPU splits
  // crossing accesses and checks both pages before any byte is written).
  // Returns true and sets `pa`, or returns false and fills `fault`.
  // With CR0.PG=0 it is the identity.
  bool translate(uint64_t linear, Access acc, const AccessCtx& who, PhysAddr& pa, Fault& fault);

  // ---- invalidation instructions -----------------------------------------
  void invlpg(uint64_t linear);
  // INVPCID types 0-3; returns false if the descriptor is invalid (-> #GP).
  bool invpcid(unsigned type, uint64_t pcid, uint64_t linear);

  // ---- side-effect free (debugger) ---------------------------------------
  // Walks the current page tables without touching A/D bits, TLBs or stats.
  bool peek_translate(uint64_t linear, PhysAddr& pa) const;

  class Impl;
  Impl& impl() { return *impl_; }
  const Impl& impl() const { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace slot::mmu
