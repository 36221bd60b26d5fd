// Architectural constants of x86-64 that both the emulator and the guest
// kernel use, so the two cannot disagree about a bit. Freestanding: only
// <stdint.h>, no host headers, no code. Intel SDM Vol. 3A ch. 2 (control
// registers), ch. 4 (paging), ch. 6 (interrupts); Vol. 4 (MSRs).
#pragma once
#include <stdint.h>

namespace x86 {

// Paging-structure entry bits (SDM Vol. 3A §4.5, tables 4-14 .. 4-20).
inline constexpr uint64_t PTE_P = 1ull << 0;
inline constexpr uint64_t PTE_W = 1ull << 1;
inline constexpr uint64_t PTE_U = 1ull << 2;
inline constexpr uint64_t PTE_PWT = 1ull << 3;
inline constexpr uint64_t PTE_PCD = 1ull << 4;
inline constexpr uint64_t PTE_A = 1ull << 5;
inline constexpr uint64_t PTE_D = 1ull << 6;
inline constexpr uint64_t PTE_PS = 1ull << 7;   // in PDPTE/PDE: maps a 1G/2M page
inline constexpr uint64_t PTE_PAT = 1ull << 7;  // in a PTE
inline constexpr uint64_t PTE_G = 1ull << 8;
inline constexpr uint64_t PTE_PAT_LARGE = 1ull << 12;
inline constexpr uint64_t PTE_NX = 1ull << 63;
inline constexpr uint64_t PTE_ADDR = 0x000F'FFFF'FFFF'F000ull;  // MAXPHYADDR = 52 max

// Page-fault error code (SDM Vol. 3A §4.7).
inline constexpr uint32_t PF_P = 1u << 0;
inline constexpr uint32_t PF_W = 1u << 1;
inline constexpr uint32_t PF_U = 1u << 2;
inline constexpr uint32_t PF_RSVD = 1u << 3;
inline constexpr uint32_t PF_I = 1u << 4;
inline constexpr uint32_t PF_PK = 1u << 5;  // a protection key denied the access (§4.7)

// CR0 / CR4 (SDM Vol. 3A §2.5).
inline constexpr uint64_t CR0_PE = 1ull << 0;
inline constexpr uint64_t CR0_MP = 1ull << 1;
inline constexpr uint64_t CR0_EM = 1ull << 2;
inline constexpr uint64_t CR0_TS = 1ull << 3;
inline constexpr uint64_t CR0_ET = 1ull << 4;
inline constexpr uint64_t CR0_NE = 1ull << 5;
inline constexpr uint64_t CR0_WP = 1ull << 16;
inline constexpr uint64_t CR0_AM = 1ull << 18;
inline constexpr uint64_t CR0_NW = 1ull << 29;
inline constexpr uint64_t CR0_CD = 1ull << 30;
inline constexpr uint64_t CR0_PG = 1ull << 31;

inline constexpr uint64_t CR4_VME = 1ull << 0;
inline constexpr uint64_t CR4_PVI = 1ull << 1;
inline constexpr uint64_t CR4_TSD = 1ull << 2;
inline constexpr uint64_t CR4_DE = 1ull << 3;
inline constexpr uint64_t CR4_PSE = 1ull << 4;
inline constexpr uint64_t CR4_PAE = 1ull << 5;
inline constexpr uint64_t CR4_MCE = 1ull << 6;
inline constexpr uint64_t CR4_PGE = 1ull << 7;
inline constexpr uint64_t CR4_PCE = 1ull << 8;
inline constexpr uint64_t CR4_OSFXSR = 1ull << 9;
inline constexpr uint64_t CR4_OSXMMEXCPT = 1ull << 10;
inline constexpr uint64_t CR4_UMIP = 1ull << 11;
inline constexpr uint64_t CR4_FSGSBASE = 1ull << 16;
inline constexpr uint64_t CR4_PCIDE = 1ull << 17;
inline constexpr uint64_t CR4_SMEP = 1ull << 20;
inline constexpr uint64_t CR4_SMAP = 1ull << 21;
inline constexpr uint64_t CR4_PKE = 1ull << 22;
inline constexpr uint64_t CR4_PKS = 1ull << 24;

inline constexpr uint64_t CR3_NOFLUSH = 1ull << 63;  // with CR4.PCIDE=1 (SDM Vol. 3A §4.10.4.1)
inline constexpr uint64_t CR3_PCID_MASK = 0xFFF;

// EFER and other MSRs (SDM Vol. 4).
inline constexpr uint64_t EFER_SCE = 1ull << 0;
inline constexpr uint64_t EFER_LME = 1ull << 8;
inline constexpr uint64_t EFER_LMA = 1ull << 10;
inline constexpr uint64_t EFER_NXE = 1ull << 11;

inline constexpr uint32_t MSR_TSC = 0x10;
inline constexpr uint32_t MSR_APIC_BASE = 0x1B;
inline constexpr uint32_t MSR_TSC_DEADLINE = 0x6E0;
inline constexpr uint32_t MSR_PKRS = 0x6E1;
inline constexpr uint32_t MSR_PLATFORM_ID = 0x17;
inline constexpr uint32_t MSR_TSC_ADJUST = 0x3B;
inline constexpr uint32_t MSR_BIOS_SIGN_ID = 0x8B;
inline constexpr uint32_t MSR_MTRRCAP = 0xFE;
inline constexpr uint32_t MSR_SYSENTER_CS = 0x174;
inline constexpr uint32_t MSR_SYSENTER_ESP = 0x175;
inline constexpr uint32_t MSR_SYSENTER_EIP = 0x176;
inline constexpr uint32_t MSR_MCG_CAP = 0x179;
inline constexpr uint32_t MSR_MCG_STATUS = 0x17A;
inline constexpr uint32_t MSR_MISC_ENABLE = 0x1A0;
inline constexpr uint32_t MSR_MTRR_PHYS_FIRST = 0x200;  // PHYSBASE0, PHYSMASK0, ... PHYSMASK7 (0x20F)
inline constexpr uint32_t MSR_MTRR_DEF_TYPE = 0x2FF;
inline constexpr uint32_t MSR_X2APIC_FIRST = 0x800;  // x2APIC registers: 0x800 + xAPIC offset / 16
inline constexpr uint32_t MSR_X2APIC_LAST = 0x8FF;
// IA32_APIC_BASE (SDM Vol. 3A §10.4.4, §10.12.1).
inline constexpr uint64_t APIC_BASE_BSP = 1ull << 8;
inline constexpr uint64_t APIC_BASE_EXTD = 1ull << 10;  // x2APIC mode
inline constexpr uint64_t APIC_BASE_EN = 1ull << 11;    // globally enabled
inline constexpr uint64_t APIC_DEFAULT_BASE = 0xFEE00000;
inline constexpr uint32_t MSR_PAT = 0x277;
inline constexpr uint32_t MSR_EFER = 0xC0000080;
inline constexpr uint32_t MSR_STAR = 0xC0000081;
inline constexpr uint32_t MSR_LSTAR = 0xC0000082;
inline constexpr uint32_t MSR_CSTAR = 0xC0000083;
inline constexpr uint32_t MSR_FMASK = 0xC0000084;
inline constexpr uint32_t MSR_FS_BASE = 0xC0000100;
inline constexpr uint32_t MSR_GS_BASE = 0xC0000101;
inline constexpr uint32_t MSR_KERNEL_GS_BASE = 0xC0000102;
inline constexpr uint32_t MSR_TSC_AUX = 0xC0000103;

// RFLAGS (SDM Vol. 1 §3.4.3, Vol. 3A §2.3).
inline constexpr uint64_t FL_CF = 1ull << 0;
inline constexpr uint64_t FL_PF = 1ull << 2;
inline constexpr uint64_t FL_AF = 1ull << 4;
inline constexpr uint64_t FL_ZF = 1ull << 6;
inline constexpr uint64_t FL_SF = 1ull << 7;
inline constexpr uint64_t FL_TF = 1ull << 8;
inline constexpr uint64_t FL_IF = 1ull << 9;
inline constexpr uint64_t FL_DF = 1ull << 10;
inline constexpr uint64_t FL_OF = 1ull << 11;
inline constexpr uint64_t FL_IOPL = 3ull << 12;
inline constexpr uint64_t FL_NT = 1ull << 14;
inline constexpr uint64_t FL_RF = 1ull << 16;
inline constexpr uint64_t FL_VM = 1ull << 17;
inline constexpr uint64_t FL_AC = 1ull << 18;
inline constexpr uint64_t FL_VIF = 1ull << 19;
inline constexpr uint64_t FL_VIP = 1ull << 20;
inline constexpr uint64_t FL_ID = 1ull << 21;
// Every RFLAGS bit the architecture defines (SDM Vol. 1 §3.4.3, Figure 3-8);
// bit 1 always reads 1 and the others always read 0.
inline constexpr uint64_t FL_DEFINED = FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_TF | FL_IF | FL_DF | FL_OF |
                                       FL_IOPL | FL_NT | FL_RF | FL_VM | FL_AC | FL_VIF | FL_VIP | FL_ID;
inline constexpr uint64_t FL_RESERVED_ONE = 1ull << 1;
static_assert(FL_DEFINED == 0x3F7FD5);

// Exception vectors (SDM Vol. 3A §6.3.1).
inline constexpr uint8_t VEC_DE = 0, VEC_DB = 1, VEC_NMI = 2, VEC_BP = 3, VEC_OF = 4, VEC_BR = 5,
                         VEC_UD = 6, VEC_NM = 7, VEC_DF = 8, VEC_TS = 10, VEC_NP = 11, VEC_SS = 12,
                         VEC_GP = 13, VEC_PF = 14, VEC_MF = 16, VEC_AC = 17, VEC_MC = 18, VEC_XM = 19;

// Paging geometry.
inline constexpr unsigned PAGE_SHIFT = 12;
inline constexpr uint64_t PAGE_SIZE = 1ull << PAGE_SHIFT;
inline constexpr uint64_t PAGE_2M = 1ull << 21;
inline constexpr uint64_t PAGE_1G = 1ull << 30;
inline constexpr uint64_t SLOT_SIZE = 1ull << 39;  // one PML4 entry: 512 GiB
constexpr unsigned pml4_slot(uint64_t va) { return (unsigned)((va >> 39) & 511); }

// Physical-address width of the emulated CPU (CPUID.80000008H:EAX[7:0]). 40
// is what QEMU's TCG CPUs report, so reserved-bit faults agree with QEMU: bits
// 51:MAXPHYADDR of every paging entry and of CR3 are reserved (SDM Vol. 3A
// §4.5, tables 4-14 .. 4-20).
inline constexpr unsigned MAXPHYADDR = 40;
inline constexpr uint64_t PHYS_ADDR_MASK = ((1ull << MAXPHYADDR) - 1) & ~0xFFFull;
inline constexpr unsigned LINEAR_ADDR_BITS = 48;  // 4-level paging
// Bits 63:47 all equal (SDM Vol. 1 §3.3.7.1).
constexpr bool is_canonical(uint64_t a) {
  const int64_t s = int64_t(a) >> (LINEAR_ADDR_BITS - 1);
  return s == 0 || s == -1;
}

// Ports the emulator and QEMU agree on.
inline constexpr uint16_t PORT_COM1 = 0x3F8;
inline constexpr uint16_t PORT_DEBUG_EXIT = 0xF4;  // isa-debug-exit: status = (v << 1) | 1

}  // namespace x86
