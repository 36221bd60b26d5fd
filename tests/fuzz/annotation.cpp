// libFuzzer target: the annotation-port parser (emu/engine/annotation.h,
// docs/annotation.md). Input: the dword stream a guest writes to port
// 0x5A10 (little-endian, a trailing partial dword is dropped), fed through
// AnnParser, and each (type, payload) pair through decode_record directly.
// Contract: never throws, never stops; every problem is one Bad record.
#include <cstdlib>
#include <cstring>
#include <vector>

#include "emu/engine/annotation.h"

using namespace slot;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  engine::AnnParser parser;
  engine::AnnRecord rec;
  std::vector<uint32_t> dwords(size / 4);
  if (!dwords.empty()) std::memcpy(dwords.data(), data, dwords.size() * 4);
  for (const uint32_t d : dwords)
    if (parser.feed(d, rec) && rec.kind > engine::AnnRecord::Bad) std::abort();
  // The same dwords as one record: type from the first, payload the rest.
  if (!dwords.empty()) {
    const std::vector<uint32_t> payload(dwords.begin() + 1, dwords.end());
    rec = engine::decode_record(dwords[0] & 0xFF, payload);
    if (rec.kind > engine::AnnRecord::Bad) std::abort();
  }
  return 0;
}
