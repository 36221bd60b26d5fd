// Presets and the description-file format: geometry as documented, round
// trips, and parse errors as one line naming FILE:LINE.
#include <gtest/gtest.h>

#include <stdexcept>

#include "mmu/config.h"
#include "mmu/mmu.h"

namespace slot::mmu {
namespace {

const ArrayConfig* find(const TlbConfig& c, const char* name) {
  for (const ArrayConfig& a : c.arrays)
    if (a.name == name) return &a;
  return nullptr;
}

TEST(MmuConfig, SkylakeGeometryIsDesignSection5) {
  TlbConfig c;
  ASSERT_TRUE(preset_config("skylake", c));
  struct Want { const char* name; unsigned entries, ways; };
  for (Want w : {Want{"l1i_4k", 128, 8}, Want{"l1d_4k", 64, 4}, Want{"l1d_2m", 32, 4},
                 Want{"l1d_1g", 4, 4}, Want{"stlb", 1536, 12}, Want{"stlb_1g", 16, 4}}) {
    const ArrayConfig* a = find(c, w.name);
    ASSERT_NE(a, nullptr) << w.name;
    EXPECT_EQ(a->entries(), w.entries) << w.name;
    EXPECT_EQ(a->ways, w.ways) << w.name;
  }
  ASSERT_EQ(c.pscs.size(), 3u);
  EXPECT_EQ(c.pscs[0].entries(), 4u);
  EXPECT_EQ(c.pscs[1].entries(), 8u);
  EXPECT_EQ(c.pscs[2].entries(), 32u);
  EXPECT_EQ(c.cost.l2_hit, 9.0);
}

TEST(MmuConfig, PresetsRoundTripThroughTheFileFormat) {
  for (const std::string& name : preset_names()) {
    TlbConfig c;
    ASSERT_TRUE(preset_config(name, c));
    const std::string text = format_config(c);
    const TlbConfig back = parse_config_text(text, name + ".tlb");
    EXPECT_EQ(format_config(back), text) << name;
  }
}

TEST(MmuConfig, CustomFileParses) {
  const TlbConfig c = parse_config_text(
      "# a two-level toy\n"
      "name toy\n"
      "seed 7\n"
      "array l1 level=1 side=U sizes=4K,2M entries=16 ways=full policy=random\n"
      "array l2 level=2 side=U sizes=4K,2M,1G sets=64 ways=4   # 256 entries\n"
      "psc pd entries=8 ways=2 policy=plru\n"
      "cost walk=30 mem_ref=10\n",
      "toy.tlb");
  EXPECT_EQ(c.name, "toy");
  EXPECT_EQ(c.seed, 7u);
  ASSERT_EQ(c.arrays.size(), 2u);
  EXPECT_EQ(c.arrays[0].sets, 1u);
  EXPECT_EQ(c.arrays[0].ways, 16u);
  EXPECT_EQ(c.arrays[0].policy, Policy::Random);
  EXPECT_EQ(c.arrays[1].entries(), 256u);
  EXPECT_EQ(c.arrays[1].policy, Policy::Plru);
  ASSERT_EQ(c.pscs.size(), 1u);
  EXPECT_EQ(c.pscs[0].sets, 4u);
  EXPECT_EQ(c.cost.walk, 30.0);
  EXPECT_EQ(c.cost.l2_hit, 9.0);
}

std::string error_of(const std::string& text) {
  try {
    parse_config_text(text, "f.tlb");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(MmuConfig, ErrorsNameFileAndLine) {
  EXPECT_EQ(error_of("name x\n\nbogus 1\n"), "f.tlb:3: unknown directive 'bogus' (name, model, seed, array, psc, cost)");
  EXPECT_EQ(error_of("array a level=1 side=D sizes=4K entries=24 ways=8\n"),
            "f.tlb:1: the number of sets must be a power of two");
  EXPECT_EQ(error_of("array a level=1 side=D sizes=8K entries=8 ways=8\n"),
            "f.tlb:1: unknown page size '8K' (4K, 2M, 1G)");
  EXPECT_EQ(error_of("array a level=3 side=D sizes=4K entries=8\n"), "f.tlb:1: level must be 1 or 2");
  EXPECT_EQ(error_of("# c\narray a level=1 side=D sizes=4K entries=8 colour=red\n"),
            "f.tlb:2: unknown key 'colour'");
  EXPECT_EQ(error_of("array a level=1 side=D sizes=4K\n"), "f.tlb:1: missing entries= (or sets=)");
  EXPECT_EQ(error_of("array a level=1 side=D sizes=4K entries=8\narray a level=2 side=U sizes=4K entries=8\n"),
            "f.tlb:2: duplicate array name 'a'");
  EXPECT_EQ(error_of("psc pml5 entries=4\n"), "f.tlb:1: psc level must be pml4, pdpt or pd");
  EXPECT_EQ(error_of("cost walk=-3\n"), "f.tlb:1: bad value '-3' for walk");
  EXPECT_EQ(error_of("# only a comment\n"), "f.tlb:1: empty TLB description");
  for (const char* t : {"bogus\n", "array x\n"}) EXPECT_EQ(error_of(t).find('\n'), std::string::npos);
}

TEST(MmuConfig, BadModelNameIsOneLine) {
  PhysMemory mem(1 << 20);
  try {
    Mmu mmu(mem, "/nonexistent/skylak");
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "/nonexistent/skylak: not a TLB preset (skylake, icelake, tiny, none) and not a readable file");
  }
}

// Found by tests/fuzz/tlb_config (docs/reliability.md): a disabled
// paging-structure cache (ways=0) was written as "entries=0 ways=0", which
// the parser refused; a NUL inside a number ended it early and read as 0.
TEST(MmuConfig, FuzzFoundDisabledPscRoundTripsAndNulIsNotANumber) {
  const TlbConfig c = parse_config_text("name t\narray a level=1 side=D sizes=4K entries=4\npsc pd sets=2 ways=0\n", "f.tlb");
  ASSERT_EQ(c.pscs.size(), 1u);
  EXPECT_EQ(c.pscs[0].entries(), 0u);
  const std::string once = format_config(c);
  EXPECT_EQ(format_config(parse_config_text(once, "g.tlb")), once);
  EXPECT_EQ(error_of(std::string("psc pd sets=2 ways=\0\0002\n", 23)).substr(0, 20), "f.tlb:1: bad number ");
  EXPECT_EQ(error_of("cost walk=nan\n"), "f.tlb:1: bad value 'nan' for walk");
}

}  // namespace
}  // namespace slot::mmu
