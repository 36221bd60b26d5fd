/* Interrupt entry stubs and the fault-catching primitives of the boot-test runtime.
 *
 * Each of the 256 stubs is 16 bytes at rt_isr_stubs + 16 * vector. Vectors
 * whose exceptions push an error code (SDM Vol. 3A §6.3.1, table 6-1: 8, 10-14,
 * 17, 21, 29, 30) get no dummy push; all others push 0 so every frame looks
 * alike: [r15 .. rax][vector][error][rip cs rflags rsp ss] (struct Frame, rt.h).
 */
#include "tests/boot/rt/layout.h"

    .text
    .code64
    .align 16
    .globl rt_isr_stubs
rt_isr_stubs:
    .set vec, 0
    .rept 256
    .org rt_isr_stubs + 16 * vec      /* fails to assemble if a stub outgrew 16 bytes */
    .if !(vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 || vec == 29 || vec == 30)
    push $0
    .endif
    push $vec
    jmp trap_common
    .set vec, vec + 1
    .endr

trap_common:
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, %rdi
    cld
    call rt_trap
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
    add $16, %rsp
    iretq

/* int rt_try(void (*fn)(void *), void *arg)
 * Calls fn(arg). Returns 0 if fn returns, 1 if an exception nobody handled
 * (or a VEC_USER_EXIT) unwound it; rt_trap then filled rt_fault. */
    .globl rt_try
rt_try:
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    sub $8, %rsp
    mov %rsp, rt_jmp_rsp(%rip)
    movb $1, rt_armed(%rip)
    mov %rdi, %rax
    mov %rsi, %rdi
    call *%rax
    movb $0, rt_armed(%rip)
    xor %eax, %eax
    jmp 1f
    .globl rt_try_recover
rt_try_recover:                 /* rt_trap iretq's here with RSP = rt_jmp_rsp */
    mov $1, %eax
1:  add $8, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    ret

/* int rt_run_user(uint64_t rip, uint64_t rsp, uint64_t rflags, uint64_t rdi)
 * Enters ring 3 (CS = SEL_UCODE64|3, SS = SEL_UDATA|3) with iretq. Returns 1
 * once user code executes `int $VEC_USER_EXIT` or faults (see rt_fault). */
    .globl rt_run_user
rt_run_user:
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    sub $8, %rsp
    mov %rsp, rt_jmp_rsp(%rip)
    movb $1, rt_armed(%rip)
    pushq $(SEL_UDATA | 3)
    push %rsi
    push %rdx
    pushq $(SEL_UCODE64 | 3)
    push %rdi
    mov %rcx, %rdi
    xor %eax, %eax
    xor %ebx, %ebx
    xor %ecx, %ecx
    xor %edx, %edx
    xor %esi, %esi
    xor %ebp, %ebp
    xor %r8d, %r8d
    xor %r9d, %r9d
    xor %r10d, %r10d
    xor %r11d, %r11d
    xor %r12d, %r12d
    xor %r13d, %r13d
    xor %r14d, %r14d
    xor %r15d, %r15d
    iretq

    .data
    .globl rt_jmp_rsp, rt_armed
    .align 8
rt_jmp_rsp: .quad 0
rt_armed:   .byte 0
