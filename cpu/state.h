// Architectural register state of one x86-64 logical processor. Plain data:
// the interpreter (cpu.h) owns one; snapshots copy it; the debugger engine
// reads it. RFLAGS' arithmetic bits live in a lazy form (flags.h) while the
// CPU runs; CpuState::rflags is the materialised view kept by Cpu.
#pragma once
#include <cstdint>

namespace slot::cpu {

enum Reg : uint8_t { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };
enum SegReg : uint8_t { ES, CS, SS, DS, FS, GS, SEG_NONE = 7 };

// A segment register with its hidden descriptor cache (SDM Vol. 3A §3.4.3).
struct Segment {
  uint16_t sel = 0;
  uint64_t base = 0;
  uint32_t limit = 0xFFFF;  // byte granular, already scaled by G
  uint16_t attr = 0;        // descriptor bits 40-47 (type,S,DPL,P) and 52-55 (AVL,L,D/B,G) as attr[0:7],[8:11]
  bool present() const { return attr & 0x80; }
  unsigned dpl() const { return (attr >> 5) & 3; }
  bool l() const { return attr & 0x200; }
  bool db() const { return attr & 0x400; }
  unsigned type() const { return attr & 0xF; }
  bool s() const { return attr & 0x10; }
};

struct TableReg { uint64_t base = 0; uint32_t limit = 0xFFFF; };

struct CpuState {
  uint64_t gpr[16] = {};
  uint64_t rip = 0;
  uint64_t rflags = 2;  // bit 1 always set
  Segment seg[6];
  Segment ldtr, tr;
  TableReg gdtr, idtr;
  uint64_t cr0 = 0x60000010, cr2 = 0, cr3 = 0, cr4 = 0, cr8 = 0;
  uint64_t dr[8] = {0, 0, 0, 0, 0, 0, 0xFFFF0FF0, 0x400};
  uint64_t efer = 0;
  uint64_t star = 0, lstar = 0, cstar = 0, fmask = 0, kernel_gs_base = 0, tsc_aux = 0;
  uint64_t pat = 0x0007040600070406ull;
  int64_t tsc_offset = 0;  // RDTSC = instruction count + offset
  int64_t tsc_adjust = 0;  // IA32_TSC_ADJUST: moves with every write to the TSC (SDM Vol. 3B §17.17.3)
  uint64_t sysenter_cs = 0, sysenter_esp = 0, sysenter_eip = 0;
  uint64_t misc_enable = 1;  // fast strings
  // MTRRs (SDM Vol. 3A §11.11): stored and checked; SlotLab has no cache
  // model, so the memory types change nothing else.
  uint64_t mtrr_def_type = 0;
  uint64_t mtrr_fixed[11] = {};  // FIX64K_00000, FIX16K_80000, FIX16K_A0000, FIX4K_C0000 .. FIX4K_F8000
  uint64_t mtrr_var[16] = {};    // PHYSBASE0, PHYSMASK0, ..., PHYSMASK7
  uint32_t pkru = 0, pkrs = 0;   // protection-key rights: user pages, supervisor pages (SDM Vol. 3A §4.6.2)
  uint8_t cpl() const { return seg[CS].sel & 3; }
};

}  // namespace slot::cpu
