/* Code whose instruction addresses the debugregs kernel names exactly:
 * each snippet is entered with `call` (rdi = a data address) and returns. */
    .text
    .code64
#define FN(n) .globl n; n:

FN(d_exec)                      /* an instruction breakpoint goes on d_exec_at */
    nop
FN(d_exec_at)
    inc %rax
    ret

FN(d_store)                     /* movb %al, 2(%rdi): one byte at rdi + 2 */
    movb %al, 2(%rdi)
FN(d_store_after)
    ret

FN(d_load)                      /* movb 16(%rdi), %al */
    movb 16(%rdi), %al
FN(d_load_after)
    ret

FN(d_step_store)                /* TF on, then a store: one #DB for both */
    pushfq
    orq $0x100, (%rsp)
    popfq
    movb %al, (%rdi)
FN(d_step_store_after)
    pushfq                      /* (the handler clears TF after the first trap) */
    andq $~0x100, (%rsp)
    popfq
    ret

FN(d_movss_tf)                  /* TF on, MOV SS, NOP: the trap follows the NOP */
    mov %ss, %eax
    pushfq
    orq $0x100, (%rsp)
    popfq
    mov %eax, %ss
    nop
FN(d_movss_tf_after)
    nop
    ret

FN(d_movss_int)                 /* MOV SS from a watched word, then INT $0x81 */
    mov (%rdi), %ss
FN(d_movss_int_at)
    int $0x81
    ret

FN(d_icebp)
    .byte 0xf1
FN(d_icebp_after)
    ret

FN(d_mov_dr0)
    mov %dr0, %rax
    ret

FN(d_out80)
    out %al, $0x80
FN(d_out80_after)
    ret

FN(d_rep_stos)                  /* rcx = 16 bytes of al at rdi */
    mov $16, %ecx
FN(d_rep_stos_at)
    rep stosb
    ret

FN(d_ud2)
    ud2
    ret
