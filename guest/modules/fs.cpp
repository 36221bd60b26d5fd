// fs: the file server. Reads the directory and file blocks from blk into its
// own block cache (module data, shared by every task running fs, so guarded
// by lock 0), and copies file bytes into the caller's buffer. Whole-block
// reads are forwarded: the caller's window is passed on to blk, zero copy.
// Writes (FS_WRITE) overwrite a file in place the same way: whole blocks
// forwarded, a partial block read, changed in the cache and written back.
//
// Two disk formats: the built-in disk's directory (guest/include/disk.h), or
// a ustar archive (POSIX.1-2001 pax/ustar headers, as `tar --format=ustar`
// writes them): a 512-byte header per file -- name at 0, size in octal at
// 124, type at 156, "ustar" at 257, a name prefix at 345 -- then its data
// blocks. A ustar file's number is its header's block.
#include "guest/include/disk.h"
#include "guest/modules/ulib.h"

SLOTLAB_MODULE("fs", abi::FS_NOPS, 1, 1u << abi::M_BLK | 1u << abi::M_APP, 0, 0, 0);
SLOTLAB_OPNAMES(abi::FS_NOPS,
                "FS_READ\0FS_SIZE\0FS_INC\0FS_COUNT\0FS_FLAG\0FS_ECHO\0FS_PEEK\0FS_FILL\0FS_CALLBACK\0FS_LOCKFAULT\0FS_LOOKUP\0"
                "FS_LOCKTEST\0FS_WRITE\0FS_SHM\0FS_MMAP\0FS_TWOPHASE\0FS_PAIRCHECK");

