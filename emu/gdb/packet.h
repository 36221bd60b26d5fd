// The gdb remote serial protocol's byte layer: `$payload#cs` framing with
// +/- acknowledgements, the binary escape used by X and qXfer, and hex codecs.
// Reference: the gdb manual, "Remote Protocol" > "Overview" (checksum = sum of
// the payload bytes mod 256; '}' escapes '#', '$', '}' and '*' by XOR 0x20).
// Nothing here knows about registers, targets or sockets.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace slot::gdb {

uint8_t checksum(std::string_view payload);
// "$payload#cs". The payload must already be escaped where the packet needs it.
std::string frame(std::string_view payload);

// Binary data in X packets and qXfer replies.
std::string escape_binary(std::string_view raw);
std::optional<std::string> unescape_binary(std::string_view escaped);  // nullopt: dangling '}'

std::string to_hex(const void* data, size_t n);
std::string to_hex(std::string_view bytes);
std::optional<std::string> from_hex(std::string_view hex);  // nullopt: odd length or non-hex
// A whole hex number (1-16 digits, no prefix).
std::optional<uint64_t> parse_hex(std::string_view s);

// Splits an incoming byte stream into protocol items. The payload is bounded:
// a longer packet is consumed up to its checksum and reported as TooLong, so a
// client can never make the stub allocate without limit.
class PacketParser {
 public:
  struct Item {
    enum Kind : uint8_t {
      Packet,       // payload verified
      BadChecksum,  // answer '-': the client retransmits
      TooLong,      // checksum was fine but the payload exceeded the limit
      Ack,          // '+'
      Nack,         // '-': retransmit our last packet
      Interrupt,    // 0x03 outside a packet (Ctrl-C)
    } kind;
    std::string payload;
  };

  explicit PacketParser(size_t max_payload) : max_(max_payload) {}
  void feed(std::string_view bytes, std::vector<Item>& out);
  bool idle() const { return state_ == State::Idle; }

 private:
  enum class State : uint8_t { Idle, Body, Sum1, Sum2 };
  size_t max_;
  State state_ = State::Idle;
  std::string body_;
  uint8_t sum_ = 0;      // running checksum of the body
  bool overflow_ = false;
  int sum_hi_ = 0;
  bool sum_bad_ = false;  // a checksum digit was not hex
};

}  // namespace slot::gdb
