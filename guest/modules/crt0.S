// Module entry: the kernel enters here in ring 3 for every call with the
// operation and buffers in rdi, rsi, rdx, r10, r8, r9 (slotlab_abi.h): the
// kernel may enter with SYSRET, which loads RIP from rcx (SDM Vol. 2B
// SYSRET), so the fourth argument travels in r10 as in the SYSCALL ABI.
.section .text.entry, "ax"
.global _start
_start:
  mov %r10, %rcx
  and $-16, %rsp
  xor %ebp, %ebp
  call module_main
  mov %rax, %rdi
  mov $1, %eax                     // SYS_ret
  syscall
  ud2                              // the kernel never comes back here
