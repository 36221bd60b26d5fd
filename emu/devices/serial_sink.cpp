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

FileSink::FileSink(const std::string& path) : f_(std::fopen(path.c_str(), "wb")) {
  if (!f_) throw std::runtime_error("cannot open serial output file " + path + ": " + std::strerror(errno));
}

FileSink::~FileSink() { std::fclose(f_); }

}  // namespace slot::emu
