// The virtio-blk device, as the kernel finds it and hands it to the driver
// granted it (MODF_VIRTIO_BLK): the kernel scans PCI bus 0 at boot, reads the
// BAR holding the virtio structures and the IRQ the firmware routed INTA to,
// and maps the BAR into the driver's module area only (module.cpp). The
// driver programs the device itself; the kernel takes the interrupt (the
// driver's ring-3 code cannot) and wakes the driver (SYS_dev DEV_WAIT).
// Without a device, blk serves its built-in disk (guest/include/disk.h).
#pragma once
#include <stdint.h>

struct BlkDevice {
  bool present = false;
  uint64_t bar = 0;       // physical
  uint32_t bar_size = 0;  // bytes, mapped at module base + MOD_DEVICE
  uint8_t irq = 0;        // ISA IRQ (8259 input) of INTA
  uint16_t common = 0, isr = 0, device = 0, notify = 0;  // offsets in the BAR
  uint32_t notify_mult = 0;
  uint8_t slot = 0;               // PCI device number on bus 0
  const char* problem = nullptr;  // a device was found but cannot be used: why
};
extern BlkDevice g_blkdev;

void blkdev_probe();               // before modules_load_all
void blkdev_irq();                 // the IRQ arrived (trap_dispatch): mask it, note it
bool blkdev_wait(uint64_t ticks);  // sleeps until the IRQ came; false on a timeout
