/* Exception-raising snippets for the `exceptions` kernel. Each `x_*` is a
 * function rt_try() can call; each `x_*_at` labels the instruction whose
 * address the saved RIP must equal (the faulting one for faults, the next one
 * for traps: SDM Vol. 3A §6.5 "Exception Classifications"). */
#include "tests/boot/rt/layout.h"

    .text
    .code64
#define CASE(name) .globl name; name:
#define AT(name) .globl name; name:

CASE(x_div0)                    /* #DE: divide by zero */
    mov $7, %eax
    xor %edx, %edx
    xor %ecx, %ecx
AT(x_div0_at)
    div %ecx
    mov %eax, x_result(%rip)
    mov %edx, x_result+4(%rip)
    ret

CASE(x_idiv_ovf)                /* #DE: INT32_MIN / -1 does not fit */
    mov $0x80000000, %eax
    cltd
    mov $-1, %ecx
AT(x_idiv_ovf_at)
    idiv %ecx
    ret

CASE(x_div8_ovf)                /* #DE: 0x1000 / 2 = 0x800 does not fit AL */
    mov $0x1000, %eax
    mov $2, %cl
AT(x_div8_ovf_at)
    div %cl
    ret

CASE(x_ud2)
AT(x_ud2_at)
    ud2
    ret

CASE(x_push_es)                 /* 0x06 is invalid in 64-bit mode (SDM Vol. 2 A.2.5) */
AT(x_push_es_at)
    .byte 0x06
    ret

CASE(x_into)                    /* INTO (0xCE) is invalid in 64-bit mode */
AT(x_into_at)
    .byte 0xCE
    ret

CASE(x_lock_reg)                /* LOCK with a register destination: #UD (SDM Vol. 2 "LOCK") */
AT(x_lock_reg_at)
    .byte 0xF0, 0x01, 0xC3      /* lock add %eax, %ebx */
    ret

CASE(x_mov_cr1)                 /* CR1 does not exist: #UD */
AT(x_mov_cr1_at)
    .byte 0x0F, 0x20, 0xC8      /* mov %cr1, %rax */
    ret

CASE(x_int3)
    int3
AT(x_int3_at)
    ret

CASE(x_int_3)                   /* the two-byte form CD 03 */
    int $3
AT(x_int_3_at)
    ret

CASE(x_int40)
    int $0x40
AT(x_int40_at)
    ret

CASE(x_int14)                   /* INT 14 pushes no error code (SDM Vol. 3A §6.13) */
    int $14
AT(x_int14_at)
    ret

CASE(x_int44)
AT(x_int44_at)
    int $0x44
    ret

CASE(x_noncanon)                /* data access to a non-canonical address: #GP(0) */
    movabs $0x8000000000000000, %rax
AT(x_noncanon_at)
    mov (%rax), %rax
    ret

CASE(x_noncanon_ss)             /* same through RBP (SS segment): #SS(0) (SDM Vol. 3A §6.15 #SS) */
    push %rbp
    movabs $0x8000000000000000, %rbp
AT(x_noncanon_ss_at)
    mov (%rbp), %rax
    pop %rbp
    ret

CASE(x_sel_limit)               /* selector beyond the GDT limit: #GP(selector) */
    mov $0x1000, %ax
AT(x_sel_limit_at)
    mov %ax, %ds
    ret

CASE(x_ss_rpl)                  /* SS with RPL != CPL: #GP(selector with RPL cleared) */
    mov $(SEL_UDATA | 3), %ax
AT(x_ss_rpl_at)
    mov %ax, %ss
    ret

CASE(x_ds_np)                   /* data segment with P = 0: #NP(selector) */
    mov $SEL_FREE, %ax
AT(x_ds_np_at)
    mov %ax, %ds
    ret

CASE(x_ds_exec)                 /* execute-only code segment into DS: #GP(selector) */
    mov $(SEL_FREE + 8), %ax
AT(x_ds_exec_at)
    mov %ax, %ds
    ret

CASE(x_rdmsr_bad)               /* an MSR that does not exist: #GP(0) */
    mov $0x4b564d99, %ecx
AT(x_rdmsr_bad_at)
    rdmsr
    ret

CASE(x_len15)                   /* 14 operand-size prefixes + NOP = 15 bytes: legal */
    .fill 14, 1, 0x66
    nop
    ret

CASE(x_len16)                   /* 15 prefixes + NOP = 16 bytes: #GP(0) (SDM Vol. 2 §2.3.11) */
AT(x_len16_at)
    .fill 15, 1, 0x66
    nop
    ret

CASE(x_far_null)                /* far jump to the null selector: #GP(0) */
    lea x_far_null_ptr(%rip), %rax
AT(x_far_null_at)
    ljmp *(%rax)
    ret

CASE(x_df_pf)                   /* #PF whose delivery faults on the stack: #DF */
    mov %rsp, %rbx
    movabs $0x700000001000, %rsp
    movabs $0x700000100000, %rax
    mov (%rax), %rax
    mov %rbx, %rsp
    ret

/* Single-step: TF set by POPF traps only after the next instruction (SDM Vol.
 * 3A §18.3.1.4); the POPF that clears TF still traps (TF was set when it ran). */
CASE(x_tf)
    pushfq
    orq $0x100, (%rsp)
    popfq
AT(x_tf_1)
    nop
AT(x_tf_2)
    nop
AT(x_tf_3)
    pushfq
AT(x_tf_4)
    andq $~0x100, (%rsp)
AT(x_tf_5)
    popfq
AT(x_tf_6)
    ret

    .data
    .globl x_result
    .align 8
x_result: .quad 0
x_far_null_ptr:
    .long 0                     /* offset */
    .word 0                     /* null selector */
