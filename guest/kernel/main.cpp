// The boot function, as a table of contents (xv6 main() style).
#include "guest/kernel/annotate.h"
#include "guest/kernel/blkdev.h"
#include "guest/kernel/config.h"
#include "guest/kernel/cpufeat.h"
#include "guest/kernel/desc.h"
#include "guest/kernel/kprintf.h"
#include "guest/kernel/module.h"
#include "guest/kernel/syscall.h"
#include "guest/kernel/task.h"
#include "guest/kernel/vm.h"
#include "guest/kernel/workload.h"

namespace {
struct MultibootInfo {  // Multiboot 0.6.96 §3.3, the fields we read
  uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
};
struct MultibootModule {
  uint32_t start, end, string, reserved;
};
constexpr uint32_t MB_MEM = 1u << 0, MB_CMDLINE = 1u << 2, MB_MODS = 1u << 3;

// A boot module whose string's second word is "manifest" ("FILE manifest":
// QEMU -initrd, slotlab --initrd) replaces the embedded boot manifest. Copied
// now: the frame allocator may hand out the module's memory later.
const char* manifest_module(const MultibootInfo* mbi, uint32_t* bytes) {
  static char text[8192];
  if (!(mbi->flags & MB_MODS)) return nullptr;
  const auto* mods = phys_ptr<const MultibootModule>(mbi->mods_addr);
  for (uint32_t i = 0; i < mbi->mods_count; ++i) {
    const char* s = phys_ptr<const char>(mods[i].string);
    while (*s && *s != ' ') ++s;
    while (*s == ' ') ++s;
    const char* w = "manifest";
    while (*w && *s == *w) ++s, ++w;
    if (*w || (*s && *s != ' ') || mods[i].end < mods[i].start) continue;
    uint32_t n = mods[i].end - mods[i].start;
    if (n >= sizeof text) n = sizeof text - 1;
    const char* src = phys_ptr<const char>(mods[i].start);
    for (uint32_t k = 0; k < n; ++k) text[k] = src[k] ? src[k] : ' ';
    text[n] = 0;
    *bytes = n;
    return text;
  }
  return nullptr;
}
}  // namespace

extern "C" void kernel_main(uint32_t mbi_pa) {
  serial_init();                                      // COM1, for every line below
  auto* mbi = phys_ptr<MultibootInfo>(mbi_pa);
  const char* cmdline = mbi->flags & MB_CMDLINE ? phys_ptr<const char>(mbi->cmdline) : "";
  const char* bad = nullptr;
  bool cmd_ok = parse_cmdline(cmdline, &g_cfg, &bad);  // workload=, mode=, flush=, bounce=
  static char bad_word[40];
  for (unsigned i = 0; bad && i < sizeof bad_word - 1 && bad[i] && bad[i] != ' '; ++i) bad_word[i] = bad[i];
  uint32_t manifest_bytes = 0;
  const char* manifest = manifest_module(mbi, &manifest_bytes);
  uint64_t mem_top = mbi->flags & MB_MEM ? (uint64_t)mbi->mem_upper * 1024 + 0x100000 : 64ull << 20;
  vm_init(mem_top);                                   // kernel area (global pages), frame allocator
  gdt_tss_init();                                     // GDT, TSS with its I/O bitmap
  idt_init();                                         // exceptions, IRQs
  syscall_msrs_init();                                // SYSCALL entry
  cpu_features_init();                                // PCID for flush=pcid
  blkdev_probe();                                     // a virtio-blk disk on PCI, for blk
  modules_load_all(manifest);                         // each module into its own PDPT, rights from the manifest
  fastpath_init();                                    // SYS_call/SYS_ret fastpath for mode=
  kinfo_init();                                       // the read-only page modules see
  sched_init();                                       // this thread becomes task 0, "init"
  pic_pit_init(1000);                                 // 1 kHz preemption
  kprintf("SLOTLAB guest workload=%s mode=%s flush=%s%s%s%s\n", workload_name(g_cfg.workload), mode_name(g_cfg.mode),
          flush_name(g_cfg.flush), g_cfg.bounce_edges ? "" : " bounce=none", g_cfg.fastpath ? "" : " fastpath=0",
          g_cfg.call_records ? "" : " annotate=0");
  if (manifest) kprintf("MANIFEST from the boot loader: %u bytes\n", manifest_bytes);
  if (g_blkdev.present) kprintf("DISK virtio-blk at 00:%02x.0 irq=%u: blk drives it\n", g_blkdev.slot, g_blkdev.irq);
  if (g_blkdev.problem) kprintf("DISK virtio-blk not used: %s\n", g_blkdev.problem);
  if (!cmd_ok) {
    kprintf("ERROR bad command-line word: %s\n", bad_word);
    kprintf("DONE\n");
    qemu_exit(2);
  }
  int status = 0;
  switch (g_cfg.workload) {                           // run it, report, exit
    case Workload::Demo: status = run_demo(); break;
    case Workload::Selftest: status = run_selftest(); break;
    case Workload::Attacks: status = run_attacks(); break;
    case Workload::Bench: status = run_bench(); break;
    case Workload::Chaos: status = run_chaos(); break;
    case Workload::Cat: status = run_cat(); break;
  }
  kprintf("DONE\n");
  qemu_exit((uint32_t)status);
}
