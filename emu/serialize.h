// One serializer for both directions (docs/ARCHITECTURE.md): every component
// writes ONE `void serialize(Serializer& s)` that lists its state, e.g.
//
//   void Pit8254::serialize(Serializer& s) { s.tag("pit"); s.io(st_); }
//
// Saving appends the bytes to a std::vector<uint8_t>; loading reads them back
// (from a span the caller keeps alive) into the same fields in the same order. A snapshot is only meaningful for
// the same build (raw host layout of trivially copyable structs, little-endian).
// Load errors (truncated or mismatched data) throw std::runtime_error; a load
// never reads past the end of its buffer.
#pragma once
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace slot::emu {

class Serializer {
 public:
  // Saving: starts with an empty buffer.
  Serializer() = default;
  // Loading: reads from `data`, which must outlive the Serializer.
  explicit Serializer(std::span<const uint8_t> data) : in_(data), loading_(true) {}

  bool loading() const { return loading_; }
  const std::vector<uint8_t>& data() const { return buf_; }
  std::vector<uint8_t> take() { return std::move(buf_); }
  // Loading: true when every byte has been consumed.
  bool at_end() const { return pos_ == in_.size(); }

  void bytes(void* p, size_t n) {
    if (n == 0) return;
    if (loading_) {
      need(n);
      std::memcpy(p, in_.data() + pos_, n);
      pos_ += n;
    } else {
      const uint8_t* b = static_cast<const uint8_t*>(p);
      buf_.insert(buf_.end(), b, b + n);
    }
  }

  template <class T>
    requires std::is_trivially_copyable_v<T>
  void io(T& v) { bytes(&v, sizeof v); }

  // Vectors of trivially copyable elements and strings: a u64 length, then the bytes.
  template <class T>
    requires std::is_trivially_copyable_v<T>
  void io(std::vector<T>& v) {
    uint64_t n = v.size();
    io(n);
    if (loading_) {
      if (n > (in_.size() - pos_) / sizeof(T)) fail("vector length exceeds the data");
      v.resize(size_t(n));
    }
    bytes(v.data(), size_t(n) * sizeof(T));
  }
  void io(std::string& str) {
    uint64_t n = str.size();
    io(n);
    if (loading_) {
      if (n > in_.size() - pos_) fail("string length exceeds the data");
      str.resize(size_t(n));
    }
    bytes(str.data(), size_t(n));
  }

  // A section marker: saving writes a 32-bit hash of `name`, loading checks it,
  // so a snapshot from a different component order fails with a clear message
  // instead of silently loading garbage.
  void tag(const char* name) {
    uint32_t h = 2166136261u;  // FNV-1a
    for (const char* c = name; *c; ++c) h = (h ^ uint8_t(*c)) * 16777619u;
    uint32_t got = h;
    io(got);
    if (loading_ && got != h) fail(std::string("section '") + name + "' not found where expected");
  }

 private:
  void need(size_t n) const {
    if (n > in_.size() - pos_) fail("truncated data");
  }
  [[noreturn]] static void fail(const std::string& why) { throw std::runtime_error("snapshot load: " + why); }

  std::vector<uint8_t> buf_;      // saving
  std::span<const uint8_t> in_;  // loading
  size_t pos_ = 0;
  bool loading_ = false;
};

}  // namespace slot::emu
