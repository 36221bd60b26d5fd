// Boot-test runtime: serial transcript, self-checks, IDT/TSS, trap dispatch.
#include "tests/boot/rt/rt.h"

extern "C" {
extern uint8_t rt_armed;
extern uint64_t rt_jmp_rsp;
void rt_try_recover();
void rt_trap(Frame* f);
void rt_start64();
}

// ---------------------------------------------------------------- serial
static constexpr uint16_t COM1 = x86::PORT_COM1;

static void serial_init() {
  outb(COM1 + 1, 0x00);  // IER: no interrupts, we poll
  outb(COM1 + 3, 0x80);  // LCR.DLAB
  outb(COM1 + 0, 0x01);  // divisor 1 = 115200 baud
  outb(COM1 + 1, 0x00);
  outb(COM1 + 3, 0x03);  // 8N1
  outb(COM1 + 2, 0x00);  // FIFO off: QEMU then hands each byte straight to the chardev
}

extern "C" void rt_putc(char c) {
  while (!(inb(COM1 + 5) & 0x20)) {  // LSR.THRE
  }
  outb(COM1, (uint8_t)c);
}

extern "C" void rt_puts(const char* s) {
  while (*s) rt_putc(*s++);
}

static void put_num(uint64_t v, unsigned base, int width, char pad, bool neg) {
  char buf[24];
  int n = 0;
  do {
    buf[n++] = "0123456789abcdef"[v % base];
    v /= base;
  } while (v);
  if (neg) buf[n++] = '-';
  for (int i = n; i < width; i++) rt_putc(pad);
  while (n) rt_putc(buf[--n]);
}

extern "C" void rt_vprintf(const char* fmt, va_list ap) {
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      rt_putc(*fmt);
      continue;
    }
    char pad = ' ';
    int width = 0, lng = 0;
    if (*++fmt == '0') pad = '0', fmt++;
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    while (*fmt == 'l' || *fmt == 'z') lng++, fmt++;
    uint64_t u;
    switch (*fmt) {
      case 's': rt_puts(va_arg(ap, const char*)); break;
      case 'c': rt_putc((char)va_arg(ap, int)); break;
      case 'd': {
        int64_t d = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
        put_num(d < 0 ? 0 - (uint64_t)d : (uint64_t)d, 10, width, pad, d < 0);
        break;
      }
      case 'u':
      case 'x':
        u = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
        put_num(u, *fmt == 'u' ? 10 : 16, width, pad, false);
        break;
      case 'p': put_num((uint64_t)va_arg(ap, void*), 16, width, pad, false); break;
      default: rt_putc(*fmt); break;
    }
  }
}

extern "C" void rt_printf(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  rt_vprintf(fmt, ap);
  va_end(ap);
}

// ---------------------------------------------------------------- checks
static unsigned g_checks, g_failed;

extern "C" bool rt_check(const char* name, uint64_t got, uint64_t want) {
  g_checks++;
  if (got == want) {
    rt_printf("ok   %s = %lx\n", name, got);
    return true;
  }
  g_failed++;
  rt_printf("FAIL %s = %lx want %lx\n", name, got, want);
  return false;
}

extern "C" void rt_fail(const char* fmt, ...) {
  g_checks++;
  g_failed++;
  rt_puts("FAIL ");
  va_list ap;
  va_start(ap, fmt);
  rt_vprintf(fmt, ap);
  va_end(ap);
  rt_putc('\n');
}

extern "C" [[noreturn]] void rt_exit(uint32_t value) {
  outl(x86::PORT_DEBUG_EXIT, value);
  rt_puts("rt: isa-debug-exit did not stop the machine\n");
  for (;;) asm volatile("cli; hlt");
}

extern "C" [[noreturn]] void rt_finish() {
  rt_printf("summary: %u checks, %u failed\n", g_checks, g_failed);
  rt_exit(g_failed ? EXIT_FAIL : EXIT_PASS);
}

extern "C" bool rt_expect(const char* name, int caught, uint64_t vec, uint64_t err, uint64_t rip) {
  g_checks++;
  bool ok = caught ? (rt_fault.vec == vec && rt_fault.err == err && (rip == RT_ANY || rt_fault.rip == rip))
                   : vec == RT_NONE;
  if (!ok) g_failed++;
  rt_printf("%s %s: ", ok ? "ok  " : "FAIL", name);
  if (caught) {
    rt_printf("vec=%lx err=%lx", rt_fault.vec, rt_fault.err);
    if (rip != RT_ANY) rt_printf(" rip=%lx", rt_fault.rip);
  } else {
    rt_puts("no fault");
  }
  if (!ok) {
    if (vec == RT_NONE) rt_puts(" want no fault");
    else rt_printf(" want vec=%lx err=%lx rip=%lx", vec, err, rip);
  }
  rt_putc('\n');
  return ok;
}

extern "C" bool rt_expect_pf(const char* name, int caught, uint64_t err, uint64_t cr2, uint64_t rip) {
  g_checks++;
  bool ok = caught && rt_fault.vec == x86::VEC_PF && rt_fault.err == err && rt_fault.cr2 == cr2 &&
            (rip == RT_ANY || rt_fault.rip == rip);
  if (!ok) g_failed++;
  rt_printf("%s %s: ", ok ? "ok  " : "FAIL", name);
  if (caught) rt_printf("vec=%lx err=%lx cr2=%lx", rt_fault.vec, rt_fault.err, rt_fault.cr2);
  else rt_puts("no fault");
  if (caught && rip != RT_ANY) rt_printf(" rip=%lx", rt_fault.rip);
  if (!ok) rt_printf(" want #PF err=%lx cr2=%lx", err, cr2);
  rt_putc('\n');
  return ok;
}

