#include "ui/model/console_vm.h"

#include <algorithm>

#include "emu/devices/vga_text.h"

namespace slot::ui {

void SerialLog::put(uint8_t b) {
  std::lock_guard<std::mutex> l(mu_);
  text_.push_back(char(b));
  if (text_.size() > (1u << 20)) {
    const size_t cut = text_.size() - (1u << 19);
    text_.erase(0, cut);
    dropped_ += cut;
  }
}
std::string SerialLog::text_upto(uint64_t bytes) const {
  std::lock_guard<std::mutex> l(mu_);
  if (bytes <= dropped_) return "";
  return text_.substr(0, size_t(std::min<uint64_t>(bytes - dropped_, text_.size())));
}
std::string console_text(const SerialLog& log, const Frame& f) {
  return f.view ? log.text_upto(f.view->serial_bytes) : log.text();
}
std::string SerialLog::text() const {
  std::lock_guard<std::mutex> l(mu_);
  return text_;
}
size_t SerialLog::size() const {
  std::lock_guard<std::mutex> l(mu_);
  return text_.size();
}

Rgb vga_colour(unsigned i) {
  static constexpr Rgb pal[16] = {{0, 0, 0},       {0, 0, 170},     {0, 170, 0},     {0, 170, 170},
                                  {170, 0, 0},     {170, 0, 170},   {170, 85, 0},    {170, 170, 170},
                                  {85, 85, 85},    {85, 85, 255},   {85, 255, 85},   {85, 255, 255},
                                  {255, 85, 85},   {255, 85, 255},  {255, 255, 85},  {255, 255, 255}};
  return pal[i & 15];
}

VgaScreen make_vga(const Frame& f) {
  VgaScreen s;
  if (f.vga.size() != size_t(emu::kVgaCols) * emu::kVgaRows) return s;
  s.cols = emu::kVgaCols;
  s.rows = emu::kVgaRows;
  for (uint16_t c : f.vga) {
    const uint8_t ch = uint8_t(c & 0xFF), attr = uint8_t(c >> 8);
    if (ch != 0 && ch != ' ') s.blank = false;
    s.cells.push_back({emu::cp437_to_utf8(ch), vga_colour(attr & 15), vga_colour((attr >> 4) & 7)});
  }
  return s;
}

std::vector<std::string> split_lines(const std::string& text, size_t max_lines) {
  std::vector<std::string> lines(1);
  for (char c : text) {
    if (c == '\n') lines.emplace_back();
    else if (c != '\r') lines.back().push_back(c);
  }
  if (lines.size() > 1 && lines.back().empty()) lines.pop_back();
  if (lines.size() > max_lines) lines.erase(lines.begin(), lines.end() - long(max_lines));
  return lines;
}

}  // namespace slot::ui
