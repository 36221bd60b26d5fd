// Boot-test helpers for QEMU's fw_cfg at ports 0x510/0x511 (QEMU
// docs/specs/fw_cfg.rst): select an item, read bytes, find a file in the
// directory (item 0x19: a big-endian count, then 64-byte entries {size,
// select, reserved, name[56]}). Header-only.
#pragma once
#include "tests/boot/rt/rt.h"

static inline void fw_cfg_select(uint16_t item) { outw(0x510, item); }
static inline uint32_t fw_cfg_be(unsigned n) {
  uint32_t v = 0;
  for (unsigned i = 0; i < n; i++) v = v << 8 | inb(0x511);
  return v;
}
static inline void fw_cfg_read(void* to, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) ((uint8_t*)to)[i] = inb(0x511);
}
// The selector of file `name` (0 if absent); its size in *size.
static inline uint16_t fw_cfg_find(const char* name, uint32_t* size) {
  fw_cfg_select(0x19);
  const uint32_t files = fw_cfg_be(4);
  uint16_t found = 0;
  for (uint32_t f = 0; f < files && f < 256; f++) {
    const uint32_t sz = fw_cfg_be(4);
    const uint16_t sel = (uint16_t)fw_cfg_be(2);
    fw_cfg_be(2);
    char n[57] = {};
    fw_cfg_read(n, 56);
    size_t len = 0;
    while (name[len]) len++;
    if (!found && memcmp(n, name, len + 1) == 0) found = sel, *size = sz;
  }
  return found;
}
