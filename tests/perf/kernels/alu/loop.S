/* perf_alu: an integer ALU loop, registers only (no memory operand).
 *
 * uint64_t perf_alu_run(uint64_t iters, uint64_t seed)
 * The loop body, perf_alu_loop, is PERF_ALU_K = 10 instructions: add, xor,
 * rol, lea, sub, mov, shr, xor, dec, jnz. The symbol's size covers exactly
 * the body, so tests/perf/loop_count_test.cpp counts it with Capstone. */
    .text
    .globl perf_alu_run
    .type perf_alu_run, @function
perf_alu_run:
    mov %rsi, %rax
    mov %rsi, %rdx
    not %rdx
    test %rdi, %rdi
    jz 2f
    .p2align 4
    .globl perf_alu_loop
    .type perf_alu_loop, @function
perf_alu_loop:
    add %rdx, %rax
    xor %rax, %rdx
    rol $13, %rdx
    lea 0x9e37(%rax,%rdx,2), %rax
    sub %rdi, %rdx
    mov %rax, %r8
    shr $7, %r8
    xor %r8, %rdx
    dec %rdi
    jnz perf_alu_loop
    .size perf_alu_loop, . - perf_alu_loop
2:  xor %rdx, %rax
    ret
    .size perf_alu_run, . - perf_alu_run

    .section .rodata
    .globl perf_alu_k
perf_alu_k: .quad 10
