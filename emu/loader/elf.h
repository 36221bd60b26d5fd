// A small, bounds-checked ELF reader (ELF32 and ELF64, little-endian): the
// loadable segments of an executable and its function symbols. Every field
// is read through a checked accessor, so malformed input of any kind ends in
// a std::runtime_error with one line of explanation, never in an
// out-of-bounds read. Reference: System V ABI, "Object Files" (ELF header,
// program header, section header, symbol table).
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace slot::emu::elf {

inline constexpr uint16_t EM_386 = 3, EM_X86_64 = 62;
inline constexpr uint16_t ET_EXEC = 2, ET_DYN = 3;

struct Segment {  // one PT_LOAD entry
  uint64_t offset, vaddr, paddr, filesz, memsz;
  uint32_t flags;  // PF_X = 1, PF_W = 2, PF_R = 4
};

struct Image {
  bool is64;
  uint16_t type, machine;
  uint64_t entry;
  std::vector<Segment> loads;  // PT_LOAD segments in file order, each lying inside the file
};

// True if the bytes start with the ELF magic.
bool is_elf(std::span<const uint8_t> file);

// Parses the ELF and program headers. Throws std::runtime_error if the file is
// not a little-endian ELF32/ELF64, is truncated, or has a PT_LOAD segment whose
// file bytes lie outside the file or whose filesz exceeds memsz.
Image parse(std::span<const uint8_t> file);

struct Symbol {
  uint64_t addr, size;
  std::string name;
};

// Function symbols (STT_FUNC, defined) from .symtab, or .dynsym if there is no
// .symtab, sorted by address. Works on any ELF byte span, e.g. an image
// embedded in the kernel. No symbol table: an empty vector. Malformed tables
// throw std::runtime_error.
std::vector<Symbol> function_symbols(std::span<const uint8_t> file);

// The symbol whose [addr, addr+size) holds `addr` (or, for size-0 symbols,
// that starts at it); nullptr if none. `syms` must be sorted by address.
const Symbol* symbol_at(const std::vector<Symbol>& syms, uint64_t addr);

}  // namespace slot::emu::elf
