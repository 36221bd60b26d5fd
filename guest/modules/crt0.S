// Module entry: the kernel enters here in ring 3 for every call with the
// operation and buffers in rdi, rsi, rdx, rcx, r8, r9 (slotlab_abi.h).
.section .text.entry, "ax"
.global _start
_start:
  and $-16, %rsp
  xor %ebp, %ebp
  call module_main
  mov %rax, %rdi
  mov $1, %eax                     // SYS_ret
  syscall
  ud2                              // the kernel never comes back here