// ---------------------------------------------------------------- IDT, TSS
struct Gate {
  uint16_t off0, sel;
  uint8_t ist, attr;
  uint16_t off1;
  uint32_t off2, zero;
};
static_assert(sizeof(Gate) == 16);
alignas(16) static Gate g_idt[256];
static TrapHandler g_handlers[256];
alignas(16) Tss rt_tss;
alignas(16) static uint8_t g_stack0[16384];
alignas(16) static uint8_t g_ist[7][4096];
FaultInfo rt_fault;

extern "C" uint64_t rt_ist_top(unsigned i) { return (uint64_t)&g_ist[i - 1][4096]; }
extern "C" uint64_t rt_stack0_top() { return (uint64_t)&g_stack0[sizeof g_stack0]; }

extern "C" void rt_set_gate_target(unsigned vec, uint64_t t) {
  Gate& g = g_idt[vec];
  g.off0 = (uint16_t)t;
  g.off1 = (uint16_t)(t >> 16);
  g.off2 = (uint32_t)(t >> 32);
}

extern "C" void rt_set_gate(unsigned vec, unsigned dpl, unsigned ist, unsigned type, bool present) {
  Gate& g = g_idt[vec];
  g.sel = SEL_KCODE64;
  g.ist = (uint8_t)ist;
  g.attr = (uint8_t)((present ? 0x80 : 0) | dpl << 5 | type);
}

extern "C" void rt_set_handler(unsigned vec, TrapHandler h) { g_handlers[vec] = h; }

volatile unsigned rt_irq_count;
volatile uint64_t rt_irq_vec;
bool rt_irq_eoi = true;
extern "C" bool rt_irq_counter(Frame* f) {
  rt_irq_vec = f->vec;
  rt_irq_count = rt_irq_count + 1;
  if (rt_irq_eoi) *(volatile uint32_t*)0xFEE000B0ull = 0;  // local APIC EOI
  return true;
}

extern "C" void rt_load_tr(uint32_t limit) {
  uint64_t base = (uint64_t)&rt_tss;
  uint64_t lo = (limit & 0xFFFF) | (base & 0xFFFFFF) << 16 | 0x89ull << 40 |  // P, type 9 (available)
                (uint64_t)(limit >> 16 & 0xF) << 48 | (base >> 24 & 0xFF) << 56;
  rt_gdt[SEL_TSS / 8] = lo;
  rt_gdt[SEL_TSS / 8 + 1] = base >> 32;
  asm volatile("ltr %w0" ::"r"(SEL_TSS));
}

static void idt_init() {
  for (unsigned v = 0; v < 256; v++) {
    rt_set_gate_target(v, (uint64_t)&rt_isr_stubs[16 * v]);
    rt_set_gate(v, v == VEC_USER_EXIT ? 3 : 0, 0, 0xE, true);
  }
  struct __attribute__((packed)) {
    uint16_t limit;
    uint64_t base;
  } idtr = {sizeof g_idt - 1, (uint64_t)g_idt};
  asm volatile("lidt %0" ::"m"(idtr));

  rt_tss.rsp[0] = rt_stack0_top();
  for (unsigned i = 1; i <= 7; i++) rt_tss.ist[i - 1] = rt_ist_top(i);
  rt_tss.iomap_base = __builtin_offsetof(Tss, iomap);
  memset(rt_tss.iomap, 0xFF, sizeof rt_tss.iomap);
  rt_load_tr(sizeof(Tss) - 1);
}

// Called by every stub (traps.S). Unhandled traps unwind an active rt_try /
// rt_run_user; anything else is a test bug or an emulator bug: report, stop.
extern "C" void rt_trap(Frame* f) {
  if (g_handlers[f->vec] && g_handlers[f->vec](f)) return;
  if (rt_armed) {
    rt_fault = {f->vec, f->err, f->rip, f->cs, f->rflags, f->rsp, f->ss, read_cr2(), f->rax};
    rt_armed = 0;
    f->rip = (uint64_t)&rt_try_recover;
    f->cs = SEL_KCODE64;
    f->rsp = rt_jmp_rsp;
    f->ss = SEL_KDATA;
    f->rflags = 2;
    return;
  }
  rt_fail("unexpected exception vec=%lx err=%lx rip=%lx cs=%lx rsp=%lx cr2=%lx", f->vec, f->err, f->rip,
          f->cs, f->rsp, read_cr2());
  rt_finish();
}

// ---------------------------------------------------------------- libc bits
extern "C" void* memset(void* d, int c, size_t n) {
  auto* p = (volatile uint8_t*)d;  // volatile: keep gcc from calling memset here
  while (n--) *p++ = (uint8_t)c;
  return d;
}
extern "C" void* memcpy(void* d, const void* s, size_t n) {
  auto* p = (volatile uint8_t*)d;
  auto* q = (const uint8_t*)s;
  while (n--) *p++ = *q++;
  return d;
}
extern "C" int memcmp(const void* a, const void* b, size_t n) {
  auto* p = (const uint8_t*)a;
  auto* q = (const uint8_t*)b;
  for (; n; n--, p++, q++)
    if (*p != *q) return *p - *q;
  return 0;
}

extern "C" void rt_start64() {
  outb(0x21, 0xFF);  // mask every PIC line: the BIOS may have left IRQ 0 enabled
  outb(0xA1, 0xFF);
  serial_init();
  idt_init();
  rt_printf("== boot test %s ==\n", rt_kernel_name);
  rt_check("multiboot magic", rt_mb_magic, 0x2BADB002);
  kmain();
  rt_finish();
}
