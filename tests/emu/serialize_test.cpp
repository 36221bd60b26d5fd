// Serializer: one function serves save and load; load never reads past the data.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "emu/serialize.h"

using slot::emu::Serializer;

namespace {

struct Thing {
  struct Pod {
    uint8_t a;
    uint64_t b;
    int16_t c[3];
  } pod{};
  std::vector<uint32_t> list;
  std::string text;
  void serialize(Serializer& s) {
    s.tag("thing");
    s.io(pod);
    s.io(list);
    s.io(text);
  }
};

TEST(Serializer, RoundTrip) {
  Thing t;
  t.pod = {7, 0x1122334455667788ull, {-1, 2, -3}};
  t.list = {1, 2, 3, 0xFFFFFFFF};
  t.text = std::string("with\0nul", 8);
  Serializer save;
  EXPECT_FALSE(save.loading());
  t.serialize(save);
  std::vector<uint8_t> data = save.take();

  Thing u;
  Serializer load(data);
  EXPECT_TRUE(load.loading());
  u.serialize(load);
  EXPECT_TRUE(load.at_end());
  EXPECT_EQ(u.pod.a, 7);
  EXPECT_EQ(u.pod.b, 0x1122334455667788ull);
  EXPECT_EQ(u.pod.c[2], -3);
  EXPECT_EQ(u.list, t.list);
  EXPECT_EQ(u.text, t.text);
}

TEST(Serializer, EveryTruncationThrows) {
  Thing t;
  t.list = {5, 6};
  t.text = "abc";
  Serializer save;
  t.serialize(save);
  const std::vector<uint8_t>& data = save.data();
  for (size_t n = 0; n < data.size(); ++n) {
    Thing u;
    Serializer load(std::span<const uint8_t>(data.data(), n));
    EXPECT_THROW(u.serialize(load), std::runtime_error) << n;
  }
}

TEST(Serializer, HugeLengthRejectedWithoutAllocating) {
  Serializer save;
  std::string tagless;
  uint64_t n = ~0ull / 2;
  save.io(n);
  std::vector<uint8_t> data = save.take();
  std::vector<uint64_t> v;
  Serializer load(data);
  EXPECT_THROW(load.io(v), std::runtime_error);
  Serializer load2(data);
  EXPECT_THROW(load2.io(tagless), std::runtime_error);
}

TEST(Serializer, WrongSectionTagThrows) {
  Serializer save;
  save.tag("pic");
  std::vector<uint8_t> data = save.take();
  Serializer load(data);
  EXPECT_THROW(load.tag("pit"), std::runtime_error);
}

}  // namespace
