// Multiboot-1 entry (32-bit protected mode, paging off) -> long mode -> the
// upper-half kernel. The boot tables map physical 0..1 GiB twice with 2 MiB
// pages: identity (slot 0, only for the jump) and at KERNEL_BASE (slot 511,
// PDPT entry 510). kernel_main builds the real tables and drops slot 0.
// SDM Vol. 3A §9.8.5 (initializing IA-32e mode).
.set MB_MAGIC, 0x1BADB002
.set MB_FLAGS, 0x00000003          // page-align modules, provide memory info
.set KERNEL_BASE, 0xFFFFFFFF80000000

.section .multiboot, "a"
.balign 4
.long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

.section .boot.text, "ax"
.code32
.global _start32
_start32:
  cli
  cld
  mov %ebx, boot_mbi               // multiboot info (physical)
  // zero the three boot tables
  mov $boot_pml4, %edi
  mov $(3 * 4096 / 4), %ecx
  xor %eax, %eax
  rep stosl
  mov $(boot_pdpt + 3), %eax
  mov %eax, boot_pml4              // slot 0: identity
  mov %eax, boot_pml4 + 511 * 8    // slot 511
  mov $(boot_pd + 3), %eax
  mov %eax, boot_pdpt              // entry 0 -> 0..1 GiB
  mov %eax, boot_pdpt + 510 * 8    // entry 510 -> KERNEL_BASE
  mov $boot_pd, %edi
  mov $0x83, %eax                  // P | W | PS
  mov $512, %ecx
1: mov %eax, (%edi)
  add $0x200000, %eax
  add $8, %edi
  dec %ecx
  jnz 1b
  mov %cr4, %eax
  or $(1 << 5), %eax               // CR4.PAE
  mov %eax, %cr4
  mov $boot_pml4, %eax
  mov %eax, %cr3
  mov $0xC0000080, %ecx            // EFER: LME | NXE | SCE
  rdmsr
  or $((1 << 8) | (1 << 11) | 1), %eax
  wrmsr
  mov %cr0, %eax
  or $0x80010001, %eax             // PG | WP | PE
  mov %eax, %cr0
  lgdt boot_gdtr
  ljmp $0x08, $start64_low

.code64
start64_low:
  mov $0x10, %ax
  mov %ax, %ds
  mov %ax, %es
  mov %ax, %ss
  xor %eax, %eax
  mov %ax, %fs
  mov %ax, %gs
  movabs $start64_high, %rax
  jmp *%rax

.section .boot.rodata, "a"
.balign 8
boot_gdt:
  .quad 0
  .quad 0x00AF9A000000FFFF         // 0x08: 64-bit ring-0 code
  .quad 0x00CF92000000FFFF         // 0x10: ring-0 data
boot_gdt_end:
boot_gdtr:
  .word boot_gdt_end - boot_gdt - 1
  .long boot_gdt

.section .boot.data, "aw"
.balign 4
.global boot_mbi
boot_mbi: .long 0

.section .boot.bss, "aw", @nobits
.balign 4096
boot_pml4: .skip 4096
boot_pdpt: .skip 4096
boot_pd:   .skip 4096

.text
start64_high:
  // zero .bss (no stack yet: the boot stack lives in .bss)
  lea __bss_start(%rip), %rdi
  lea __bss_end(%rip), %rcx
  sub %rdi, %rcx
  shr $3, %rcx
  xor %eax, %eax
  rep stosq
  lea boot_kstack_top(%rip), %rsp
  xor %ebp, %ebp
  mov boot_mbi, %edi               // physical address of the multiboot info
  call kernel_main
  cli
2: hlt
  jmp 2b

.bss
.balign 16
.global boot_kstack, boot_kstack_top
boot_kstack: .skip 16384
boot_kstack_top:
