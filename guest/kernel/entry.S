// Kernel entry and exit paths: interrupt/exception stubs, the SYSCALL entry,
// the common return (iretq), and the kernel-stack switch. Every entry from
// ring 3 builds the same TrapFrame (trap.h) at the top of the task's kernel
// stack, so the kernel can rewrite a task's user state in one place.
.set USER_CS, 0x2B
.set USER_DS, 0x23

.macro PUSH_REGS
  push %rax; push %rbx; push %rcx; push %rdx; push %rsi; push %rdi; push %rbp
  push %r8; push %r9; push %r10; push %r11; push %r12; push %r13; push %r14; push %r15
.endm
.macro POP_REGS
  pop %r15; pop %r14; pop %r13; pop %r12; pop %r11; pop %r10; pop %r9; pop %r8
  pop %rbp; pop %rdi; pop %rsi; pop %rdx; pop %rcx; pop %rbx; pop %rax
.endm

.altmacro
.macro VEC n
  .pushsection .text
vec\n:
  .if (\n == 8) || ((\n >= 10) && (\n <= 14)) || (\n == 17) || (\n == 21)
  .else
  push $0                          // no CPU error code: keep the frame uniform
  .endif
  push $\n
  jmp trap_common
  .popsection
  .quad vec\n
.endm

// trap_vectors[v] = address of the stub for vector v (0..47), for the IDT.
.section .rodata
.balign 8
.global trap_vectors
trap_vectors:
.set i, 0
.rept 48
  VEC %i
  .set i, i + 1
.endr

.text
trap_common:
  PUSH_REGS
  mov %rsp, %rdi
  call trap_dispatch
.global trap_return
trap_return:
  POP_REGS
  add $16, %rsp                    // vector, error code
  iretq

// SYSCALL: RCX = user RIP, R11 = user RFLAGS, IF cleared by FMASK. One CPU,
// so a static scratch slot for the user RSP is enough (no SWAPGS needed).
.global syscall_entry
syscall_entry:
  mov %rsp, syscall_user_rsp(%rip)
  mov kstack_top(%rip), %rsp
  push $USER_DS
  push syscall_user_rsp(%rip)
  push %r11
  push $USER_CS
  push %rcx
  push $0
  push $0x100                      // "vector" 256 = system call
  PUSH_REGS
  mov %rsp, %rdi
  call syscall_dispatch
  jmp trap_return

// void switch_stacks(uint64_t* save_rsp, uint64_t new_rsp)
.global switch_stacks
switch_stacks:
  push %rbp; push %rbx; push %r12; push %r13; push %r14; push %r15
  mov %rsp, (%rdi)
  mov %rsi, %rsp
  pop %r15; pop %r14; pop %r13; pop %r12; pop %rbx; pop %rbp
  ret

.bss
.global kstack_top, syscall_user_rsp
.balign 8
kstack_top: .quad 0
syscall_user_rsp: .quad 0
