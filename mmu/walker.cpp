#include "mmu/walker.h"

#include <cstdio>

#include "mmu/arch.h"
#include "mmu/perms.h"

namespace slot::mmu {

WalkResult walk(PhysMemory& mem, const WalkRequest& rq, const WalkStart& start) {
  WalkResult r;
  walk_into(mem, rq, start, r);
  return r;
}

void walk_into(PhysMemory& mem, const WalkRequest& rq, const WalkStart& start, WalkResult& r) {
  r.ok = false;
  r.failed = Check::None;
  r.fail_level = 0;
  r.page = 0;
  r.size = PageSize::K4;
  r.perms = Perms{};
  r.global = false;
  r.nsteps = r.mem_refs = r.ad_writes = 0;
  for (bool& p : r.passed) p = false;
  r.prov = start.prov ? *start.prov : Provenance{};
  // The combined rights as scalars, made into a Perms only where one is
  // stored: a Perms assembled field by field in memory and then copied whole
  // stalls the copy on store forwarding.
  bool w = start.above.w, u = start.above.u, nx = start.above.nx;
  PhysAddr table = start.table;
  const bool nxe = rq.mode.efer & x86::EFER_NXE;
  for (unsigned level = start.level; level >= 1; --level) {
    const unsigned shift = 12 + 9 * (level - 1);
    const PhysAddr epa = table + (((rq.linear >> shift) & 511) << 3);
    uint64_t pte = mem.read(epa, 8);
    ++r.mem_refs;
    WalkStep& st = r.steps[r.nsteps++];
    st = WalkStep{level, epa, pte, false, false, false, false, Check::None};
    if (!(pte & x86::PTE_P)) {
      st.failed = r.failed = Check::NotPresent;
      r.fail_level = level;
      return;
    }
    if (pte & reserved_mask(level, pte, nxe)) {
      st.failed = r.failed = Check::Reserved;
      r.fail_level = level;
      return;
    }
    w = w && (pte & x86::PTE_W);
    u = u && (pte & x86::PTE_U);
    nx = nx || (nxe && (pte & x86::PTE_NX));
    const bool leaf = level == 1 || (level <= 3 && (pte & x86::PTE_PS));
    st.leaf = leaf;
    if (!leaf) {
      if (!(pte & x86::PTE_A) && rq.side_effects) {
        mem.write(epa, 8, pte | x86::PTE_A);
        st.set_a = true;
        ++r.ad_writes;
      }
      r.prov.push(epa, pte | (rq.side_effects ? x86::PTE_A : 0));
      table = pte & x86::PHYS_ADDR_MASK;
      r.next_table[level] = table;
      r.through[level] = Perms{w, u, nx, false, 0};
      r.passed[level] = (pte & x86::PTE_A) || rq.side_effects;
      continue;
    }
    // The leaf: rights are decided on the combination of all levels (§4.6).
    r.size = PageSize(level - 1);
    const uint64_t mask = page_bytes(r.size) - 1;
    r.page = pte & x86::PHYS_ADDR_MASK & ~mask;
    r.global = pte & x86::PTE_G;
    const uint8_t pk = uint8_t((pte >> 59) & 0xF);
    if (rq.check_perms) {
      const Perms acc{w, u, nx, (pte & x86::PTE_D) != 0, pk};
      Check c = check_access(acc, rq.acc, rq.cls, rq.mode);
      if (c != Check::None) {
        st.failed = r.failed = c;
        r.fail_level = level;
        r.perms = acc;
        r.prov.push(epa, pte);
        return;
      }
    }
    if (rq.side_effects) {
      uint64_t upd = pte | x86::PTE_A;
      if (rq.acc == Access::Write) upd |= x86::PTE_D;
      if (upd != pte) {
        st.set_a = !(pte & x86::PTE_A);
        st.set_d = (upd & x86::PTE_D) && !(pte & x86::PTE_D);
        mem.write(epa, 8, upd);
        ++r.ad_writes;
        pte = upd;
      }
    }
    r.prov.push(epa, pte);
    r.perms = Perms{w, u, nx, (pte & x86::PTE_D) != 0, pk};
    r.ok = true;
    return;
  }
}  // (level 1 is always a leaf: the loop never ends by its condition)

const char* describe_flags(uint64_t raw, unsigned level, char* buf, unsigned len) {
  const bool large = level >= 2 && level <= 3 && (raw & x86::PTE_PS);
  const bool leaf = level == 1 || large;
  std::snprintf(buf, len, "%s%s%s%s%s%s%s%s%s%s%s", (raw & x86::PTE_P) ? "P" : "-",
                (raw & x86::PTE_W) ? " W" : " R", (raw & x86::PTE_U) ? " U" : " S",
                (raw & x86::PTE_PWT) ? " PWT" : "", (raw & x86::PTE_PCD) ? " PCD" : "",
                (raw & x86::PTE_A) ? " A" : "", (leaf && (raw & x86::PTE_D)) ? " D" : "",
                large ? " PS" : "", (leaf && (raw & x86::PTE_G)) ? " G" : "",
                (level == 1 && (raw & x86::PTE_PAT)) ? " PAT" : "",
                (raw & x86::PTE_NX) ? " NX" : "");
  return buf;
}

}  // namespace slot::mmu
