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

uint8_t ResetPorts::read8(uint16_t port) {
  switch (port) {
    case 0x60: return 0;      // no data: nothing is attached
    case 0x64: return 0x1C;   // system flag, command/data, not inhibited; buffers empty
    case 0x92: return st_.port92;
    case 0xCF9: return st_.cf9;
    default: return 0xFF;
  }
}

void ResetPorts::write8(uint16_t port, uint8_t value) {
  switch (port) {
    case 0x64:
      if (value == 0xFE) reset_("8042 command 0xFE");
      st_.kbc_command = value == 0xD1 ? value : 0;
      return;
    case 0x60:
      if (st_.kbc_command == 0xD1 && !(value & 1)) reset_("8042 output port bit 0");
      st_.kbc_command = 0;
      return;
    case 0x92: {
      const bool rising = (value & 1) && !(st_.port92 & 1);
      st_.port92 = value & 0x03;
      if (rising) reset_("port 0x92 bit 0");
      return;
    }
    case 0xCF9:
      st_.cf9 = value & 0x0E;
      if (value & 0x04) reset_("port 0xCF9");
      return;
    default: return;
  }
}

std::string ResetPorts::dump() const {
  return fmt::format("reset: port92={:#04x} cf9={:#04x} kbc command={:#04x}\n", st_.port92, st_.cf9,
                     st_.kbc_command);
}

}  // namespace slot::emu
