// libFuzzer target: the ELF reader and the multiboot loader (emu/loader/).
// Input: a kernel image. Contract (elf.h, multiboot.h): malformed input of any
// kind ends in one std::runtime_error, never in an out-of-bounds access or
// an allocation beyond the image; a loaded kernel lies inside RAM.
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "emu/loader/elf.h"
#include "emu/loader/multiboot.h"

using namespace slot;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static mmu::PhysMemory mem(8ull << 20);
  const std::span<const uint8_t> file(data, size);
  try {
    if (emu::elf::is_elf(file)) {
      const auto img = emu::elf::parse(file);
      for (const auto& s : img.loads)
        if (s.offset > size || s.filesz > size - s.offset || s.filesz > s.memsz) std::abort();
    }
  } catch (const std::runtime_error&) {}
  try {
    const auto syms = emu::elf::function_symbols(file);
    for (size_t k = 1; k < syms.size(); ++k)
      if (syms[k].addr < syms[k - 1].addr) std::abort();
    if (!syms.empty()) (void)emu::elf::symbol_at(syms, syms.back().addr);
  } catch (const std::runtime_error&) {}
  try {
    (void)emu::multiboot::find_header(file);
    const auto bi = emu::multiboot::load(mem, file, "fuzz cmdline");
    if (bi.image_end < bi.image_start || bi.image_end > mem.size()) {
      std::fprintf(stderr, "kernel [%llx, %llx) outside RAM\n", (unsigned long long)bi.image_start,
                   (unsigned long long)bi.image_end);
      std::abort();
    }
  } catch (const std::runtime_error&) {}
  return 0;
}
