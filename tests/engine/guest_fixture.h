// Helpers shared by the engine tests: the real guest image (built by the
// project), engines booted with a command line, and machine-state capture for
// bit-for-bit comparisons.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "emu/engine/engine.h"

namespace slot::engine::test {

std::string guest_image();                 // SLOTLAB_GUEST_IMAGE
std::string guest_module_image(const std::string& name);  // <build>/guest/modules/NAME.elf

struct Booted {
  std::unique_ptr<Engine> e;
  emu::StringSink* console = nullptr;      // COM1 transcript
};
Booted boot(const std::string& cmdline, EngineConfig cfg = {});

// The whole machine: RAM, CPU snapshot, MMU blob, board blob.
struct MachineState {
  std::vector<uint8_t> ram, cpu, mmu, board;
  bool operator==(const MachineState&) const = default;
};
MachineState capture(emu::Machine& m);
// Where two states differ first, for a readable failure.
std::string first_difference(const MachineState& a, const MachineState& b);

// The same guest on a bare Machine (no engine, no observers): the oracle for
// "the engine changes nothing" and for replay.
MachineState bare_state_at(const std::string& cmdline, uint64_t icount, std::string* console = nullptr);

}  // namespace slot::engine::test
