/* Self-modifying code within one page: the store rewrites the immediate of the
 * very next instruction. x86 guarantees the store is seen by that instruction
 * (SDM Vol. 3A §11.6 "Self-Modifying Code": a write to a code location that
 * is already prefetched invalidates it). The section is RWX (identity map). */
    .section .testcode, "awx"
    .code64
    .globl smc_patch_next
/* uint32_t smc_patch_next(uint32_t imm): returns imm. */
smc_patch_next:
    mov %edi, smc_imm+1(%rip)
smc_imm:
    mov $0x11111111, %eax
    ret

    .globl smc_patch_loop
/* uint32_t smc_patch_loop(): a loop body that rewrites its own ADD immediate
 * on each of 4 iterations (1, 2, 3, 4): eax = 1 + 2 + 3 + 4 = 10. */
smc_patch_loop:
    xor %eax, %eax
    mov $1, %ecx
1:  mov %cl, smc_add+2(%rip)   /* the imm8 byte: 83 C0 ib */
smc_add:
    .byte 0x83, 0xC0, 0x7F     /* add $ib, %eax: the ib byte is rewritten */
    inc %ecx
    cmp $5, %ecx
    jne 1b
    ret
