// The ACPI tables the firmware leaves for the kernel, as SeaBIOS builds them
// from QEMU 7.2's pc machine: ACPI 1.0 (RSDP revision 0, RSDT only, FADT
// revision 1), with the RSDP in the BIOS area and the tables at the top of
// RAM, in the 128 KiB the memory map reserves there (multiboot.cpp).
//
// Tables: RSDT -> FACP (-> FACS, DSDT), APIC (MADT: the local APIC, the I/O
// APIC, the interrupt source overrides of the pc, LINT1 as NMI), HPET, WAET.
// The DSDT is a bare header: no AML (docs/platform.md).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace slot::mmu { class PhysMemory; }

namespace slot::emu::acpi {

inline constexpr uint64_t kRsdpAddr = 0xF5B00;    // 16-byte aligned, in 0xE0000-0xFFFFF
inline constexpr uint64_t kTablesBelowTop = 0x20000;  // the reserved top of RAM

// The tables as QEMU hands them to firmware through fw_cfg: two files whose
// pointer fields hold offsets, and a script (QEMU's "etc/table-loader")
// that allocates each file, relocates the pointers and fixes the checksums.
inline constexpr const char* kTablesFile = "etc/acpi/tables";
inline constexpr const char* kRsdpFile = "etc/acpi/rsdp";
inline constexpr const char* kLoaderFile = "etc/table-loader";
struct Command {
  enum Kind : uint32_t { Allocate = 1, Pointer = 2, Checksum = 3 } kind;
  std::string file, src;  // Pointer: the field is in `file` and points into `src`
  uint32_t offset;        // Allocate: alignment; Pointer: the field; Checksum: the checksum byte
  uint32_t size;          // Pointer: field size in bytes
  uint32_t start, length; // Checksum: the bytes it covers
};
struct Build {
  std::vector<uint8_t> tables, rsdp;
  std::vector<Command> script;
};
Build build();
// Applies the script with the files placed at these addresses.
void link(Build& b, uint32_t tables_base, uint32_t rsdp_base);
// The script in QEMU's table-loader encoding (128-byte commands).
std::vector<uint8_t> loader_script(const Build& b);

// Builds, links and writes the tables, as SeaBIOS leaves them: the RSDP at
// kRsdpAddr, the rest from RAM top - kTablesBelowTop.
void install(mmu::PhysMemory& mem);

// The checksum byte that makes `bytes` sum to 0 (ACPI 5.2.5.3, 5.2.6).
uint8_t checksum(const std::vector<uint8_t>& bytes);

}  // namespace slot::emu::acpi
