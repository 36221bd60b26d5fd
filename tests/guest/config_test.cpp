// The kernel command line and the annotation header, run on the host.
#include <gtest/gtest.h>

#include <string>

#include "emu/annotation_protocol.h"
#include "guest/kernel/config.h"

TEST(GuestCmdline, ParsesTheThreeKeys) {
  Config c;
  ASSERT_TRUE(parse_cmdline("build/guest/slotlab-guest.elf workload=bench mode=monolithic flush=invlpg", &c, nullptr));
  EXPECT_EQ(c.workload, Workload::Bench);
  EXPECT_EQ(c.mode, Mode::Monolithic);
  EXPECT_EQ(c.flush, Flush::Invlpg);
}

TEST(GuestCmdline, Bounce) {
  Config c;
  EXPECT_TRUE(c.bounce_edges) << "partial pages are bounced by default";
  ASSERT_TRUE(parse_cmdline("bounce=none", &c, nullptr));
  EXPECT_FALSE(c.bounce_edges);
  ASSERT_TRUE(parse_cmdline("bounce=edges", &c, nullptr));
  EXPECT_TRUE(c.bounce_edges);
  ASSERT_TRUE(parse_cmdline("bounce=none", &c, nullptr));
  EXPECT_FALSE(c.bounce_edges);
  EXPECT_FALSE(parse_cmdline("bounce=all", &c, nullptr));
}

TEST(GuestCmdline, DefaultsAndErrors) {
  Config c;
  ASSERT_TRUE(parse_cmdline("", &c, nullptr));
  EXPECT_EQ(c.workload, Workload::Demo);
  EXPECT_EQ(c.mode, Mode::ModArea);
  const char* bad = nullptr;
  EXPECT_FALSE(parse_cmdline("mode=modareax", &c, &bad));
  EXPECT_STREQ(bad, "mode=modareax");
  EXPECT_TRUE(parse_cmdline("other=1 mode", &c, nullptr)) << "unknown keys are ignored";
}

TEST(AnnotationProtocol, HeaderLayout) {
  // docs/annotation.md: magic in bits 7:0, type in 15:8, payload dwords in 31:16.
  EXPECT_EQ(ann::header(ann::ANN_CALL, 11), 0x000B04A5u);
  EXPECT_EQ(ann::header_type(0x000B04A5u), 4u);
  EXPECT_EQ(ann::header_len(0x000B04A5u), 11u);
  EXPECT_EQ(ann::string_dwords(0), 1u);
  EXPECT_EQ(ann::string_dwords(3), 1u);
  EXPECT_EQ(ann::string_dwords(4), 2u);
}

// workload=cat and the options a workload reads itself (file=, the bench's lists):
// whole words only, the value up to the next space.
TEST(GuestCmdline, CatAndWorkloadOptions) {
  ASSERT_TRUE(parse_cmdline("k.elf workload=cat xfile=no file=dir/a.txt sizes=1,2", &g_cfg, nullptr));
  EXPECT_EQ(g_cfg.workload, Workload::Cat);
  unsigned n = 0;
  const char* v = cmdline_option("file", &n);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(std::string(v, n), "dir/a.txt");
  v = cmdline_option("sizes", &n);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(std::string(v, n), "1,2");
  EXPECT_EQ(cmdline_option("fil", &n), nullptr) << "a prefix of a key is not the key";
  EXPECT_EQ(cmdline_option("mode", &n), nullptr);
  g_cfg = Config{};
}
