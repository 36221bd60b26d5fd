// Disassembly, the one Capstone wrapper (the text trace, the debugger's
// disassembly panel): Intel syntax over the bytes of an instruction read
// without side effects -- no TLB fill, no A/D bit, no statistic, no device
// access.
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>

namespace slot::mmu { class Mmu; class PhysMemory; }

namespace slot::trace {

class Disassembler {
 public:
  Disassembler();
  ~Disassembler();
  Disassembler(const Disassembler&) = delete;
  Disassembler& operator=(const Disassembler&) = delete;

  // "mnemonic operands" of the first instruction in bytes[0..n), decoded
  // as `bits`-bit code (16, 32 or 64) at `address`; "(bad)" if Capstone
  // cannot decode it, "(unmapped)" if n == 0.
  std::string text(const uint8_t* bytes, unsigned n, unsigned bits, uint64_t address);
  // The same, with the instruction's length: 0 (and `text` untouched) if
  // Capstone cannot decode it.
  size_t decode(const uint8_t* bytes, size_t n, unsigned bits, uint64_t address, std::string& text);

 private:
  size_t handle_[3] = {0, 0, 0};  // csh per mode, opened lazily
  bool ok_[3] = {false, false, false};
};

// Up to 15 bytes of code at `linear`, fetched the way the CPU would fetch
// them now: through the instruction-side TLB entry the model holds for that
// page if there is one (it may be stale, and then that is what ran), else
// through the page tables in memory. Returns the number of bytes read (0:
// not mapped). `cpl` selects the privilege for the side-effect-free walk.
unsigned read_code(const mmu::Mmu& mmu, const mmu::PhysMemory& mem, uint64_t linear, unsigned cpl,
                   uint8_t out[15]);

// Caches disassembly per instruction (physical address of its first byte,
// mode and bytes), so a long trace disassembles each instruction once.
class CodeCache {
 public:
  std::string lookup(const mmu::Mmu& mmu, const mmu::PhysMemory& mem, uint64_t linear, unsigned cpl,
                     unsigned bits, uint64_t rip);

 private:
  Disassembler dis_;
  std::unordered_map<std::string, std::string> by_bytes_;  // (mode, bytes, rip) -> text
};

}  // namespace slot::trace
