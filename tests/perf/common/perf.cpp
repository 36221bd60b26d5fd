// Perf kernels' shared code: command-line arguments, 4 KiB mappings, the
// result line. See perf.h.
#include "tests/perf/common/perf.h"

#include "tests/boot/rt/rt.h"

// Multiboot information structure (spec 0.6.96 §3.3): flags at offset 0,
// cmdline (a physical address) at offset 16, valid when flags bit 2 is set.
static const char* cmdline() {
  const uint8_t* mbi = (const uint8_t*)(uint64_t)rt_mb_info;
  uint32_t flags = *(const uint32_t*)mbi;
  if (!(flags & (1u << 2))) return "";
  return (const char*)(uint64_t)*(const uint32_t*)(mbi + 16);
}

uint64_t perf_arg(const char* key, uint64_t def) {
  // Both loaders pass "<kernel path> <arguments>": match whole words only.
  const char* s = cmdline();
  while (*s) {
    while (*s == ' ') s++;
    const char* w = s;
    unsigned i = 0;
    while (key[i] && w[i] == key[i]) i++;
    if (!key[i] && w[i] == '=') {
      uint64_t v = 0;
      for (const char* p = w + i + 1; *p >= '0' && *p <= '9'; p++) v = v * 10 + (uint64_t)(*p - '0');
      return v;
    }
    while (*s && *s != ' ') s++;
  }
  return def;
}

uint64_t perf_map_pages(uint64_t pages, uint64_t pa) {
  for (uint64_t i = 0; i < pages; i++) rt_map(PERF_VA + i * 4096, pa + i * 4096, x86::PTE_P | x86::PTE_W);
  write_cr3(read_cr3());  // start the loop with an empty TLB on every machine
  return PERF_VA;
}

// All 16 digits through one loop whose length does not depend on the value,
// so that the instruction count of a run depends on the checksum's value
// nowhere (tests/perf/loop_count_test.cpp compares counts of two runs).
static void put_hex64(uint64_t v) {
  for (int s = 60; s >= 0; s -= 4) rt_putc("0123456789abcdef"[(v >> s) & 15]);
}

void perf_report(const char* name, uint64_t iters, uint64_t k, uint64_t checksum) {
  rt_printf("perf %s iters=%lu k=%lu loop_insns=%lu checksum=", name, iters, k, iters * k);
  put_hex64(checksum);
  rt_putc('\n');
}
