#include "emu/devices/serial_sink.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace slot::emu {

void StdoutSink::put(uint8_t byte) {
  std::fputc(byte, stdout);
  if (byte == '\n') std::fflush(stdout);
}

void StdoutSink::flush() { std::fflush(stdout); }

FileSink::FileSink(const std::string& path) : file_(path, "--serial") {}

FileSink::~FileSink() = default;   // not committed: discarded

}  // namespace slot::emu
