#include "tests/cpu/disasm_oracles.h"

#include <capstone/capstone.h>

#include <cstdio>
#include <stdexcept>

namespace slot::cputest {

Disassemblers::Disassemblers(bool mode64) {
  csh h;
  if (cs_open(CS_ARCH_X86, mode64 ? CS_MODE_64 : CS_MODE_32, &h) != CS_ERR_OK)
    throw std::runtime_error("cs_open failed");
  cs_ = h;
  insn_ = cs_malloc(h);
  // Zydis defaults: Intel branch semantics (66 ignored on near branches in
  // 64-bit mode), which is what cpu/ implements (we report GenuineIntel).
  if (ZYAN_FAILED(ZydisDecoderInit(&zy_, mode64 ? ZYDIS_MACHINE_MODE_LONG_64 : ZYDIS_MACHINE_MODE_LEGACY_32,
                                   mode64 ? ZYDIS_STACK_WIDTH_64 : ZYDIS_STACK_WIDTH_32)))
    throw std::runtime_error("ZydisDecoderInit failed");
}

Disassemblers::~Disassemblers() {
  csh h = cs_;
  cs_free(insn_, 1);
  cs_close(&h);
}

int Disassemblers::capstone(const uint8_t* p, size_t n) {
  const uint8_t* code = p;
  size_t size = n;
  uint64_t addr = 0x1000;
  if (!cs_disasm_iter(cs_, &code, &size, &addr, insn_)) return -1;
  std::snprintf(text_, sizeof text_, "%s %s", insn_->mnemonic, insn_->op_str);
  return int(insn_->size);
}

const char* Disassemblers::capstone_text() const { return text_; }

int Disassemblers::zydis(const uint8_t* p, size_t n, ZydisDecodedInstruction* out) {
  ZydisDecodedInstruction tmp;
  ZydisDecodedInstruction* d = out ? out : &tmp;
  if (ZYAN_FAILED(ZydisDecoderDecodeInstruction(&zy_, nullptr, p, n, d))) return -1;
  return int(d->length);
}

}  // namespace slot::cputest
