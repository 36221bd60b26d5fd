// Capstone and Zydis behind one small interface: the instruction-length
// oracles the decoder cross-check (decoder_fuzz_test.cpp) and the diff test's
// encoding self-check (diff_forms.cpp) rely on. Neither library shares code
// with cpu/decoder*.
#pragma once
#include <Zydis/Zydis.h>

#include <cstddef>
#include <cstdint>

struct cs_insn;

namespace slot::cputest {

class Disassemblers {
 public:
  explicit Disassemblers(bool mode64);
  ~Disassemblers();
  Disassemblers(const Disassemblers&) = delete;
  Disassemblers& operator=(const Disassemblers&) = delete;

  // Length of the first instruction in [p, p+n), or -1 if the library rejects it.
  int capstone(const uint8_t* p, size_t n);
  int zydis(const uint8_t* p, size_t n, ZydisDecodedInstruction* out = nullptr);
  // Capstone's mnemonic of the last successful capstone() call (for messages).
  const char* capstone_text() const;

 private:
  size_t cs_ = 0;  // csh
  cs_insn* insn_ = nullptr;
  ZydisDecoder zy_{};
  char text_[256] = {};
};

}  // namespace slot::cputest
