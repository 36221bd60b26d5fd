// CPU features the kernel needs or offers, checked once at boot.
#pragma once

void cpu_features_init();  // enables CR4.PCIDE for flush=pcid when the CPU has PCID
extern bool g_cpu_pcid;
inline bool cpu_has_pcid() { return g_cpu_pcid; }
void kinfo_init();         // fills the kernel-info page (abi::KInfo)
unsigned long kinfo_page();  // its physical address
