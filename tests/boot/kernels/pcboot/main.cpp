// pcboot: the "done when" -- a kernel written for QEMU's `pc`
// machine, start to finish: it finds its CPUs through ACPI (the MADT) and
// fw_cfg and checks they agree with CPUID's topology leaf; enables the local
// APIC and routes the PIT through the I/O APIC using the MADT's interrupt
// source override; calibrates the APIC timer against the ACPI PM timer and
// reads the HPET's period from the HPET the ACPI table names; takes periodic
// APIC timer interrupts, PIT interrupts and the ACPI SCI of the PM timer; and
// uses the CPU corners (an instruction breakpoint, UMIP, protection keys).
// Only timing-independent facts are printed: QEMU's timers run in real time.
#include "tests/boot/rt/acpi.h"

extern "C" const char rt_kernel_name[] = "pcboot";

using namespace x86;

static constexpr uint64_t kApic = 0xFEE00000;
static uint32_t apic_rd(unsigned off) { return *(volatile uint32_t*)(kApic + off); }
static void apic_wr(unsigned off, uint32_t v) { *(volatile uint32_t*)(kApic + off) = v; }

struct Platform {
  unsigned madt_cpus = 0, fwcfg_cpus = 0, topo_cpus = 0;
  uint64_t ioapic = 0, hpet = 0;
  unsigned pit_gsi = 0;
  uint16_t pm_timer = 0;
};

static void discover(Platform& p) {
  const uint8_t* rsdp = acpi_find_rsdp();
  rt_check("RSDP found", rsdp != nullptr, 1);
  if (!rsdp) rt_finish();
  const uint8_t* madt = acpi_find_table(rsdp, "APIC");
  const uint8_t* fadt = acpi_find_table(rsdp, "FACP");
  const uint8_t* hpet = acpi_find_table(rsdp, "HPET");
  rt_check("MADT, FADT and HPET tables present", madt && fadt && hpet, 1);
  if (!madt || !fadt || !hpet) rt_finish();
  p.pit_gsi = 0;  // identity unless an override says otherwise (ACPI §5.2.12.5)
  for (uint32_t off = 44; off < le32(madt + 4) && madt[off + 1];) {
    const uint8_t* e = madt + off;
    if (e[0] == 0 && (le32(e + 4) & 1)) p.madt_cpus++;      // processor local APIC, enabled
    if (e[0] == 1 && !p.ioapic) p.ioapic = le32(e + 4);      // the first I/O APIC
    if (e[0] == 2 && e[3] == 0) p.pit_gsi = le32(e + 4);     // ISA IRQ 0's GSI
    off += e[1];
  }
  p.pm_timer = (uint16_t)le32(fadt + 76);
  p.hpet = le64(hpet + 44);
  outw(0x510, 5);  // fw_cfg FW_CFG_NB_CPUS
  p.fwcfg_cpus = inb(0x511) | inb(0x511) << 8;
  p.topo_cpus = cpuid(0xB, 1).b & 0xFFFF;  // logical processors at the core level
  rt_printf("CPUs: MADT %u, fw_cfg %u, CPUID.0BH %u\n", p.madt_cpus, p.fwcfg_cpus, p.topo_cpus);
  rt_check("CPU counts agree", p.madt_cpus == p.fwcfg_cpus && p.fwcfg_cpus == p.topo_cpus, 1);
  rt_printf("I/O APIC at %llx, PIT on GSI %u, PM timer at port %x, HPET at %llx\n", (unsigned long long)p.ioapic,
            p.pit_gsi, p.pm_timer, (unsigned long long)p.hpet);
}

static void ioapic_route(const Platform& p, unsigned gsi, uint32_t low) {
  volatile uint32_t* sel = (volatile uint32_t*)p.ioapic;
  volatile uint32_t* win = (volatile uint32_t*)(p.ioapic + 0x10);
  *sel = 0x11 + 2 * gsi;  // destination APIC 0
  *win = 0;
  *sel = 0x10 + 2 * gsi;
  *win = low;
}

// The APIC timer's count over about one millisecond of PM timer (3.579545 MHz).
static uint32_t calibrate(const Platform& p) {
  apic_wr(0x3E0, 0x3);          // divide by 16
  apic_wr(0x320, 1u << 16);     // one-shot, masked
  apic_wr(0x380, 0xFFFFFFFF);
  const uint32_t start = inl(p.pm_timer) & 0xFFFFFF;
  uint64_t spins = 0;
  while (((inl(p.pm_timer) - start) & 0xFFFFFF) < 3580 && spins < 100000000) spins++;
  const uint32_t counted = 0xFFFFFFFF - apic_rd(0x390);
  apic_wr(0x380, 0);
  return counted;
}

