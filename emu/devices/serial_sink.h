// Where the UART's transmitted bytes go: stdout, a file, an in-memory string
// (what the debugger's console panel reads), or several of these at once.
#pragma once
#include "emu/io/output_file.h"
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace slot::emu {

class SerialSink {
 public:
  virtual ~SerialSink() = default;
  virtual void put(uint8_t byte) = 0;
  virtual void flush() {}
};

// Buffered; flushed at every newline so the transcript interleaves sensibly
// with the emulator's own messages, and on flush()/destruction.
class StdoutSink final : public SerialSink {
 public:
  void put(uint8_t byte) override;
  void flush() override;
  ~StdoutSink() override { flush(); }
};

// Throws std::runtime_error ("cannot open serial output file X: reason").
// COM1 output into a file, all or nothing (emu/io/output_file.h): the
// file appears at the path only when commit() succeeds.
class FileSink final : public SerialSink {
 public:
  explicit FileSink(const std::string& path);   // throws std::runtime_error
  ~FileSink() override;
  void put(uint8_t byte) override { std::fputc(byte, file_.get()); }
  void flush() override { std::fflush(file_.get()); }
  std::string commit() { return file_.commit(); }   // "" or why the file could not be written
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;

 private:
  OutputFile file_;
};

class StringSink final : public SerialSink {
 public:
  void put(uint8_t byte) override { text_.push_back(char(byte)); }
  const std::string& text() const { return text_; }
  void clear() { text_.clear(); }

 private:
  std::string text_;
};

// Sends every byte to each of its sinks (e.g. stdout and a StringSink).
class TeeSink final : public SerialSink {
 public:
  void add(std::unique_ptr<SerialSink> s) { sinks_.push_back(std::move(s)); }
  void put(uint8_t byte) override { for (auto& s : sinks_) s->put(byte); }
  void flush() override { for (auto& s : sinks_) s->flush(); }

 private:
  std::vector<std::unique_ptr<SerialSink>> sinks_;
};

}  // namespace slot::emu
