// blk: the block driver. Serves the disk of guest/include/disk.h one 512-byte
// block at a time into the caller's buffer (which it sees through a window).
#include "guest/include/disk.h"
#include "guest/modules/ulib.h"

SLOTLAB_MODULE("blk", abi::BLK_NOPS, 0, 0, 0, 0, 0);
SLOTLAB_OPNAMES(abi::BLK_NOPS, "BLK_READ\0BLK_NBLOCKS");

int64_t module_main(uint64_t op, uint64_t arg, void* b0, uint64_t l0, void*, uint64_t) {
  switch (op) {
    case abi::BLK_READ: {
      if (arg >= disk::NBLOCKS || l0 < disk::BLOCK) return abi::E_INVAL;
      auto* dst = (uint8_t*)b0;
      for (uint32_t i = 0; i < disk::BLOCK; ++i) dst[i] = disk::byte_at(arg * disk::BLOCK + i);
      return disk::BLOCK;
    }
    case abi::BLK_NBLOCKS: return disk::NBLOCKS;
  }
  return abi::E_INVAL;
}
