// The guest's user/kernel ABI: system-call numbers, error codes, the module
// descriptor every module embeds, and the operation numbers of the bundled
// modules. Included by the kernel and by every module. Freestanding.
//
// SYSCALL convention: rax = number; args rdi, rsi, rdx, r10, r8, r9;
// result in rax (>= 0 success, < 0 one of the E_* codes). rcx, r11 clobbered.
// A module is entered (for a call) at its ELF entry with
//   rdi = op, rsi = arg, rdx = buf0, r10 = len0, r8 = buf1, r9 = len1
// (r10, not rcx: the kernel may enter with SYSRET, which takes RIP from rcx);
// its crt0 moves r10 to rcx and calls module_main(op, arg, buf0, len0, buf1,
// len1) in the SysV ABI; when it returns, crt0 issues SYS_ret with the value.
// The kernel keeps every register of a caller but rax, rcx, r11 across
// SYS_call, and enters a callee with all other registers zero.
#pragma once
#include <stdint.h>

namespace abi {

// The system calls, listed once (X-macro; SerenityOS style). Each has its
// handler `sys_<name>` in guest/kernel/sys_<name>.cpp.
#define SLOTLAB_SYSCALLS(X) \
  X(0, call)                \
  X(1, ret)                 \
  X(2, yield)               \
  X(3, self)                \
  X(4, lock)                \
  X(5, unlock)              \
  X(6, mark)                \
  X(7, dev)                 \
  X(8, mem)                 \
  X(9, shm)                 \
  X(10, mmap)

enum Sys : uint64_t {
#define SLOTLAB_SYS_ENUM(n, name) SYS_##name = n,
  SLOTLAB_SYSCALLS(SLOTLAB_SYS_ENUM)
#undef SLOTLAB_SYS_ENUM
  SYS_COUNT
};

// SYS_call returns the callee's value in rax and, in rdx, who produced it: the
// callee (its SYS_ret) or the kernel (it refused the call, or ended it on a
// fault or a timeout). A module can return -6 itself; it cannot make rdx say
// the kernel did (attack fake_kernel_error).
inline constexpr uint64_t CALL_BY_CALLEE = 0, CALL_BY_KERNEL = 1;

// A buffer's direction, or'ed into its length: the callee may only read it
// (its window is mapped read-only; mode=ipc copies nothing back). Without it a
// buffer is in-out. The callee sees the plain length.
inline constexpr uint64_t BUF_IN = 1ull << 63;

// Errors returned by the kernel (never produced by a module on purpose).
inline constexpr int64_t E_NOMODULE = -1;  // callee id not loaded
inline constexpr int64_t E_NOOP = -2;  // operation number >= callee's op count
inline constexpr int64_t E_BADBUF = -3;  // buffer not entirely in caller-accessible user memory of one area
inline constexpr int64_t E_DEPTH = -4;  // call depth limit reached
inline constexpr int64_t E_FAULT = -5;  // the callee faulted; its call was unwound
inline constexpr int64_t E_TIMEOUT = -6;  // the callee ran past its time budget; its call was unwound
inline constexpr int64_t E_NOSYS = -7;  // unknown system call
inline constexpr int64_t E_DENIED = -8;  // the running module may not call that module
inline constexpr int64_t E_INVAL = -9;  // bad argument
inline constexpr int64_t E_BUSY = -10;  // (ipc) the server thread is already in this call chain
inline constexpr int64_t E_MIN = -100;  // anything in [E_MIN, 0) is an error
constexpr bool is_error(int64_t v) { return v < 0 && v >= E_MIN; }

// Module descriptor: each module defines one in section .modinfo.
inline constexpr uint32_t MODINFO_MAGIC = 0x4D4F444Cu;  // "LDOM"
inline constexpr uint32_t MODF_VGA = 1;  // map the VGA text buffer at base + MOD_DEVICE
inline constexpr uint32_t MODF_VIRTIO_BLK = 2;  // the virtio-blk device: its BAR at base + MOD_DEVICE, SYS_dev

// SYS_mem(op, va, npages): the calling module's dynamic memory, pages in its
// own module area at base + MOD_DYN (MEM_DYN_PAGES of them), shared -- like
// all module memory -- by every task that runs the module.
inline constexpr uint64_t MOD_DYN = (256ull + 128ull) << 20;  // inside the heap's range
inline constexpr uint32_t MEM_DYN_PAGES = 64;
enum MemOp : uint64_t {
  MEM_MAP = 0,    // zeroed, writable, no-execute pages at va: 0, or E_INVAL (outside the range, or mapped already)
  // Unmaps them and frees their frames, after invalidating every translation any task
  // may hold: INVLPG here, and every other (task, PCID) that ran the module is flushed
  // at its next CR3 load. Returns how many such address spaces had to be marked
  // (the cost the design pays for PCIDs), or E_INVAL. E_BUSY, and nothing unmapped, while
  // a page is still in use: passed in a call that has not returned (a callee's window, an
  // IPC request to copy back) or the target of a transfer the disk has not finished.
  MEM_UNMAP = 1,
  // The module's heap break: a1 = the new break, page-aligned, in [start, start + MEM_BRK_PAGES
  // pages], where start is the end of its pre-mapped heap (base + MOD_HEAP + heap_pages pages);
  // a1 = 0 asks. Growing maps zeroed, writable, no-execute pages up to the new break; shrinking
  // unmaps and frees the pages above it, invalidating as MEM_UNMAP does (E_BUSY, and nothing
  // changed, while one is in use). Returns the break, or E_INVAL. One break per module,
  // shared by every task that runs it, like the heap itself.
  MEM_BRK = 2,
};
inline constexpr uint32_t MEM_BRK_PAGES = 64;

// SYS_shm(op, a1, a2): named shared-memory segments. A segment is a set of
// frames the kernel keeps for the whole boot, made zeroed at its first map;
// which module may map which segment, how big it is and whether writable come
// from the boot manifest (`shm=NAME:PAGES:rw|ro`). A module maps it into its
// own module area at base + MOD_SHM and up, so every task running the module
// sees it, and two modules granted the same name share its frames.
inline constexpr uint64_t MOD_SHM = 448ull << 20;
inline constexpr uint64_t MOD_SHM_BYTES = 64ull << 20;  // up to MOD_DEVICE
inline constexpr uint32_t SHM_MAX_PAGES = 64;
enum ShmOp : uint64_t {
  // a1 = name (shm_name("...")), a2 = page-aligned va in [base + MOD_SHM, + MOD_SHM_BYTES):
  // maps the whole segment there (no-execute; writable only if granted rw); returns its
  // pages, E_DENIED (no grant), or E_INVAL (bad va, overlap, mapped already here).
  SHM_MAP = 0,
  // a1 = the va it was mapped at: unmaps it, invalidating as MEM_UNMAP does (the frames
  // stay the segment's); returns how many other address spaces had to be marked, or E_INVAL.
  SHM_UNMAP = 1,
};
// A segment's name: up to 8 characters, packed little-endian.
constexpr uint64_t shm_name(const char* s) {
  uint64_t v = 0;
  for (unsigned i = 0; i < 8 && s[i]; ++i) v |= (uint64_t)(uint8_t)s[i] << (8 * i);
  return v;
}

// SYS_mmap(op, a1, a2): a server answers an mmap request by lending pages of
// its own module area to its caller, mapped into the caller's task-private
// area: the mmap area of the depth the caller runs at, which is visible while
// the caller runs at that depth and hidden during every call it makes, like
// its stack. A lending lasts as long as the caller's own call: when the caller
// returns to its caller, the kernel takes back whatever it was lent (so the
// next module at that depth inherits nothing); the task's home module (depth 0)
// keeps its pages until it unmaps them. The server chooses the rights; the
// kernel grants no more than the server's own mapping has and never execute.
// Lendable: the server's heap, its mapped shared segments and the device memory
// it was granted and may itself touch (a driver sharing its device; the caching
// attributes go with it) -- frames that are never freed, so a lent page cannot
// outlive its frame (SYS_mem pages can be unmapped and freed: refused).
inline constexpr uint64_t MMAP_AREA = (2ull << 39) + (64ull << 10);  // depth 0's: PRIVATE_AREA + 64 KiB
inline constexpr uint64_t MMAP_AREA_STRIDE = 1ull << 20;             // depth d's: MMAP_AREA + d MiB
inline constexpr uint32_t MMAP_PAGES = 128;                         // ends well below each depth's stack
inline constexpr uint64_t MMAP_WRITE = 1ull << 32;                  // in a2 of MMAP_LEND: writable
enum MmapOp : uint64_t {
  // Called by the server during a call: a1 = page-aligned va in its own GiB,
  // a2 = pages | MMAP_WRITE. Returns where the caller sees them, or E_INVAL (not lendable,
  // no room), E_DEPTH (no caller to lend to: the task's home module itself, or, in
  // mode=ipc, a server thread's call).
  MMAP_LEND = 0,
  // Called by the module the pages were lent to, at the depth it was lent them:
  // a1 = that address, a2 = pages. 0 or E_INVAL.
  MMAP_UNMAP = 1,
};

// SYS_dev(op, a1, a2): a driver's view of the device it was granted (MODF_VIRTIO_BLK).
enum DevOp : uint64_t {
  // Returns the device's BAR layout: common | isr << 16 | device << 32 | notify << 48 (offsets
  // from base + MOD_DEVICE, each < 64 KiB), or E_NOMODULE without a device, E_DENIED without the grant.
  DEV_INFO = 0,
  DEV_NOTIFY_MULT = 1,  // the notification offset multiplier
  // a1 = virtual address, a2 = length: the physical address the device may transfer to or
  // from, if [a1, a1 + a2) lies in one page the running module may write -- its own
  // memory or the caller's buffer window (never a stack); else E_BADBUF.
  DEV_DMA = 2,
  // Waits (the task sleeps; others run) until the request DEV_SUBMIT sent completes:
  // returns the length the device wrote, or E_TIMEOUT after a1 timer ticks (0: 100) --
  // the kernel then resets the device, which is used no more.
  DEV_WAIT = 3,
  // As DEV_DMA for a transfer the device only reads (a disk write): the page need only be
  // readable by the running module -- an input buffer's read-only window will do.
  DEV_DMA_FROM = 4,
  // The kernel initialises the device and its queue (the driver cannot reach the common
  // configuration or the doorbell: they are mapped supervisor-only). Returns 1, | 2 if
  // the device is read-only (VIRTIO_BLK_F_RO); E_INVAL if it will not start.
  DEV_START = 5,
  // a1 = DevDesc[a2] (2..4, in one page of the driver's own memory): one request. The
  // kernel checks each buffer as DEV_DMA (DEV_DMA_FROM for one the device only reads)
  // and puts the physical addresses in a queue of its own; E_BADBUF if any is refused,
  // E_BUSY while a request is in flight. Then DEV_WAIT.
  DEV_SUBMIT = 6,
};
struct DevDesc {
  uint64_t va;     // in the driver's own memory or its caller's buffer window
  uint32_t len;    // within one page
  uint32_t flags;  // DEV_DESC_WRITE: the device writes it (a disk read, the status byte)
};
inline constexpr uint32_t DEV_DESC_WRITE = 1;
struct ModInfo {
  uint32_t magic;
  uint32_t id;          // 1..31, also selects the GiB of the module area it is linked at
  uint32_t nops;        // valid operations are 0..nops-1
  uint32_t heap_pages;  // pre-mapped working-set pages at base + MOD_HEAP
  uint32_t calls;       // bit i set: may call module i (kernel rights follow the running module)
  uint16_t port_first;  // I/O ports granted through the TSS bitmap while this module runs
  uint16_t port_count;
  uint32_t flags;
  uint32_t pad;
  uint64_t main_addr;   // module_main, for mode=monolithic direct calls
  char name[16];
};
static_assert(sizeof(ModInfo) == 56);

// Module ids of the bundled modules.
enum ModuleId : uint32_t { M_APP = 1, M_FS = 2, M_BLK = 3, M_CONS = 4, M_EVIL = 5, M_B1 = 6, M_B2 = 7, M_B3 = 8,
                           M_CHAOS = 9 };

// Operations of the bundled modules.
// chaos (workload=chaos, docs/reliability.md): CHAOS_RUN arg = seed, returns calls | fault returns << 32;
// CHAOS_CODE arg = seed of one run of random code (called by CHAOS_RUN through the kernel).
enum ChaosOp : uint32_t { CHAOS_RUN = 0, CHAOS_CODE = 1 };
enum AppOp : uint32_t {
  APP_DEMO = 0,      // arg = file number: read it through fs and write it to cons; returns bytes
  APP_PROBE = 1,     // arg = attack number (attacks.h): play the victim; 0 = contained
  APP_CALLBACK = 2,  // called back by evil in the callback-cycle attack
  APP_SELF = 3,      // arg = SelfTest number; returns what the kernel checks
  APP_SPIN = 4,      // arg = 0: spin (no yield) until the flag is set; arg = 1: set it
  APP_BENCH = 5,     // arg = BenchArgs packed; returns TSC ticks of all the calls
  APP_NOP = 6,       // returns arg + 1
  APP_RECURSE = 7,   // calls itself until E_DEPTH; returns the deepest depth reached
  // Reads the file KInfo::cat_name through fs: returns its CRC-32 | size << 32. arg =
  // cat_write_arg(...) first writes `bytes` pattern bytes (cat_pattern) at `at` (FS_WRITE).
  APP_CAT = 8,
  APP_DYN = 9,       // arg = role in the dynamic-memory self-test (selftest.cpp t_dynamic_unmap)
  APP_REENTER = 10,  // fs's FS_TWOPHASE callback: calls fs FS_PAIRCHECK, returns what it returned
  APP_MMAP_CONS = 11,  // ST_MMAP_DEVICE's work at whatever depth app runs (ST_MMAP_DEEP)
  APP_BRK = 12,      // arg = step of the heap-break self-test (selftest.cpp t_heap_break)
  APP_NOPS
};
enum SelfTest : uint32_t {
  ST_BAD_SYSCALL = 1,  // returns what an unknown system call returned
  ST_NOCOPY = 2,       // fs fills a whole app page through its window: 1 if the app sees it (and no more)
  ST_CALLBACK = 3,     // app -> fs -> app: returns the callback's result (42)
  ST_FAULT_LOCK = 4,   // fs faults holding its lock; then fs is used again: 1 if it works
  ST_TIMEOUT = 5,      // evil spins; 1 if the call ended with E_TIMEOUT and the task goes on
  ST_PORT_DIRECT = 6,  // the app reads COM1's LSR itself (must fault: not granted)
  ST_PORT_DRIVER = 7,  // the app asks cons for the LSR (granted to cons): returns it
  ST_RIGHTS = 8,       // 1 if app -> blk is denied while app -> fs -> blk works
  ST_STACK_BUFFER = 9, // passes 64 stack bytes to fs: 1 if fs filled them and saw no other stack byte
  ST_READ_CHUNKS = 10, // reads file 1 in 100-byte chunks: returns its FNV-1a hash
  ST_READ_BIG = 11,    // reads file 2 (64 KiB) in one call: returns its FNV-1a hash
  ST_EDGE_PEEK = 13,   // passes 8 bytes mid-page; fs reads the 8 bytes before them
  ST_SHM = 14,         // app and fs share segment "demo" (SYS_shm): 1 if each saw the other's writes
  ST_MMAP = 15,        // fs lends its notice page (FS_MMAP) twice, unmapped between: 1 if app read it both times
  // cons lends the VGA page (CONS_MMAP, device memory); app writes ST_VGA_VALUE into text cell
  // ST_VGA_CELL through it and unmaps it: 1, or what failed (the kernel checks the cell)
  ST_MMAP_DEVICE = 16,
  // app, lent fs's notice page at depth 0, is called back at depth 2 (app -> fs -> app) and
  // does ST_MMAP_DEVICE's work there (the page in depth 2's own area); back at depth 0 its
  // own page must be intact: what the depth-2 call returned, or what failed. mode=ipc
  // lends only to client tasks: E_DEPTH (docs/guest.md "mmap")
  ST_MMAP_DEEP = 17,
  ST_FLUSH = 12,       // asks cons to print every task's text: returns bytes printed
};
inline constexpr uint32_t ST_VGA_CELL = 24 * 160 + 70 * 2;  // row 24, column 70 (bytes into the page)
inline constexpr uint16_t ST_VGA_VALUE = 0x2F4D;            // 'M', white on green
// APP_BENCH argument: size (bytes) | depth << 20 | ws << 24 | calls << 40
constexpr uint64_t bench_arg(uint64_t size, uint64_t depth, uint64_t ws, uint64_t calls) {
  return size | depth << 20 | ws << 24 | calls << 40;
}
// A flag in `calls`: the client yields after every call, so that several
// bench clients (workload=bench clients=N) interleave call by call.
inline constexpr uint64_t BENCH_YIELD = 1ull << 23;
// A flag in `ws` (workload=bench unmap=1): the first callee maps a page of its
// own area (SYS_mem), writes it and unmaps it on every call -- the price of
// dynamic module memory, invalidation included.
inline constexpr uint64_t BENCH_UNMAP = 1ull << 15;
enum FsOp : uint32_t {
  FS_READ = 0,    // arg = file << 32 | offset, buf0 = dst: returns bytes read
  FS_SIZE = 1,    // arg = file: returns size or E_INVAL
  FS_INC = 2,     // arg = n: n slow read-modify-write increments of a shared counter under a lock
  FS_COUNT = 3,   // returns the counter
  FS_FLAG = 4,    // arg = 1 set, 2 clear, 0 read the spin flag
  FS_ECHO = 5,    // returns arg + 1 (rights test: app may call fs)
  FS_PEEK = 6,    // returns the qword at buf0 + (int64)arg: may look past the buffer's bytes
  FS_FILL = 7,    // fills buf0 with byte arg, returns len
  FS_CALLBACK = 8,   // calls back app APP_NOP(arg), or app op arg >> 32 with arg's low half: A -> B -> A
  FS_LOCKFAULT = 9,  // takes lock 1, then faults (the unwind must release it)
  // buf0 = a file name (len0 bytes, no NUL): returns its file number for FS_READ/FS_SIZE,
  // or E_INVAL. On a ustar disk the number is the header's block; on the built-in one, 0-2.
  FS_LOOKUP = 10,
  // The lock self-tests (selftest.cpp): arg = role. 1 holds lock 2 until role 2 is done;
  // 2 waits for lock 2 at most 20 ticks (returns what SYS_lock returned); 3 holds lock 3
  // and faults once role 4 waits; 4 waits for lock 3 (returns 1 once it got it).
  FS_LOCKTEST = 11,
  // arg = file << 32 | offset, buf0 = the bytes (an input: len | BUF_IN): overwrites them in
  // place, within the file's size (a ustar file never grows); returns bytes written, or
  // E_INVAL (no such file, offset past the end, a read-only disk).
  FS_WRITE = 12,
  // Maps segment "demo" (at fs's MOD_SHM, once), checks arg is in its first qword of both
  // pages, writes arg + 1 into the second page's: returns 1, or what went wrong.
  FS_SHM = 13,
  // An mmap request: fs lends its notice page (heap page 0: FS_NOTICE_MAGIC, then the
  // shared counter) to the caller, read-only whatever arg asks; returns where the caller
  // sees it (SYS_mmap MMAP_LEND), or an error.
  FS_MMAP = 14,
  // Takes lock 1, writes the first half of a two-field record, calls back app
  // (APP_REENTER), writes the second half, unlocks: returns what the callback returned.
  FS_TWOPHASE = 15,
  // Takes lock 1 and checks the record is whole: 0 whole, 1 half-updated, or the
  // lock's refusal (E_BUSY: the task is inside FS_TWOPHASE's critical section).
  FS_PAIRCHECK = 16,
  FS_NOPS
};
enum BlkOp : uint32_t {
  BLK_READ = 0,   // arg = block number, buf0 = dst (512 bytes): returns 512
  BLK_NBLOCKS = 1,
  BLK_WRITE = 2,  // arg = block number, buf0 = src (512 bytes, may be BUF_IN): returns 512, or
                  // E_INVAL (the built-in disk and a read-only one cannot be written)
  BLK_NOPS
};
enum ConsOp : uint32_t {
  CONS_WRITE = 0,  // buf0 = text: appended to the calling task's line and to VGA; returns len
  CONS_FLUSH = 1,  // prints every task's text to COM1 in task order (through its granted port)
  CONS_LSR = 2,    // returns the UART line status register (an I/O port read only cons may do)
  CONS_MMAP = 3,   // an mmap request: cons lends the VGA text page (its device memory), writable
                   // if arg is 1; returns where the caller sees it (SYS_mmap MMAP_LEND)
  CONS_NOPS
};
enum BenchOp : uint32_t {
  B_CALL = 0,  // arg = depth << 32 | ws pages: touch ws heap pages, then call the next bench module
  B_NOPS
};

// APP_CAT's argument: write `bytes` (< 16 MiB) bytes of cat_pattern(seed, i) at offset
// `at` (< 16 MiB) first; 0 = no write.
constexpr uint64_t cat_write_arg(uint64_t at, uint64_t bytes, uint64_t seed) {
  return at | bytes << 24 | (seed & 0xFFFF) << 48;
}
// Byte i of what workload=cat write= writes (tests/guest/write_disk.sh computes it too).
constexpr uint8_t cat_pattern(uint64_t seed, uint64_t i) { return (uint8_t)(seed * 31 + i * 7 + (i >> 9)); }

inline constexpr uint64_t FS_NOTICE_MAGIC = 0x4E071CE0F5ull;

// Files of the fs server (content is generated by blk from the block number).
inline constexpr uint32_t FS_NFILES = 3;

}  // namespace abi

namespace abi {
// The kernel-info page, mapped read-only for ring 3 at the start of the
// task-private area in every task. mode=monolithic modules read the other
// modules' entry points here to call them directly.
struct KInfo {
  uint32_t mode;   // 0 modarea, 1 monolithic, 2 ipc
  uint32_t flush;  // 0 cr3, 1 invlpg, 2 pcid, 3 none
  uint64_t main[32];  // module_main of module i (0 if absent)
  char cat_name[257];  // workload=cat file=NAME (a ustar path: a 155-byte prefix, "/", a 100-byte name)
};
inline constexpr uint64_t KINFO_VA = 2ull << 39;  // PRIVATE_AREA
}  // namespace abi
