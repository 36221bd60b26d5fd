// The boot manifest's parser (guest/kernel/manifest.cpp), run on the host:
// the rights a line grants, what it may never grant, and what it drops.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "guest/kernel/manifest.h"

namespace {
// kVga and kVirtioBlk: slotlab_abi.h's namespace `abi`
// clashes with the C++ runtime's alias of that name in a host test.
constexpr uint32_t kVga = 1, kVirtioBlk = 2;
uint32_t id_of(const char* name, unsigned len) {
  const std::string n(name, len);
  return n == "app" ? 1 : n == "fs" ? 2 : n == "blk" ? 3 : n == "cons" ? 4 : 0;
}

constexpr const char* kText =
    "# comment line: app calls=blk\n"
    "app   calls=app,fs   # a trailing comment\n"
    "\tcons ports=0x3F8-0x3FF device=vga\n"
    "blk device=virtio-blk\n"
    "bad1 ports=0x20-0x21\n"
    "bad2 calls=app,nosuch device=floppy\n"
    "bare\n";
}  // namespace

TEST(Manifest, GrantsWhatItsLineSays) {
  const Grant app = manifest_grant(kText, "app", id_of);
  EXPECT_TRUE(app.listed);
  EXPECT_EQ(app.calls, 1u << 1 | 1u << 2) << "the comment line's calls=blk is not app's";
  EXPECT_EQ(app.port_count, 0u);
  EXPECT_EQ(app.flags, 0u);
  EXPECT_EQ(app.problem, nullptr);
  const Grant cons = manifest_grant(kText, "cons", id_of);
  EXPECT_EQ(cons.port_first, 0x3F8u);
  EXPECT_EQ(cons.port_count, 8u);
  EXPECT_EQ(cons.flags, kVga);
  EXPECT_EQ(manifest_grant(kText, "blk", id_of).flags, kVirtioBlk);
  const Grant bare = manifest_grant(kText, "bare", id_of);
  EXPECT_TRUE(bare.listed);
  EXPECT_EQ(bare.calls | bare.flags | bare.port_count, 0u);
}

TEST(Manifest, UnlistedModulesGetNothing) {
  const Grant g = manifest_grant(kText, "ap", id_of);  // a prefix of a listed name is not the name
  EXPECT_FALSE(g.listed);
  EXPECT_EQ(g.calls | g.flags | g.port_count, 0u);
  EXPECT_FALSE(manifest_grant("", "app", id_of).listed);
}

TEST(Manifest, TheKernelsPortsAndUnknownWordsAreDropped) {
  const Grant pic = manifest_grant(kText, "bad1", id_of);
  EXPECT_EQ(pic.port_count, 0u) << "the 8259's ports are the kernel's";
  EXPECT_NE(pic.problem, nullptr);
  const Grant bad = manifest_grant(kText, "bad2", id_of);
  EXPECT_EQ(bad.flags, 0u);
  EXPECT_NE(bad.problem, nullptr);
  EXPECT_EQ(std::strncmp(bad.problem, "device=floppy", 13), 0) << "the last word not understood is named";
  for (uint32_t p : {0x20u, 0x21u, 0xA0u, 0x40u, 0x43u, 0x61u, 0x70u, 0x4D1u, 0xCF8u, 0xCFFu, 0xF4u})
    EXPECT_TRUE(manifest_port_reserved(p, p)) << std::hex << p;
  for (uint32_t p : {0x3F8u, 0x60u, 0x80u, 0x1F0u, 0xCF7u, 0xD00u})
    EXPECT_FALSE(manifest_port_reserved(p, p)) << std::hex << p;
  EXPECT_TRUE(manifest_port_reserved(0x10, 0x30)) << "a range that covers a reserved port";
}

TEST(Manifest, SharedSegments) {
  constexpr const char* text =
      "a shm=demo:2:rw,public:1:ro\n"
      "b shm=toolongname:1:rw\n"
      "c shm=x:0:rw\n"
      "d shm=x:65:rw\n"
      "e shm=x:1:rx\n"
      "f shm=x:1\n"
      "g shm=a:1:ro,b:1:ro,c:1:ro,d:1:ro,e:1:ro\n";
  const Grant a = manifest_grant(text, "a", id_of);
  ASSERT_EQ(a.nshm, 2u);
  EXPECT_EQ(a.problem, nullptr);
  // The name packed little-endian, as the guest's abi::shm_name does.
  EXPECT_EQ(a.shm[0].name, uint64_t('d') | uint64_t('e') << 8 | uint64_t('m') << 16 | uint64_t('o') << 24);
  EXPECT_EQ(a.shm[0].pages, 2u);
  EXPECT_TRUE(a.shm[0].write);
  EXPECT_EQ(a.shm[1].pages, 1u);
  EXPECT_FALSE(a.shm[1].write);
  // More than 8 characters, no pages, more than 64 pages, rights other than
  // rw/ro, a missing field, more than four segments: the word is dropped.
  for (const char* bad : {"b", "c", "d", "e", "f", "g"}) {
    const Grant g = manifest_grant(text, bad, id_of);
    EXPECT_NE(g.problem, nullptr) << bad;
  }
  EXPECT_EQ(manifest_grant(text, "b", id_of).nshm, 0u);
}
