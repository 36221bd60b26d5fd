// workload=cat file=NAME: the app reads one file from the disk through fs
// (which finds it in the ustar archive the disk holds, or in the built-in
// disk) and blk (the virtio-blk driver, or the built-in disk), and returns
// its length and CRC-32 (IEEE 802.3, as `gzip`/zlib compute it), so any file
// put on the disk can be checked from outside:
//   CAT file=NAME bytes=N crc32=XXXXXXXX
// With write=N [at=OFFSET] [seed=S] the app first overwrites N bytes of the
// file at OFFSET with abi::cat_pattern(S, i) (fs FS_WRITE, blk BLK_WRITE: the
// device writes the image file), clipped to the file's size -- a ustar file
// never grows -- and the CRC is of the file as it then reads back.
#include "guest/include/slotlab_abi.h"
#include "guest/kernel/blkdev.h"
#include "guest/kernel/config.h"
#include "guest/kernel/cpufeat.h"
#include "guest/kernel/kprintf.h"
#include "guest/kernel/memlayout.h"
#include "guest/kernel/module.h"
#include "guest/kernel/pagetable.h"
#include "guest/kernel/trap.h"
#include "guest/kernel/vm.h"
#include "guest/kernel/workload.h"

namespace {
// Kernel-side evidence for "the device's registers are in the driver's module
// area and nowhere else": every page any module has mapped, translated
// through that module's own page tables, against the BAR's frames.
void report_device_mappings() {
  if (!g_blkdev.present) return;
  char names[160];
  unsigned n = 0;
  for (uint32_t id = 0; id < layout::MAX_MODULES; ++id) {
    const Module* m = module_get(id);
    if (!m) continue;
    bool mapped = false;
    for (unsigned r = 0; r < m->nranges && !mapped; ++r)
      for (uint32_t p = 0; p < m->ranges[r].npages && !mapped; ++p) {
        PtTranslation tr{};
        if (pt_translate(g_pt, m->pdpt, 3, m->ranges[r].va + p * 4096ull, &tr))
          mapped = tr.pa >= g_blkdev.bar && tr.pa < g_blkdev.bar + g_blkdev.bar_size;
      }
    for (const char* c = m->info.name; mapped && *c && n + 2 < sizeof names; ++c) names[n++] = *c;
    if (mapped && n + 2 < sizeof names) names[n++] = ' ';
  }
  names[n ? n - 1 : 0] = 0;
  kprintf("DISK registers mapped in the module page tables of: %s%s\n", n ? names : "none",
          g_cfg.mode == Mode::Monolithic ?  " (mode=monolithic: one PDPT holds every module's GiB, so every module reaches the device configuration; "
                                                 "the queue's registers are the kernel's)" : "");
}
}  // namespace

int run_cat() {
  report_device_mappings();
  unsigned n = 0;
  const char* name = cmdline_option("file", &n);
  auto* k = phys_ptr<abi::KInfo>(kinfo_page());
  if (!name || n == 0 || n >= sizeof k->cat_name) {
    kprintf("CAT error: give file=NAME (1-%u characters)\n", (unsigned)sizeof k->cat_name - 1);
    return 2;
  }
  for (unsigned i = 0; i < n; ++i) k->cat_name[i] = name[i];
  k->cat_name[n] = 0;
  uint64_t bytes = 0, at = 0, seed = 0;
  if (!cmdline_number("write", 0xFFFFFF, &bytes) || !cmdline_number("at", 0xFFFFFF, &at) ||
      !cmdline_number("seed", 0xFFFF, &seed)) {
    kprintf("CAT error: write=N at=OFFSET (each below 16 MiB) seed=S (below 65536)\n");
    return 2;
  }
  if (bytes) kprintf("CAT write file=%s at=%lu bytes=%lu seed=%lu\n", k->cat_name, at, bytes, seed);
  const int64_t r = run_task("cat", abi::M_APP, abi::APP_CAT, abi::cat_write_arg(at, bytes, seed));
  // Kernel-side evidence for the interrupt's path: one per request, every
  // one through the I/O APIC's vector, none through the 8259's.
  if (g_blkdev.present)
    kprintf("DISK interrupts: %u through the I/O APIC (pin %u, vector %u), %u through the 8259\n", blkdev_irqs(false),
            g_blkdev.irq, (unsigned)VEC_BLK, blkdev_irqs(true));
  if (abi::is_error(r)) {
    kprintf("CAT file=%s error=%ld\n", k->cat_name, r);
    return 1;
  }
  char crc[9] = {};
  for (int i = 0; i < 8; ++i) crc[i] = "0123456789abcdef"[(r >> (28 - 4 * i)) & 15];  // 8 digits, as host tools print it
  kprintf("CAT file=%s bytes=%lu crc32=%s\n", k->cat_name, (uint64_t)r >> 32, crc);
  return 0;
}
