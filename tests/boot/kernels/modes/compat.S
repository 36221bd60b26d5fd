/* Compatibility mode (IA-32e with a CS.L=0 code segment, SDM Vol. 3A §3.2.4,
 * §5.8.3) and far transfers between it and 64-bit mode: far CALL / RET /
 * JMP through memory and immediate pointers, LRETQ, INT from compatibility
 * mode, and segment bases and limits, which compatibility mode honours and
 * 64-bit mode ignores for ES (§3.4.4). Each cm_* is callable from C; results
 * go to cm_out[]. */
#include "tests/boot/rt/layout.h"
    .set sel_rw_based, SEL_FREE + 0x00      /* set up by pm32.S: base 2 MiB, limit 0xFFF */

    .text
#define FN(n) .globl n; n:

    .code64
FN(cm_farcall)                  /* lcall m16:32 -> compat, lret back */
    push %rbx
    lcall *cm_ptr1(%rip)
    mov %eax, %eax              /* upper halves are undefined after compat mode */
    pop %rbx
    ret

FN(cm_lretq)                    /* lretq into compat; compat ljmp ptr16:32 back */
    push %rbx
    pushq $SEL_KCODE32
    lea cm_fn2(%rip), %rax
    push %rax
    lretq
cm_back2:
    mov %eax, %eax
    pop %rbx
    ret

FN(cm_ljmp)                     /* ljmp m16:32 -> compat; compat lcalls 64-bit code */
    push %rbx
    mov %rsp, cm_saved_rsp(%rip)
    ljmp *cm_ptr3(%rip)
cm_back3:
    mov cm_saved_rsp(%rip), %rsp
    mov %eax, %eax
    pop %rbx
    ret

FN(cm_intr)                     /* INT from compat mode through the 64-bit IDT */
    push %rbx
    lcall *cm_ptr4(%rip)
    mov %eax, %eax
    pop %rbx
    ret

FN(cm_base)                     /* ES base used in compat mode, ignored in 64-bit mode */
    push %rbx
    lcall *cm_ptr5(%rip)
    mov %eax, %eax
    mov %rax, cm_out+16(%rip)
    mov $sel_rw_based, %bx
    mov %bx, %es
    mov %es:0x200010, %eax      /* 64-bit mode: base treated as 0 */
    mov %rax, cm_out+24(%rip)
    mov $SEL_KDATA, %bx
    mov %bx, %es
    pop %rbx
    ret

FN(cm_limit)                    /* ES limit violated in compat mode: #GP(0) */
    push %rbx
    lcall *cm_ptr6(%rip)
    pop %rbx
    ret

/* 64-bit target of a far call from compatibility mode: return with a 32-bit
 * far RET (CB, no REX.W), popping the 4-byte EIP and CS that call pushed. */
cm_fn64:
    mov %cs, %eax
    mov %rax, cm_out+8(%rip)
    .byte 0xCB

    .code32
cm_fn1:
    mov %cs, %ebx
    mov $0x40, %eax
    .byte 0x40                  /* INC EAX in compat mode (a REX prefix in 64-bit mode) */
    shl $16, %ebx
    or %ebx, %eax
    lret

cm_fn2:
    mov %cs, %eax
    shl $16, %eax
    pushl $0x1234
    popw %ax                    /* 16-bit pop in compat mode: ax = 0x1234 */
    add $2, %esp
    ljmp $SEL_KCODE64, $cm_back2

cm_fn3:
    mov %cs, %eax
    mov %eax, cm_out
    lcall $SEL_KCODE64, $cm_fn64
    mov $0x3333, %eax
    ljmp $SEL_KCODE64, $cm_back3

cm_fn4:
    mov $0x4444, %eax
    int $0x45
    .globl cm_int_next
cm_int_next:
    lret

cm_fn5:
    mov $sel_rw_based, %bx
    mov %bx, %es
    mov %es:0x10, %eax          /* linear 2 MiB + 0x10 */
    mov $SEL_KDATA, %bx
    mov %bx, %es
    lret

cm_fn6:
    mov $sel_rw_based, %bx
    mov %bx, %es
    .globl cm_limit_at
cm_limit_at:
    mov %es:0x1000, %eax
    lret

    .data
    .align 8
cm_ptr1: .long cm_fn1
    .word SEL_KCODE32
cm_ptr3: .long cm_fn3
    .word SEL_KCODE32
cm_ptr4: .long cm_fn4
    .word SEL_KCODE32
cm_ptr5: .long cm_fn5
    .word SEL_KCODE32
cm_ptr6: .long cm_fn6
    .word SEL_KCODE32
    .align 8
cm_saved_rsp: .quad 0
    .globl cm_out
cm_out: .fill 4, 8, 0
