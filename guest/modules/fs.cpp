// fs: the file server. Reads the directory and file blocks from blk into its
// own block cache (module data, shared by every task running fs, so guarded
// by lock 0), and copies file bytes into the caller's buffer. Whole-block
// reads are forwarded: the caller's window is passed on to blk, zero copy.
#include "guest/include/disk.h"
#include "guest/modules/ulib.h"

SLOTLAB_MODULE("fs", abi::FS_NOPS, 0, 1u << abi::M_BLK | 1u << abi::M_APP, 0, 0, 0);
SLOTLAB_OPNAMES(abi::FS_NOPS, "FS_READ\0FS_SIZE\0FS_INC\0FS_COUNT\0FS_FLAG\0FS_ECHO\0FS_PEEK\0FS_FILL\0FS_CALLBACK\0FS_LOCKFAULT");

namespace {
alignas(4096) uint8_t g_block[disk::BLOCK];
disk::DirEntry g_dir[disk::NFILES];
bool g_dir_loaded;
volatile uint64_t g_counter;
volatile uint64_t g_flag;

int64_t load_dir() {
  if (g_dir_loaded) return 0;
  int64_t r = u::call(abi::M_BLK, abi::BLK_READ, 0, g_block, disk::BLOCK);
  if (r < 0) return r;
  u::copy(g_dir, g_block, sizeof g_dir);
  g_dir_loaded = true;
  return 0;
}

int64_t read_file(uint32_t f, uint32_t off, uint8_t* dst, uint64_t len) {
  u::lock(0);
  int64_t r = load_dir();
  if (r == 0 && f >= disk::NFILES) r = abi::E_INVAL;
  if (r == 0) {
    uint32_t size = g_dir[f].size;
    uint64_t n = off >= size ? 0 : (size - off < len ? size - off : len);
    uint64_t done = 0;
    while (done < n && r >= 0) {
      uint32_t pos = off + (uint32_t)done;
      uint32_t blk = g_dir[f].first_block + pos / disk::BLOCK, in = pos % disk::BLOCK;
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
}  // namespace

int64_t module_main(uint64_t op, uint64_t arg, void* b0, uint64_t l0, void*, uint64_t) {
  switch (op) {
    case abi::FS_READ: return read_file((uint32_t)(arg >> 32), (uint32_t)arg, (uint8_t*)b0, l0);
    case abi::FS_SIZE: {
      u::lock(0);
      int64_t r = load_dir();
      if (r == 0) r = arg < disk::NFILES ? (int64_t)g_dir[arg].size : (int64_t)abi::E_INVAL;
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
    case abi::FS_CALLBACK: return u::call(abi::M_APP, abi::APP_NOP, arg);
    case abi::FS_LOCKFAULT:
      u::lock(1);
      return *(volatile int64_t*)arg;  // arg = 0: faults while holding lock 1
  }
  return abi::E_INVAL;
}
