// evil: the hostile module. Every operation is an attack (numbers from
// guest/include/attacks.h); each returns what it managed to get, so the
// victim (app) can tell containment from a breach.
#include "guest/include/attacks.h"
#include "guest/modules/ulib.h"

// Its .modinfo asks for the master 8259's ports, the VGA text buffer and the
// virtio-blk device (self_granted_ports, self_granted_vga, driver_dma_outside):
// the boot manifest grants none of them.
SLOTLAB_MODULE("evil", 44, 0,
               1u << abi::M_APP | 1u << abi::M_FS | 1u << abi::M_CONS | 1u << abi::M_EVIL, 0x20, 2,
               abi::MODF_VGA | abi::MODF_VIRTIO_BLK);
// Op n is attack n (1-39, in order in attacks.h), 41/42 the two halves of
// keep_window, 43 keep_lent_page's later call; ops 0 and 40 are unused and stay numbers.
static_assert(ATK_COUNT_PLUS_ONE == 40 && ATK_OP_KEEP_WINDOW_SAVE == 41 && ATK_OP_KEEP_LENT_USE == 43,
              "op names below assume attacks 1-39");
#define EVIL_OPNAME(n, name, what) #name "\0"
SLOTLAB_OPNAMES(44, "\0" SLOTLAB_ATTACKS(EVIL_OPNAME) "\0"
                    "keep_window_save\0keep_window_use\0keep_lent_use");  // the literal's own NUL ends the last
#undef EVIL_OPNAME

namespace {
constexpr uint64_t kModuleArea = 1ull << 39, kGiB = 1ull << 30;
constexpr uint64_t base_of(uint32_t id) { return kModuleArea + id * kGiB; }
volatile uint64_t g_saved_window;
volatile char g_name[8];  // toctou_lookup's request, in evil's module data (shared by its tasks)
uint8_t g_code[16] = {0xC3};  // `ret`, in a data page (NX)
alignas(4096) uint8_t g_dma[4096];  // driver_dma_outside: a request, and a queue of evil's own

// driver_dma_outside, when a policy grants evil the virtio-blk device (the
// boot manifest; tests/guest/driver_dma.sh): evil is a driver and tries to
// have the device read disk block 0 into the kernel's memory (the canary at
// ATK_KERNEL_TARGET, physical 1 MiB). Returns 1 if it got as far as notifying
// a queue of its own.
int64_t dma_outside() {
  const int64_t info = u::dev(abi::DEV_INFO);
  if (info < 0) return info;  // no device granted: nothing to misuse
  if (u::dev(abi::DEV_START) < 0) return 2;
  // 1. Through the kernel: a request naming the kernel's memory, every way evil can.
  auto* d = (abi::DevDesc*)g_dma;
  uint8_t* hdr = g_dma + 0x100;  // VIRTIO_BLK_T_IN, sector 0 (all zeros)
  uint8_t* status = g_dma + 0x200;
  constexpr uint64_t kCanaryPa = ATK_KERNEL_TARGET - 0xFFFFFFFF80000000ul;
  const uint64_t targets[] = {ATK_KERNEL_TARGET, kCanaryPa, base_of(abi::M_APP), base_of(abi::M_BLK)};
  for (uint64_t va : targets) {
    d[0] = {(uint64_t)hdr, 16, 0};
    d[1] = {va, 512, abi::DEV_DESC_WRITE};
    d[2] = {(uint64_t)status, 1, abi::DEV_DESC_WRITE};
    if (u::dev(abi::DEV_SUBMIT, (uint64_t)d, 3) >= 0) u::dev(abi::DEV_WAIT);
  }
  // 2. Around the kernel: program the device with a queue of evil's own whose
  // descriptor names the canary's physical address (virtio 1.1 §3.1.1, §4.1.4.3).
  const int64_t own = u::dev(abi::DEV_DMA, (uint64_t)g_dma, 4096);
  if (own < 0) return 3;
  auto* regs = (volatile uint8_t*)u::device();
  volatile uint8_t* c = regs + (info & 0xFFFF);
  c[0x14] = 0;  // reset: the common configuration is the kernel's page, so this faults
  c[0x14] = 1 | 2;
  *(volatile uint32_t*)(c + 0x08) = 1;
  *(volatile uint32_t*)(c + 0x0C) = 1;  // VERSION_1
  c[0x14] = 1 | 2 | 8;
  *(volatile uint16_t*)(c + 0x16) = 0;
  *(volatile uint16_t*)(c + 0x18) = 8;
  struct Desc { uint64_t addr; uint32_t len; uint16_t flags, next; };
  auto* q = (Desc*)(g_dma + 0x400);  // plain stores: the doorbell comes after a barrier
  q[0] = {(uint64_t)own + 0x100, 16, 1, 1};
  q[1] = {kCanaryPa, 512, 1 | 2, 2};
  q[2] = {(uint64_t)own + 0x200, 1, 2, 0};
  auto* avail = (volatile uint16_t*)(g_dma + 0x800);
  avail[0] = 0;
  avail[2] = 0;
  asm volatile("" ::: "memory");
  avail[1] = 1;
  const uint64_t ring = (uint64_t)own;
  for (unsigned k = 0; k < 2; ++k) {
    *(volatile uint32_t*)(c + 0x20 + 4 * k) = (uint32_t)((ring + 0x400) >> (32 * k));
    *(volatile uint32_t*)(c + 0x28 + 4 * k) = (uint32_t)((ring + 0x800) >> (32 * k));
    *(volatile uint32_t*)(c + 0x30 + 4 * k) = (uint32_t)((ring + 0xC00) >> (32 * k));
  }
  *(volatile uint16_t*)(c + 0x1C) = 1;
  c[0x14] = 1 | 2 | 8 | 4;
  *(volatile uint16_t*)(regs + (info >> 48 & 0xFFFF)) = 0;  // the doorbell (offset multiplier 0 for queue 0's offset 0)
  for (unsigned k = 0; k < 1000 && ((volatile uint16_t*)(g_dma + 0xC00))[1] == 0; ++k) u::yield();
  return 1;
}
}  // namespace

int64_t module_main(uint64_t op, uint64_t arg, void* b0, uint64_t, void*, uint64_t) {
  switch (op) {
    case ATK_read_other_module: return *(volatile int64_t*)base_of(abi::M_FS);
    case ATK_write_other_module: *(volatile int64_t*)(base_of(abi::M_BLK) + 0x10) = 0; return 1;
    case ATK_read_caller_module: return *(volatile int64_t*)arg;
    case ATK_read_caller_stack: return *(volatile int64_t*)arg;
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
    case ATK_fault_in_callee: *(volatile int*)0 = 1; return 1;
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
    case ATK_driver_dma_outside: return dma_outside();
    case ATK_unmap_passed_buffer: {
      // evil is the caller: arg 1 passes a page of its dynamic memory to fs (whose
      // read then sleeps on a lock the kernel holds) and unmaps it afterwards; arg 2,
      // another task of evil meanwhile, unmaps the page fs still has.
      const uint64_t page = base_of(abi::M_EVIL) + abi::MOD_DYN;
      if (arg == 2) return u::sys(abi::SYS_mem, abi::MEM_UNMAP, page, 1);
      if (const int64_t m = u::sys(abi::SYS_mem, abi::MEM_MAP, page, 1); m < 0) return m;
      const int64_t r = u::call(abi::M_FS, abi::FS_READ, 0, (void*)page, 4096);
      u::sys(abi::SYS_mem, abi::MEM_UNMAP, page, 1);
      return r;
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
