// SYS_dev(op, a1, a2): what the driver granted the virtio-blk device
// (MODF_VIRTIO_BLK) needs from the kernel -- where the device's structures
// are in its module area, the physical address of a buffer it may hand the
// device, and a sleep until the device interrupts (slotlab_abi.h, DevOp).
//
// DEV_DMA is the kernel's side of "DMA goes only where the driver was given
// memory": it answers only for one page the running module may write (may
// read, for DEV_DMA_FROM: the device only reads it), in its
// own GiB (not the device's registers) or in the caller's buffer window --
// never a stack, another module or the kernel. Without an IOMMU the device
// itself is not held to that: a driver could write any number into a
// descriptor; the kernel decides what it tells the driver.
#include "guest/kernel/blkdev.h"
#include "guest/kernel/memlayout.h"
#include "guest/kernel/module.h"
#include "guest/kernel/pagetable.h"
#include "guest/kernel/syscall.h"
#include "guest/kernel/task.h"
#include "guest/kernel/vm.h"
#include "guest/kernel/x86.h"
#include "mmu/arch.h"

using namespace layout;

namespace {
// device_writes: the device will write the page (a disk read), so the
// module must be able to write it too; else reading it is enough.
int64_t dma_address(uint32_t module, uint64_t va, uint64_t len, bool device_writes) {
  if (len == 0 || len > 4096 || (va & 4095) + len > 4096) return abi::E_BADBUF;
  const uint64_t base = module_base(module);
  const bool own = va >= base && va < base + MOD_DEVICE;
  const bool window = va >= window_base(0) && va < PRIVATE_AREA + (1ull << 39);
  if (!own && !window) return abi::E_BADBUF;
  PtTranslation tr{};
  if (!pt_translate(g_pt, cpu::read_cr3() & x86::PTE_ADDR, 4, va, &tr) || !tr.user || (device_writes && !tr.write))
    return abi::E_BADBUF;
  return (int64_t)tr.pa;
}
}  // namespace

// The module asking is the one whose code made the system call: its GiB of
// the module area holds the SYSCALL's return address (in mode=monolithic
// every module's code is mapped, and the task's own module is not the caller).
void sys_dev(Task*, TrapFrame* f) {
  const uint32_t id = module_of(f->rip);
  const Module* m = module_get(id);
  if (!m || !(m->info.flags & abi::MODF_VIRTIO_BLK)) return void(f->rax = (uint64_t)abi::E_DENIED);
  if (!g_blkdev.present) return void(f->rax = (uint64_t)abi::E_NOMODULE);
  const BlkDevice& d = g_blkdev;
  switch (f->rdi) {
    case abi::DEV_INFO:
      f->rax = d.common | (uint64_t)d.isr << 16 | (uint64_t)d.device << 32 | (uint64_t)d.notify << 48;
      return;
    case abi::DEV_NOTIFY_MULT: f->rax = d.notify_mult; return;
    case abi::DEV_DMA: f->rax = (uint64_t)dma_address(id, f->rsi, f->rdx, true); return;
    case abi::DEV_DMA_FROM: f->rax = (uint64_t)dma_address(id, f->rsi, f->rdx, false); return;
    case abi::DEV_WAIT: f->rax = blkdev_wait(f->rsi ? f->rsi : 100) ? 0 : (uint64_t)abi::E_TIMEOUT; return;
  }
  f->rax = (uint64_t)abi::E_INVAL;
}
