// acpi: what a kernel reads from the firmware's ACPI tables and the devices
// they describe -- the RSDP in the BIOS area, the RSDT and XSDT, the MADT
// (local APIC, I/O APIC, interrupt source overrides), the FADT (PM timer,
// reset register, SCI), the HPET table; checksums of each; the PM timer
// running; the HPET's registers and a comparator. Addresses of the tables
// themselves are not printed (firmware places them where it likes).
#include "tests/boot/rt/acpi.h"

extern "C" const char rt_kernel_name[] = "acpi";

using namespace x86;

static void sig(const uint8_t* p, char out[5]) { memcpy(out, p, 4), out[4] = 0; }

static const uint8_t* g_madt, *g_fadt, *g_hpet;

static void table(const uint8_t* t) {
  char s[5];
  sig(t, s);
  const uint32_t len = le32(t + 4);
  rt_printf("table %s length %u revision %u checksum %s\n", s, len, t[8], acpi_sum(t, len) == 0 ? "ok" : "BAD");
  if (!memcmp(s, "APIC", 4)) g_madt = t;
  if (!memcmp(s, "FACP", 4)) g_fadt = t;
  if (!memcmp(s, "HPET", 4)) g_hpet = t;
}

static void madt() {
  const uint8_t* t = g_madt;
  rt_printf("MADT local APIC address %x flags %x\n", le32(t + 36), le32(t + 40));
  for (uint32_t off = 44; off < le32(t + 4);) {
    const uint8_t type = t[off], len = t[off + 1];
    if (type == 0) rt_printf("  local APIC: uid %u id %u flags %x\n", t[off + 2], t[off + 3], le32(t + off + 4));
    else if (type == 1) rt_printf("  I/O APIC: id %u address %x gsi base %u\n", t[off + 2], le32(t + off + 4), le32(t + off + 8));
    else if (type == 2) rt_printf("  override: bus %u irq %u gsi %u flags %x\n", t[off + 2], t[off + 3], le32(t + off + 4), t[off + 8] | t[off + 9] << 8);
    else if (type == 4) rt_printf("  local APIC NMI: uid %x flags %x lint %u\n", t[off + 2], t[off + 3] | t[off + 4] << 8, t[off + 5]);
    else rt_printf("  entry type %u length %u\n", type, len);
    if (len == 0) break;
    off += len;
  }
}

static void fadt() {
  const uint8_t* t = g_fadt;
  rt_printf("FADT SCI_INT %u SMI_CMD %x PM1a_EVT %x PM1a_CNT %x PM_TMR %x PM_TMR_LEN %u flags %x\n",
            t[46] | t[47] << 8, le32(t + 48), le32(t + 56), le32(t + 64), le32(t + 76), t[91], le32(t + 112));
  if (le32(t + 4) >= 129)
    rt_printf("FADT RESET_REG space %u width %u address %llx value %x\n", t[116], t[117],
              (unsigned long long)le64(t + 120), t[128]);
}

static void hpet_table() {
  const uint8_t* t = g_hpet;
  rt_printf("HPET table: block id %x address space %u address %llx number %u min tick %u\n", le32(t + 36), t[40],
            (unsigned long long)le64(t + 44), t[52], t[53] | t[54] << 8);
}

static uint32_t pm_timer() {
  uint32_t v;
  asm volatile("inl %1, %0" : "=a"(v) : "Nd"((uint16_t)0x608));
  return v;
}

void kmain() {
  const uint8_t* rsdp = acpi_find_rsdp();
  rt_check("RSDP found in 0xE0000-0xFFFFF with a good checksum", rsdp != nullptr, 1);
  if (!rsdp) return;
  char oem[7] = {};
  memcpy(oem, rsdp + 9, 6);
  rt_printf("RSDP revision %u oem '%s'\n", rsdp[15], oem);
  const uint8_t* rsdt = (const uint8_t*)(uint64_t)le32(rsdp + 16);
  table(rsdt);
  for (uint32_t off = 36; off < le32(rsdt + 4); off += 4) table((const uint8_t*)(uint64_t)le32(rsdt + off));
  if (rsdp[15] >= 2) rt_printf("XSDT address present: %u\n", le64(rsdp + 24) != 0);
  if (g_madt) madt();
  if (g_fadt) fadt();
  if (g_hpet) hpet_table();
  const uint32_t a = pm_timer();
  for (int i = 0; i < 100000; i++) asm volatile("pause");
  const uint32_t b = pm_timer();
  rt_check("PM timer runs (24 bits)", b != a && (b >> 24) == 0, 1);
  rt_map(0xFED00000, 0xFED00000, PTE_P | PTE_W | PTE_PCD);
  volatile uint64_t* h = (volatile uint64_t*)0xFED00000;
  rt_printf("HPET GCAP_ID %llx GEN_CONF %llx\n", (unsigned long long)h[0], (unsigned long long)h[2]);
  for (int t = 0; t < 3; t++)
    rt_printf("HPET timer %d config %llx comparator %llx\n", t, (unsigned long long)h[(0x100 + 0x20 * t) / 8],
              (unsigned long long)h[(0x108 + 0x20 * t) / 8]);
  rt_printf("PM1a_CNT %x\n", inw(0x604));
  outb(0xB2, 0xF1);  // ACPI_ENABLE to SMI_CMD (the FADT's values)
  rt_printf("after ACPI_ENABLE: PM1a_CNT %x\n", inw(0x604));
  outb(0xB2, 0xF0);
  rt_printf("after ACPI_DISABLE: PM1a_CNT %x\n", inw(0x604));
}
