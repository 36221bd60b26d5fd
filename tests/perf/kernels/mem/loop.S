/* perf_mem: a load/store loop over a working set that fits every TLB.
 *
 * uint64_t perf_mem_run(uint64_t iters, uint64_t base, uint64_t mask)
 * `mask` = working-set bytes - 1 (a power of two, at least 4 KiB). Each
 * iteration reads a quadword and a doubleword and writes a quadword in one
 * 64-byte line, then moves to the next line, wrapping at the working set.
 * The body, perf_mem_loop, is PERF_MEM_K = 9 instructions (3 memory
 * accesses): mov, add, mov, xor, mov, add, and, dec, jnz. */
    .text
    .globl perf_mem_run
    .type perf_mem_run, @function
perf_mem_run:
    mov %rdi, %r10
    mov %rsi, %rdi
    mov %rdx, %r11
    xor %ecx, %ecx
    mov $0x5bd1e995, %eax
    test %r10, %r10
    jz 2f
    .p2align 4
    .globl perf_mem_loop
    .type perf_mem_loop, @function
perf_mem_loop:
    mov (%rdi,%rcx), %r8
    add %r8, %rax
    movl 16(%rdi,%rcx), %r9d
    xor %r9, %rax
    mov %rax, 8(%rdi,%rcx)
    add $64, %rcx
    and %r11, %rcx
    dec %r10
    jnz perf_mem_loop
    .size perf_mem_loop, . - perf_mem_loop
2:  ret
    .size perf_mem_run, . - perf_mem_run

    .section .rodata
    .globl perf_mem_k
perf_mem_k: .quad 9
