// Lab 4 template: YOUR hostile module (docs/teaching/lab4-breaking-isolation.md).
//
// This is a copy of guest/modules/evil.cpp, the attacker of workload=attacks:
// the kernel runs each attack of guest/include/attacks.h in a fresh task in
// which app (the victim) calls this module with op = the attack's number and
// judges what comes back. Copy this file, change an attack, and build the
// guest with your copy as the evil module:
//
//   cp guest/modules/hostile_template.cpp my_evil.cpp
//   cmake -S . -B build -DSLOTLAB_HOSTILE_MODULE=$PWD/my_evil.cpp
//   cmake --build build --target slotlab-guest
//   build/slotlab lab 4            # or: build/slotlab run build/guest/slotlab-guest.elf --cmdline workload=attacks
//
// (-DSLOTLAB_HOSTILE_MODULE= puts the original back.) The two attacks the lab
// works on are marked LAB 4 below; the victim expects the kernel to contain
// every one of them: E_FAULT (-5) for a fault, the documented error otherwise.
// Rules of the guest apply: general-purpose integer instructions only, no
// buffers on the stack (docs/guest.md "Adding a module").
#include "guest/include/attacks.h"
#include "guest/modules/ulib.h"

// Its .modinfo asks for the master 8259's ports and the VGA text buffer
// (self_granted_ports, self_granted_vga): the boot manifest grants neither.
SLOTLAB_MODULE("evil", 44, 0,
               1u << abi::M_APP | 1u << abi::M_FS | 1u << abi::M_CONS | 1u << abi::M_EVIL, 0x20, 2, abi::MODF_VGA);

namespace {
constexpr uint64_t kModuleArea = 1ull << 39, kGiB = 1ull << 30;
constexpr uint64_t base_of(uint32_t id) { return kModuleArea + id * kGiB; }
volatile uint64_t g_saved_window;
volatile char g_name[8];  // toctou_lookup's request, in evil's module data (shared by its tasks)
uint8_t g_code[16] = {0xC3};  // `ret`, in a data page (NX)
}  // namespace

