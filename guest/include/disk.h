// The block driver's disk: a tiny read-only file system. Shared by blk (which
// serves it), fs (which parses it) and the kernel's self-tests (which check
// what a client read against it). Block 0 is the directory.
#pragma once
#include <stdint.h>

namespace disk {

inline constexpr uint32_t BLOCK = 512;
inline constexpr uint32_t NBLOCKS = 160;
struct DirEntry {
  char name[16];
  uint32_t first_block, size;
};
inline constexpr uint32_t NFILES = 3;

inline constexpr char kMotd[] =
    "SlotLab demo: this text was read by the app through the fs server\n"
    "from the block driver, and written by the console driver.\n"
    "Each module ran in its own module area; the app's buffer was mapped,\n"
    "never copied, into a window of the task-private area.\n";
inline constexpr char kLorem[] =
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore\n"
    "et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut\n"
    "aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse\n"
    "cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in\n"
    "culpa qui officia deserunt mollit anim id est laborum. Sed ut perspiciatis unde omnis iste natus\n"
    "error sit voluptatem accusantium doloremque laudantium, totam rem aperiam, eaque ipsa quae ab illo\n"
    "inventore veritatis et quasi architecto beatae vitae dicta sunt explicabo. Nemo enim ipsam\n"
    "voluptatem quia voluptas sit aspernatur aut odit aut fugit, sed quia consequuntur magni dolores eos\n"
    "qui ratione voluptatem sequi nesciunt. Neque porro quisquam est, qui dolorem ipsum quia dolor sit\n"
    "amet, consectetur, adipisci velit, sed quia non numquam eius modi tempora incidunt ut labore et\n";
// File 2 ("pattern.bin", 64 KiB) is generated: byte i = pattern_byte(i).
inline constexpr uint32_t kPatternSize = 64 * 1024;
constexpr uint8_t pattern_byte(uint32_t i) { return (uint8_t)(i * 7 + (i >> 9) * 13 + 1); }

inline constexpr uint32_t kMotdBlock = 1, kLoremBlock = 4, kPatternBlock = 16;
static_assert(kLoremBlock + (sizeof kLorem - 1 + BLOCK - 1) / BLOCK <= kPatternBlock);
static_assert(kPatternBlock + kPatternSize / BLOCK <= NBLOCKS);

inline constexpr DirEntry kDir[NFILES] = {
    {"motd.txt", kMotdBlock, sizeof kMotd - 1},
    {"lorem.txt", kLoremBlock, sizeof kLorem - 1},
    {"pattern.bin", kPatternBlock, kPatternSize},
};

// Byte `off` of the disk, as the block driver serves it.
inline uint8_t byte_at(uint64_t off) {
  uint64_t b = off / BLOCK, i = off % BLOCK;
  if (b == 0) {
    if (i >= sizeof kDir) return 0;
    const auto* p = (const uint8_t*)kDir;  // not constexpr-evaluable; used at run time only
    return p[i];
  }
  if (b >= kMotdBlock && (off - kMotdBlock * BLOCK) < sizeof kMotd - 1 && b < kLoremBlock) return (uint8_t)kMotd[off - kMotdBlock * BLOCK];
  if (b >= kLoremBlock && b < kPatternBlock) {
    uint64_t o = off - kLoremBlock * BLOCK;
    return o < sizeof kLorem - 1 ? (uint8_t)kLorem[o] : 0;
  }
  if (b >= kPatternBlock && b < NBLOCKS) return pattern_byte((uint32_t)(off - kPatternBlock * BLOCK));
  return 0;
}

// Expected content of byte i of file f (the self-tests' oracle).
inline uint8_t file_byte(uint32_t f, uint32_t i) {
  return f == 0 ? (uint8_t)kMotd[i] : f == 1 ? (uint8_t)kLorem[i] : pattern_byte(i);
}

// FNV-1a, used by clients and the kernel to compare what was read.
constexpr uint32_t fnv1a(uint32_t h, uint8_t b) { return (h ^ b) * 16777619u; }
inline constexpr uint32_t FNV_INIT = 2166136261u;

}  // namespace disk
