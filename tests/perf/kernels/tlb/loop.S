/* perf_tlb: a TLB-thrashing loop, one load and one store per page visit.
 *
 * uint64_t perf_tlb_run(uint64_t iters, uint64_t base, uint64_t mask)
 * `mask` = pages * 4096 - 1. The offset advances by 4096 + 64 bytes: the next
 * page every time (two pages on when the line offset wraps), and a different
 * line so the host caches are not all hit in one set. With 4096 pages the
 * same page comes back only after about 4000 other pages: more than any TLB
 * we model (Skylake STLB: 1536 entries) or QEMU's software TLB holds.
 * The body, perf_tlb_loop, is PERF_TLB_K = 7 instructions: mov, add, mov,
 * add, and, dec, jnz. */
    .text
    .globl perf_tlb_run
    .type perf_tlb_run, @function
perf_tlb_run:
    mov %rdi, %r10
    mov %rsi, %rdi
    mov %rdx, %r11
    xor %ecx, %ecx
    mov $0x2545f491, %eax
    test %r10, %r10
    jz 2f
    .p2align 4
    .globl perf_tlb_loop
    .type perf_tlb_loop, @function
perf_tlb_loop:
    mov (%rdi,%rcx), %r8
    add %r8, %rax
    mov %rax, (%rdi,%rcx)
    add $4160, %rcx
    and %r11, %rcx
    dec %r10
    jnz perf_tlb_loop
    .size perf_tlb_loop, . - perf_tlb_loop
2:  ret
    .size perf_tlb_run, . - perf_tlb_run

    .section .rodata
    .globl perf_tlb_k
perf_tlb_k: .quad 7
