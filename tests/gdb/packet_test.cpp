// Packet framing, checksums, escapes and hex codecs. Expected bytes are taken
// from the gdb manual ("Overview", "Binary data") and from packet logs of
// real gdb/QEMU sessions (`set debug remote 1`), not computed by the code.
#include <gtest/gtest.h>

#include "emu/gdb/packet.h"

namespace slot::gdb {
namespace {

using Item = PacketParser::Item;

TEST(GdbPacket, ChecksumsOfWellKnownPackets) {
  // From gdb packet logs: "$OK#9a", "$g#67", "$?#3f", "$s#73", "$c#63", "$qC#b4".
  EXPECT_EQ(frame("OK"), "$OK#9a");
  EXPECT_EQ(frame("g"), "$g#67");
  EXPECT_EQ(frame("?"), "$?#3f");
  EXPECT_EQ(frame("s"), "$s#73");
  EXPECT_EQ(frame("c"), "$c#63");
  EXPECT_EQ(frame("qC"), "$qC#b4");
  EXPECT_EQ(frame(""), "$#00");
}

TEST(GdbPacket, BinaryEscapeIsXor0x20OfTheFourSpecialBytes) {
  // gdb manual: '#' (0x23), '$' (0x24), '}' (0x7d) and '*' (0x2a) become '}' + byte^0x20.
  EXPECT_EQ(escape_binary(std::string("a#b$c}d*e", 9)), "a}\x03" "b}\x04" "c}]d}\x0a" "e");
  const std::string all = [] { std::string s; for (int i = 0; i < 256; ++i) s += char(i); return s; }();
  const std::string esc = escape_binary(all);
  EXPECT_EQ(esc.size(), 256u + 4u);
  EXPECT_EQ(esc.find('#'), std::string::npos);
  EXPECT_EQ(esc.find('$'), std::string::npos);
  EXPECT_EQ(unescape_binary(esc), all);
  EXPECT_EQ(unescape_binary("}"), std::nullopt);
  EXPECT_EQ(unescape_binary("}]"), "}");
}

TEST(GdbPacket, HexCodecs) {
  EXPECT_EQ(to_hex(std::string("\x00\x7f\xff", 3)), "007fff");
  EXPECT_EQ(from_hex("00aAfF"), std::string("\x00\xaa\xff", 3));
  EXPECT_EQ(from_hex("abc"), std::nullopt);
  EXPECT_EQ(from_hex("zz"), std::nullopt);
  EXPECT_EQ(parse_hex("ffffffff80104230"), 0xffffffff80104230ull);
  EXPECT_EQ(parse_hex(""), std::nullopt);
  EXPECT_EQ(parse_hex("10000000000000000"), std::nullopt);  // 17 digits
  EXPECT_EQ(parse_hex("12g"), std::nullopt);
}

std::vector<Item> parse(PacketParser& p, std::string_view bytes) {
  std::vector<Item> out;
  p.feed(bytes, out);
  return out;
}

TEST(GdbPacket, ParserSplitsAcksInterruptsAndPackets) {
  PacketParser p(64);
  auto items = parse(p, "+$g#67-\x03$m0,4#fd");
  ASSERT_EQ(items.size(), 5u);
  EXPECT_EQ(items[0].kind, Item::Ack);
  EXPECT_EQ(items[1].kind, Item::Packet);
  EXPECT_EQ(items[1].payload, "g");
  EXPECT_EQ(items[2].kind, Item::Nack);
  EXPECT_EQ(items[3].kind, Item::Interrupt);
  EXPECT_EQ(items[4].kind, Item::Packet);
  EXPECT_EQ(items[4].payload, "m0,4");
}

TEST(GdbPacket, ParserHandlesBytesArrivingOneByOne) {
  PacketParser p(64);
  std::vector<Item> out;
  for (char c : std::string("$qC#b4")) p.feed(std::string_view(&c, 1), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload, "qC");
  EXPECT_TRUE(p.idle());
}

TEST(GdbPacket, BadChecksumsAreReported) {
  PacketParser p(64);
  auto items = parse(p, "$g#68$g#zz$g#67");
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].kind, Item::BadChecksum);
  EXPECT_EQ(items[1].kind, Item::BadChecksum);
  EXPECT_EQ(items[2].kind, Item::Packet);
}

TEST(GdbPacket, UppercaseChecksumDigitsAreAccepted) {
  PacketParser p(64);
  auto items = parse(p, "$OK#9A");
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].kind, Item::Packet);
}

TEST(GdbPacket, OverlongPacketIsBoundedAndReported) {
  PacketParser p(8);
  const std::string big(1000, 'a');
  auto items = parse(p, frame(big) + frame("g"));
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].kind, Item::TooLong);
  EXPECT_TRUE(items[0].payload.empty());
  EXPECT_EQ(items[1].kind, Item::Packet);
}

TEST(GdbPacket, ADollarInsideAPacketRestartsIt) {
  PacketParser p(64);
  auto items = parse(p, "$m0,4$g#67");
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].payload, "g");
}

TEST(GdbPacket, BinaryPayloadKeepsEscapesForTheSession) {
  // X packets carry escaped binary; the checksum covers the escaped bytes.
  const std::string payload = "X10,2:" + escape_binary(std::string("#\x00", 2));
  PacketParser p(64);
  auto items = parse(p, frame(payload));
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].payload, payload);
}

}  // namespace
}  // namespace slot::gdb
