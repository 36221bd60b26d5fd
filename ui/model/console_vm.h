// Panel 9, "Console": the serial transcript (COM1) and the VGA text screen
// with its 16 attribute colours.
#pragma once
#include <mutex>
#include <string>
#include <vector>

#include "emu/devices/serial_sink.h"
#include "ui/model/frame.h"
#include "ui/model/names.h"

namespace slot::ui {

// A serial sink the GUI thread can read while the engine thread writes.
class SerialLog {
 public:
  void put(uint8_t b);
  std::string text() const;         // the whole transcript (capped at 1 MiB, oldest dropped)
  size_t size() const;
  // What the guest had written after its first `bytes` bytes: the furthest
  // run writes the log, and a console at an earlier moment shows less.
  std::string text_upto(uint64_t bytes) const;
 private:
  mutable std::mutex mu_;
  std::string text_;
  uint64_t dropped_ = 0;            // bytes dropped from the front by the cap
};
// The console's transcript at the frame's moment (the whole log without a view).
std::string console_text(const SerialLog& log, const Frame& f);
class SerialLogSink final : public emu::SerialSink {
 public:
  explicit SerialLogSink(std::shared_ptr<SerialLog> log) : log_(std::move(log)) {}
  void put(uint8_t b) override { log_->put(b); }
 private:
  std::shared_ptr<SerialLog> log_;
};

struct VgaGlyph {
  std::string ch;    // UTF-8 of the code page 437 character
  Rgb fg, bg;
};
struct VgaScreen {
  unsigned cols = 0, rows = 0;
  std::vector<VgaGlyph> cells;   // row-major
  bool blank = true;             // every cell a space or NUL
};

VgaScreen make_vga(const Frame& f);
Rgb vga_colour(unsigned index);  // the 16 CGA/VGA text colours
std::vector<std::string> split_lines(const std::string& text, size_t max_lines);

}  // namespace slot::ui
