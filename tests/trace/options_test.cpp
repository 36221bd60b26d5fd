// Option parsing for traces: categories, numbers, ranges, slot lists, and the
// CLI's contract that a bad value is one line on standard error and exit 2.
#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

#include "emu/io/json.h"
#include "emu/trace/options.h"
#include "tests/trace/run_util.h"

namespace slot::trace {

using emu::Json;
namespace {

TEST(TraceOptions, Categories) {
  EXPECT_EQ(parse_categories("tlb"), uint32_t(kCatTlb));
  EXPECT_EQ(parse_categories("tlb,walk,cr3,invlpg,pf,stale"), uint32_t(kCatAll));
  EXPECT_EQ(parse_categories("all"), uint32_t(kCatAll));
  EXPECT_EQ(parse_categories("stale, pf"), uint32_t(kCatStale | kCatPf));
  EXPECT_THROW(parse_categories("tlbs"), std::invalid_argument);
  EXPECT_THROW(parse_categories("tlb,"), std::invalid_argument);
  EXPECT_THROW(parse_categories(""), std::invalid_argument);
}

TEST(TraceOptions, Numbers) {
  EXPECT_EQ(parse_number("x", "0"), 0u);
  EXPECT_EQ(parse_number("x", "1234"), 1234u);
  EXPECT_EQ(parse_number("x", "0x8000000000"), 0x8000000000u);
  EXPECT_EQ(parse_number("x", "0XfF"), 255u);
  EXPECT_EQ(parse_number("x", "1_000_000"), 1000000u);
  EXPECT_EQ(parse_number("x", "0xffffffffffffffff"), ~0ull);
  EXPECT_THROW(parse_number("x", "0x1_0000_0000_0000_0000"), std::invalid_argument);  // 2^64
  EXPECT_THROW(parse_number("x", "18446744073709551616"), std::invalid_argument);      // 2^64
  EXPECT_THROW(parse_number("x", "12a"), std::invalid_argument);
  EXPECT_THROW(parse_number("x", "0x"), std::invalid_argument);
  EXPECT_THROW(parse_number("x", "-1"), std::invalid_argument);
  EXPECT_THROW(parse_number("x", ""), std::invalid_argument);
}

TEST(TraceOptions, Sizes) {
  EXPECT_EQ(parse_size("x", "4096"), 4096u);
  EXPECT_EQ(parse_size("x", "2K"), 2048u);
  EXPECT_EQ(parse_size("x", "3m"), 3u << 20);
  EXPECT_EQ(parse_size("x", "1G"), 1ull << 30);
  EXPECT_THROW(parse_size("x", "1T"), std::invalid_argument);
  EXPECT_THROW(parse_size("x", "K"), std::invalid_argument);
  EXPECT_THROW(parse_size("x", "0x4000000000000000G"), std::invalid_argument);  // overflows
}

TEST(TraceOptions, Ranges) {
  Range r = parse_range("x", "10-20");
  EXPECT_EQ(r.lo, 10u);
  EXPECT_EQ(r.hi, 20u);
  EXPECT_TRUE(r.contains(10) && r.contains(20) && !r.contains(9) && !r.contains(21));  // inclusive
  r = parse_range("x", "0x8000000000-0x8000000fff");
  EXPECT_EQ(r.lo, 0x8000000000u);
  EXPECT_EQ(r.hi, 0x8000000fffu);
  r = parse_range("x", "100-");
  EXPECT_EQ(r.lo, 100u);
  EXPECT_EQ(r.hi, ~0ull);
  r = parse_range("x", "-100");
  EXPECT_EQ(r.lo, 0u);
  EXPECT_EQ(r.hi, 100u);
  r = parse_range("x", "7");
  EXPECT_EQ(r.lo, 7u);
  EXPECT_EQ(r.hi, 7u);
  EXPECT_THROW(parse_range("x", "20-10"), std::invalid_argument);
  EXPECT_THROW(parse_range("x", "-"), std::invalid_argument);
  EXPECT_THROW(parse_range("x", "1-2-3"), std::invalid_argument);
  EXPECT_THROW(parse_range("x", "a-b"), std::invalid_argument);
}

TEST(TraceOptions, Slots) {
  const std::bitset<512> s = parse_slots("x", "1,2,256-258");
  EXPECT_EQ(s.count(), 5u);
  EXPECT_TRUE(s.test(1) && s.test(2) && s.test(256) && s.test(257) && s.test(258));
  EXPECT_TRUE(parse_slots("x", "511").test(511));
  EXPECT_THROW(parse_slots("x", "512"), std::invalid_argument);
  EXPECT_THROW(parse_slots("x", "1,,2"), std::invalid_argument);
  EXPECT_THROW(parse_slots("x", "one"), std::invalid_argument);
}

TEST(TraceOptions, ErrorsNameTheOption) {
  try {
    parse_range("--trace-va", "zz");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    const std::string m = e.what();
    EXPECT_EQ(m.rfind("--trace-va: 'zz'", 0), 0u) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << "one line";
  }
}

TEST(TraceOptions, Args) {
  TraceArgs a;
  EXPECT_EQ(parse_trace_args(a).categories, 0u);
  a.trace = "walk";
  a.out = "t.jsonl";
  TraceOptions o = parse_trace_args(a);
  EXPECT_EQ(o.format, Format::Jsonl) << "format follows a .jsonl file name";
  EXPECT_EQ(o.max_bytes, 1ull << 30) << "1 GiB cap by default";
  a.format = "text";
  EXPECT_EQ(parse_trace_args(a).format, Format::Text) << "--trace-format wins";
  a.cr3 = "0x8000000000101fff";  // bit 63 and PCID bits are not part of the base
  EXPECT_EQ(*parse_trace_args(a).filter.cr3, 0x101000u);
  a.slots = {"1", "3-4"};
  EXPECT_EQ(parse_trace_args(a).filter.slots->count(), 3u);
  a.pcid = "4096";
  EXPECT_THROW(parse_trace_args(a), std::invalid_argument);
  TraceArgs b;
  b.va = "1-2";  // a filter without --trace
  EXPECT_THROW(parse_trace_args(b), std::invalid_argument);
}

TEST(TraceOptions, CanonicalAndSlot) {
  // SDM Vol. 3A §4.5: bits 63:48 copy bit 47; the PML4 index is bits 47:39.
  EXPECT_EQ(canonical(0x0000'ffff'8000'0000ull), 0xffff'ffff'8000'0000ull);
  EXPECT_EQ(canonical(0x0000'7fff'ffff'f000ull), 0x0000'7fff'ffff'f000ull);
  EXPECT_EQ(pml4_slot(0x8000000000ull), 1u);
  EXPECT_EQ(pml4_slot(0xffff'ff80'0000'0000ull), 511u);
  EXPECT_EQ(pml4_slot(0xffff'8000'0000'0000ull), 256u);
}

TEST(TraceJson, EscapesPerRfc8259) {
  std::string s;
  Json j(s);
  j.object().s("k", std::string("a\"b\\c\n\x01", 7)).hex("h", 0xABC).u("n", 18446744073709551615ull).b("t", true)
      .null("z").end();
  // RFC 8259 §7: quote and backslash escaped, control characters as \uXXXX or short forms.
  EXPECT_EQ(s, R"({"k":"a\"b\\c\n\u0001","h":"0xabc","n":18446744073709551615,"t":true,"z":null})");
}

// The CLI: every bad value is one line on standard error and exit status 2,
// before anything runs.
TEST(TraceCli, BadValuesAreOneLineAndExit2) {
  const std::string dir = trace_test::scratch();
  const char* cases[] = {
      "--trace tlbx", "--trace tlb --trace-va 9-1", "--trace tlb --trace-slot 600", "--trace tlb --trace-icount x",
      "--trace tlb --trace-format xml", "--trace tlb --trace-pcid 5000", "--trace tlb --trace-max-bytes 1P",
      "--trace-va 1-2", "--tlb-stale=sometimes", "--tlb-dump-at ten", "--trace tlb --trace-out /nonexistent/dir/t",
  };
  for (const char* c : cases) {
    const trace_test::Result r = trace_test::slotlab(dir, std::string(TRACE_KERNEL) + " " + c);
    EXPECT_EQ(r.status, 2) << c;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << c << ": " << r.err;
    EXPECT_EQ(r.err.rfind("slotlab: --", 0), 0u) << c << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << c << ": the kernel must not have run";
  }
}

}  // namespace
}  // namespace slot::trace
