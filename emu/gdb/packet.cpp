#include "emu/gdb/packet.h"

namespace slot::gdb {

namespace {
int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
constexpr char kHex[] = "0123456789abcdef";
}  // namespace

uint8_t checksum(std::string_view payload) {
  uint8_t s = 0;
  for (char c : payload) s = uint8_t(s + uint8_t(c));
  return s;
}

std::string frame(std::string_view payload) {
  std::string out;
  out.reserve(payload.size() + 4);
  out += '$';
  out += payload;
  const uint8_t cs = checksum(payload);
  out += '#';
  out += kHex[cs >> 4];
  out += kHex[cs & 15];
  return out;
}

std::string escape_binary(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (char c : raw) {
    if (c == '#' || c == '$' || c == '}' || c == '*') {
      out += '}';
      out += char(c ^ 0x20);
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::string> unescape_binary(std::string_view escaped) {
  std::string out;
  out.reserve(escaped.size());
  for (size_t i = 0; i < escaped.size(); ++i) {
    if (escaped[i] != '}') {
      out += escaped[i];
      continue;
    }
    if (++i == escaped.size()) return std::nullopt;
    out += char(escaped[i] ^ 0x20);
  }
  return out;
}

std::string to_hex(const void* data, size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kHex[p[i] >> 4];
    out[2 * i + 1] = kHex[p[i] & 15];
  }
  return out;
}

std::string to_hex(std::string_view bytes) { return to_hex(bytes.data(), bytes.size()); }

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2) return std::nullopt;
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = char(hi << 4 | lo);
  }
  return out;
}

std::optional<uint64_t> parse_hex(std::string_view s) {
  if (s.empty() || s.size() > 16) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    const int d = hex_digit(c);
    if (d < 0) return std::nullopt;
    v = v << 4 | uint64_t(d);
  }
  return v;
}

void PacketParser::feed(std::string_view bytes, std::vector<Item>& out) {
  for (char c : bytes) {
    switch (state_) {
      case State::Idle:
        // Anything else between packets (line noise, stray acks in no-ack
        // mode) is skipped, as gdbserver does.
        if (c == '$') {
          state_ = State::Body;
          body_.clear();
          sum_ = 0;
          overflow_ = false;
        } else if (c == '+') {
          out.push_back({Item::Ack, {}});
        } else if (c == '-') {
          out.push_back({Item::Nack, {}});
        } else if (c == '\x03') {
          out.push_back({Item::Interrupt, {}});
        }
        break;
      case State::Body:
        if (c == '#') {
          state_ = State::Sum1;
        } else if (c == '$') {
          // A '$' never appears unescaped inside a payload: the previous packet
          // was cut off. Start over with this one.
          body_.clear();
          sum_ = 0;
          overflow_ = false;
        } else {
          sum_ = uint8_t(sum_ + uint8_t(c));
          if (body_.size() < max_) body_ += c;
          else overflow_ = true;
        }
        break;
      case State::Sum1: {
        const int d = hex_digit(c);
        sum_bad_ = d < 0;
        sum_hi_ = d < 0 ? 0 : d;
        state_ = State::Sum2;
        break;
      }
      case State::Sum2: {
        const int d = hex_digit(c);
        state_ = State::Idle;
        if (sum_bad_ || d < 0 || uint8_t(sum_hi_ << 4 | d) != sum_) {
          out.push_back({Item::BadChecksum, {}});
        } else if (overflow_) {
          out.push_back({Item::TooLong, {}});
        } else {
          out.push_back({Item::Packet, std::move(body_)});
        }
        body_.clear();
        break;
      }
    }
  }
}

}  // namespace slot::gdb
