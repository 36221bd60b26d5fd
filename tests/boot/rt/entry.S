/* Multiboot-1 entry of every boot-test kernel: 32-bit protected mode -> long mode.
 *
 * The multiboot loader hands us (Multiboot spec 0.6.96 §3.2): EAX = 0x2BADB002,
 * EBX = physical address of the info block, flat 32-bit CS/DS, paging off,
 * interrupts off; GDTR/IDTR/ESP undefined. We load our own GDT, zero .bss, run
 * an optional 32-bit hook (the `modes` kernel tests legacy segmentation there),
 * identity-map the first 1 GiB with 2 MiB pages, enable PAE + EFER.LME +
 * CR0.PG (SDM Vol. 3A §10.8.5 "Initializing IA-32e Mode") and far-jump into the
 * 64-bit code segment. Then rt_start64 (rt.cpp) takes over.
 */
#include "tests/boot/rt/layout.h"

    .section .multiboot, "a"
    .align 4
    .long 0x1BADB002                    /* magic */
    .long 0x00000003                    /* page-align modules, want memory info */
    .long -(0x1BADB002 + 0x00000003)    /* checksum */

    .section .text.entry, "ax"
    .code32
    .globl _start
_start:
    cli
    cld
    mov %eax, rt_mb_magic
    mov %ebx, rt_mb_info
    lgdt rt_gdt_ptr
    ljmp $SEL_KCODE32, $1f
1:  mov $SEL_KDATA, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %ax, %fs
    mov %ax, %gs
    /* Zero .bss (the stack lives there too, so before any call). */
    mov $__bss_start, %edi
    mov $__bss_end, %ecx
    sub %edi, %ecx
    xor %eax, %eax
    rep stosb
    .globl rt_entry_bss_done        /* where the lockstep test starts: after the long REP STOSB */
rt_entry_bss_done:
    mov $rt_stack_top, %esp

    /* Optional 32-bit protected-mode hook (weak: address 0 when absent). */
    mov $rt_pm32_hook, %eax
    test %eax, %eax
    jz 2f
    call *%eax
    lgdt rt_gdt_ptr
    ljmp $SEL_KCODE32, $2f
2:  mov $SEL_KDATA, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss

    /* PML4[0] -> PDPT, PDPT[0] -> PD, PD[i] = i * 2 MiB (P|W|PS). */
    mov $rt_pml4, %edi
    mov $rt_pdpt, %eax
    or $0x3, %eax
    mov %eax, (%edi)
    mov $rt_pdpt, %edi
    mov $rt_pd, %eax
    or $0x3, %eax
    mov %eax, (%edi)
    mov $rt_pd, %edi
    mov $0x83, %eax
    mov $512, %ecx
3:  mov %eax, (%edi)
    movl $0, 4(%edi)
    add $0x200000, %eax
    add $8, %edi
    loop 3b

    mov %cr4, %eax
    or $0x20, %eax                      /* CR4.PAE */
    mov %eax, %cr4
    mov $rt_pml4, %eax
    mov %eax, %cr3
    mov $0xC0000080, %ecx               /* IA32_EFER */
    rdmsr
    or $0x100, %eax                     /* EFER.LME */
    wrmsr
    mov %cr0, %eax
    or $0x80000001, %eax                /* CR0.PG | CR0.PE -> EFER.LMA = 1 */
    mov %eax, %cr0
    ljmp $SEL_KCODE64, $long_entry

    .code64
long_entry:
    mov $SEL_KDATA, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %eax, %eax
    mov %ax, %fs
    mov %ax, %gs
    mov $rt_stack_top, %rsp
    call rt_start64
4:  hlt
    jmp 4b

    .weak rt_pm32_hook

/* ---- GDT (selectors in layout.h). The TSS descriptor is filled in by rt_init. */
    .section .data
    .align 16
    .globl rt_gdt
rt_gdt:
    .quad 0                             /* 0x00 null */
    .quad 0x00AF9A000000FFFF            /* 0x08 kernel code, 64-bit (L=1) */
    .quad 0x00CF92000000FFFF            /* 0x10 kernel data, flat */
    .quad 0x00CFFA000000FFFF            /* 0x18 user code, 32-bit (SYSRET CS-16) */
    .quad 0x00CFF2000000FFFF            /* 0x20 user data, flat */
    .quad 0x00AFFA000000FFFF            /* 0x28 user code, 64-bit */
    .quad 0, 0                          /* 0x30 TSS (16 bytes) */
    .quad 0x00CF9A000000FFFF            /* 0x40 kernel code, 32-bit */
    .fill GDT_FREE_SLOTS, 8, 0          /* 0x48.. free for tests */
rt_gdt_end:
    .globl rt_gdt_ptr
    .align 8
    .word 0
rt_gdt_ptr:
    .word rt_gdt_end - rt_gdt - 1
    .quad rt_gdt

    .globl rt_mb_magic, rt_mb_info
rt_mb_magic: .long 0
rt_mb_info:  .long 0

    .section .bss
    .align 4096
    .globl rt_pml4, rt_pdpt, rt_pd
rt_pml4: .skip 4096
rt_pdpt: .skip 4096
rt_pd:   .skip 4096
    .globl rt_stack_top
    .skip 16384
rt_stack_top:
