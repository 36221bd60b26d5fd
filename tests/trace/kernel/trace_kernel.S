/* The golden-trace kernel: a few dozen instructions that exercise every
 * trace record once, deterministically, with page tables whose addresses are
 * fixed by this file -- so tests can predict records from the SDM's rules.
 *
 * Layout: everything identity-mapped in the first 2 MiB with 4 KiB global
 * pages (PML4[0] -> PDPT0 -> PD0 -> PT0). PML4 slot 1 (0x8000000000) is a
 * "module area": PDPT_A -> PD_A -> PT_A -> PAGE_A, or after the swap
 * PDPT_B -> ... -> PAGE_B. Slot 2 (0x10000000000) is not present until the
 * #PF handler maps it to PDPT_A.
 *
 * Steps (each a comment "step N" below; docs/trace-format.md walks through
 * the trace they produce):
 *  1 read slot 1 (TLB miss, 4-level walk, fills)
 *  2 point PML4[1] at PDPT_B without any invalidation
 *  3 read slot 1 again: the TLB still holds PAGE_A -> a stale translation
 *  4 INVLPG, read again: PAGE_B
 *  5 write through the read-filled entry (D=0): walk again to set D
 *  6 MOV CR3 (same value): non-global entries go, global kernel pages stay
 *  7 read slot 2: #PF (PML4E not present); the handler maps it; retried
 *  8 CR4.PCIDE=1; PCID 1 (flush), PCID 0 with bit 63 (no flush), PCID 1
 *    again (the PCID-1 entry is used), INVPCID type 0, read (miss)
 * Then isa-debug-exit with 0: exit status 1.
 */
#define SLOT1 0x0000008000000000
#define SLOT2 0x0000010000000000
#define P_W 0x3
#define P_W_G 0x103

    .text
    .code32
    .align 4
mb_header:
    .long 0x1BADB002                     /* multiboot-1 magic */
    .long 0x00000003                     /* page-align modules, want memory info */
    .long -(0x1BADB002 + 0x00000003)

    .globl _start
_start:
    cli
    lgdt gdt_ptr
    mov $stack_top, %esp
    mov %cr4, %eax
    or $(0x20 | 0x80), %eax              /* CR4.PAE | CR4.PGE */
    mov %eax, %cr4
    mov $pml4, %eax
    mov %eax, %cr3
    mov $0xC0000080, %ecx                /* IA32_EFER */
    rdmsr
    or $(0x100 | 0x800), %eax            /* LME | NXE */
    wrmsr
    mov %cr0, %eax
    or $0x80010001, %eax                 /* PG | WP | PE */
    mov %eax, %cr0
    ljmp $0x08, $long_mode

    .code64
long_mode:
    mov $0x10, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    mov $stack_top, %esp
    /* IDT gate 14 (64-bit interrupt gate, SDM Vol. 3A §6.14.1). */
    mov $pf_handler, %eax
    mov %ax, idt + 14 * 16
    movw $0x08, idt + 14 * 16 + 2
    movw $0x8E00, idt + 14 * 16 + 4
    shr $16, %eax
    mov %ax, idt + 14 * 16 + 6
    lidt idt_ptr
    movabs $SLOT1, %rsi

    mov (%rsi), %rax                     /* step 1 */
    movq $(pdpt_b + P_W), pml4 + 8       /* step 2 */
    mov (%rsi), %rbx                     /* step 3 */
    invlpg (%rsi)                        /* step 4 */
    mov (%rsi), %rcx
    mov %rcx, 8(%rsi)                    /* step 5 */
    mov %cr3, %rax                       /* step 6 */
    mov %rax, %cr3
    mov (%rsi), %rdx
    movabs $SLOT2, %rdi                  /* step 7 */
    mov (%rdi), %r8
    mov %cr4, %rax                       /* step 8 */
    or $(1 << 17), %eax
    mov %rax, %cr4
    mov $(pml4 + 1), %eax
    mov %rax, %cr3
    mov (%rsi), %r9
    movabs $(pml4 + 0x8000000000000000), %rax
    mov %rax, %cr3
    mov (%rsi), %r10
    movabs $(pml4 + 1 + 0x8000000000000000), %rax
    mov %rax, %cr3
    mov (%rsi), %r11
    xor %ecx, %ecx
    invpcid invpcid_desc, %rcx
    mov (%rsi), %r12

    mov $0xf4, %edx                      /* isa-debug-exit: status (0 << 1) | 1 */
    xor %eax, %eax
    out %eax, %dx
1:  hlt
    jmp 1b

pf_handler:
    movq $(pdpt_a + P_W), pml4 + 16      /* map slot 2 to module A */
    add $8, %rsp                         /* drop the error code */
    iretq

    .align 16
gdt:
    .quad 0
    .quad 0x00AF9A000000FFFF             /* 0x08 code, 64-bit */
    .quad 0x00CF92000000FFFF             /* 0x10 data */
gdt_ptr:
    .word gdt_ptr - gdt - 1
    .quad gdt
    .align 8
idt_ptr:
    .word 15 * 16 - 1
    .quad idt
    .align 16
invpcid_desc:
    .quad 1                              /* PCID */
    .quad SLOT1                          /* linear address */

/* ---- page tables and data, one page each ---- */
    .balign 4096
pml4:
    .quad pdpt0 + P_W
    .quad pdpt_a + P_W
    .fill 510, 8, 0
pdpt0:
    .quad pd0 + P_W
    .fill 511, 8, 0
pd0:
    .quad pt0 + P_W
    .fill 511, 8, 0
pt0:
    .set i, 0
    .rept 512
    .quad (i << 12) | P_W_G
    .set i, i + 1
    .endr
pdpt_a:
    .quad pd_a + P_W
    .fill 511, 8, 0
pd_a:
    .quad pt_a + P_W
    .fill 511, 8, 0
pt_a:
    .quad page_a + P_W
    .fill 511, 8, 0
page_a:
    .quad 0xAAAAAAAAAAAAAAAA
    .fill 511, 8, 0
pdpt_b:
    .quad pd_b + P_W
    .fill 511, 8, 0
pd_b:
    .quad pt_b + P_W
    .fill 511, 8, 0
pt_b:
    .quad page_b + P_W
    .fill 511, 8, 0
page_b:
    .quad 0xBBBBBBBBBBBBBBBB
    .fill 511, 8, 0
idt:
    .fill 512, 8, 0
    .skip 4096
stack_top:
