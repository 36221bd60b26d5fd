// workload=attacks: each attack runs in a fresh task whose home module (app)
// plays the victim and calls the hostile module (evil). Contained = the
// victim saw the error the kernel promises, and the kernel's own evidence
// agrees: its canary is intact, the interrupt controllers' masks and the VGA
// cell an attack aims at are unchanged (whatever any module said), and the
// kernel is still here to print the line.
#include "guest/include/attacks.h"
#include "guest/include/slotlab_abi.h"
#include "guest/kernel/blkdev.h"
#include "guest/kernel/config.h"
#include "guest/kernel/kprintf.h"
#include "guest/kernel/locks.h"
#include "guest/kernel/memlayout.h"
#include "guest/kernel/module.h"
#include "guest/kernel/pagetable.h"
#include "guest/kernel/task.h"
#include "guest/kernel/vm.h"
#include "guest/kernel/x86.h"
#include "guest/kernel/workload.h"

namespace {
struct Attack {
  unsigned id;
  const char* name;
  const char* what;
};
constexpr Attack kAttacks[] = {
#define SLOTLAB_ATTACK_ROW(n, name, what) {n, #name, what},
    SLOTLAB_ATTACKS(SLOTLAB_ATTACK_ROW)
#undef SLOTLAB_ATTACK_ROW
};
constexpr uint32_t kCanary = 0x1BADB002;  // the multiboot magic at ATK_KERNEL_TARGET

// What the kernel can check itself after an attack, whatever any module returned.
struct Evidence {
  uint8_t master_mask, slave_mask;
  uint16_t vga_cell;
  static Evidence now() {
    return {cpu::inb(0x21), cpu::inb(0xA1), *phys_ptr<volatile uint16_t>(0xB8000 + ATK_VGA_CELL)};
  }
  // A breach the kernel saw (and undid), or nullptr. The disk's IRQ (and
  // the cascade, for one on the slave) is the kernel's to mask and unmask
  // around each request (blkdev.cpp): not evidence.
  const char* changed_since(const Evidence& before) const {
    uint8_t master_own = 0, slave_own = 0;
    if (g_blkdev.present) {
      if (g_blkdev.irq < 8) master_own = (uint8_t)(1u << g_blkdev.irq);
      else master_own = 4, slave_own = (uint8_t)(1u << (g_blkdev.irq - 8));
    }
    if (((master_mask ^ before.master_mask) & ~master_own) || ((slave_mask ^ before.slave_mask) & ~slave_own)) {
      cpu::outb(0x21, before.master_mask), cpu::outb(0xA1, before.slave_mask);
      return "the interrupt controller's masks changed";
    }
    if (vga_cell != before.vga_cell) {
      *phys_ptr<volatile uint16_t>(0xB8000 + ATK_VGA_CELL) = before.vga_cell;
      return "VGA memory changed";
    }
    return nullptr;
  }
};
// A malicious caller against a server: evil runs as a task's home module and
// attacks what fs gives it. Judged by the kernel alone: the task must end on
// a fault, and fs's notice page must still hold what fs wrote (read through
// fs's own page tables). 0 = contained.
int64_t hostile_caller(unsigned id) {
  const Module* fs = module_get(abi::M_FS);
  PtTranslation tr{};
  if (!fs || !pt_translate(g_pt, fs->pdpt, 3, layout::module_base(abi::M_FS) + layout::MOD_HEAP, &tr)) return 3;
  const int64_t r = run_task("hostile-caller", abi::M_EVIL, id, 0);
  const bool intact = *phys_ptr<volatile uint64_t>(tr.pa) == abi::FS_NOTICE_MAGIC;
  return r == abi::E_FAULT && intact ? 0 : (r > 0 ? r : 1);
}
// A driver that programs DMA into memory it was not given: evil runs as a
// task's home module and, if a policy granted it the virtio-blk device, asks
// the device to read a disk block into the kernel's canary, first through
// the kernel (DEV_SUBMIT must refuse every address), then by programming a
// queue of its own (the registers that would take it are the kernel's pages:
// a fault). Judged by the kernel: the canary, checked after the device has
// had time to finish anything it was told (attacks' loop), and, for a
// granted driver, the fault. Without the grant the device is out of reach.
int64_t hostile_driver(unsigned id) {
  const Module* evil = module_get(abi::M_EVIL);
  const bool driver = evil && (evil->info.flags & abi::MODF_VIRTIO_BLK) && g_blkdev.present;
  const int64_t r = run_task("hostile-driver", abi::M_EVIL, id, 0);
  for (const uint64_t until = g_ticks + 3; g_ticks < until;) cpu::sti_hlt_cli();  // 10 us of device latency, and more
  if (!driver) return r == abi::E_DENIED || r == abi::E_NOMODULE ? 0 : (r > 0 ? r : 1);
  return r == abi::E_FAULT ? 0 : (r > 0 ? r : 1);
}
// A malicious caller changes its request while the server works on it: a
// server that fetched it twice (or late) would act on the changed one. The
// kernel holds fs's lock 0 so that evil's FS_LOOKUP sleeps inside fs; a
// second evil task rewrites the name meanwhile; then fs goes on. Contained
// when the lookup answers what the same lookup answers undisturbed. (By
// default a name this short lies on a partial page and is bounced -- copied
// at the call -- so the change cannot reach fs at all; with bounce=none the
// window is the caller's own frame and fs's fetch-once (FS_LOOKUP copies the
// name before it takes its lock) is what contains it.)
int64_t toctou_caller(unsigned id) {
  const int64_t want = run_task("lookup", abi::M_EVIL, id, 0);
  if (want < 0 || locks_acquire(g_current, abi::M_FS, 0, 0) != 0) return 3;
  Task* caller = task_create("toctou-caller", abi::M_EVIL, id, 1);
  task_wait_blocked(caller);  // asleep in fs (modarea) or waiting for fs's thread (ipc)
  const int64_t flip = run_task("toctou-flipper", abi::M_EVIL, id, 2);
  locks_release(g_current, abi::M_FS, 0);
  task_wait(caller);
  const int64_t got = caller->exit_value;
  caller->state = TaskState::Free;
  return flip == 0 && got == want ? 0 : (got > 0 ? got + 100 : 1);
}
// A caller frees a page a callee still reaches: evil passes a page of its
// dynamic memory (SYS_mem) to fs, whose read sleeps on fs's lock 0 (the kernel
// holds it); a second evil task unmaps the page meanwhile. Had the kernel
// freed the frame, the next owner of that frame would share it with fs's
// window -- and, in mode=ipc, receive the reply's copy. Judged by the kernel:
// while the call is open the page must still be mapped in evil's own page
// tables, to the frame it had.
int64_t unmap_caller(unsigned id) {
  const Module* evil = module_get(abi::M_EVIL);
  if (!evil || locks_acquire(g_current, abi::M_FS, 0, 0) != 0) return 3;
  Task* caller = task_create("unmap-caller", abi::M_EVIL, id, 1);
  task_wait_blocked(caller);  // asleep in fs (modarea) or waiting for fs's thread (ipc)
  const uint64_t page = layout::module_base(abi::M_EVIL) + abi::MOD_DYN;
  PtTranslation before{}, after{};
  const bool mapped = pt_translate(g_pt, evil->pdpt, 3, page, &before);
  run_task("unmap-flipper", abi::M_EVIL, id, 2);
  const bool kept = pt_translate(g_pt, evil->pdpt, 3, page, &after) && after.pa == before.pa;
  locks_release(g_current, abi::M_FS, 0);
  task_wait(caller);
  const int64_t got = caller->exit_value;
  caller->state = TaskState::Free;
  if (!mapped) return got < 0 ? got : 4;  // the call never had the page
  return kept ? 0 : 1;
}
}  // namespace

