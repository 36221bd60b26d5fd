// Gathering a Frame: runs on the engine thread (inside Engine::exec) or
// synchronously when no engine thread runs (tests, headless setup). Reads
// only side-effect-free views of the machine (docs/ARCHITECTURE.md): debug walks,
// peeks, TLB dumps; never fills a TLB or touches a device. Only what the
// panels asked for is read (the visible memory rows, the visible code).
#pragma once
#include <memory>

#include "ui/model/frame.h"

namespace slot::trace { class Disassembler; }

namespace slot::ui {

class Gatherer {
 public:
  Gatherer();
  ~Gatherer();
  Gatherer(const Gatherer&) = delete;
  Gatherer& operator=(const Gatherer&) = delete;

  Frame gather(engine::Engine& e, const Requests& r);

 private:
  std::unique_ptr<trace::Disassembler> dis_;
};

// Function start for a symbolized address: "fs:read_block+0x12" -> 0x12
// (the offset into the function); 0 for a bare symbol; -1 when `sym` does
// not name a symbol.
int64_t symbol_offset(const std::string& sym);

}  // namespace slot::ui
