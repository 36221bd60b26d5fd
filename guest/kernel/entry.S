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

// trap_vectors[v] = address of the stub for vector v (0..63, NUM_VECTORS in
// trap.h), for the IDT.
.section .rodata
.balign 8
.global trap_vectors
trap_vectors:
.set i, 0
.rept 64
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
  cmp $1, %rax                     // SYS_call (0) and SYS_ret (1): try the fastpath
  ja 1f
  je 2f
  call *fast_call(%rip)            // fastpath.cpp: 0, a frame, or an entry | 1
  jmp 3f
2:
  call *fast_ret(%rip)
3:
  test $1, %al
  jnz sysret_enter
  test %rax, %rax
  jnz sysret_frame
  mov %rsp, %rdi
1:
  call syscall_dispatch
  jmp trap_return

// Leave to ring 3 through the TrapFrame at %rax with SYSRET: RIP from rcx,
// RFLAGS from r11, CS/SS from STAR (SDM Vol. 2B SYSRET). Every frame the
// fastpath returns holds a canonical RIP (a module entry or the RIP a SYSCALL
// saved), so SYSRET cannot #GP in ring 0 here.
sysret_frame:
  mov %rax, %rsp
  POP_REGS
  mov 16(%rsp), %rcx               // rip (above vector and error)
  mov 32(%rsp), %r11               // rflags
  mov 40(%rsp), %rsp               // user rsp
  sysretq

// Enter a module in ring 3 from the Enter record at %rax - 1 (fastpath.cpp):
// rip, rsp, op (rdi), arg (rsi); every other register zero, RFLAGS = IF.
sysret_enter:
  mov -1(%rax), %rcx
  mov 7(%rax), %rsp
  mov 15(%rax), %rdi
  mov 23(%rax), %rsi
  mov $0x202, %r11d
  xor %eax, %eax; xor %ebx, %ebx; xor %edx, %edx; xor %ebp, %ebp
  xor %r8d, %r8d; xor %r9d, %r9d; xor %r10d, %r10d
  xor %r12d, %r12d; xor %r13d, %r13d; xor %r14d, %r14d; xor %r15d, %r15d
  sysretq

// A switch_stacks context can return here to leave for ring 3 through the
// running task's user frame (at the top of its kernel stack).
.global resume_user_frame
resume_user_frame:
  mov kstack_top(%rip), %rsp
  sub $(22 * 8), %rsp              // sizeof(TrapFrame)
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
