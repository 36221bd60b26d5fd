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
#include <vector>

namespace slot::mmu { class PhysMemory; }

namespace slot::emu::acpi {

inline constexpr uint64_t kRsdpAddr = 0xF5B00;    // 16-byte aligned, in 0xE0000-0xFFFFF
inline constexpr uint64_t kTablesBelowTop = 0x20000;  // the reserved top of RAM

// Builds the tables for a machine with `ram_bytes` of RAM and writes them
// (the RSDP at kRsdpAddr, the rest from RAM top - kTablesBelowTop).
void install(mmu::PhysMemory& mem);

// The checksum byte that makes `bytes` sum to 0 (ACPI 5.2.5.3, 5.2.6).
uint8_t checksum(const std::vector<uint8_t>& bytes);

}  // namespace slot::emu::acpi
