// acpi_loader: the ACPI tables the way firmware gets them from QEMU -- the
// fw_cfg files etc/acpi/tables, etc/acpi/rsdp and the etc/table-loader
// script (QEMU's bios-linker-loader: ALLOCATE, ADD_POINTER, ADD_CHECKSUM,
// 128-byte commands) -- run here as SeaBIOS runs it, into buffers of our own.
// The result must be a valid RSDP -> RSDT -> tables graph, and the tables
// without pointers must equal what the firmware left in memory.
#include "tests/boot/rt/acpi.h"
#include "tests/boot/rt/fw_cfg.h"

extern "C" const char rt_kernel_name[] = "acpi_loader";

struct File {
  const char* name;
  uint8_t* data;
  uint32_t size;
};

static uint8_t g_tables[256 * 1024] __attribute__((aligned(4096)));
static uint8_t g_rsdp[64] __attribute__((aligned(16)));
static uint8_t g_script[64 * 128];

void kmain() {
  uint32_t tsize = 0, rsize = 0, ssize = 0;
  const uint16_t tsel = fw_cfg_find("etc/acpi/tables", &tsize);
  const uint16_t rsel = fw_cfg_find("etc/acpi/rsdp", &rsize);
  const uint16_t ssel = fw_cfg_find("etc/table-loader", &ssize);
  rt_check("fw_cfg has etc/acpi/tables, etc/acpi/rsdp, etc/table-loader", tsel && rsel && ssel, 1);
  if (!tsel || !rsel || !ssel || tsize > sizeof g_tables || rsize > sizeof g_rsdp || ssize > sizeof g_script) rt_finish();
  rt_printf("rsdp file: %u bytes; script: %u commands\n", rsize, ssize / 128);
  fw_cfg_select(tsel), fw_cfg_read(g_tables, tsize);
  fw_cfg_select(rsel), fw_cfg_read(g_rsdp, rsize);
  fw_cfg_select(ssel), fw_cfg_read(g_script, ssize);

  File files[2] = {{"etc/acpi/tables", g_tables, tsize}, {"etc/acpi/rsdp", g_rsdp, rsize}};
  auto find = [&](const uint8_t* name) -> File* {
    for (File& f : files) {
      size_t n = 0;
      while (f.name[n] && f.name[n] == (char)name[n]) n++;
      if (!f.name[n] && !name[n]) return &f;
    }
    return nullptr;
  };
  unsigned allocs = 0, pointers = 0, sums = 0, unknown = 0, bad = 0;
  for (uint32_t at = 0; at + 128 <= ssize; at += 128) {
    const uint8_t* c = g_script + at;
    const uint32_t cmd = le32(c);
    if (cmd == 1) {  // ALLOCATE: file, align, zone -- our buffers are already aligned
      File* f = find(c + 4);
      if (!f || ((uint64_t)f->data & (le32(c + 60) - 1))) bad++;
      allocs++;
    } else if (cmd == 2) {  // ADD_POINTER: dest file, src file, offset, size
      File *d = find(c + 4), *s = find(c + 60);
      const uint32_t off = le32(c + 116);
      const uint8_t size = c[120];
      if (!d || !s || off + size > d->size || size > 8) { bad++; continue; }
      uint64_t v = 0;
      memcpy(&v, d->data + off, size);
      v += (uint64_t)s->data;
      memcpy(d->data + off, &v, size);
      pointers++;
    } else if (cmd == 3) {  // ADD_CHECKSUM: file, offset, start, length
      File* f = find(c + 4);
      const uint32_t off = le32(c + 60), start = le32(c + 64), len = le32(c + 68);
      if (!f || off >= f->size || start + len > f->size) { bad++; continue; }
      f->data[off] = (uint8_t)(f->data[off] - acpi_sum(f->data + start, len));
      sums++;
    } else if (cmd != 0) {
      unknown++;
    }
  }
  rt_printf("script: %u allocations, %u pointers, %u checksums, %u other commands\n", allocs, pointers, sums, unknown);
  rt_check("every command names a known file and stays inside it", bad, 0);

  rt_check("RSDP checksum", acpi_sum(g_rsdp, 20), 0);
  const uint8_t* rsdt = (const uint8_t*)(uint64_t)le32(g_rsdp + 16);
  rt_check("RSDT inside the tables file", rsdt >= g_tables && rsdt < g_tables + tsize, 1);
  rt_check("RSDT checksum", acpi_sum(rsdt, le32(rsdt + 4)), 0);
  const uint8_t* firmware_rsdp = acpi_find_rsdp();
  for (uint32_t off = 36; off + 4 <= le32(rsdt + 4); off += 4) {
    const uint8_t* t = (const uint8_t*)(uint64_t)le32(rsdt + off);
    char sig[5] = {};
    memcpy(sig, t, 4);
    const uint8_t* theirs = firmware_rsdp ? acpi_find_table(firmware_rsdp, sig) : nullptr;
    const bool has_pointers = memcmp(sig, "FACP", 4) == 0;  // FACS and DSDT addresses differ
    rt_printf("table %s length %u checksum %s%s\n", sig, le32(t + 4), acpi_sum(t, le32(t + 4)) == 0 ? "ok" : "BAD",
              has_pointers ? "" : theirs && memcmp(t, theirs, le32(t + 4)) == 0 ? ", equal to the firmware's" : ", DIFFERS");
    if (has_pointers) {
      const uint8_t* facs = (const uint8_t*)(uint64_t)le32(t + 36);
      const uint8_t* dsdt = (const uint8_t*)(uint64_t)le32(t + 40);
      rt_printf("  FACP -> FACS '%c%c%c%c', DSDT '%c%c%c%c' checksum %s\n", facs[0], facs[1], facs[2], facs[3], dsdt[0],
                dsdt[1], dsdt[2], dsdt[3], acpi_sum(dsdt, le32(dsdt + 4)) == 0 ? "ok" : "BAD");
    }
  }
}
