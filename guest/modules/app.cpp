// app: the client. Reads files through fs and writes them to cons (demo),
// plays the victim for every attack, runs the user side of the self-tests and
// the benchmark loop. Several tasks run it at once: per-task data lives in
// the heap, indexed by task id.
#include "guest/include/attacks.h"
#include "guest/include/disk.h"
#include "guest/modules/ulib.h"

SLOTLAB_MODULE("app", abi::APP_NOPS, 64,
               1u << abi::M_APP | 1u << abi::M_FS | 1u << abi::M_CONS | 1u << abi::M_EVIL | 1u << abi::M_B1, 0, 0, 0);
SLOTLAB_OPNAMES(abi::APP_NOPS,
                "APP_DEMO\0APP_PROBE\0APP_CALLBACK\0APP_SELF\0APP_SPIN\0APP_BENCH\0APP_NOP\0APP_RECURSE\0APP_CAT\0APP_DYN\0"
                "APP_REENTER\0APP_MMAP_CONS\0APP_BRK");

namespace {
bool ipc_mode() { return u::kinfo()->mode == 2; }
constexpr uint64_t kSecret = 0x5EC12E7C0FFEEull;
volatile uint64_t g_secret = kSecret;
volatile uint64_t g_spin_flag;
alignas(64) uint8_t g_small[256];
// read/write_beside_buffer: a page of the victim's data (heap page 48, past
// the big buffer) with a small buffer in its middle; every other word of the
// page is the secret.
volatile uint64_t* beside() { return (volatile uint64_t*)(u::heap() + 192 * 1024); }
constexpr unsigned kBesideAt = 128;  // the buffer: words 128.. (byte 1024 of the page)
constexpr uint64_t kBigOff = 128 * 1024;  // 64 KiB buffer in the heap, beyond the per-task pages

uint8_t* task_page() { return u::heap() + (u::task_id() % 32) * 4096; }

int64_t demo(uint32_t file) {
  uint8_t* buf = task_page();
  int64_t size = u::call(abi::M_FS, abi::FS_SIZE, file);
  if (size < 0) return size;
  int64_t off = 0;
  while (off < size) {
    int64_t n = u::call(abi::M_FS, abi::FS_READ, (uint64_t)file << 32 | (uint64_t)off, buf, 256);
    if (n <= 0) return n < 0 ? n : abi::E_INVAL;
    int64_t w = u::call(abi::M_CONS, abi::CONS_WRITE, 0, buf, (uint64_t)n | abi::BUF_IN);
    if (w < 0) return w;
    off += n;
  }
  return off;
}

uint32_t hash(const uint8_t* p, uint64_t n, uint32_t h = disk::FNV_INIT) {
  for (uint64_t i = 0; i < n; ++i) h = disk::fnv1a(h, p[i]);
  return h;
}

// cons lends its VGA page (device memory, CONS_MMAP) to app at whatever depth
// app runs; it must land in that depth's own mmap area. app writes
// ST_VGA_VALUE into text cell ST_VGA_CELL through it and unmaps it: 1, or
// what failed (the kernel checks the cell).
int64_t mmap_cons_cell() {
  const int64_t a = u::call(abi::M_CONS, abi::CONS_MMAP, 1);
  if (a < 0) return a;
  if ((uint64_t)a != abi::MMAP_AREA + u::depth() * abi::MMAP_AREA_STRIDE) return -121;
  *(volatile uint16_t*)(a + abi::ST_VGA_CELL) = abi::ST_VGA_VALUE;
  return u::sys(abi::SYS_mmap, abi::MMAP_UNMAP, (uint64_t)a, 1) == 0 ? 1 : -120;
}

int64_t self_test(uint64_t which) {
  switch (which) {
    case abi::ST_BAD_SYSCALL: return u::sys(999);
    case abi::ST_NOCOPY: {
      // one whole, page-aligned page (so bounce=edges has nothing to bounce)
      uint8_t* page = task_page();
      for (int i = 0; i < 4096 + 64; ++i) page[i] = 0;
      int64_t r = u::call(abi::M_FS, abi::FS_FILL, 0x5A, page, 4096);
      if (r != 4096) return r;
      for (int i = 0; i < 4096 + 64; ++i)
        if (page[i] != (i < 4096 ? 0x5A : 0)) return 0;
      return 1;
    }
    case abi::ST_CALLBACK: return u::call(abi::M_FS, abi::FS_CALLBACK, 41);
    case abi::ST_FAULT_LOCK: {
      int64_t r1 = u::call(abi::M_FS, abi::FS_LOCKFAULT, 0);
      int64_t r2 = u::call(abi::M_FS, abi::FS_INC, 1);
      return r1 == abi::E_FAULT && r2 == 1;
    }
    case abi::ST_TIMEOUT: {
      int64_t r1 = u::call(abi::M_EVIL, ATK_never_return);
      int64_t r2 = u::call(abi::M_FS, abi::FS_ECHO, 1);
      return r1 == abi::E_TIMEOUT && r2 == 2;
    }
    case abi::ST_PORT_DIRECT: {
      uint8_t v;
      asm volatile("inb %1, %0" : "=a"(v) : "Nd"((uint16_t)0x3FD));
      return v;
    }
    case abi::ST_PORT_DRIVER: return u::call(abi::M_CONS, abi::CONS_LSR);
    case abi::ST_RIGHTS: {
      int64_t direct = u::call(abi::M_BLK, abi::BLK_NBLOCKS);
      int64_t via_fs = u::call(abi::M_FS, abi::FS_SIZE, 0);
      return direct == abi::E_DENIED && via_fs == (int64_t)(sizeof disk::kMotd - 1);
    }
    case abi::ST_STACK_BUFFER: {
      // 64 bytes in the middle of 128 on the stack: fs fills them, and sees
      // zeros, not the guard bytes, when it looks before them.
      volatile uint8_t frame[128];
      for (auto& b : frame) b = 0xAB;
      const int64_t filled = u::call(abi::M_FS, abi::FS_FILL, 1, (const void*)(frame + 32), 64);
      const int64_t before = u::call(abi::M_FS, abi::FS_PEEK, (uint64_t)-8, (const void*)(frame + 32), 64);
      for (unsigned i = 0; i < 128; ++i)
        if (frame[i] != (i >= 32 && i < 96 ? 1 : 0xAB)) return 1000 + i;
      return filled == 64 && before == 0 ? 1 : (filled != 64 ? filled : 2000);
    }
    case abi::ST_READ_CHUNKS: {
      uint8_t* buf = task_page();
      uint32_t h = disk::FNV_INIT;
      for (uint32_t off = 0;; off += 100) {
        int64_t n = u::call(abi::M_FS, abi::FS_READ, 1ull << 32 | off, buf, 100);
        if (n < 0) return n;
        if (n == 0) break;
        h = hash(buf, (uint64_t)n, h);
      }
      return h;
    }
    case abi::ST_EDGE_PEEK: {
      // bytes 0..7 of g_small are NOT passed; bytes 8..15 are
      for (int i = 0; i < 8; ++i) g_small[i] = 0xEE;
      return u::call(abi::M_FS, abi::FS_PEEK, (uint64_t)-8, g_small + 8, 8);
    }
    case abi::ST_FLUSH: return u::call(abi::M_CONS, abi::CONS_FLUSH);
    case abi::ST_MMAP: {
      const int64_t a = u::call(abi::M_FS, abi::FS_MMAP, 1);
      if (a < 0) return a;
      if (*(volatile uint64_t*)a != abi::FS_NOTICE_MAGIC) return -110;
      if (u::sys(abi::SYS_mmap, abi::MMAP_UNMAP, (uint64_t)a, 1) != 0) return -111;
      const int64_t b = u::call(abi::M_FS, abi::FS_MMAP, 0);
      if (b != a) return b < 0 ? b : -112;  // first fit: the same place again
      if (*(volatile uint64_t*)b != abi::FS_NOTICE_MAGIC) return -113;
      return u::sys(abi::SYS_mmap, abi::MMAP_UNMAP, (uint64_t)b, 1) == 0 ? 1 : -114;
    }
    case abi::ST_MMAP_DEEP: {
      // app holds a page of its own (depth 0) while, called back at depth 2,
      // it is lent cons's page there: the two areas must not meet.
      const int64_t a = u::call(abi::M_FS, abi::FS_MMAP, 0);
      if (a < 0) return a;
      const int64_t r = u::call(abi::M_FS, abi::FS_CALLBACK, (uint64_t)abi::APP_MMAP_CONS << 32);
      if (*(volatile uint64_t*)a != abi::FS_NOTICE_MAGIC) return -122;
      if (u::sys(abi::SYS_mmap, abi::MMAP_UNMAP, (uint64_t)a, 1) != 0) return -123;
      return r;
    }
    case abi::ST_MMAP_DEVICE: return mmap_cons_cell();
    case abi::ST_SHM: {
      // app and fs map segment "demo" in their own module areas: the same frames.
      const uint64_t at = u::base() + abi::MOD_SHM;
      if (u::shm_map("nosuch", at) != abi::E_DENIED) return -100;
      const int64_t pages = u::shm_map("demo", at);
      if (pages != 2) return pages < 0 ? pages : -101;
      if (u::shm_map("demo", at) != abi::E_INVAL) return -102;  // there already
      constexpr uint64_t kValue = 0x5E65E65E6ull;
      *(volatile uint64_t*)at = kValue;
      *(volatile uint64_t*)(at + 4096) = kValue;
      const int64_t r = u::call(abi::M_FS, abi::FS_SHM, kValue);
      const bool seen = *(volatile uint64_t*)(at + 4096) == kValue + 1;
      const int64_t marked = u::shm_unmap(at);
      if (marked < 0) return marked;
      return r != 1 ? r : seen ? 1 : -103;
    }
    case abi::ST_READ_BIG: {
      uint8_t* buf = u::heap() + kBigOff;
      int64_t n = u::call(abi::M_FS, abi::FS_READ, 2ull << 32, buf, disk::kPatternSize);
      if (n != disk::kPatternSize) return n < 0 ? n : abi::E_INVAL;
      return hash(buf, (uint64_t)n);
    }
  }
  return abi::E_INVAL;
}

// The victim's side of each attack: 0 = contained, anything else = what
// the attacker got (a breach, or an outcome the kernel did not promise).
int64_t probe(uint64_t a) {
  int64_t r = 0;
  switch (a) {
    case ATK_read_caller_module:
      (void)g_secret;  // the caller's page is certainly in the TLB now
      r = u::call(abi::M_EVIL, (uint32_t)a, (uint64_t)&g_secret);
      return r == abi::E_FAULT ? 0 : (r ? r : 1);
    case ATK_read_caller_stack: {
      volatile uint64_t secret = kSecret;
      r = u::call(abi::M_EVIL, (uint32_t)a, (uint64_t)&secret);
      // mode=ipc: that address is the server's own stack (its own address space)
      if (ipc_mode() && r != (int64_t)kSecret) return 0;
      return r == abi::E_FAULT ? 0 : (r ? r : 1);
    }
    case ATK_fault_in_callee:
      r = u::call(abi::M_EVIL, (uint32_t)a);
      if (r != abi::E_FAULT) return r ? r : 1;
      return u::call(abi::M_FS, abi::FS_ECHO, 7) == 8 ? 0 : 2;
    case ATK_callback_cycle:
      u::lock(0);
      r = u::call(abi::M_EVIL, (uint32_t)a);
      u::unlock(0);
      // mode=ipc: the chain comes back to a busy server thread: E_BUSY, not a deadlock
      return r == (ipc_mode() ? abi::E_BUSY : abi::E_DEPTH) ? 0 : (r ? r : 1);
    case ATK_keep_window:
      for (auto& b : g_small) b = 0x77;
      r = u::call(abi::M_EVIL, ATK_OP_KEEP_WINDOW_SAVE, 0, g_small, 64);
      if (r != 0) return r;
      for (auto& b : g_small) b = 0x11;  // what a live mapping would now show
      r = u::call(abi::M_EVIL, ATK_OP_KEEP_WINDOW_USE);
      // mode=ipc: the server kept its own copy of the old message (0x77...), not access to ours
      if (ipc_mode() && r == 0x7777777777777777) return 0;
      return r == abi::E_FAULT ? 0 : (r ? r : 1);
    case ATK_keep_lent_page:
      // evil is lent cons's VGA page during one call and writes through the
      // address in a later call at the same depth: the lending ended with the
      // first call (the kernel judges by the VGA cell, whatever evil returns).
      // mode=ipc lends only to client tasks, so evil's server thread gets nothing.
      r = u::call(abi::M_EVIL, (uint32_t)a);
      if (r < 0) return ipc_mode() && r == abi::E_DEPTH ? 0 : r;
      r = u::call(abi::M_EVIL, ATK_OP_KEEP_LENT_USE, (uint64_t)r);
      return r == abi::E_FAULT ? 0 : (r ? r : 1);
    case ATK_write_input_buffer: {
      // Contained when the victim's bytes are unchanged, whatever evil returned.
      for (auto& b : g_small) b = 0x77;
      r = u::call(abi::M_EVIL, (uint32_t)a, 0, g_small, 64 | abi::BUF_IN);
      for (auto b : g_small)
        if (b != 0x77) return r > 0 ? r : 1;
      return 0;
    }
    case ATK_stack_buffer: {
      // Secrets on both sides of a buffer on the victim's stack; contained if
      // evil saw none of them (zeros, or a fault).
      volatile uint64_t frame[16];
      for (auto& q : frame) q = kSecret;
      r = u::call(abi::M_EVIL, (uint32_t)a, 0, (const void*)(frame + 4), 64);
      return r == abi::E_FAULT || (r & (int64_t)kSecret) != (int64_t)kSecret ? 0 : r;
    }
    case ATK_read_beside_buffer:
    case ATK_write_beside_buffer: {
      // Contained when evil got none of the secret around the buffer and the
      // secret is still there, whatever evil returned.
      volatile uint64_t* page = beside();
      for (unsigned i = 0; i < 512; ++i) page[i] = kSecret;
      for (unsigned i = 0; i < ATK_BESIDE_LEN / 8; ++i) page[kBesideAt + i] = 0x7777777777777777ull;
      r = u::call(abi::M_EVIL, (uint32_t)a, 0, (const void*)(page + kBesideAt), ATK_BESIDE_LEN);
      for (unsigned i = 0; i < 512; ++i)
        if ((i < kBesideAt || i >= kBesideAt + ATK_BESIDE_LEN / 8) && page[i] != kSecret) return r > 0 ? r : 1;
      return a == ATK_write_beside_buffer || r == abi::E_FAULT || (r & (int64_t)kSecret) != (int64_t)kSecret ? 0 : r;
    }
    case ATK_read_lent_mapping: {
      // fs lends app a page (at depth 0, app's own); app calls evil, which must
      // not reach it: the lent page is hidden with app's stack during the call.
      const int64_t lent = u::call(abi::M_FS, abi::FS_MMAP, 0);
      if (lent < 0) return lent;
      if (*(volatile uint64_t*)lent != abi::FS_NOTICE_MAGIC) return 2;
      r = u::call(abi::M_EVIL, (uint32_t)a, (uint64_t)lent);
      u::sys(abi::SYS_mmap, abi::MMAP_UNMAP, (uint64_t)lent, 1);
      return r == abi::E_FAULT ? 0 : (r ? r : 1);
    }
    case ATK_reenter_critical_section:
      // app, called back from inside fs's critical section, calls fs again:
      // fs's own check says whether it got in (1: it saw the record half-updated).
      r = u::call(abi::M_FS, abi::FS_TWOPHASE);
      return r == abi::E_BUSY ? 0 : (r ? r : 1);
    case ATK_depth_starvation: {
      // evil recurses to the deepest depth and asks for one call more: the
      // kernel refuses that one (E_DEPTH, relayed up; mode=ipc: the one evil
      // server is busy, E_BUSY), and once the chain has unwound the victim's
      // own calls work again.
      r = u::call(abi::M_EVIL, (uint32_t)a);
      if (r != (ipc_mode() ? abi::E_BUSY : abi::E_DEPTH)) return r ? r : 1;
      return u::call(abi::M_FS, abi::FS_ECHO, 7) == 8 ? 0 : 2;
    }
    case ATK_fake_kernel_error: {
      // evil returns -6 (E_TIMEOUT) itself; a real timeout comes from the kernel.
      // Contained when the kernel's word (rdx) tells them apart.
      bool kernel = true;
      r = u::call_by(&kernel, abi::M_EVIL, (uint32_t)a);
      if (r != abi::E_TIMEOUT || kernel) return r == abi::E_TIMEOUT ? 3 : (r ? r : 1);
      r = u::call_by(&kernel, abi::M_EVIL, ATK_never_return);
      if (r != abi::E_TIMEOUT || !kernel) return r == abi::E_TIMEOUT ? 4 : (r ? r : 1);
      r = u::call_by(&kernel, 29, 0);  // no such module: the kernel's refusal
      return r == abi::E_NOMODULE && kernel ? 0 : 5;
    }
    case ATK_segment_rights: {
      // Contained when evil's write to its read-only mapping faulted and the
      // segment's bytes, as app (granted it rw) sees them, are unchanged.
      const uint64_t at = u::base() + abi::MOD_SHM + ATK_PUBLIC_AT;
      const int64_t m = u::shm_map("public", at);
      if (m < 0) return m;
      *(volatile uint64_t*)at = kSecret;
      r = u::call(abi::M_EVIL, (uint32_t)a);
      const bool intact = *(volatile uint64_t*)at == kSecret;
      u::shm_unmap(at);
      return r == abi::E_FAULT && intact ? 0 : (r > 0 ? r : 1);
    }
    case ATK_recurse_depth:
      r = u::call(abi::M_EVIL, (uint32_t)a);
      if (ipc_mode()) return r == abi::E_BUSY ? 0 : (r ? r : 1);  // the one evil server is busy
      return r == 1000 + (int64_t)(8 - 1) ? 0 : (r ? r : 1);  // deepest depth = MAX_DEPTH - 1
    default: break;
  }
  // The rest: evil does it alone; the kernel promised a specific error. Where
  // the kernel ends evil's call (a fault, a timeout) the victim takes only the
  // kernel's word for it (rdx, u::call_by): evil returning the number itself
  // is not containment. Where evil makes a bad request and relays the
  // kernel's refusal, the number is all the victim has.
  int64_t expect;
  bool relayed = true;
  switch (a) {
    case ATK_kernel_pointer_buffer: case ATK_unmapped_buffer: case ATK_spanning_buffer:
      expect = abi::E_BADBUF; break;
    case ATK_missing_module: expect = abi::E_NOMODULE; break;
    case ATK_missing_operation: expect = abi::E_NOOP; break;
    case ATK_denied_module: case ATK_forge_lock: expect = abi::E_DENIED; break;
    case ATK_never_return: case ATK_yield_forever: expect = abi::E_TIMEOUT, relayed = false; break;
    case ATK_bad_syscall: expect = abi::E_NOSYS; break;
    default: expect = abi::E_FAULT, relayed = false; break;
  }
  bool by_kernel = false;
  r = u::call_by(&by_kernel, abi::M_EVIL, (uint32_t)a);
  return r == expect && (relayed || by_kernel) ? 0 : (r ? r : 1);
}

int64_t bench(uint64_t arg) {
  uint64_t size = arg & 0xFFFFF, depth = (arg >> 20) & 0xF, ws = (arg >> 24) & 0xFFFF, calls = arg >> 40;
  const bool yield_each = calls & abi::BENCH_YIELD;
  calls &= abi::BENCH_YIELD - 1;
  uint8_t* buf = u::heap() + kBigOff + 64;  // not page-aligned: edges are partial pages
  uint64_t t0 = u::rdtsc();
  for (uint64_t i = 0; i < calls; ++i) {
    int64_t r = u::call(abi::M_B1, abi::B_CALL, depth << 32 | ws, size ? buf : nullptr, size);
    if (r < 0) return r;
    if (yield_each) u::yield();
  }
  return (int64_t)(u::rdtsc() - t0);
}
// The dynamic-memory self-test (selftest.cpp t_dynamic_unmap): task A maps a
// page of app's module area and writes it; task B, also running app, reads it
// (shared module memory; B's address space now caches the translation); A
// unmaps it; B reads again, which must fault -- unless a stale translation
// survived under B's PCID. A returns SYS_mem's count | (B saw A's value) << 32.
// The heap-break self-test (selftest.cpp t_heap_break). Step 1 grows app's
// break by three pages, writes them, shrinks to one, grows again (the two
// pages must come back zeroed: new frames), tries breaks outside the range,
// and shrinks back: 1, or the first check that failed. Step 2, another task
// running app, sees the same break and reads the page just above it, which
// must fault.
int64_t heap_break(uint64_t step) {
  auto set = [](uint64_t to) { return u::sys(abi::SYS_mem, abi::MEM_BRK, to); };
  auto word = [](uint64_t at) -> volatile uint64_t& { return *(volatile uint64_t*)at; };
  const uint64_t b0 = (uint64_t)u::heap() + 64 * 4096ull;  // app's heap is 64 pages (SLOTLAB_MODULE above)
  if (set(0) != (int64_t)b0) return -130;
  if (step == 2) return (int64_t)word(b0);
  if (set(b0 + 3 * 4096) != (int64_t)(b0 + 3 * 4096)) return -131;
  for (uint64_t p = 0; p < 3; ++p) {
    if (word(b0 + p * 4096) != 0 || word(b0 + p * 4096 + 4088) != 0) return -132;
    word(b0 + p * 4096) = 0xB00 + p;
  }
  if (set(b0 + 4096) != (int64_t)(b0 + 4096) || set(0) != (int64_t)(b0 + 4096)) return -133;
  if (set(b0 + 3 * 4096) != (int64_t)(b0 + 3 * 4096)) return -134;
  if (word(b0) != 0xB00 || word(b0 + 4096) != 0 || word(b0 + 2 * 4096) != 0) return -135;
  if (set(b0 + (abi::MEM_BRK_PAGES + 1) * 4096ull) != abi::E_INVAL || set(b0 - 4096) != abi::E_INVAL ||
      set(b0 + 100) != abi::E_INVAL)
    return -136;
  if (set(0) != (int64_t)(b0 + 3 * 4096)) return -137;  // nothing changed
  return set(b0) == (int64_t)b0 ? 1 : -138;
}

volatile uint64_t g_dyn_stage, g_dyn_seen;
constexpr uint64_t kDynValue = 0xD1A0D1A0D1A0D1A0ull;
int64_t dyn(uint64_t role) {
  const uint64_t va = (1ull << 39) + (uint64_t)MODULE_ID * (1ull << 30) + abi::MOD_DYN;
  auto wait_for = [](uint64_t stage) {
    while (g_dyn_stage != stage) u::yield();
  };
  if (role == 1) {
    const int64_t r = u::sys(abi::SYS_mem, abi::MEM_MAP, va, 1);
    if (r < 0) return r;
    *(volatile uint64_t*)va = kDynValue;
    g_dyn_stage = 1;
    wait_for(2);
    const int64_t marked = u::sys(abi::SYS_mem, abi::MEM_UNMAP, va, 1);
    g_dyn_stage = 3;
    return marked < 0 ? marked : marked | (int64_t)(g_dyn_seen == kDynValue) << 32;
  }
  wait_for(1);
  g_dyn_seen = *(volatile uint64_t*)va;
  g_dyn_stage = 2;
  wait_for(3);
  return (int64_t)*(volatile uint64_t*)va;  // must fault: the page is gone
}

// CRC-32 (IEEE 802.3: reflected, polynomial 0xEDB88320, as zlib and gzip).
uint32_t crc32(uint32_t crc, const uint8_t* p, uint64_t n) {
  crc = ~crc;
  for (uint64_t i = 0; i < n; ++i) {
    crc ^= p[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
  }
  return ~crc;
}

// workload=cat: the file named in the kernel-info page, read in page-sized
// pieces through fs; returns its CRC-32 | size << 32.
// Writes `bytes` pattern bytes at `at` of `file` in 64 KiB pieces (input buffers).
int64_t write_pattern(int64_t file, uint64_t at, uint64_t bytes, uint64_t seed, uint8_t* buf) {
  for (uint64_t done = 0; done < bytes;) {
    const uint64_t n = bytes - done < 64 * 1024 ? bytes - done : 64 * 1024;
    for (uint64_t i = 0; i < n; ++i) buf[i] = abi::cat_pattern(seed, done + i);
    const int64_t w = u::call(abi::M_FS, abi::FS_WRITE, (uint64_t)file << 32 | (at + done), buf, n | abi::BUF_IN);
    if (w < 0) return w;
    if (w == 0) break;  // the end of the file: a ustar file never grows
    done += (uint64_t)w;
  }
  return 0;
}

int64_t cat(uint64_t write) {
  uint8_t* name = task_page();
  uint64_t n = 0;
  while (n < sizeof u::kinfo()->cat_name && u::kinfo()->cat_name[n]) name[n] = (uint8_t)u::kinfo()->cat_name[n], ++n;
  const int64_t file = u::call(abi::M_FS, abi::FS_LOOKUP, 0, name, n);
  if (file < 0) return file;
  const int64_t size = u::call(abi::M_FS, abi::FS_SIZE, (uint64_t)file);
  if (size < 0) return size;
  uint8_t* buf = u::heap() + kBigOff;
  if (const uint64_t bytes = write >> 24 & 0xFFFFFF) {
    const int64_t w = write_pattern(file, write & 0xFFFFFF, bytes, write >> 48, buf);
    if (w < 0) return w;
  }
  uint32_t crc = 0;
  for (int64_t off = 0; off < size;) {
    const int64_t got = u::call(abi::M_FS, abi::FS_READ, (uint64_t)file << 32 | (uint64_t)off, buf, 64 * 1024);
    if (got <= 0) return got < 0 ? got : abi::E_INVAL;
    crc = crc32(crc, buf, (uint64_t)got);
    off += got;
  }
  return (int64_t)crc | size << 32;
}
}  // namespace

int64_t module_main(uint64_t op, uint64_t arg, void*, uint64_t, void*, uint64_t) {
  switch (op) {
    case abi::APP_DEMO: return demo((uint32_t)arg);
    case abi::APP_PROBE: return probe(arg);
    case abi::APP_CALLBACK: {
      u::lock(0);  // held by this task at a shallower depth: E_BUSY, not a deadlock (and not entered)
      int64_t r = u::call(abi::M_EVIL, ATK_callback_cycle);
      u::unlock(0);
      return r;
    }
    case abi::APP_SELF: return self_test(arg);
    case abi::APP_SPIN:
      if (arg == 1) g_spin_flag = 1;
      else
        while (!g_spin_flag) {
        }
      return 1;
    case abi::APP_BENCH: return bench(arg);
    case abi::APP_NOP: return (int64_t)arg + 1;
    case abi::APP_MMAP_CONS: return mmap_cons_cell();
    case abi::APP_RECURSE: {
      int64_t r = u::call(abi::M_APP, abi::APP_RECURSE);
      return r == abi::E_DEPTH ? (int64_t)u::depth() : r;
    }
    case abi::APP_CAT: return cat(arg);
    case abi::APP_DYN: return dyn(arg);
    case abi::APP_BRK: return heap_break(arg);
    case abi::APP_REENTER: return u::call(abi::M_FS, abi::FS_PAIRCHECK);
  }
  return abi::E_INVAL;
}
