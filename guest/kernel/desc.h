// Descriptor tables and legacy devices the kernel owns: GDT (with the TSS and
// its I/O permission bitmap), IDT, SYSCALL MSRs, the 8259 PIC and the 8254 PIT.
#pragma once
#include <stdint.h>

void gdt_tss_init();
void idt_init();
void syscall_msrs_init();
void pic_pit_init(unsigned hz);          // IRQ0 only, at `hz`
void pic_eoi();
// TSS.RSP0, the stack of a ring-3 interrupt (at offset 4 of the TSS: unaligned).
typedef uint64_t TssWord __attribute__((aligned(1), may_alias));
extern TssWord* const g_tss_rsp0;
inline void tss_set_rsp0(uint64_t rsp0) { *g_tss_rsp0 = rsp0; }
// I/O permission bitmap (SDM Vol. 1 §19.5.2): allow or deny ring-3 access to
// ports [first, first+count). Everything starts denied.
void io_permit(uint16_t first, uint16_t count, bool allow);
bool io_permitted(uint16_t port);
