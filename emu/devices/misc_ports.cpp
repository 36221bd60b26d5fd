#include "emu/devices/misc_ports.h"

#include <fmt/format.h>

namespace slot::emu {

std::string DebugExit::dump() const {
  if (!st_.requested) return "isa-debug-exit: no exit requested\n";
  return fmt::format("isa-debug-exit: exit requested, value {:#x}, status {}\n", st_.value, status());
}

std::string PostPort::dump() const {
  return fmt::format("post: last code {:#04x} ({} writes)\n", st_.last, st_.writes);
}

}  // namespace slot::emu
