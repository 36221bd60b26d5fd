// Multiboot-1 loader ("Multiboot Specification version 0.6.96", sections 3.1
// "OS image format", 3.2 "Machine state", 3.3 "Boot information format").
// It puts the kernel and the boot information where QEMU 7.2's
// `-kernel` path puts them, so a guest sees the same facts under both:
//   - the memory map at 0x9000 and the 88-byte information structure at
//     0x9500 (EBX); flags 0x24F: mem_lower/mem_upper, boot_device 0x8000FFFF,
//     cmdline, mods (without modules: count 0, address = the cmdline's), mmap,
//     boot loader name;
//   - the module entries (if any), the command line, the modules' strings and
//     the boot loader name right after the kernel rounded up to 4 KiB, then
//     the modules page-aligned (QEMU's layout; its command line is
//     "<kernel path> <-append text>", see qemu_cmdline());
//   - memory map entries as SeaBIOS reports them under QEMU 7.2 -cpu max
//     (memory_map()); mem_lower = 639, mem_upper = the RAM block at 1 MiB in KiB.
// Differences from QEMU, on purpose: the boot loader name is "slotlab" (QEMU
// says "qemu"); ELF64 kernels load (QEMU refuses them unless they use the
// a.out kludge); header flag bits 3-15 are rejected as the spec requires
// (QEMU ignores them); the header may sit anywhere in the first 8192 bytes
// (QEMU stops 48 bytes short). With more than 3 GiB of RAM our flat RAM is
// reported as one block (QEMU splits it around the PCI hole).
//
// Entry state (spec 3.2; the CPU side is the machine's job): EAX = kBootMagic,
// EBX = info_addr, CS a flat 32-bit code segment, DS/ES/FS/GS/SS flat data,
// CR0.PE = 1, CR0.PG = 0, EFLAGS.IF = 0, EFLAGS.VM = 0. QEMU 7.2 observed:
// CS = 0x08, data selectors 0x10, CR0 = 0x11, EFLAGS = 0x2, CR3 = CR4 = 0,
// ESP = 0x6F08, IDTR base 0 limit 0x3FF, GDTR in its option ROM.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mmu/phys.h"

namespace slot::emu::multiboot {

inline constexpr uint32_t kHeaderMagic = 0x1BADB002;
inline constexpr uint32_t kBootMagic = 0x2BADB002;  // EAX at entry
inline constexpr uint32_t kSearchLimit = 8192;
inline constexpr uint32_t kMmapAddr = 0x9000;        // QEMU's ADDR_E820_MAP
inline constexpr uint32_t kInfoAddr = 0x9500;        // QEMU's ADDR_MBI
inline constexpr uint32_t kInfoSize = 88;
inline constexpr const char* kLoaderName = "slotlab";

// Header flags (spec 3.1.2).
inline constexpr uint32_t HF_PAGE_ALIGN = 1u << 0, HF_MEMORY_INFO = 1u << 1, HF_VIDEO_MODE = 1u << 2,
                          HF_AOUT_KLUDGE = 1u << 16;
// Info flags (spec 3.3).
inline constexpr uint32_t IF_MEMORY = 1u << 0, IF_BOOT_DEVICE = 1u << 1, IF_CMDLINE = 1u << 2, IF_MODS = 1u << 3,
                          IF_MMAP = 1u << 6, IF_LOADER_NAME = 1u << 9;

// Flat segments and control state at entry, as QEMU 7.2 sets them.
inline constexpr uint16_t kEntryCs = 0x08, kEntryDs = 0x10;
inline constexpr uint32_t kEntryCr0 = 0x11, kEntryEflags = 0x2;

struct Header {
  uint32_t offset;  // file offset of the magic
  uint32_t flags;
  // Address fields (offsets 12-28), valid when flags has HF_AOUT_KLUDGE.
  uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
};

// The first 4-byte aligned header in the first 8192 bytes whose checksum
// makes magic + flags + checksum == 0. Address fields are read only if they
// lie inside the file (else left 0; load() rejects such a header).
std::optional<Header> find_header(std::span<const uint8_t> image);

struct MemoryRegion {
  uint64_t base, length;
  uint32_t type;  // 1 = RAM, 2 = reserved
};
// The BIOS memory map (E820) of a PC with `ram_bytes` of RAM, as QEMU 7.2
// with SeaBIOS and -cpu max reports it: RAM below the 639 KiB EBDA, the EBDA
// and BIOS areas reserved, RAM from 1 MiB up to the last 128 KiB (which
// SeaBIOS keeps), the BIOS ROM below 4 GiB, and the AMD HyperTransport hole
// at 1012 GiB (QEMU adds it because its TCG "max" CPU says AuthenticAMD).
std::vector<MemoryRegion> memory_map(uint64_t ram_bytes);

enum class Format { Elf32, Elf64, AoutKludge };

struct BootInfo {
  uint32_t entry;           // EIP
  uint32_t info_addr;       // EBX
  uint64_t image_start;     // physical [start, end) of the kernel including bss
  uint64_t image_end;
  uint32_t cmdline_addr;
  Format format;
};

// A boot module (spec 3.3 "mods"): its bytes and its string. QEMU's
// `-initrd "FILE ARGS,FILE2"` makes one per comma-separated item, with the
// whole item ("FILE ARGS") as its string; load_modules() does the same.
struct BootModule {
  std::string string;
  std::vector<uint8_t> bytes;
};
// The modules of a QEMU-style -initrd list, read from their files (errors:
// std::runtime_error naming the file). Empty text: none.
std::vector<BootModule> load_modules(std::string_view initrd);

// Loads a multiboot kernel into RAM and writes the boot information. Throws
// std::runtime_error with one line for anything unusable (no header, bad
// header fields, not ELF without the a.out kludge, wrong machine, truncated
// file, a segment or the information outside RAM or overlapping 0x9000-0x95FF).
// With modules, QEMU's layout: right after the kernel rounded up to 4 KiB the
// 16-byte module entries (mods_addr), then the command line, the modules'
// strings and the boot loader name, then each module at a 4 KiB boundary.
BootInfo load(mmu::PhysMemory& mem, std::span<const uint8_t> image, std::string_view cmdline,
              std::span<const BootModule> modules = {});

// Reads `path` (missing, unreadable, not a regular file, or over 1 GiB:
// std::runtime_error) and loads it; error messages start with "<path>: ".
BootInfo load_file(mmu::PhysMemory& mem, const std::string& path, std::string_view cmdline,
                   std::span<const BootModule> modules = {});

// The command line QEMU passes: "<kernel path> <append>" (with the space even
// if append is empty).
std::string qemu_cmdline(std::string_view kernel_path, std::string_view append);

}  // namespace slot::emu::multiboot
