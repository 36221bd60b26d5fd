// The virtio-blk device, as the kernel finds it and hands it to the driver
// granted it (MODF_VIRTIO_BLK): the kernel scans PCI bus 0 at boot, reads the
// BAR holding the virtio structures and the IRQ the firmware routed INTA to,
// and maps the BAR into the driver's module area only (module.cpp).
//
// There is no IOMMU, so a device told a physical address writes there. The
// driver therefore never programs the queue itself: the pages of the common
// configuration, the notification area and the ISR are mapped supervisor-only
// (present in the driver's page tables, reachable only by the kernel while
// the driver makes a system call); only the device-specific configuration
// (capacity) is the driver's to read. The kernel initialises the device,
// keeps the virtqueue in a frame of its own, and turns each request the
// driver submits -- virtual addresses in its own memory or its caller's
// window -- into descriptors after checking every one (SYS_dev DEV_SUBMIT).
// The kernel takes the interrupt through the I/O APIC (the driver's ring-3
// code cannot) and wakes the driver (SYS_dev DEV_WAIT).
// Without a device, blk serves its built-in disk (guest/include/disk.h).
#pragma once
#include <stdint.h>

struct BlkDevice {
  bool present = false;
  uint64_t bar = 0;       // physical
  uint32_t bar_size = 0;  // bytes, mapped at module base + MOD_DEVICE
  uint8_t irq = 0;        // ISA IRQ of INTA = its I/O APIC pin (its 8259 input stays masked)
  uint16_t common = 0, isr = 0, device = 0, notify = 0;  // offsets in the BAR
  uint32_t notify_mult = 0;
  uint8_t slot = 0;               // PCI device number on bus 0
  const char* problem = nullptr;  // a device was found but cannot be used: why
};
extern BlkDevice g_blkdev;

void blkdev_probe();               // before modules_load_all
void blkdev_irq();                 // VEC_BLK arrived (trap_dispatch): mask the pin, note it, EOI
void blkdev_irq_8259();            // the IRQ arrived through the 8259 (it must not: counted)
unsigned blkdev_irqs(bool through_8259);  // interrupts taken so far, by path
bool blkdev_wait(uint64_t ticks);  // sleeps until the IRQ came; false on a timeout

// The transport, run by the kernel on the driver's behalf; `regs` is where the
// BAR is mapped in the current address space (the driver's MOD_DEVICE).
struct BlkChain {  // one request's buffers, physical, checked by the caller
  uint64_t pa[4];
  uint32_t len[4];
  bool device_writes[4];
  unsigned n;
};
int64_t blkdev_start(uint64_t regs);  // virtio 1.1 §3.1.1 once: 1 | 2 if read-only, or E_INVAL
int64_t blkdev_submit(uint64_t regs, const BlkChain& c);  // E_BUSY while one is in flight
int64_t blkdev_complete(uint64_t regs, uint64_t ticks);   // the used length, or E_TIMEOUT (device reset)
bool blkdev_dma_target(uint64_t frame);  // a request in flight transfers to or from that frame
