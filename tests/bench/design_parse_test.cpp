// The sweep parser, the overrides and the plan of `slotlab bench design`.
#include <gtest/gtest.h>

#include <algorithm>

#include <stdexcept>

#include "app/bench/design.h"

namespace slot::bench {
namespace {

using V = std::vector<uint64_t>;

TEST(DesignParse, Lists) {
  EXPECT_EQ(parse_number_list("0,64,4K,64K"), (V{0, 64, 4096, 65536}));
  EXPECT_EQ(parse_number_list("1-3"), (V{1, 2, 3}));
  EXPECT_EQ(parse_number_list("1..512"), (V{1, 2, 4, 8, 16, 32, 64, 128, 256, 512}));
  EXPECT_EQ(parse_number_list("3..20"), (V{3, 6, 12}));
  EXPECT_EQ(parse_number_list("1,4-5,1M"), (V{1, 4, 5, 1u << 20}));
}

TEST(DesignParse, BadLists) {
  for (const char* bad : {"", ",", "x", "4Q", "3-1", "0..4", "1..", "-3", "1,,2", "99999999999999999999"})
    EXPECT_THROW(parse_number_list(bad), std::invalid_argument) << bad;
}

TEST(DesignParse, OverridesTouchOnlyTheSweepsThatVary) {
  DesignPlan p = design_plan(false);
  apply_override(p.sweeps, "ws=1,8,64");
  apply_override(p.sweeps, "calls=5");
  for (const Sweep& s : p.sweeps) {
    EXPECT_EQ(s.calls, 5u);
    if (s.name == "size" || s.name == "size-whole" || s.name == "unmap") EXPECT_EQ(s.ws, V{16}) << s.name;
    else if (s.name.rfind("null", 0) == 0) EXPECT_EQ(s.ws, V{1}) << s.name;  // one null round trip
    else EXPECT_EQ(s.ws, (V{1, 8, 64})) << s.name;
  }
  EXPECT_THROW(apply_override(p.sweeps, "ws=0"), std::invalid_argument);
  EXPECT_THROW(apply_override(p.sweeps, "depths=1-4"), std::invalid_argument);
  EXPECT_THROW(apply_override(p.sweeps, "sizes=128K"), std::invalid_argument);
  EXPECT_THROW(apply_override(p.sweeps, "colour=1"), std::invalid_argument);
  EXPECT_THROW(apply_override(p.sweeps, "calls=2"), std::invalid_argument);
  EXPECT_THROW(apply_override(p.sweeps, "ws"), std::invalid_argument);
}

TEST(DesignPlan, Matrix) {
  const DesignPlan full = design_plan(false), quick = design_plan(true);
  EXPECT_EQ(full.variants.size(), 7u);
  std::vector<std::string> names;
  for (const Sweep& s : full.sweeps) names.push_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string>{"ws", "ws2m", "size", "clients", "size-whole", "unmap", "null",
                                             "null-general", "preset-icelake", "preset-tiny"}));
  // Partial pages mapped whole: the size sweep again, on the module area only.
  for (const DesignPlan* p : {&quick, &full}) {
    const Sweep *size = nullptr, *whole = nullptr, *clients = nullptr, *unmap = nullptr;
    for (const Sweep& s : p->sweeps) {
      if (s.name == "size") size = &s;
      if (s.name == "size-whole") whole = &s;
      if (s.name == "clients") clients = &s;
      if (s.name == "unmap") unmap = &s;
    }
    ASSERT_TRUE(size && whole && clients && unmap);
    EXPECT_EQ(sweep_cmdline(*size, Variant{"modarea", "pcid"}) + " bounce=none",
              sweep_cmdline(*whole, Variant{"modarea", "pcid"}));
    EXPECT_TRUE(whole->runs(Variant{"modarea", "none"}));
    EXPECT_FALSE(whole->runs(Variant{"ipc", "pcid"}));
    EXPECT_TRUE(unmap->runs(Variant{"ipc", "pcid"}));
    // Every unmap point has its plain twin in the clients sweep.
    EXPECT_EQ(unmap->options, "unmap=1");
    for (uint64_t c : unmap->clients)
      EXPECT_NE(std::find(clients->clients.begin(), clients->clients.end(), c), clients->clients.end()) << c;
    for (uint64_t w : unmap->ws) EXPECT_NE(std::find(clients->ws.begin(), clients->ws.end(), w), clients->ws.end());
    EXPECT_EQ(unmap->sizes, clients->sizes);
  }
  EXPECT_LT(quick.sweeps.size(), full.sweeps.size());
  size_t points_full = 0, points_quick = 0;
  for (const Sweep& s : full.sweeps)
    points_full += s.sizes.size() * s.depths.size() * s.ws.size() * std::max<size_t>(1, s.clients.size());
  for (const Sweep& s : quick.sweeps)
    points_quick += s.sizes.size() * s.depths.size() * s.ws.size() * std::max<size_t>(1, s.clients.size());
  EXPECT_LT(points_quick * 2, points_full);
  // The clients sweep really sweeps: 1-4 clients even in --quick, 8 in the full run.
  for (const DesignPlan* p : {&quick, &full})
    for (const Sweep& s : p->sweeps)
      if (s.name == "clients") {
        EXPECT_GE(s.clients.size(), 4u);
        EXPECT_EQ(s.clients.front(), 1u);
      }
  // The null round trip on the fastpath and, with the same command line, on the general path.
  for (const DesignPlan* p : {&quick, &full}) {
    const Sweep *fast = nullptr, *general = nullptr;
    for (const Sweep& s : p->sweeps) {
      if (s.name == "null") fast = &s;
      if (s.name == "null-general") general = &s;
    }
    ASSERT_TRUE(fast && general);
    EXPECT_EQ(sweep_cmdline(*fast, Variant{"ipc", "pcid"}) + " fastpath=0", sweep_cmdline(*general, Variant{"ipc", "pcid"}));
  }
  // Every working-set sweep spans 1 to 512 pages: the crossings need both ends.
  for (const Sweep& s : full.sweeps)
    if (s.ws.size() > 1 && s.name != "clients") {  // the clients sweep: two working sets, 16 and 512
      EXPECT_EQ(s.ws.front(), 1u);
      EXPECT_EQ(s.ws.back(), 512u);
    }
}

TEST(DesignPlan, CommandLine) {
  Sweep s;
  s.sizes = {0, 64};
  s.depths = {1, 2};
  s.ws = {1};
  s.calls = 8;
  s.clients = {1, 3};
  s.pages = "2m";
  s.probe = true;
  EXPECT_EQ(sweep_cmdline(s, Variant{"modarea", "pcid"}),
            "workload=bench mode=modarea flush=pcid sizes=0,64 depths=1,2 ws=1 calls=8 clients=1,3 pages=2m probe=1 "
            "annotate=0");
  s.clients.clear();
  s.pages = "4k";
  s.probe = false;
  s.options = "fastpath=0";
  EXPECT_EQ(sweep_cmdline(s, Variant{"ipc", "cr3"}),
            "workload=bench mode=ipc flush=cr3 sizes=0,64 depths=1,2 ws=1 calls=8 annotate=0 fastpath=0");
}

}  // namespace
}  // namespace slot::bench
