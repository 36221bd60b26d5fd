#include "emu/trace/disasm.h"

#include <capstone/capstone.h>

#include <algorithm>

#include "mmu/mmu.h"

namespace slot::trace {

namespace {
unsigned mode_index(unsigned bits) { return bits == 16 ? 0 : bits == 32 ? 1 : 2; }
cs_mode mode_of(unsigned bits) { return bits == 16 ? CS_MODE_16 : bits == 32 ? CS_MODE_32 : CS_MODE_64; }

// Physical address of `linear` for an instruction fetch, as the model would
// translate it now (see read_code); false if it would fault.
bool fetch_pa(const mmu::Mmu& mmu, uint64_t linear, unsigned cpl, mmu::PhysAddr& pa) {
  mmu::AccessCtx who;
  who.cpl = uint8_t(cpl);
  const mmu::DebugWalk w = mmu.debug_walk(linear, mmu::Access::Fetch, who);
  if (w.tlb_hit) {
    const unsigned sh = mmu::page_shift(w.tlb_entry.size);
    pa = (w.tlb_entry.pfn << sh) | (linear & ((1ull << sh) - 1));
    return true;
  }
  if (!w.ok && w.paging) {
    // A fetch that faults on rights still has bytes at a mapped address:
    // fall back to the mapping whatever the rights.
    return mmu.peek_translate(linear, pa);
  }
  pa = w.pa;
  return true;
}
}  // namespace

Disassembler::Disassembler() = default;

Disassembler::~Disassembler() {
  for (unsigned i = 0; i < 3; ++i)
    if (ok_[i]) {
      csh h = handle_[i];
      cs_close(&h);
    }
}

std::string Disassembler::text(const uint8_t* bytes, unsigned n, unsigned bits, uint64_t address) {
  if (n == 0) return "(unmapped)";
  std::string s;
  if (decode(bytes, n, bits, address, s) == 0) return ok_[mode_index(bits)] ? "(bad)" : "(no capstone)";
  return s;
}

size_t Disassembler::decode(const uint8_t* bytes, size_t n, unsigned bits, uint64_t address, std::string& text) {
  const unsigned m = mode_index(bits);
  if (!ok_[m]) {
    csh h = 0;
    if (cs_open(CS_ARCH_X86, mode_of(bits), &h) != CS_ERR_OK) return 0;
    handle_[m] = h;
    ok_[m] = true;
  }
  cs_insn* insn = nullptr;
  const size_t count = cs_disasm(csh(handle_[m]), bytes, n, address, 1, &insn);
  if (count == 0) return 0;
  text = insn[0].mnemonic;
  if (insn[0].op_str[0]) text += std::string(" ") + insn[0].op_str;
  const size_t len = insn[0].size;
  cs_free(insn, count);
  return len;
}

unsigned read_code(const mmu::Mmu& mmu, const mmu::PhysMemory& mem, uint64_t linear, unsigned cpl,
                   uint8_t out[15]) {
  mmu::PhysAddr pa = 0;
  if (!fetch_pa(mmu, linear, cpl, pa)) return 0;
  unsigned n = 0;
  const unsigned first = unsigned(std::min<uint64_t>(15, 4096 - (linear & 0xFFF)));
  for (; n < first; ++n) {
    if (pa + n >= mem.size()) return n;
    out[n] = uint8_t(mem.read(pa + n, 1));
  }
  if (n == 15) return n;
  // The instruction may continue on the next page.
  mmu::PhysAddr pa2 = 0;
  if (!fetch_pa(mmu, linear + n, cpl, pa2)) return n;
  for (unsigned i = 0; n < 15; ++n, ++i) {
    if (pa2 + i >= mem.size()) return n;
    out[n] = uint8_t(mem.read(pa2 + i, 1));
  }
  return n;
}

std::string CodeCache::lookup(const mmu::Mmu& mmu, const mmu::PhysMemory& mem, uint64_t linear,
                              unsigned cpl, unsigned bits, uint64_t rip) {
  uint8_t b[15];
  const unsigned n = read_code(mmu, mem, linear, cpl, b);
  // Key: mode, address and the bytes themselves, so rewritten code (or a
  // different mapping) is disassembled afresh. RIP is part of the key
  // because relative branch targets print as absolute addresses.
  std::string key(reinterpret_cast<const char*>(b), n);
  key += char(bits);
  key.append(reinterpret_cast<const char*>(&rip), sizeof rip);
  auto it = by_bytes_.find(key);
  if (it != by_bytes_.end()) return it->second;
  if (by_bytes_.size() > (1u << 16)) by_bytes_.clear();  // bounded memory
  std::string t = dis_.text(b, n, bits, rip);
  by_bytes_.emplace(std::move(key), t);
  return t;
}

}  // namespace slot::trace