int run_attacks() {
  if (g_cfg.mode == Mode::Monolithic) {
    kprintf("ATTACKS skipped: mode=monolithic has no isolation to attack\n");
    return 0;
  }
  manifest_report();
  int breaches = 0;
  auto* canary = (volatile uint32_t*)ATK_KERNEL_TARGET;
  for (const Attack& a : kAttacks) {
    const Evidence before = Evidence::now();
    // yield_forever: a task that never yields takes the CPU between evil's
    // yields, so the budget must count time, not the callee's own ticks.
    Task* spinner = a.id == ATK_yield_forever ? task_create("spinner", abi::M_APP, abi::APP_SPIN, 0) : nullptr;
    int64_t v = a.id == ATK_write_lent_page    ? hostile_caller(a.id)
                : a.id == ATK_toctou_lookup    ? toctou_caller(a.id)
                : a.id == ATK_driver_dma_outside ? hostile_driver(a.id)
                : a.id == ATK_unmap_passed_buffer ? unmap_caller(a.id)
                                               : run_task(a.name, abi::M_APP, abi::APP_PROBE, a.id);
    if (spinner) {
      run_task("unspin", abi::M_APP, abi::APP_SPIN, 1);
      task_wait(spinner);
      spinner->state = TaskState::Free;
    }
    const char* seen = Evidence::now().changed_since(before);
    if (seen) {
      kprintf("ATTACK %s: BREACH %s (kernel evidence)\n", a.name, seen);
      ++breaches;
    } else if (*canary != kCanary) {
      kprintf("ATTACK %s: BREACH kernel memory changed\n", a.name);
      *canary = kCanary;
      ++breaches;
    } else if (v != 0) {
      kprintf("ATTACK %s: BREACH %s (victim saw %ld)\n", a.name, a.what, v);
      ++breaches;
    } else {
      kprintf("ATTACK %s: contained\n", a.name);
    }
  }
  kprintf("ATTACKS total=%u breaches=%d\n", (unsigned)(sizeof kAttacks / sizeof kAttacks[0]), breaches);
  return breaches ? 1 : 0;
}
