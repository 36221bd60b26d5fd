// The invalidation instructions (SDM Vol. 3A §4.10.4.1; Vol. 2A INVLPG,
// INVPCID). What each drops:
//  INVLPG a      TLB entries for a's page (every splintered piece) of the
//                current PCID, global ones for that page under any PCID, and
//                all PSC entries of the current PCID.
//  INVPCID 0     non-global TLB entries for the page in the given PCID, and
//                the PSC entries of that PCID that would be used for it.
//  INVPCID 1     all non-global TLB entries and all PSC entries of the PCID.
//  INVPCID 2     everything, globals included.
//  INVPCID 3     everything except global TLB entries.
#include "mmu/arch.h"
#include "mmu/mmu_impl.h"

namespace slot::mmu {

void Mmu::invlpg(uint64_t linear) {
  settle();
  Impl& m = *impl_;
  if (!x86::is_canonical(linear)) return;  // INVLPG of a non-canonical address is a NOP
  ++m.g.invlpg;
  if (!m.cfg.modelled) { m.flush_mirror(); return; }
  m.drop_page(linear, m.pcid, true, InvCause::Invlpg);
  m.drop_psc_if([&](const PscEntry& e, const Provenance&) { return e.pcid == m.pcid; },
                InvCause::Invlpg);
}

bool Mmu::invpcid(unsigned type, uint64_t pcid_desc, uint64_t linear) {
  settle();
  Impl& m = *impl_;
  if (type > 3) return false;
  if (type <= 1) {
    if (pcid_desc > x86::CR3_PCID_MASK) return false;   // descriptor bits 63:12 reserved
    if (!(m.mode.cr4 & x86::CR4_PCIDE) && pcid_desc != 0) return false;
    if (type == 0 && !x86::is_canonical(linear)) return false;
  }
  ++m.g.invpcid;
  if (!m.cfg.modelled) { m.flush_mirror(); return true; }
  const uint16_t p = uint16_t(pcid_desc);
  switch (type) {
    case 0:
      m.drop_page(linear, p, false, InvCause::Invpcid0);
      m.drop_psc_for(linear, p, InvCause::Invpcid0);
      break;
    case 1:
      m.flush_pcid_entries(p, false, InvCause::Invpcid1, nullptr);
      break;
    case 2:
      m.flush_all_entries(InvCause::Invpcid2);
      break;
    case 3:
      m.drop_tlb_if([](const TlbEntry& e, const Provenance&) { return !e.global; },
                    InvCause::Invpcid3);
      m.drop_psc_if([](const PscEntry&, const Provenance&) { return true; }, InvCause::Invpcid3);
      break;
  }
  return true;
}

}  // namespace slot::mmu
