#include "guest/kernel/cpufeat.h"

#include "guest/include/slotlab_abi.h"
#include "guest/kernel/config.h"
#include "guest/kernel/kprintf.h"
#include "guest/kernel/module.h"
#include "guest/kernel/vm.h"
#include "guest/kernel/x86.h"
#include "mmu/arch.h"

bool g_cpu_pcid;

namespace {
uint64_t g_kinfo;
}

void cpu_features_init() {
  g_cpu_pcid = cpu::cpuid(1).c >> 17 & 1;  // CPUID.01H:ECX.PCID[bit 17]
  if (g_cfg.flush == Flush::Pcid && g_cpu_pcid) {
    // CR4.PCIDE may be set only in IA-32e mode with CR3[11:0] = 0 (SDM Vol. 3A §4.10.1).
    cpu::write_cr4(cpu::read_cr4() | x86::CR4_PCIDE);
  }
}

void kinfo_init() {
  g_kinfo = alloc_zeroed_page();
  auto* k = phys_ptr<abi::KInfo>(g_kinfo);
  k->mode = (uint32_t)g_cfg.mode;
  k->flush = (uint32_t)g_cfg.flush;
  for (uint32_t i = 0; i < 32; ++i)
    if (Module* m = module_get(i)) k->main[i] = m->info.main_addr;
}

unsigned long kinfo_page() { return g_kinfo; }
