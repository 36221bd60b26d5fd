// Tiny JSON text helpers for the exporters (internal). 64-bit addresses and
// page-table entries are written as "0x..." strings: JSON numbers above 2^53
// lose precision in most readers.
#pragma once
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <string>

namespace slot::engine::json {

inline std::string str(const std::string& s) {
  std::string o = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') o += '\\', o += char(c);
    else if (c == '\n') o += "\\n";
    else if (c < 0x20) {
      char b[8];
      std::snprintf(b, sizeof b, "\\u%04x", c);
      o += b;
    } else o += char(c);
  }
  return o + "\"";
}

inline std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "\"%#" PRIx64 "\"", v);
  return b;
}

inline std::string num(uint64_t v) { return std::to_string(v); }
inline std::string snum(int64_t v) { return std::to_string(v); }
inline std::string real(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.3f", v);
  return b;
}

}  // namespace slot::engine::json
