// COM1 output and formatting. The UART is polled (no interrupts): output
// order is program order, which keeps transcripts deterministic.
#include "guest/kernel/kprintf.h"

#include "guest/kernel/x86.h"
#include "mmu/arch.h"

namespace {
constexpr uint16_t COM1 = x86::PORT_COM1;

void put_unsigned(uint64_t v, unsigned base, int width, char pad) {
  char buf[24];
  int n = 0;
  do {
    buf[n++] = "0123456789abcdef"[v % base];
    v /= base;
  } while (v);
  while (n < width) buf[n++] = pad;
  while (n) kputc(buf[--n]);
}

void vformat(const char* fmt, __builtin_va_list ap) {
  for (; *fmt; ++fmt) {
    if (*fmt != '%') { kputc(*fmt); continue; }
    ++fmt;
    char pad = ' ';
    int width = 0;
    if (*fmt == '0') { pad = '0'; ++fmt; }
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    int longs = 0;
    while (*fmt == 'l') { ++longs; ++fmt; }
    switch (*fmt) {
      case 's': { const char* s = __builtin_va_arg(ap, const char*); kputs(s ? s : "(null)"); break; }
      case 'c': kputc((char)__builtin_va_arg(ap, int)); break;
      case 'd': {
        int64_t v = longs ? __builtin_va_arg(ap, int64_t) : __builtin_va_arg(ap, int);
        if (v < 0) { kputc('-'); v = -v; }
        put_unsigned((uint64_t)v, 10, width, pad);
        break;
      }
      case 'u': put_unsigned(longs ? __builtin_va_arg(ap, uint64_t) : __builtin_va_arg(ap, unsigned), 10, width, pad); break;
      case 'x': put_unsigned(longs ? __builtin_va_arg(ap, uint64_t) : __builtin_va_arg(ap, unsigned), 16, width, pad); break;
      case 'p': kputs("0x"); put_unsigned((uint64_t)__builtin_va_arg(ap, void*), 16, 16, '0'); break;
      case '%': kputc('%'); break;
      default: kputc('?'); break;
    }
  }
}
}  // namespace

void serial_init() {
  cpu::outb(COM1 + 1, 0x00);  // no interrupts
  cpu::outb(COM1 + 3, 0x80);  // DLAB
  cpu::outb(COM1 + 0, 0x01);  // 115200 baud
  cpu::outb(COM1 + 1, 0x00);
  cpu::outb(COM1 + 3, 0x03);  // 8N1
  cpu::outb(COM1 + 2, 0xC7);  // FIFO
  cpu::outb(COM1 + 4, 0x03);
}

void kputc(char c) {
  // Bounded wait for THR empty (LSR bit 5): a machine without a UART must
  // not hang the kernel.
  for (int i = 0; i < 100000 && !(cpu::inb(COM1 + 5) & 0x20); ++i) {
  }
  cpu::outb(COM1, (uint8_t)c);
}

void kputs(const char* s) {
  while (*s) kputc(*s++);
}

void kprintf(const char* fmt, ...) {
  __builtin_va_list ap;
  __builtin_va_start(ap, fmt);
  vformat(fmt, ap);
  __builtin_va_end(ap);
}

void panic(const char* fmt, ...) {
  kputs("PANIC: ");
  __builtin_va_list ap;
  __builtin_va_start(ap, fmt);
  vformat(fmt, ap);
  __builtin_va_end(ap);
  kputs("\n");
  qemu_exit(3);
}

void qemu_exit(uint32_t status) {
  cpu::outl(x86::PORT_DEBUG_EXIT, status);
  cpu::halt_forever();  // no debug-exit device: stop here
}

// REP STOSB / REP MOVSB, as Linux's memset_erms and memcpy_erms on CPUs with
// fast strings (CPUID.07H:EBX.ERMS). One instruction each: slotlab's cost
// model prices a REP MOVS/STOS by its start-up and its bytes at a copy
// bandwidth (docs/mmu.md §6), not by the instruction count, so a copy on the
// call path (saved registers, bounced buffer edges, IPC messages) costs what a
// real core's copy costs rather than a loop's instructions.
extern "C" void* memset(void* d, int c, unsigned long n) {
  void* p = d;
  asm volatile("rep stosb" : "+D"(p), "+c"(n) : "a"(c) : "memory");
  return d;
}
extern "C" void* memcpy(void* d, const void* s, unsigned long n) {
  void* p = d;
  asm volatile("rep movsb" : "+D"(p), "+S"(s), "+c"(n) : : "memory");
  return d;
}
extern "C" int memcmp(const void* a, const void* b, unsigned long n) {
  auto* p = (const uint8_t*)a;
  auto* q = (const uint8_t*)b;
  for (; n; --n, ++p, ++q)
    if (*p != *q) return *p < *q ? -1 : 1;
  return 0;
}
unsigned long kstrlen(const char* s) {
  unsigned long n = 0;
  while (s[n]) ++n;
  return n;
}
bool kstreq(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}
