/* Legacy 32-bit protected-mode probes, run by the entry stub before long mode
 * (rt_pm32_hook). Segment bases and limits (SDM Vol. 3A §3.4.5, §5.3),
 * expand-down segments, read-only segments, null selectors, and EIP relative
 * to a code segment's base. Faults go through a small 32-bit IDT whose
 * handler records (vector, error, EIP) and resumes at pm_resume in the flat
 * 32-bit code segment. Results land in pm_res[] for kmain to judge. */
#include "tests/boot/rt/layout.h"

/* .set, not #define: the probes below pass them inside quoted macro arguments. */
    .set sel_rw_based, SEL_FREE + 0x00      /* data RW, base 2 MiB, limit 0xFFF */
    .set sel_ro_based, SEL_FREE + 0x08      /* data RO, base 2 MiB, limit 0xFFFF */
    .set sel_expdown, SEL_FREE + 0x10       /* data RW expand-down, base 0, limit 0xFFF, B=1 */
    .set sel_code_based, SEL_FREE + 0x18    /* code 32-bit, base 1 MiB, limit 0xFFFFF */
    .set sel_code_short, SEL_FREE + 0x20    /* code 32-bit, base 1 MiB, limit ends before pm_landing */
    .set sel_kdata, SEL_KDATA
    .set data_base, 0x200000
    .set code_base, 0x100000
    .set no_fault, 0xFFFFFFFF

    .text
    .code32
    .globl rt_pm32_hook
rt_pm32_hook:
    pusha
    lidt pm_idtr
    mov $pm_np, %eax                    /* gate offsets: low half, high half */
    mov %ax, pm_idt + 11 * 8
    shr $16, %eax
    mov %ax, pm_idt + 11 * 8 + 6
    mov $pm_ss, %eax
    mov %ax, pm_idt + 12 * 8
    shr $16, %eax
    mov %ax, pm_idt + 12 * 8 + 6
    mov $pm_gp, %eax
    mov %ax, pm_idt + 13 * 8
    shr $16, %eax
    mov %ax, pm_idt + 13 * 8 + 6
    /* Fill the test descriptors (limit 15:0 | base 23:0 << 16 | access << 40 | flags, limit 19:16 << 48). */
    movl $0x00000FFF, rt_gdt + sel_rw_based
    movl $0x00409220, rt_gdt + sel_rw_based + 4
    movl $0x0000FFFF, rt_gdt + sel_ro_based
    movl $0x00409020, rt_gdt + sel_ro_based + 4
    movl $0x00000FFF, rt_gdt + sel_expdown
    movl $0x00409600, rt_gdt + sel_expdown + 4
    movl $0x0000FFFF, rt_gdt + sel_code_based
    movl $0x004F9A10, rt_gdt + sel_code_based + 4
    movl $(pm_landing - code_base - 1), rt_gdt + sel_code_short   /* base 15:0 = 0, limit < 64 KiB */
    movl $0x00409A10, rt_gdt + sel_code_short + 4
    movl $0, data_base + 0x10
    movl $0xCAFEBABE, data_base + 0xFFC

/* PROBE n, setup, insn: run `setup`, then `insn` at label pm_at_n; record
 * (vector or no_fault, error, fault EIP, eax) into pm_res[n]. */
.macro PROBE n, setup, insn
    movl $no_fault, pm_vec
    movl $0, pm_err
    movl $0, pm_eip
    movl $9f, pm_resume
    movl $9f, pm_back
    xor %eax, %eax
    \setup
    .globl pm_at_\n
pm_at_\n:
    \insn
9:  mov %eax, pm_res + 16 * \n + 12
    mov pm_vec, %eax
    mov %eax, pm_res + 16 * \n
    mov pm_err, %eax
    mov %eax, pm_res + 16 * \n + 4
    mov pm_eip, %eax
    mov %eax, pm_res + 16 * \n + 8
    mov $SEL_KDATA, %ax
    mov %ax, %es
    mov %ax, %fs
.endm

    PROBE 0, "mov $sel_rw_based, %bx; mov %bx, %es", "movl $0x12345678, %es:0x10; mov data_base + 0x10, %eax"
    PROBE 1, "mov $sel_rw_based, %bx; mov %bx, %es", "mov %es:0x1000, %eax"
    PROBE 2, "mov $sel_rw_based, %bx; mov %bx, %es", "mov %es:0xFFE, %eax"
    PROBE 3, "mov $sel_rw_based, %bx; mov %bx, %es", "mov %es:0xFFC, %eax"
    PROBE 4, "mov $sel_ro_based, %bx; mov %bx, %es", "mov %eax, %es:0x20"
    PROBE 5, "mov $sel_ro_based, %bx; mov %bx, %es", "mov %es:0x10, %eax"
    PROBE 6, "mov $sel_expdown, %bx; mov %bx, %es", "mov %es:0x800, %eax"
    PROBE 7, "mov $sel_expdown, %bx; mov %bx, %es", "mov %es:data_base + 0x10, %eax"
    PROBE 8, "xor %ebx, %ebx; mov %bx, %es", "mov %es:0, %eax"
    PROBE 9, "mov $sel_rw_based, %bx; mov %bx, %fs", "mov %fs:0x10, %eax"
    PROBE 10, "mov $0x1000, %bx", "mov %bx, %es"
    PROBE 11, "", "ljmp $sel_code_based, $(pm_based_code - code_base)"
    PROBE 12, "", "ljmp $sel_code_short, $(pm_short_code - code_base)"

    popa
    ret

/* Runs in sel_code_based: EIP counts from the segment base (1 MiB). */
pm_based_code:
    call pm_based_ret
    .globl pm_based_ret
pm_based_ret:
    pop %eax                            /* = offset of pm_based_ret within the segment */
    ljmp *pm_back                       /* far pointer: flat CS, back into the probe */

/* Runs in sel_code_short, whose limit ends just before pm_landing: the JMP's
 * target is beyond the limit, so the JMP itself raises #GP(0) (SDM Vol. 2
 * "JMP"). An implementation that skips the check lands on pm_landing and the
 * probe records "no fault" instead of running away. */
    .globl pm_short_code
pm_short_code:
    jmp pm_landing
pm_landing:
    ljmp *pm_back

/* The 32-bit fault handler. Frame (no privilege change): [err] eip cs eflags. */
pm_gp:  push $13
        jmp pm_common
pm_ss:  push $12
        jmp pm_common
pm_np:  push $11
        jmp pm_common
pm_common:
    pop pm_vec
    pop pm_err
    push %eax
    mov 4(%esp), %eax
    mov %eax, pm_eip
    mov pm_resume, %eax
    mov %eax, 4(%esp)                   /* resume EIP */
    movl $SEL_KCODE32, 8(%esp)          /* in the flat code segment */
    pop %eax
    iret

    .data
    .align 8
pm_idt:
    .fill 11, 8, 0
    .word 0, SEL_KCODE32, 0x8E00, 0     /* 11 #NP, offsets patched below */
    .word 0, SEL_KCODE32, 0x8E00, 0     /* 12 #SS */
    .word 0, SEL_KCODE32, 0x8E00, 0     /* 13 #GP */
pm_idt_end:
    .word 0
pm_idtr:
    .word pm_idt_end - pm_idt - 1
    .long pm_idt
pm_vec: .long 0
pm_err: .long 0
pm_eip: .long 0
pm_resume: .long 0
pm_back: .long 0
    .word SEL_KCODE32
    .globl pm_res
    .align 16
pm_res: .fill 16 * 13, 1, 0
