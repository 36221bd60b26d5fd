// Boot-test helpers for ACPI tables as firmware leaves them (ACPI 6.4 §5.2):
// the RSDP in the BIOS area, the RSDT's table list, checksums. Header-only:
// kernels that read ACPI include it.
#pragma once
#include "tests/boot/rt/rt.h"

static inline uint8_t acpi_sum(const void* p, uint32_t n) {
  uint8_t s = 0;
  for (uint32_t i = 0; i < n; i++) s += ((const uint8_t*)p)[i];
  return s;
}
static inline uint32_t le32(const uint8_t* p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static inline uint64_t le64(const uint8_t* p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

// The RSDP: "RSD PTR " on a 16-byte boundary in 0xE0000-0xFFFFF with a good
// checksum over its first 20 bytes (§5.2.5.1).
static inline const uint8_t* acpi_find_rsdp() {
  for (uint64_t a = 0xE0000; a < 0x100000; a += 16)
    if (memcmp((const void*)a, "RSD PTR ", 8) == 0 && acpi_sum((const void*)a, 20) == 0) return (const uint8_t*)a;
  return nullptr;
}

// The table with signature `sig` listed in the RSDT, or nullptr.
static inline const uint8_t* acpi_find_table(const uint8_t* rsdp, const char* sig) {
  const uint8_t* rsdt = (const uint8_t*)(uint64_t)le32(rsdp + 16);
  for (uint32_t off = 36; off + 4 <= le32(rsdt + 4); off += 4) {
    const uint8_t* t = (const uint8_t*)(uint64_t)le32(rsdt + off);
    if (memcmp(t, sig, 4) == 0) return t;
  }
  return nullptr;
}
