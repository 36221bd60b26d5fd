#include "emu/loader/acpi_tables.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "mmu/arch.h"
#include "mmu/phys.h"

namespace slot::emu::acpi {

namespace {

struct Blob {
  std::vector<uint8_t> b;
  void u8(uint8_t v) { b.push_back(v); }
  void u16(uint16_t v) { u8(uint8_t(v)), u8(uint8_t(v >> 8)); }
  void u32(uint32_t v) { u16(uint16_t(v)), u16(uint16_t(v >> 16)); }
  void u64(uint64_t v) { u32(uint32_t(v)), u32(uint32_t(v >> 32)); }
  void str(const char* s, size_t n) {
    for (size_t i = 0; i < n; ++i) u8(i < std::strlen(s) ? uint8_t(s[i]) : uint8_t(' '));
  }
  void zeros(size_t n) { b.insert(b.end(), n, 0); }
};

// The 36-byte system description header (ACPI 5.2.6), with the OEM fields
// SeaBIOS/QEMU write; length and checksum are filled in by finish().
Blob header(const char* signature, uint8_t revision) {
  Blob t;
  t.str(signature, 4);
  t.u32(0);  // length
  t.u8(revision);
  t.u8(0);   // checksum
  t.str("BOCHS ", 6);
  t.str("BXPC", 4), t.str(signature, 4);  // OEM table ID
  t.u32(1);  // OEM revision
  t.str("BXPC", 4);
  t.u32(1);  // creator revision
  return t;
}

std::vector<uint8_t> finish(Blob t) {
  const uint32_t len = uint32_t(t.b.size());
  std::memcpy(&t.b[4], &len, 4);
  t.b[9] = checksum(t.b);
  return t.b;
}

std::vector<uint8_t> madt() {
  Blob t = header("APIC", 1);
  t.u32(uint32_t(x86::APIC_DEFAULT_BASE));
  t.u32(1);  // PCAT_COMPAT: 8259s present
  t.u8(0), t.u8(8), t.u8(0), t.u8(0), t.u32(1);                      // local APIC: uid 0, id 0, enabled
  t.u8(1), t.u8(12), t.u8(0), t.u8(0), t.u32(0xFEC00000), t.u32(0);  // I/O APIC 0 at GSI 0
  // Interrupt source overrides (ISA bus): IRQ 0 -> GSI 2; the PCI lines
  // 5, 9, 10, 11 level-triggered, active high (flags 0xD).
  t.u8(2), t.u8(10), t.u8(0), t.u8(0), t.u32(2), t.u16(0);
  for (uint8_t irq : {5, 9, 10, 11}) t.u8(2), t.u8(10), t.u8(0), t.u8(irq), t.u32(irq), t.u16(0xD);
  t.u8(4), t.u8(6), t.u8(0xFF), t.u16(0), t.u8(1);  // every processor's LINT1 is NMI
  return finish(t);
}

std::vector<uint8_t> fadt(uint32_t facs, uint32_t dsdt) {
  // ACPI 1.0 FADT (116 bytes), the PIIX4 power-management block at 0x600.
  Blob t = header("FACP", 1);
  t.u32(facs), t.u32(dsdt);
  t.u8(0), t.u8(0);          // INT_MODEL, reserved
  t.u16(9);                  // SCI_INT
  t.u32(0xB2);               // SMI_CMD
  t.u8(0xF1), t.u8(0xF0);    // ACPI_ENABLE, ACPI_DISABLE
  t.u8(0), t.u8(0);          // S4BIOS_REQ, PSTATE_CNT
  t.u32(0x600), t.u32(0);    // PM1a_EVT_BLK, PM1b_EVT_BLK
  t.u32(0x604), t.u32(0);    // PM1a_CNT_BLK, PM1b_CNT_BLK
  t.u32(0);                  // PM2_CNT_BLK
  t.u32(0x608);              // PM_TMR_BLK
  t.u32(0xAFE0), t.u32(0);   // GPE0_BLK, GPE1_BLK
  t.u8(4), t.u8(2), t.u8(0), t.u8(4);  // PM1_EVT_LEN, PM1_CNT_LEN, PM2_CNT_LEN, PM_TMR_LEN
  t.u8(4), t.u8(0), t.u8(0), t.u8(0);  // GPE0_BLK_LEN, GPE1_BLK_LEN, GPE1_BASE, CST_CNT
  t.u16(0xFFF), t.u16(0xFFF);          // P_LVL2_LAT, P_LVL3_LAT: no C2/C3
  t.u16(0), t.u16(0);                  // FLUSH_SIZE, FLUSH_STRIDE
  t.u8(0), t.u8(0);                    // DUTY_OFFSET, DUTY_WIDTH
  t.u8(0), t.u8(0), t.u8(0x32);        // DAY_ALRM, MON_ALRM, CENTURY (CMOS 0x32)
  t.u16(0), t.u8(0);                   // IAPC_BOOT_ARCH, reserved
  // WBINVD, PROC_C1, SLP_BUTTON, RTC_S4, USE_PLATFORM_CLOCK; TMR_VAL_EXT
  // clear: the PM timer is 24 bits.
  t.u32(0x80A5);
  return finish(t);
}

std::vector<uint8_t> hpet() {
  Blob t = header("HPET", 1);
  t.u32(0x8086A201);  // event timer block ID: vendor 8086, 3 comparators, 64-bit, legacy routing
  t.u8(0), t.u8(0), t.u8(0), t.u8(0), t.u64(0xFED00000);  // GAS: system memory
  t.u8(0);            // HPET number
  t.u16(0);           // minimum clock tick in periodic mode
  t.u8(0);            // page protection
  return finish(t);
}

std::vector<uint8_t> waet() {
  Blob t = header("WAET", 1);
  t.u32(2);  // the ACPI PM timer is good: one read suffices
  return finish(t);
}

std::vector<uint8_t> facs() {
  Blob t;
  t.str("FACS", 4);
  t.u32(64);
  t.zeros(56);
  return t.b;
}

}  // namespace

uint8_t checksum(const std::vector<uint8_t>& bytes) {
  uint8_t s = 0;
  for (uint8_t x : bytes) s = uint8_t(s + x);
  return uint8_t(-s);
}

namespace {
// Appends `t` to the tables blob at `align`; returns its offset.
uint32_t append(std::vector<uint8_t>& blob, const std::vector<uint8_t>& t, uint32_t align) {
  while (blob.size() % align) blob.push_back(0);
  const uint32_t at = uint32_t(blob.size());
  blob.insert(blob.end(), t.begin(), t.end());
  return at;
}
void put32(std::vector<uint8_t>& b, uint32_t at, uint32_t v) {
  for (unsigned i = 0; i < 4; ++i) b[at + i] = uint8_t(v >> (8 * i));
}
uint32_t get32(const std::vector<uint8_t>& b, uint32_t at) {
  uint32_t v = 0;
  for (unsigned i = 0; i < 4; ++i) v |= uint32_t(b[at + i]) << (8 * i);
  return v;
}
}  // namespace

// The blobs hold offsets where pointers go (each relative to the start of the
// file it points into); the script says how to turn them into addresses.
Build build() {
  Build r;
  std::vector<uint8_t>& tb = r.tables;
  auto pointer = [&](const char* dest, uint32_t offset, const char* src) {
    r.script.push_back(Command{Command::Pointer, dest, src, offset, 4, 0, 0});
  };
  auto table = [&](std::vector<uint8_t> t, uint32_t align) {
    const uint32_t at = append(tb, t, align);
    r.script.push_back(Command{Command::Checksum, kTablesFile, "", at + 9, 0, at, uint32_t(t.size())});
    return at;
  };
  r.script.push_back(Command{Command::Allocate, kTablesFile, "", 64, 0, 0, 0});
  r.script.push_back(Command{Command::Allocate, kRsdpFile, "", 16, 0, 0, 0});
  const uint32_t facs_at = append(tb, facs(), 64);  // no checksum in the FACS
  const uint32_t dsdt_at = table(finish(header("DSDT", 1)), 16);
  std::vector<uint32_t> listed;
  const uint32_t fadt_at = table(fadt(facs_at, dsdt_at), 16);
  pointer(kTablesFile, fadt_at + 36, kTablesFile);  // FIRMWARE_CTRL
  pointer(kTablesFile, fadt_at + 40, kTablesFile);  // DSDT
  listed.push_back(fadt_at);
  listed.push_back(table(madt(), 16));
  listed.push_back(table(hpet(), 16));
  listed.push_back(table(waet(), 16));
  Blob rsdt = header("RSDT", 1);
  for (uint32_t a : listed) rsdt.u32(a);
  const uint32_t rsdt_at = table(finish(rsdt), 16);
  for (size_t i = 0; i < listed.size(); ++i) pointer(kTablesFile, uint32_t(rsdt_at + 36 + 4 * i), kTablesFile);
  // The pointer patches come before the checksums that cover them.
  std::stable_partition(r.script.begin(), r.script.end(), [](const Command& c) { return c.kind != Command::Checksum; });

  Blob rsdp;
  rsdp.str("RSD PTR ", 8);
  rsdp.u8(0);
  rsdp.str("BOCHS ", 6);
  rsdp.u8(0);  // revision 0: ACPI 1.0, 20 bytes
  rsdp.u32(rsdt_at);
  r.rsdp = rsdp.b;
  r.script.push_back(Command{Command::Pointer, kRsdpFile, kTablesFile, 16, 4, 0, 0});
  r.script.push_back(Command{Command::Checksum, kRsdpFile, "", 8, 0, 0, 20});
  return r;
}

// Runs the script as SeaBIOS does: each file placed at `base[file]`, every
// pointer relocated, every checksum recomputed.
void link(Build& b, uint32_t tables_base, uint32_t rsdp_base) {
  auto file = [&](const std::string& name) -> std::vector<uint8_t>& { return name == kRsdpFile ? b.rsdp : b.tables; };
  auto base = [&](const std::string& name) { return name == kRsdpFile ? rsdp_base : tables_base; };
  for (const Command& c : b.script) {
    if (c.kind == Command::Pointer) {
      std::vector<uint8_t>& d = file(c.file);
      put32(d, c.offset, get32(d, c.offset) + base(c.src));
    } else if (c.kind == Command::Checksum) {
      std::vector<uint8_t>& d = file(c.file);
      d[c.offset] = 0;
      const std::vector<uint8_t> span(d.begin() + c.start, d.begin() + c.start + c.length);
      d[c.offset] = checksum(span);
    }
  }
}

// QEMU's table-loader format (bios-linker-loader): 128-byte little-endian
// commands; file names are 56-byte NUL-padded strings.
std::vector<uint8_t> loader_script(const Build& b) {
  std::vector<uint8_t> out;
  for (const Command& c : b.script) {
    std::vector<uint8_t> e(128, 0);
    auto name = [&](unsigned at, const std::string& n) { std::memcpy(&e[at], n.data(), std::min<size_t>(n.size(), 55)); };
    put32(e, 0, uint32_t(c.kind));
    name(4, c.file);
    if (c.kind == Command::Allocate) {
      put32(e, 60, c.offset);                                     // alignment
      e[64] = c.file == kRsdpFile ? 2 : 1;                        // zone: FSEG for the RSDP, else HIGH
    } else if (c.kind == Command::Pointer) {
      name(60, c.src);
      put32(e, 116, c.offset);
      e[120] = uint8_t(c.size);
    } else {
      put32(e, 60, c.offset), put32(e, 64, c.start), put32(e, 68, c.length);
    }
    out.insert(out.end(), e.begin(), e.end());
  }
  // QEMU pads the script to whole 4 KiB pages; command 0 entries are ignored.
  out.resize((out.size() + 4095) & ~size_t(4095), 0);
  return out;
}

void install(mmu::PhysMemory& mem) {
  if (mem.size() < 2 * kTablesBelowTop) return;
  Build b = build();
  const uint32_t base = uint32_t(mem.size() - kTablesBelowTop);  // 64-byte aligned: RAM is whole MiB
  link(b, base, uint32_t(kRsdpAddr));
  for (size_t i = 0; i < b.tables.size(); ++i) mem.write(base + i, 1, b.tables[i]);
  for (size_t i = 0; i < b.rsdp.size(); ++i) mem.write(kRsdpAddr + i, 1, b.rsdp[i]);
}

}  // namespace slot::emu::acpi
