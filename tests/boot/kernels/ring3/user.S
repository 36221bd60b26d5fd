/* Ring-3 snippets and the SYSCALL entry of the `ring3` kernel. User snippets
 * are entered by rt_run_user (rdi = argument) and leave with
 * `int $VEC_USER_EXIT`; results go to u_out[] (the image is user-accessible
 * while these tests run). */
#include "tests/boot/rt/layout.h"
    .text
    .code64
#define FN(n) .globl n; n:
#define UEXIT int $VEC_USER_EXIT
/* u_out[0..3] = rbx, cs, ss, rsp (rbx holds the flags the caller pushed) */
#define RECORD_RBX_CS_SS_RSP \
    mov %rbx, u_out+0(%rip); \
    mov %cs, %ebx; \
    mov %rbx, u_out+8(%rip); \
    mov %ss, %ebx; \
    mov %rbx, u_out+16(%rip); \
    mov %rsp, u_out+24(%rip)

FN(u_ident)                     /* rax = cs | ss << 16 | rflags << 32 */
    pushfq                      /* first: OR/SHL below change the flags */
    mov %cs, %eax
    mov %ss, %ebx
    shl $16, %ebx
    or %ebx, %eax
    pop %rbx
    shl $32, %rbx
    or %rbx, %rax
    UEXIT

FN(u_syscall)
    mov $0x1234, %eax
    stc
    std
FN(u_syscall_at)
    syscall
FN(u_syscall_ret)
    pushfq
    pop %rbx
    cld
    RECORD_RBX_CS_SS_RSP
    UEXIT

FN(u_int80)
    mov %rsp, u_out+24(%rip)
    mov $0x80, %eax
    int $0x80
FN(u_int80_ret)
    mov %cs, %ebx
    mov %rbx, u_out+8(%rip)
    mov %ss, %ebx
    mov %rbx, u_out+16(%rip)
    UEXIT

FN(u_int81)
FN(u_int81_at)
    int $0x81
    UEXIT

FN(u_popf)                      /* POPF at CPL 3, IOPL 0: IF and IOPL silently kept */
    pushq $0x3202
    popfq
    pushfq
    pop %rax
    UEXIT

/* One privileged instruction each: #GP(0) at CPL 3 (SDM Vol. 3A §5.9). */
#define PRIV(name, insn...) FN(name) FN(name##_at) insn; UEXIT
PRIV(u_hlt, hlt)
PRIV(u_cli, cli)
PRIV(u_sti, sti)
PRIV(u_mov_cr3, mov %cr3, %rax)
PRIV(u_mov_dr7, mov %rax, %dr7)
PRIV(u_rdmsr, rdmsr)
PRIV(u_wrmsr, wrmsr)
PRIV(u_lgdt, lgdt u_out(%rip))
PRIV(u_lidt, lidt u_out(%rip))
PRIV(u_ltr, ltr %ax)
PRIV(u_invlpg, invlpg u_out(%rip))
PRIV(u_clts, clts)
PRIV(u_wbinvd, wbinvd)
PRIV(u_swapgs, swapgs)
PRIV(u_sysret, sysretq)
PRIV(u_syscall_ud, syscall)
PRIV(u_sysexit, sysexitq)
PRIV(u_sgdt, sgdt u_out(%rip))
PRIV(u_sidt, sidt u_out(%rip))
PRIV(u_sldt, sldt %ax)
PRIV(u_str, str %ax)
PRIV(u_smsw, smsw %ax)

/* SYSENTER from ring 3 with the SYSEXIT convention: rdx = where to return,
 * rcx = the stack to return to. sysenter_entry (ring 0) records what it
 * sees, increments rax and returns with SYSEXITQ. */
FN(u_sysenter)
    lea u_sysenter_ret(%rip), %rdx
    mov %rsp, %rcx
    mov $0x5E, %eax
FN(u_sysenter_at)
    sysenter
FN(u_sysenter_ret)
    pushfq
    pop %rbx
    RECORD_RBX_CS_SS_RSP
    UEXIT

FN(sysenter_entry)
    mov %cs, %ebx
    mov %rbx, se_cs(%rip)
    mov %ss, %ebx
    mov %rbx, se_ss(%rip)
    mov %rsp, se_rsp(%rip)
    pushfq
    pop se_rflags(%rip)
    inc %rax
    sysexitq

/* Port I/O on COM1's scratch register 0x3FF (16550 SCR). */
FN(u_io_rw)                     /* writes dil, reads it back into rax */
    mov $0x3FF, %dx
    mov %edi, %eax
FN(u_io_rw_at)
    outb %al, %dx
    xor %eax, %eax
    inb %dx, %al
    UEXIT
FN(u_io_word)                   /* 16-bit read of ports 0x3FF..0x400 */
    mov $0x3FF, %dx
FN(u_io_word_at)
    inw %dx, %ax
    UEXIT
FN(u_io_imm)                    /* in al, 0x80 */
FN(u_io_imm_at)
    inb $0x80, %al
    UEXIT

/* SYSCALL lands here in ring 0 on the user stack: SWAPGS to the per-CPU
 * block, switch stacks, record what SYSCALL set up, return with SYSRETQ. */
FN(syscall_entry)
    swapgs
    mov %rsp, %gs:8
    mov %gs:16, %rsp
    mov %gs:0, %rdx
    mov %rdx, sc_gs0(%rip)
    mov %rcx, sc_rcx(%rip)
    mov %r11, sc_r11(%rip)
    pushfq
    pop sc_rflags(%rip)
    mov %cs, %edx
    mov %rdx, sc_cs(%rip)
    mov %ss, %edx
    mov %rdx, sc_ss(%rip)
    inc %rax
    mov %gs:8, %rsp
    swapgs
    sysretq

    .data
    .align 8
    .globl u_out, sc_gs0, sc_rcx, sc_r11, sc_rflags, sc_cs, sc_ss, se_cs, se_ss, se_rsp, se_rflags
se_cs: .quad 0
se_ss: .quad 0
se_rsp: .quad 0
se_rflags: .quad 0
u_out: .fill 8, 8, 0
sc_gs0: .quad 0
sc_rcx: .quad 0
sc_r11: .quad 0
sc_rflags: .quad 0
sc_cs: .quad 0
sc_ss: .quad 0
