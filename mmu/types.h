// Small vocabulary types of the MMU model, shared by its public headers
// (config, events, stats) and its implementation. No behaviour here.
#pragma once
#include <cstdint>

namespace slot::mmu {

using PhysAddr = uint64_t;

enum class Access : uint8_t { Read = 0, Write = 1, Fetch = 2 };
inline const char* access_name(Access a) {
  return a == Access::Read ? "read" : a == Access::Write ? "write" : "fetch";
}

// Page sizes of 4-level paging. The numeric value indexes per-size tables.
enum class PageSize : uint8_t { K4 = 0, M2 = 1, G1 = 2 };
inline constexpr unsigned kNumPageSizes = 3;
constexpr unsigned page_shift(PageSize s) { return 12 + 9 * unsigned(s); }
constexpr uint64_t page_bytes(PageSize s) { return 1ull << page_shift(s); }
inline const char* page_size_name(PageSize s) {
  return s == PageSize::K4 ? "4K" : s == PageSize::M2 ? "2M" : "1G";
}
constexpr uint8_t size_bit(PageSize s) { return uint8_t(1u << unsigned(s)); }

// Replacement policy of one set-associative structure.
enum class Policy : uint8_t { Lru = 0, Plru = 1, Random = 2 };
inline const char* policy_name(Policy p) {
  return p == Policy::Lru ? "lru" : p == Policy::Plru ? "plru" : "random";
}

// Which accesses an array serves: instruction fetches, data, or both.
enum class Side : uint8_t { Instr = 0, Data = 1, Unified = 2 };
inline const char* side_name(Side s) {
  return s == Side::Instr ? "I" : s == Side::Data ? "D" : "U";
}

// Access rights as a TLB caches them (SDM Vol. 3A §4.10.2.2): the AND of
// the R/W and U/S flags and the OR of the XD flags of every entry used,
// plus the leaf's dirty flag.
struct Perms {
  bool w = false, u = false, nx = false, dirty = false;
  uint8_t pk = 0;  // the leaf's protection key, bits 62:59 (§4.6.2)
  bool operator==(const Perms&) const = default;
};

// Paging-relevant processor state. The CPU owns the registers; it hands the
// MMU a copy whenever one changes (Mmu::write_*, which also apply the SDM's
// invalidation rules). PKRU and IA32_PKRS hold the protection-key rights
// for user-mode and supervisor-mode pages (§4.6.2).
struct PagingMode {
  uint64_t cr0 = 0, cr3 = 0, cr4 = 0, efer = 0;
  uint32_t pkru = 0, pkrs = 0;
};

// Paging-structure levels, numbered like the SDM's tables: 4 = PML4E,
// 3 = PDPTE, 2 = PDE, 1 = PTE.
inline const char* level_name(unsigned level) {
  switch (level) {
    case 4: return "PML4E";
    case 3: return "PDPTE";
    case 2: return "PDE";
    case 1: return "PTE";
  }
  return "?";
}

// Why a TLB or paging-structure-cache entry went away.
enum class InvCause : uint8_t {
  Evict = 0,       // replaced by a fill (counted as an eviction, not here)
  Invlpg,          // INVLPG
  Invpcid0, Invpcid1, Invpcid2, Invpcid3,
  Cr3Load,         // MOV to CR3 (bit 63 clear, or PCIDE=0)
  Cr4Change,       // PGE toggle, PCIDE 1->0, PAE change, SMEP 0->1
  Cr0Change,       // PG 1->0
  PageFault,       // a #PF invalidates the faulting address (SDM §4.10.4.1)
  FlushOnWrite,    // non-architectural comparison mode
  Reset,
  Count
};
inline constexpr unsigned kNumInvCauses = unsigned(InvCause::Count);
inline const char* inv_cause_name(InvCause c) {
  static const char* const names[] = {"evict", "invlpg", "invpcid0", "invpcid1", "invpcid2",
                                      "invpcid3", "cr3", "cr4", "cr0", "pagefault",
                                      "flush-on-write", "reset"};
  return unsigned(c) < kNumInvCauses ? names[unsigned(c)] : "?";
}

// Which permission rule refused an access (None = allowed).
enum class Check : uint8_t { None = 0, NotPresent, Reserved, User, Write, Nx, Smep, Smap, Pk };
inline const char* check_name(Check c) {
  static const char* const names[] = {"ok", "not-present", "reserved", "user",
                                      "write", "nx", "smep", "smap", "pkey"};
  return names[unsigned(c)];
}

}  // namespace slot::mmu
