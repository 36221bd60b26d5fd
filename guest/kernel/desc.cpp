// GDT layout (selectors in trap.h), chosen for SYSCALL/SYSRET (SDM Vol. 2B
// SYSCALL/SYSRET, Vol. 3A §5.8.8): STAR[47:32] = 0x08 -> kernel CS 0x08,
// SS 0x10; STAR[63:48] = 0x18 -> 64-bit user CS 0x18+16 = 0x28, SS 0x18+8 = 0x20.
#include "guest/kernel/desc.h"

#include "guest/kernel/kprintf.h"
#include "guest/kernel/trap.h"
#include "guest/kernel/x86.h"
#include "mmu/arch.h"

namespace {

struct __attribute__((packed)) Tss {
  uint32_t reserved0;
  uint64_t rsp0, rsp1, rsp2;
  uint64_t reserved1;
  uint64_t ist[7];
  uint64_t reserved2;
  uint16_t reserved3;
  uint16_t iomap_base;
  uint8_t iomap[8192 + 1];  // one bit per port, 1 = denied; trailing 0xFF byte (SDM Vol. 1 §19.5.2)
};

struct __attribute__((packed)) Gdtr {
  uint16_t limit;
  uint64_t base;
};

struct IdtEntry {
  uint16_t off0, sel;
  uint8_t ist, type;
  uint16_t off1;
  uint32_t off2, zero;
};

alignas(16) Tss tss;
alignas(16) uint64_t gdt[8];
alignas(16) IdtEntry idt[256];

}  // namespace

void gdt_tss_init() {
  gdt[0] = 0;
  gdt[1] = 0x00AF9A000000FFFFull;  // 0x08 kernel code, L=1
  gdt[2] = 0x00CF92000000FFFFull;  // 0x10 kernel data
  gdt[3] = 0x00CFFA000000FFFFull;  // 0x18 user code 32 (unused; SYSRET layout)
  gdt[4] = 0x00CFF2000000FFFFull;  // 0x20 user data, DPL 3
  gdt[5] = 0x00AFFA000000FFFFull;  // 0x28 user code, L=1, DPL 3
  memset(&tss, 0, sizeof tss);
  tss.iomap_base = (uint16_t)__builtin_offsetof(Tss, iomap);
  memset(tss.iomap, 0xFF, sizeof tss.iomap);
  uint64_t base = (uint64_t)&tss, limit = sizeof(Tss) - 1;
  gdt[6] = (limit & 0xFFFF) | (base & 0xFFFFFF) << 16 | 0x89ull << 40 | ((limit >> 16) & 0xF) << 48 |
           ((base >> 24) & 0xFF) << 56;  // 0x30: available 64-bit TSS
  gdt[7] = base >> 32;
  Gdtr r{sizeof gdt - 1, (uint64_t)gdt};
  // CS keeps selector 0x08, which names an identical descriptor in the boot
  // GDT and in this one: no far transfer needed to reload it.
  asm volatile(
      "lgdt %0\n"
      "mov %1, %%ds; mov %1, %%es; mov %1, %%ss\n"
      "ltr %w2" ::"m"(r), "r"((uint64_t)KERNEL_DS), "r"((uint64_t)TSS_SEL) : "memory");
}

TssWord* const g_tss_rsp0 = (TssWord*)((char*)&tss + __builtin_offsetof(Tss, rsp0));

void io_permit(uint16_t first, uint16_t count, bool allow) {
  for (uint32_t p = first; p < (uint32_t)first + count && p < 65536; ++p) {
    uint8_t bit = (uint8_t)(1u << (p & 7));
    if (allow) tss.iomap[p >> 3] &= (uint8_t)~bit;
    else tss.iomap[p >> 3] |= bit;
  }
}

bool io_permitted(uint16_t port) { return !(tss.iomap[port >> 3] >> (port & 7) & 1); }

void idt_init() {
  for (unsigned v = 0; v < NUM_VECTORS; ++v) {
    uint64_t h = trap_vectors[v];
    idt[v] = {(uint16_t)h, KERNEL_CS, 0, 0x8E, (uint16_t)(h >> 16), (uint32_t)(h >> 32), 0};
  }
  Gdtr r{sizeof idt - 1, (uint64_t)idt};
  asm volatile("lidt %0" ::"m"(r));
}

void syscall_msrs_init() {
  cpu::wrmsr(x86::MSR_STAR, (uint64_t)0x18 << 48 | (uint64_t)KERNEL_CS << 32);
  cpu::wrmsr(x86::MSR_LSTAR, (uint64_t)&syscall_entry);
  // Clear IF (no interrupts until the kernel stack is in place), TF, DF, AC, IOPL.
  cpu::wrmsr(x86::MSR_FMASK, x86::FL_IF | x86::FL_TF | x86::FL_DF | x86::FL_AC | x86::FL_IOPL | x86::FL_NT);
  cpu::wrmsr(x86::MSR_EFER, cpu::rdmsr(x86::MSR_EFER) | x86::EFER_SCE | x86::EFER_NXE);
}

void pic_pit_init(unsigned hz) {
  // 8259A: ICW1..ICW4, master vectors 32..39, slave 40..47; mask all but IRQ0.
  cpu::outb(0x20, 0x11); cpu::outb(0xA0, 0x11);
  cpu::outb(0x21, 32);   cpu::outb(0xA1, 40);
  cpu::outb(0x21, 4);    cpu::outb(0xA1, 2);
  cpu::outb(0x21, 1);    cpu::outb(0xA1, 1);
  cpu::outb(0x21, 0xFE); cpu::outb(0xA1, 0xFF);
  // 8254 channel 0, lobyte/hibyte, mode 2 (rate generator).
  uint32_t div = 1193182 / hz;
  cpu::outb(0x43, 0x34);
  cpu::outb(0x40, (uint8_t)div);
  cpu::outb(0x40, (uint8_t)(div >> 8));
}

void pic_eoi() { cpu::outb(0x20, 0x20); }