int64_t module_main(uint64_t op, uint64_t arg, void* b0, uint64_t, void*, uint64_t) {
  switch (op) {
    case ATK_read_other_module: return *(volatile int64_t*)base_of(abi::M_FS);
    case ATK_write_other_module: *(volatile int64_t*)(base_of(abi::M_BLK) + 0x10) = 0; return 1;
    case ATK_read_caller_module: return *(volatile int64_t*)arg;
    case ATK_read_caller_stack:
      // LAB 4, part 2: arg is the address of a secret on the caller's stack
      // (stack window of depth 0, 0x100000fc000-0x10000100000). Try arg, an
      // address in your own stack window (depth 1, 0x100001fc000-0x10000200000),
      // the kernel-info page 0x10000000000 ... which of them fault, and why?
      return *(volatile int64_t*)arg;
    case ATK_write_kernel: *(volatile uint32_t*)ATK_KERNEL_TARGET = 0xBAD; return 1;
    case ATK_read_kernel: return *(volatile int64_t*)ATK_KERNEL_TARGET;
    case ATK_kernel_pointer_buffer: return u::call(abi::M_FS, abi::FS_FILL, 0, (const void*)ATK_KERNEL_TARGET, 8);
    case ATK_unmapped_buffer: return u::call(abi::M_FS, abi::FS_FILL, 0, (const void*)(base_of(abi::M_EVIL) + 0x30000000), 64);
    case ATK_spanning_buffer: {
      // starts in evil's own data, runs past the end of its GiB into the next module's
      int64_t r = u::call(abi::M_FS, abi::FS_FILL, 0, (const void*)(base_of(abi::M_EVIL) + kGiB - 32), 64);
      if (r != abi::E_BADBUF) return r;
      // starts in the module area, ends in the task-private area: also refused
      return u::call(abi::M_FS, abi::FS_FILL, 0, (const void*)((2ull << 39) - 32), 64);
    }
    case ATK_stack_buffer:  // the victim passed a buffer on its stack: look at the bytes around it
      return *(volatile int64_t*)((uint8_t*)b0 - 8) | *(volatile int64_t*)((uint8_t*)b0 + 64);
    case ATK_missing_module: return u::call(29, 0);
    case ATK_missing_operation: return u::call(abi::M_FS, 99);
    case ATK_denied_module: return u::call(abi::M_BLK, abi::BLK_NBLOCKS);
    case ATK_never_return:
      for (;;) asm volatile("" ::: "memory");
    case ATK_recurse_depth: {
      int64_t r = u::call(abi::M_EVIL, ATK_recurse_depth);
      return r == abi::E_DEPTH ? 1000 + (int64_t)u::depth() : r;
    }
    case ATK_fault_in_callee:
      // LAB 4, part 1: a write to the null page (PML4 slot 0 is never mapped).
      // Try a read instead, a kernel address (ATK_KERNEL_TARGET), your own
      // code (read-only) or a jump to data: predict each error code first.
      *(volatile int*)0 = 1;
      return 1;
    case ATK_callback_cycle: {
      u::lock(0);
      int64_t r = u::call(abi::M_APP, abi::APP_CALLBACK);
      u::unlock(0);
      return r;
    }
    case ATK_execute_data: ((void (*)())g_code)(); return 1;
    case ATK_port_not_granted: asm volatile("outb %0, %1" ::"a"((uint8_t)'X'), "Nd"((uint16_t)0x3F8)); return 1;
    case ATK_privileged_instruction: asm volatile("cli"); return 1;
    case ATK_forge_lock: return u::sys(abi::SYS_lock, abi::M_FS, 0);
    case ATK_bad_syscall: return u::sys(999);
    case ATK_self_granted_ports: asm volatile("outb %0, %1" ::"a"((uint8_t)0xFF), "Nd"((uint16_t)0x21)); return 1;
    case ATK_self_granted_vga:
      *(volatile uint16_t*)(base_of(abi::M_EVIL) + (512ull << 20) + ATK_VGA_CELL) = 0x4F21;  // a white-on-red '!'
      return 1;
    case ATK_write_input_buffer: *(volatile uint64_t*)b0 = 0; return 1;
    case ATK_read_beside_buffer:  // page granularity: the rest of the buffer's page is the caller's
      return *(volatile int64_t*)((uint8_t*)b0 - 8) | *(volatile int64_t*)((uint8_t*)b0 + ATK_BESIDE_LEN);
    case ATK_write_beside_buffer:
      *(volatile int64_t*)((uint8_t*)b0 - 8) = 0;
      *(volatile int64_t*)((uint8_t*)b0 + ATK_BESIDE_LEN) = 0;
      return 1;
    case ATK_yield_forever:  // never spins: the time goes to the other task (the kernel runs a spinner)
      for (;;) u::yield();
    case ATK_segment_rights: {  // the boot manifest grants it "public" read-only, "demo" not at all
      const uint64_t at = base_of(abi::M_EVIL) + abi::MOD_SHM;
      if (u::shm_map("demo", at) != abi::E_DENIED) return 1;
      const int64_t r = u::shm_map("public", at + ATK_PUBLIC_AT);
      if (r < 0) return r;
      *(volatile uint64_t*)(at + ATK_PUBLIC_AT) = 0;
      return 1;
    }
    case ATK_read_lent_mapping: return *(volatile int64_t*)arg;  // where fs lent app a page
    case ATK_write_lent_page: {  // evil is the caller here: fs lends it a page read-only
      const int64_t a = u::call(abi::M_FS, abi::FS_MMAP, 1);
      if (a < 0) return a;
      *(volatile uint64_t*)a = 0;
      return 1;
    }
    case ATK_fake_kernel_error: return abi::E_TIMEOUT;  // "the kernel timed me out", says evil
    case ATK_depth_starvation:  // down to the deepest depth, then ask for one call more
      if (u::depth() + 1 < 8) return u::call(abi::M_EVIL, ATK_depth_starvation);
      return u::call(abi::M_APP, abi::APP_NOP, 1);
    case ATK_toctou_lookup: {  // evil is the caller: arg 0/1 look "motd.txt" up, 2 rewrites the name meanwhile
      const char* text = arg == 2 ? "pattern." : "motd.txt";
      for (unsigned k = 0; k < 8; ++k) g_name[k] = text[k];
      return arg == 2 ? 0 : u::call(abi::M_FS, abi::FS_LOOKUP, 0, (const void*)g_name, 8);
    }
    case ATK_keep_lent_page: {  // cons lends evil its VGA page for this call (writable: cons's choice)
      const int64_t a = u::call(abi::M_CONS, abi::CONS_MMAP, 1);
      if (a < 0) return a;
      auto* cell = (volatile uint16_t*)(a + ATK_VGA_CELL);
      *cell = *cell;  // used now, unchanged: its translation (dirty, writable) may be cached
      return a;
    }
    case ATK_OP_KEEP_LENT_USE: *(volatile uint16_t*)(arg + ATK_VGA_CELL) = 0x4F21; return 1;  // a later call
    case ATK_OP_KEEP_WINDOW_SAVE: g_saved_window = (uint64_t)b0; return 0;  // keep_window, first call
    case ATK_OP_KEEP_WINDOW_USE: return *(volatile int64_t*)g_saved_window;  // keep_window, later call
  }
  return abi::E_INVAL;
}
