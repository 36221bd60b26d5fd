#include "ui/model/glossary.h"

#include <sstream>

namespace slot::ui {

const char* glossary(const std::string& t) {
  // SDM Vol. 3A chapter 4 (paging) in a sentence each.
  if (t == "P") return "P (present): the entry maps something; clear, any access through it faults (#PF).";
  if (t == "W") return "W (writable): writes allowed (for ring 3 always; for ring 0 only if CR0.WP=1).";
  if (t == "U") return "U (user): ring 3 may use the mapping; clear, only the kernel may (SMAP/SMEP restrict the kernel too).";
  if (t == "A") return "A (accessed): set by the CPU when a walk uses the entry; the OS clears it to find unused pages.";
  if (t == "D") return "D (dirty): set by the CPU on the first write through a leaf entry.";
  if (t == "G") return "G (global): the translation survives CR3 loads (CR4.PGE=1); only INVLPG, INVPCID or clearing "
                      "CR4.PGE removes it. Kernels mark their own mappings global.";
  if (t == "NX") return "NX (no-execute, XD): instruction fetches through it fault (EFER.NXE=1).";
  if (t == "PS") return "PS (page size): this PDPTE or PDE maps a 1 GiB or 2 MiB page itself; the walk ends here.";
  if (t == "PWT" || t == "PCD") return "PWT/PCD: the memory type (write-through / cache disable) of what the entry maps.";
  if (t == "PCID") return "PCID (process-context identifier, CR3 bits 11:0 with CR4.PCIDE=1): TLB entries are tagged "
                          "with it, so a CR3 load need not flush the entries of other address spaces.";
  if (t == "PSC") return "PSC (paging-structure cache): the CPU also caches upper-level entries (PML4E, PDPTE, PDE) so "
                         "a TLB miss can skip levels of the walk; INVLPG and CR3 loads invalidate them too (SDM 4.10.3).";
  if (t == "STALE") return "STALE: the TLB still holds a translation the page tables no longer have. Legal until the OS "
                           "invalidates it (INVLPG, CR3 load); a kernel that forgets is wrong (SDM 4.10.4).";
  if (t == "CR3") return "CR3: the physical address of the PML4 (and the PCID); loading it switches address space and "
                         "flushes the non-global entries of that PCID.";
  if (t == "PML4E" || t == "PDPTE" || t == "PDE" || t == "PTE")
    return "A 4-level walk: PML4E (bits 47:39 of the address) -> PDPTE (38:30) -> PDE (29:21) -> PTE (20:12); each "
           "entry holds the physical address of the next table.";
  return "";
}

std::string explain_bits(const std::string& bits) {
  std::istringstream in(bits);
  std::string w, out;
  while (in >> w) {
    if (w == "->") break;
    const char* g = glossary(w);
    if (*g) out += std::string(out.empty() ? "" : "\n") + g;
  }
  return out;
}

}  // namespace slot::ui