namespace {
alignas(4096) uint8_t g_block[disk::BLOCK];
disk::DirEntry g_dir[disk::NFILES];
bool g_dir_loaded;
bool g_tar;  // the disk is a ustar archive

bool is_ustar(const uint8_t* h) { return h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a' && h[261] == 'r'; }
uint64_t octal(const uint8_t* p, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n && p[i] >= '0' && p[i] <= '7'; ++i) v = v * 8 + (uint64_t)(p[i] - '0');
  return v;
}
// prefix "/" name (or name alone) equals want[0, n).
bool tar_name_is(const uint8_t* h, const uint8_t* want, uint64_t n) {
  uint64_t i = 0;
  for (unsigned k = 0; k < 155 && h[345 + k]; ++k, ++i)
    if (i >= n || want[i] != h[345 + k]) return false;
  if (h[345] && (i >= n || want[i++] != '/')) return false;
  for (unsigned k = 0; k < 100 && h[k]; ++k, ++i)
    if (i >= n || want[i] != h[k]) return false;
  return i == n;
}
// The header of file `f` (a block number) into g_block; its size, or E_INVAL.
int64_t tar_header(uint64_t f) {
  int64_t r = u::call(abi::M_BLK, abi::BLK_READ, f, g_block, disk::BLOCK);
  if (r < 0) return r;
  if (!is_ustar(g_block)) return abi::E_INVAL;
  return (int64_t)octal(g_block + 124, 12);
}
volatile uint64_t g_counter;
bool g_shm_mapped;  // segment "demo" at MOD_SHM (FS_SHM)
volatile uint64_t g_pair_a, g_pair_b;  // FS_TWOPHASE's record: whole when equal (guarded by lock 1)
volatile uint64_t g_flag;
volatile uint64_t g_held, g_done;  // FS_LOCKTEST's hand-shakes

int64_t lock_test(uint64_t role) {
  switch (role) {
    case 1:  // hold lock 2 until the waiter has given up
      u::lock(2);
      g_held = 1;
      while (!g_done) u::yield();
      u::unlock(2);
      g_held = 0;
      g_done = 0;
      return 1;
    case 2: {  // wait for it, at most 20 ticks
      while (!g_held) u::yield();
      const int64_t r = u::lock_for(2, 20);
      if (r == 0) u::unlock(2);
      g_done = 1;
      return r;
    }
    case 3:  // hold lock 3, then die holding it once the other task waits
      u::lock(3);
      g_held = 1;
      while (!g_done) u::yield();
      g_held = 0;
      g_done = 0;
      return *(volatile int64_t*)0;  // faults: the unwind releases lock 3 to the waiter
    case 4: {
      while (!g_held) u::yield();
      g_done = 1;
      const int64_t r = u::lock_for(3, 1000);  // sleeps until the owner's death hands it over (a bug: E_TIMEOUT)
      if (r == 0) u::unlock(3);
      return r == 0 ? 1 : r;
    }
  }
  return abi::E_INVAL;
}

int64_t load_dir() {
  if (g_dir_loaded) return 0;
  int64_t r = u::call(abi::M_BLK, abi::BLK_READ, 0, g_block, disk::BLOCK);
  if (r < 0) return r;
  g_tar = is_ustar(g_block);
  if (!g_tar) u::copy(g_dir, g_block, sizeof g_dir);
  g_dir_loaded = true;
  return 0;
}

// The file's first block and size, whatever the format.
int64_t locate(uint64_t f, uint32_t* first, uint32_t* size) {
  if (!g_tar) {
    if (f >= disk::NFILES) return abi::E_INVAL;
    *first = g_dir[f].first_block, *size = g_dir[f].size;
    return 0;
  }
  const int64_t s = tar_header(f);
  if (s < 0 || s > 0x7FFFFFFF) return abi::E_INVAL;
  *first = (uint32_t)f + 1, *size = (uint32_t)s;
  return 0;
}

// Walks the archive's headers (or the directory) for the name in buf[0, n).
int64_t lookup(const uint8_t* name, uint64_t n) {
  if (!g_tar) {
    for (uint32_t f = 0; f < disk::NFILES; ++f) {
      uint64_t i = 0;
      while (i < n && i < sizeof g_dir[f].name && g_dir[f].name[i] == (char)name[i]) ++i;
      if (i == n && (i == sizeof g_dir[f].name || g_dir[f].name[i] == 0)) return f;
    }
    return abi::E_INVAL;
  }
  const int64_t blocks = u::call(abi::M_BLK, abi::BLK_NBLOCKS);
  for (uint64_t b = 0; blocks > 0 && b < (uint64_t)blocks;) {
    const int64_t size = tar_header(b);
    if (size < 0) return abi::E_INVAL;  // the end (two zero blocks) or not an archive
    const uint8_t type = g_block[156];
    if ((type == '0' || type == 0) && tar_name_is(g_block, name, n)) return (int64_t)b;
    b += 1 + ((uint64_t)size + disk::BLOCK - 1) / disk::BLOCK;
  }
  return abi::E_INVAL;
}

int64_t read_file(uint32_t f, uint32_t off, uint8_t* dst, uint64_t len) {
  u::lock(0);
  int64_t r = load_dir();
  uint32_t first = 0, size = 0;
  if (r == 0) r = locate(f, &first, &size);
  if (r == 0) {
    uint64_t n = off >= size ? 0 : (size - off < len ? size - off : len);
    uint64_t done = 0;
    while (done < n && r >= 0) {
      uint32_t pos = off + (uint32_t)done;
      uint32_t blk = first + pos / disk::BLOCK, in = pos % disk::BLOCK;
      if (in == 0 && n - done >= disk::BLOCK) {
        r = u::call(abi::M_BLK, abi::BLK_READ, blk, dst + done, disk::BLOCK);  // forward the window
        done += disk::BLOCK;
        continue;
      }
      r = u::call(abi::M_BLK, abi::BLK_READ, blk, g_block, disk::BLOCK);
      uint64_t k = disk::BLOCK - in < n - done ? disk::BLOCK - in : n - done;
      u::copy(dst + done, g_block + in, k);
      done += k;
    }
    if (r >= 0) r = (int64_t)n;
  }
  u::unlock(0);
  return r;
}
// Overwrites [off, off + len) of file f, clipped to its size: whole blocks
// straight from the caller's window (forwarded to blk, zero copy), partial
// ones read into the block cache, changed there, and written back.
int64_t write_file(uint32_t f, uint32_t off, const uint8_t* src, uint64_t len) {
  u::lock(0);
  int64_t r = load_dir();
  uint32_t first = 0, size = 0;
  if (r == 0) r = locate(f, &first, &size);
  if (r == 0 && off > size) r = abi::E_INVAL;
  if (r == 0) {
    const uint64_t n = size - off < len ? size - off : len;
    uint64_t done = 0;
    while (done < n && r >= 0) {
      const uint32_t pos = off + (uint32_t)done;
      const uint32_t blk = first + pos / disk::BLOCK, in = pos % disk::BLOCK;
      if (in == 0 && n - done >= disk::BLOCK) {
        r = u::call(abi::M_BLK, abi::BLK_WRITE, blk, src + done, disk::BLOCK | abi::BUF_IN);
        done += disk::BLOCK;
        continue;
      }
      r = u::call(abi::M_BLK, abi::BLK_READ, blk, g_block, disk::BLOCK);
      const uint64_t k = disk::BLOCK - in < n - done ? disk::BLOCK - in : n - done;
      if (r >= 0) {
        u::copy(g_block + in, src + done, k);
        r = u::call(abi::M_BLK, abi::BLK_WRITE, blk, g_block, disk::BLOCK | abi::BUF_IN);
      }
      done += k;
    }
    if (r >= 0) r = (int64_t)n;
  }
  u::unlock(0);
  return r;
}
}  // namespace

