// SYS_dev(op, a1, a2): what the driver granted the virtio-blk device
// (MODF_VIRTIO_BLK) needs from the kernel -- where the device's structures
// are in its module area, the device started, a request checked and queued,
// and a sleep until it completes (slotlab_abi.h, DevOp).
//
// DMA goes only where the driver was given memory: one page the running
// module may write (may read, for a buffer the device only reads), in its own
// GiB (not the device's registers) or in the caller's buffer window -- never a
// stack, another module or the kernel. Without an IOMMU the device itself
// cannot be held to that, so the driver never tells it an address: it submits
// virtual addresses (DEV_SUBMIT), the kernel checks and translates each one
// and writes the descriptors into a queue only it can reach (blkdev.h).
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

// DEV_SUBMIT: the driver's descriptors, read through its own page tables.
int64_t submit(uint32_t module, uint64_t regs, uint64_t va, uint64_t n) {
  if (n < 2 || n > 4) return abi::E_INVAL;
  const int64_t at = dma_address(module, va, n * sizeof(abi::DevDesc), false);
  const uint64_t base = module_base(module);
  if (at < 0 || va < base || va >= base + MOD_DEVICE) return abi::E_BADBUF;  // its own memory only
  const auto* in = phys_ptr<const abi::DevDesc>((uint64_t)at);
  BlkChain ch{};
  ch.n = (unsigned)n;
  for (unsigned i = 0; i < ch.n; ++i) {
    const abi::DevDesc d = in[i];  // one read: the driver cannot change it after the check
    ch.device_writes[i] = d.flags & abi::DEV_DESC_WRITE;
    const int64_t pa = dma_address(module, d.va, d.len, ch.device_writes[i]);
    if (pa < 0) return pa;
    ch.pa[i] = (uint64_t)pa;
    ch.len[i] = d.len;
  }
  return blkdev_submit(regs, ch);
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
  const uint64_t regs = module_base(id) + MOD_DEVICE;  // the BAR, in this module's area only
  switch (f->rdi) {
    case abi::DEV_INFO:
      f->rax = d.common | (uint64_t)d.isr << 16 | (uint64_t)d.device << 32 | (uint64_t)d.notify << 48;
      return;
    case abi::DEV_NOTIFY_MULT: f->rax = d.notify_mult; return;
    case abi::DEV_DMA: f->rax = (uint64_t)dma_address(id, f->rsi, f->rdx, true); return;
    case abi::DEV_DMA_FROM: f->rax = (uint64_t)dma_address(id, f->rsi, f->rdx, false); return;
    case abi::DEV_WAIT: f->rax = (uint64_t)blkdev_complete(regs, f->rsi ? f->rsi : 100); return;
    case abi::DEV_START: f->rax = (uint64_t)blkdev_start(regs); return;
    case abi::DEV_SUBMIT: f->rax = (uint64_t)submit(id, regs, f->rsi, f->rdx); return;
  }
  f->rax = (uint64_t)abi::E_INVAL;
}
