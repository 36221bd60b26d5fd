/* Boot-test runtime layout, shared by assembly and C++ (plain #defines only).
 *
 * GDT: the layout SYSCALL/SYSRET need (SDM Vol. 3A §5.8.8): STAR[47:32] = 0x08
 * gives kernel CS 0x08 / SS 0x10; STAR[63:48] = 0x18 gives SYSRET's 64-bit
 * CS 0x18+16 = 0x28 and SS 0x18+8 = 0x20 (both with RPL 3). */
#pragma once

#define SEL_KCODE64 0x08
#define SEL_KDATA 0x10
#define SEL_UCODE32 0x18
#define SEL_UDATA 0x20
#define SEL_UCODE64 0x28
#define SEL_TSS 0x30
#define SEL_KCODE32 0x40
#define SEL_FREE 0x48   /* first of GDT_FREE_SLOTS descriptors tests may fill */
#define GDT_FREE_SLOTS 8

/* Software-interrupt vector with a DPL-3 gate that ends rt_run_user(). */
#define VEC_USER_EXIT 0xF0

/* Exit values written to isa-debug-exit (QEMU exits with (v << 1) | 1). */
#define EXIT_PASS 0x10   /* process exit status 33 */
#define EXIT_FAIL 0x11   /* process exit status 35 */
