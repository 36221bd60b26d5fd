// The attacks of workload=attacks, listed once: the kernel runs them, the app
// module sets each one up as the victim, the evil module carries it out.
// X(number, name, what a breach would mean)
#pragma once

#define SLOTLAB_ATTACKS(X)                                                        \
  X(1, read_other_module, "read a module that is not in the call chain")          \
  X(2, write_other_module, "wrote another module's data")                         \
  X(3, read_caller_module, "read the caller's module area")                       \
  X(4, read_caller_stack, "read the caller's stack")                              \
  X(5, write_kernel, "wrote kernel memory")                                       \
  X(6, read_kernel, "read kernel memory")                                         \
  X(7, kernel_pointer_buffer, "a callee wrote through a kernel pointer")          \
  X(8, unmapped_buffer, "an unmapped buffer was accepted")                        \
  X(9, spanning_buffer, "a buffer spanning two areas was accepted")               \
  X(10, stack_buffer, "saw the caller's stack beyond the buffer it was passed")   \
  X(11, missing_module, "a call to a missing module did not fail cleanly")        \
  X(12, missing_operation, "a call to a missing operation did not fail cleanly")  \
  X(13, denied_module, "called a module it has no right to call")                 \
  X(14, never_return, "a callee that never returns was not ended")               \
  X(15, recurse_depth, "recursion past the depth limit")                          \
  X(16, fault_in_callee, "a callee fault was not turned into an error")           \
  X(17, callback_cycle, "a callback cycle deadlocked or ran unbounded")           \
  X(18, execute_data, "executed data")                                            \
  X(19, port_not_granted, "touched an I/O port it was not granted")               \
  X(20, privileged_instruction, "executed a privileged instruction")              \
  X(21, keep_window, "kept access to a buffer after its call returned")           \
  X(22, forge_lock, "took another module's lock")                                 \
  X(23, bad_syscall, "an unknown system call did not fail cleanly")               \
  X(24, self_granted_ports, "masked the timer through ports its own .modinfo asked for") \
  X(25, self_granted_vga, "wrote device memory its own .modinfo asked for")     \
  X(26, write_input_buffer, "wrote into a buffer passed as input (BUF_IN)")      \
  X(27, yield_forever, "a callee that yields while another task runs was not ended") \
  X(28, read_beside_buffer, "read the caller's bytes next to a buffer on its page") \
  X(29, write_beside_buffer, "wrote the caller's bytes next to a buffer on its page") \
  X(30, segment_rights, "mapped a segment it was not granted, or wrote one granted read-only") \
  X(31, read_lent_mapping, "a callee read a page its caller was lent by another server") \
  X(32, write_lent_page, "a caller wrote the page a server lent it read-only") \
  X(33, fake_kernel_error, "a callee's own E_TIMEOUT passed for the kernel's verdict") \
  X(34, depth_starvation, "a callee used up the task's call depth and its caller did not recover") \
  X(35, reenter_critical_section, "a call chain re-entered a server inside its half-updated critical section") \
  X(36, toctou_lookup, "a caller changed its request while the server worked on it, and the server saw it") \
  X(37, driver_dma_outside, "a driver made the device transfer into memory it was not given") \
  X(38, unmap_passed_buffer, "a caller unmapped (and freed) a page a callee still had in its window") \
  X(39, keep_lent_page, "a module kept a page it was lent after its call returned")

enum AttackId : unsigned {
#define SLOTLAB_ATTACK_ENUM(n, name, what) ATK_##name = n,
  SLOTLAB_ATTACKS(SLOTLAB_ATTACK_ENUM)
#undef SLOTLAB_ATTACK_ENUM
  ATK_COUNT_PLUS_ONE
};

// evil's two halves of keep_window, and the second half of keep_lent_page,
// after the attack numbers (op 40 is unused).
inline constexpr unsigned ATK_OP_KEEP_WINDOW_SAVE = 41, ATK_OP_KEEP_WINDOW_USE = 42, ATK_OP_KEEP_LENT_USE = 43;

// Verdict codes the app returns for an attack.
inline constexpr long ATK_CONTAINED = 0;
inline constexpr long ATK_BREACH = 1;
// Kernel address the attacks aim at (the kernel checks a canary there).
inline constexpr unsigned long ATK_KERNEL_TARGET = 0xFFFFFFFF80100000ul;
// The VGA text cell self_granted_vga aims at (the last one: row 24, column 79),
// as an offset in the device page; the kernel checks it is unchanged.
inline constexpr unsigned long ATK_VGA_CELL = 24 * 160 + 79 * 2;
// read/write_beside_buffer: the victim passes this many bytes, and evil
// touches the 8 bytes just before and just after them (on the same page).
inline constexpr unsigned long ATK_BESIDE_LEN = 64;
// segment_rights: where app and evil map segment "public" (offset from MOD_SHM).
inline constexpr unsigned long ATK_PUBLIC_AT = 16 * 4096;
