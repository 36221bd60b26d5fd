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

namespace slot::mmu {
namespace {

// The cost model's prices for privileged work (docs/mmu.md §6): each class is
// priced on its own, the CR3 loads by whether bit 63 was set, copies by their
// start-up and bytes. The expected figures are worked out by hand from the
// documented defaults.
TEST(MmuCost, PricesEachClassOfKernelWork) {
  const CostConfig c;  // the defaults
  CostInputs in;
  in.instructions = 1000;
  in.cr3_flush = 2, in.cr3_noflush = 3, in.invlpg = 4, in.invpcid = 1;
  KernelOps ops;
  ops.syscall = 5, ops.sysret = 4, ops.iret = 1, ops.wrmsr = 1, ops.port_io = 2;
  ops.string_steps = 2, ops.string_bytes = 4096;
  in.add(ops);
  const CostBreakdown b = price(c, in);
  EXPECT_DOUBLE_EQ(b.instructions, 1000);
  EXPECT_DOUBLE_EQ(b.cr3, 2 * 100 + 3 * 100);
  EXPECT_DOUBLE_EQ(b.invlpg, 4 * 100 + 1 * 100);
  EXPECT_DOUBLE_EQ(b.kernel, 5 * 40 + 4 * 30 + 70 + 144 + 2 * 225);
  EXPECT_DOUBLE_EQ(b.copy, 2 * 35 + 4096.0 / 32);
  EXPECT_DOUBLE_EQ(b.total(), 1000 + 500 + 500 + 984 + 198);
  CostConfig free_bytes = c;
  free_bytes.string_bw = 0;  // bytes not priced
  EXPECT_DOUBLE_EQ(price(free_bytes, in).copy, 2 * 35);
}

TEST(MmuCost, DescriptionFileSetsEveryPrice) {
  const TlbConfig t = parse_config_text(
      "array l1d level=1 side=D sizes=4K entries=64 ways=4\n"
      "cost syscall=1 sysret=2 iret=3 wrmsr=4 port_io=5\n"
      "cost cr3_load=6 cr3_noflush=7 invlpg=8 invpcid=9 string_start=10 string_bw=11\n",
      "t.tlb");
  EXPECT_EQ(t.cost.syscall, 1);
  EXPECT_EQ(t.cost.sysret, 2);
  EXPECT_EQ(t.cost.iret, 3);
  EXPECT_EQ(t.cost.wrmsr, 4);
  EXPECT_EQ(t.cost.port_io, 5);
  EXPECT_EQ(t.cost.cr3_load, 6);
  EXPECT_EQ(t.cost.cr3_noflush, 7);
  EXPECT_EQ(t.cost.invlpg, 8);
  EXPECT_EQ(t.cost.invpcid, 9);
  EXPECT_EQ(t.cost.string_start, 10);
  EXPECT_EQ(t.cost.string_bw, 11);
  EXPECT_EQ(t.cost.l2_hit, CostConfig{}.l2_hit);  // untouched keys keep their defaults
  EXPECT_THROW(parse_config_text("array l1d level=1 side=D sizes=4K entries=64 ways=4\ncost sysenter=1\n", "t.tlb"),
               std::runtime_error);
}

}  // namespace
}  // namespace slot::mmu
