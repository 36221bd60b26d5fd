// The worked page walk of docs/mmu.md: a guest-like layout (kernel in the
// upper half on a global 2M page, the module area in PML4 slot 1), walked
// before and after a cross-module PML4E swap that forgot to invalidate.
// SLOTLAB_PRINT_WALK=1 prints what the docs show.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "mmu/format.h"
#include "mmu/mmu.h"
#include "tests/mmu/pt_builder.h"

namespace slot::mmu::test {
namespace {

TEST(MmuWorkedWalk, ModuleAreaWalkAndStaleVerdict) {
  PhysMemory mem(16 << 20);
  PtBuilder pt(mem, 0x10'0000);
  const uint64_t kernel = 0xFFFF'8000'0000'0000ull, module = x86::SLOT_SIZE + 0x40'3000;
  pt.map(kernel, 0x20'0000, PageSize::M2, x86::PTE_P | x86::PTE_W | x86::PTE_G, x86::PTE_P | x86::PTE_W);
  pt.map(module, 0x80'3000, PageSize::K4, x86::PTE_P | x86::PTE_U | x86::PTE_NX);
  Mmu mmu(mem, "skylake");
  mmu.reset_mode(PagingMode{kCr0 | x86::CR0_WP, pt.cr3, kCr4 | x86::CR4_PGE, kEfer});
  PhysAddr pa;
  Fault f;
  ASSERT_TRUE(mmu.translate(module + 0x10, Access::Read, AccessCtx{3, false, false}, pa, f));
  const DebugWalk before = mmu.debug_walk(module + 0x10, Access::Read, AccessCtx{3, false, false});
  // The module slot is pointed at another module's PDPT, without INVLPG.
  const uint64_t pdpt2 = pt.alloc();
  const uint64_t old = pt.get(module, 4);
  pt.set(module, 4, pdpt2 | kPWU);
  pt.map(module, 0x90'3000, PageSize::K4, x86::PTE_P | x86::PTE_U);
  const DebugWalk after = mmu.debug_walk(module + 0x10, Access::Read, AccessCtx{3, false, false});
  const DebugWalk kwalk = mmu.debug_walk(kernel + 0x1234, Access::Write, AccessCtx{3, false, false});
  if (std::getenv("SLOTLAB_PRINT_WALK")) {
    std::printf("%s\n(PML4E 1 rewritten from 0x%llx to 0x%llx, no INVLPG)\n\n%s\n%s", format_walk(before).c_str(),
                (unsigned long long)old, (unsigned long long)(pdpt2 | kPWU), format_walk(after).c_str(),
                format_walk(kwalk).c_str());
  }
  ASSERT_EQ(before.steps.size(), 4u);
  EXPECT_TRUE(before.ok);
  EXPECT_EQ(before.pa, 0x80'3010u);
  EXPECT_TRUE(before.tlb_hit);
  EXPECT_FALSE(before.tlb_stale);
  EXPECT_EQ(before.psc_level, 2u);
  EXPECT_EQ(after.pa, 0x90'3010u);
  EXPECT_TRUE(after.tlb_stale);
  EXPECT_FALSE(kwalk.ok);  // a user write to a supervisor page
  EXPECT_EQ(kwalk.error_code, x86::PF_P | x86::PF_W | x86::PF_U);
  EXPECT_EQ(kwalk.steps.size(), 3u);
  EXPECT_NE(format_walk(after).find("STALE"), std::string::npos);
}

}  // namespace
}  // namespace slot::mmu::test
