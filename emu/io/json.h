// The one JSON writer (trace records, statistics, TLB dumps, the engine's
// event lines and Chrome trace): appends to a string, handles commas and
// string escaping (RFC 8259), prints 64-bit addresses as "0x..." strings
// (JSON numbers above 2^53 lose precision in most readers).
#pragma once
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace slot::emu {

class Json {
 public:
  explicit Json(std::string& out) : s_(out) {}

  Json& object(const char* key = nullptr) { open(key, '{'); return *this; }
  Json& array(const char* key = nullptr) { open(key, '['); return *this; }
  Json& end() {
    s_ += closers_.back();
    closers_.pop_back();
    first_.pop_back();
    return *this;
  }
  Json& u(const char* key, uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "%" PRIu64, v);
    return raw(key, b);
  }
  Json& i(const char* key, int64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "%" PRId64, v);
    return raw(key, b);
  }
  Json& hex(const char* key, uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "\"0x%" PRIx64 "\"", v);
    return raw(key, b);
  }
  Json& b(const char* key, bool v) { return raw(key, v ? "true" : "false"); }
  Json& d(const char* key, double v) {
    if (!std::isfinite(v)) return raw(key, "null");
    char b[40];
    std::snprintf(b, sizeof b, "%.3f", v);
    return raw(key, b);
  }
  Json& null(const char* key) { return raw(key, "null"); }
  Json& s(const char* key, std::string_view v) {
    sep(key);
    s_ += '"';
    for (char c : v) {
      switch (c) {
        case '"': s_ += "\\\""; break;
        case '\\': s_ += "\\\\"; break;
        case '\n': s_ += "\\n"; break;
        case '\t': s_ += "\\t"; break;
        case '\r': s_ += "\\r"; break;
        default:
          if (uint8_t(c) < 0x20) {
            char b[8];
            std::snprintf(b, sizeof b, "\\u%04x", unsigned(uint8_t(c)));
            s_ += b;
          } else {
            s_ += c;
          }
      }
    }
    s_ += '"';
    return *this;
  }

 private:
  void sep(const char* key) {
    if (!first_.empty()) {
      if (!first_.back()) s_ += ',';
      first_.back() = false;
    }
    if (key) {
      s_ += '"';
      s_ += key;
      s_ += "\":";
    }
  }
  Json& raw(const char* key, const char* v) {
    sep(key);
    s_ += v;
    return *this;
  }
  void open(const char* key, char c) {
    sep(key);
    s_ += c;
    closers_.push_back(c == '{' ? '}' : ']');
    first_.push_back(true);
  }

  std::string& s_;
  std::vector<char> closers_;
  std::vector<bool> first_;
};

}  // namespace slot::emu