int64_t module_main(uint64_t op, uint64_t arg, void* b0, uint64_t l0, void*, uint64_t) {
  switch (op) {
    case abi::FS_READ: return read_file((uint32_t)(arg >> 32), (uint32_t)arg, (uint8_t*)b0, l0);
    case abi::FS_WRITE: return write_file((uint32_t)(arg >> 32), (uint32_t)arg, (const uint8_t*)b0, l0);
    case abi::FS_TWOPHASE: {
      u::lock(1);
      g_pair_a = g_pair_a + 1;  // first half
      const int64_t r = u::call(abi::M_APP, abi::APP_REENTER);  // "notify the client" mid-update
      g_pair_b = g_pair_a;      // second half
      u::unlock(1);
      return r;
    }
    case abi::FS_PAIRCHECK: {
      const int64_t l = u::lock(1);
      if (l < 0) return l;
      const bool half = g_pair_a != g_pair_b;
      u::unlock(1);
      return half ? 1 : 0;
    }
    case abi::FS_MMAP: {  // read-only, whatever the caller asked: the server chooses
      auto* notice = (volatile uint64_t*)u::heap();
      notice[0] = abi::FS_NOTICE_MAGIC;
      notice[1] = g_counter;
      return u::sys(abi::SYS_mmap, abi::MMAP_LEND, (uint64_t)u::heap(), 1);
    }
    case abi::FS_SHM: {
      const uint64_t at = u::base() + abi::MOD_SHM;
      if (!g_shm_mapped) {  // fs's module area is shared by every task: map once
        const int64_t r = u::shm_map("demo", at);
        if (r < 0) return r;
        g_shm_mapped = true;
      }
      if (*(volatile uint64_t*)at != arg || *(volatile uint64_t*)(at + 4096) != arg) return -200;
      *(volatile uint64_t*)(at + 4096) = arg + 1;
      return 1;
    }
    case abi::FS_SIZE: {
      u::lock(0);
      int64_t r = load_dir();
      uint32_t first = 0, size = 0;
      if (r == 0) r = locate(arg, &first, &size);
      if (r == 0) r = size;
      u::unlock(0);
      return r;
    }
    case abi::FS_LOOKUP: {
      if (!l0 || l0 > 256) return abi::E_INVAL;
      uint8_t name[256];
      u::copy(name, b0, l0);  // fetched once: the caller cannot change it under the walk
      u::lock(0);
      int64_t r = load_dir();
      if (r == 0) r = lookup(name, l0);
      u::unlock(0);
      return r;
    }
    case abi::FS_INC:
      // A deliberately slow read-modify-write with a yield in the middle:
      // without the lock two tasks would lose updates.
      for (uint64_t i = 0; i < arg; ++i) {
        u::lock(1);
        uint64_t v = g_counter;
        if (i % 8 == 0) u::yield();
        g_counter = v + 1;
        u::unlock(1);
      }
      return (int64_t)arg;
    case abi::FS_COUNT: return (int64_t)g_counter;
    case abi::FS_FLAG:
      if (arg == 1) g_flag = 1;
      if (arg == 2) g_flag = 0;
      return (int64_t)g_flag;
    case abi::FS_ECHO: return (int64_t)arg + 1;
    case abi::FS_PEEK: return l0 ? *(volatile int64_t*)((uint8_t*)b0 + (int64_t)arg) : abi::E_INVAL;
    case abi::FS_FILL:
      for (uint64_t i = 0; i < l0; ++i) ((volatile uint8_t*)b0)[i] = (uint8_t)arg;
      return (int64_t)l0;
    case abi::FS_CALLBACK: return u::call(abi::M_APP, arg >> 32 ? (uint32_t)(arg >> 32) : abi::APP_NOP, (uint32_t)arg);
    case abi::FS_LOCKTEST: return lock_test(arg);
    case abi::FS_LOCKFAULT:
      u::lock(1);
      return *(volatile int64_t*)arg;  // arg = 0: faults while holding lock 1
  }
  return abi::E_INVAL;
}
