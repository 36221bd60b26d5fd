// libFuzzer target: the TLB description parser (mmu/config_parse.cpp, the
// format of docs/mmu.md "Custom description files"). Input: the file's text.
// Contract: a bad description is one std::runtime_error ("FILE:LINE: ...");
// a good one validates, round-trips through format_config, and builds an
// MMU (so a description cannot make the model allocate without bound).
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "mmu/config.h"
#include "mmu/mmu.h"

using namespace slot;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static mmu::PhysMemory mem(1 << 20);
  const std::string text(reinterpret_cast<const char*>(data), size);
  mmu::TlbConfig c;
  try {
    c = mmu::parse_config_text(text, "fuzz.tlb");
  } catch (const std::runtime_error&) {
    return 0;
  }
  mmu::validate_config(c, "fuzz.tlb");  // a parsed description is valid: throwing here is a bug
  const std::string once = mmu::format_config(c);
  const std::string twice = mmu::format_config(mmu::parse_config_text(once, "round-trip"));
  if (once != twice) {
    std::fprintf(stderr, "round trip differs:\n%s---\n%s", once.c_str(), twice.c_str());
    std::abort();
  }
  mmu::Mmu m(mem, c);
  return 0;
}