static void corners() {
  // An instruction breakpoint on a function, taken once (RF set by the handler).
  static volatile unsigned hits;
  rt_set_handler(1, [](Frame* f) {
    hits = hits + 1;
    f->rflags |= FL_RF;
    return true;
  });
  struct F { static __attribute__((noinline)) int target(int x) { asm volatile(""); return x * 3; } };
  write_dr0((uint64_t)&F::target);
  write_dr7(1);
  const int r = F::target(14);
  write_dr7(0);
  rt_check("instruction breakpoint: hit once, the function ran", hits == 1 && r == 42, 1);
  rt_check("CPUID: UMIP and PKU offered", (cpuid(7).c & 0xC) == 0xC, 1);
  write_cr4(read_cr4() | (1u << 11) | (1u << 22));  // UMIP, PKE
  rt_check("CR4.UMIP and CR4.PKE set", (read_cr4() >> 11 & 1) && (read_cr4() >> 22 & 1), 1);
  rt_check("CPUID: OSPKE follows CR4.PKE", (cpuid(7).c >> 4) & 1, 1);
  write_cr4(read_cr4() & ~((1ull << 11) | (1ull << 22)));
}

static volatile unsigned g_timer, g_pit, g_sci;
static volatile uint16_t g_sci_sts;

// The SCI (FADT SCI_INT, IRQ 9 as the MADT's override says: level, active
// high): TMR_EN with SCI_EN raises it when bit 23 of the PM timer toggles
// (every 2^23 ticks, 2.3 s); TMR_STS holds it until written back. The PIT
// keeps waking the HLT loop meanwhile; the wait ends after 5 s of PM timer.
static void sci(const Platform& p) {
  rt_set_handler(0x49, [](Frame*) {
    g_sci = g_sci + 1;
    g_sci_sts = inw(0x600);
    outw(0x600, 1);  // clear TMR_STS: the line drops
    apic_wr(0xB0, 0);
    return true;
  });
  rt_set_handler(0x41, [](Frame*) { apic_wr(0xB0, 0); return true; });
  outb(0xB2, 0xF1);  // ACPI_ENABLE: SCI_EN
  outw(0x600, 1);    // TMR_STS cleared
  outw(0x602, 1);    // TMR_EN
  ioapic_route(p, 9, (1u << 15) | 0x49);  // level, active high
  ioapic_route(p, p.pit_gsi, 0x41);
  uint32_t last = inl(p.pm_timer) & 0xFFFFFF;
  uint64_t waited = 0;
  while (g_sci == 0 && waited < 5 * 3579545ull) {
    asm volatile("sti; hlt; cli");
    const uint32_t now = inl(p.pm_timer) & 0xFFFFFF;
    waited += (now - last) & 0xFFFFFF;
    last = now;
  }
  outw(0x602, 0);
  ioapic_route(p, 9, 1u << 16);
  ioapic_route(p, p.pit_gsi, 1u << 16);
  rt_check("SCI for the PM timer's bit-23 toggle: one interrupt", g_sci, 1);
  rt_check("SCI: TMR_STS was set", g_sci_sts & 1, 1);
  rt_check("TMR_STS cleared by writing 1", inw(0x600) & 1, 0);
}

void kmain() {
  Platform p;
  discover(p);
  rt_map(kApic, kApic, PTE_P | PTE_W | PTE_PCD);
  rt_map(p.ioapic, p.ioapic, PTE_P | PTE_W | PTE_PCD);
  rt_map(p.hpet, p.hpet, PTE_P | PTE_W | PTE_PCD);

  outb(0x21, 0xFF), outb(0xA1, 0xFF);  // the 8259s masked: everything through the APICs
  apic_wr(0xF0, 0x1FF);                // software-enable, spurious vector 0xFF
  rt_check("local APIC enabled", apic_rd(0xF0) & 0x100, 0x100);

  const uint64_t period_fs = *(volatile uint64_t*)p.hpet >> 32;
  rt_check("HPET period in range (0, 100 ns]", period_fs > 0 && period_fs <= 100000000, 1);
  const uint32_t per_ms = calibrate(p);
  rt_check("APIC timer counted during a PM-timer millisecond", per_ms > 0, 1);

  // Periodic APIC timer at the calibrated millisecond, vector 0x40.
  rt_set_handler(0x40, [](Frame*) { g_timer = g_timer + 1; apic_wr(0xB0, 0); return true; });
  apic_wr(0x3E0, 0x3);
  apic_wr(0x320, (1u << 17) | 0x40);
  apic_wr(0x380, per_ms ? per_ms : 1000);
  rt_check("5 periodic APIC timer interrupts", rt_wait_for([] { return g_timer >= 5; }), 1);
  apic_wr(0x320, 1u << 16);

  // The PIT (mode 2, ~1 kHz) through the I/O APIC pin the MADT names, vector 0x41.
  rt_set_handler(0x41, [](Frame*) { g_pit = g_pit + 1; apic_wr(0xB0, 0); return true; });
  outb(0x43, 0x34), outb(0x40, 1193 & 0xFF), outb(0x40, 1193 >> 8);
  ioapic_route(p, p.pit_gsi, 0x41);
  rt_check("3 PIT interrupts through the I/O APIC", rt_wait_for([] { return g_pit >= 3; }), 1);
  ioapic_route(p, p.pit_gsi, 1u << 16);
  sci(p);

  corners();
}
