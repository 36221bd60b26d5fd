// The register frame every kernel entry builds (entry.S) and the dispatchers
// that receive it.
#pragma once
#include <stdint.h>

struct TrapFrame {
  uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
  uint64_t vector, error;
  uint64_t rip, cs, rflags, rsp, ss;  // pushed by the CPU (or by syscall_entry)
};
static_assert(sizeof(TrapFrame) == 22 * 8);

inline constexpr uint64_t VEC_TIMER = 32;  // PIC IRQ0 remapped
inline constexpr uint64_t VEC_BLK = 48;        // the disk, through the I/O APIC (blkdev.cpp)
inline constexpr uint64_t VEC_SPURIOUS = 63;   // the local APIC's spurious vector: no EOI
inline constexpr unsigned NUM_VECTORS = 64;    // stubs in entry.S; the IDT holds these
inline constexpr uint64_t VEC_SYSCALL = 0x100;
inline constexpr uint16_t KERNEL_CS = 0x08, KERNEL_DS = 0x10, USER_DS = 0x23, USER_CS = 0x2B, TSS_SEL = 0x30;

extern "C" void trap_dispatch(TrapFrame* f);
extern "C" void syscall_dispatch(TrapFrame* f);
extern "C" void trap_return();
extern "C" void resume_user_frame();  // rsp = kstack_top - sizeof(TrapFrame), then trap_return
extern "C" void syscall_entry();
extern "C" void switch_stacks(uint64_t* save_rsp, uint64_t new_rsp);
extern "C" const uint64_t trap_vectors[NUM_VECTORS];
extern "C" uint64_t kstack_top;

inline bool from_user(const TrapFrame* f) { return (f->cs & 3) == 3; }
