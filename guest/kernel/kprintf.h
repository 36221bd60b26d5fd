// Kernel text output on COM1 (polled 16550) plus a tiny printf:
// %s %c %d %u %x with optional l/ll, and %p. Output is the kernel's only
// report channel; scripts read it line by line.
#pragma once
#include <stdint.h>

void serial_init();
void kputc(char c);
void kputs(const char* s);
void kprintf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
[[noreturn]] void panic(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
[[noreturn]] void qemu_exit(uint32_t status);  // isa-debug-exit: process status (status << 1) | 1

// freestanding helpers
extern "C" void* memset(void* d, int c, unsigned long n);
extern "C" void* memcpy(void* d, const void* s, unsigned long n);
extern "C" int memcmp(const void* a, const void* b, unsigned long n);
unsigned long kstrlen(const char* s);
bool kstreq(const char* a, const char* b);
