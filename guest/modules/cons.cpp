// cons: the console driver. Owns the VGA text buffer (device memory mapped
// into its module area) and the COM1 UART (ports 0x3F8-0x3FF granted to it
// alone through the TSS I/O bitmap). Text from each task is shown on VGA at
// once and kept per task; CONS_FLUSH prints it on COM1 in task order, so the
// transcript does not depend on how two clients were interleaved.
#include "guest/modules/ulib.h"

SLOTLAB_MODULE("cons", abi::CONS_NOPS, 48, 0, 0x3F8, 8, abi::MODF_VGA);
SLOTLAB_OPNAMES(abi::CONS_NOPS, "CONS_WRITE\0CONS_FLUSH\0CONS_LSR\0CONS_MMAP");

namespace {
constexpr uint32_t kMaxTasks = 48, kPerTask = 4096;
uint32_t g_len[kMaxTasks];
uint32_t g_vga_pos;

inline void outb(uint16_t port, uint8_t v) { asm volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
inline uint8_t inb(uint16_t port) {
  uint8_t v;
  asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
  return v;
}
void serial_putc(char c) {
  for (int i = 0; i < 100000 && !(inb(0x3FD) & 0x20); ++i) {
  }
  outb(0x3F8, (uint8_t)c);
}
void serial_puts(const char* s) {
  while (*s) serial_putc(*s++);
}
void serial_dec(uint32_t v) {
  char b[12];
  int n = 0;
  do b[n++] = (char)('0' + v % 10), v /= 10;
  while (v);
  while (n) serial_putc(b[--n]);
}

void vga_put(char c) {
  volatile uint16_t* vga = u::device();
  if (c == '\n') {
    g_vga_pos = (g_vga_pos / 80 + 1) * 80;
  } else {
    vga[g_vga_pos % (80 * 25)] = (uint16_t)(0x0700 | (uint8_t)c);
    ++g_vga_pos;
  }
  g_vga_pos %= 80 * 25;
}
}  // namespace

int64_t module_main(uint64_t op, uint64_t arg, void* b0, uint64_t l0, void*, uint64_t) {
  switch (op) {
    case abi::CONS_WRITE: {
      uint32_t t = u::task_id();
      if (t >= kMaxTasks) return abi::E_INVAL;
      u::lock(0);
      uint8_t* mine = u::heap() + t * kPerTask;
      uint64_t n = 0;
      for (; n < l0 && g_len[t] < kPerTask; ++n) {
        char c = ((const volatile char*)b0)[n];
        mine[g_len[t]++] = (uint8_t)c;
        vga_put(c);
      }
      u::unlock(0);
      return (int64_t)n;
    }
    case abi::CONS_FLUSH: {
      u::lock(0);
      int64_t total = 0;
      for (uint32_t t = 0; t < kMaxTasks; ++t) {
        const uint8_t* text = u::heap() + t * kPerTask;
        bool start = true;
        for (uint32_t i = 0; i < g_len[t]; ++i) {
          if (start) {
            serial_puts("CONSOLE task=");
            serial_dec(t);
            serial_puts(": ");
            start = false;
          }
          serial_putc((char)text[i]);
          if (text[i] == '\n') start = true;
        }
        if (!start) serial_putc('\n');
        total += g_len[t];
        g_len[t] = 0;
      }
      u::unlock(0);
      return total;
    }
    case abi::CONS_LSR: return inb(0x3FD);
    case abi::CONS_MMAP: return u::sys(abi::SYS_mmap, abi::MMAP_LEND, (uint64_t)u::device(), 1 | (arg == 1 ? abi::MMAP_WRITE : 0));
  }
  return abi::E_INVAL;
}
