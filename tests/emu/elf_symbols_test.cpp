// ELF symbol reader: hand-built tables, and the test binary itself checked
// against binutils' readelf (an independent reader) when it is installed.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <cstring>
#include <random>
#include <set>
#include <sstream>

#include "emu/loader/elf.h"
#include "tests/emu/elf_builder.h"

namespace elf = slot::emu::elf;
using slot::test::build_elf;
using slot::test::SymSpec;

namespace {

TEST(ElfSymbols, FunctionsOnlySortedByAddress) {
  for (bool is64 : {false, true}) {
    std::vector<SymSpec> syms = {
        {"zeta", 0x1200, 0x10, 2}, {"data_obj", 0x3000, 8, 1}, {"alpha", 0x1000, 0x40, 2},
        {"undef_fn", 0, 0, 2, 0},  {"mid", 0x1100, 0, 2},
    };
    std::vector<uint8_t> img = build_elf(is64, is64 ? 62 : 3, 0x1000, {{0x1000, 0x1000, {0xC3}, 1}}, syms);
    std::vector<elf::Symbol> got = elf::function_symbols(img);
    ASSERT_EQ(got.size(), 3u) << is64;
    EXPECT_EQ(got[0].name, "alpha");
    EXPECT_EQ(got[0].addr, 0x1000u);
    EXPECT_EQ(got[0].size, 0x40u);
    EXPECT_EQ(got[1].name, "mid");
    EXPECT_EQ(got[2].name, "zeta");
    EXPECT_EQ(elf::symbol_at(got, 0x1020)->name, "alpha");
    EXPECT_EQ(elf::symbol_at(got, 0x1100)->name, "mid");  // size 0: exact address only
    EXPECT_EQ(elf::symbol_at(got, 0x120F)->name, "zeta");
    EXPECT_EQ(elf::symbol_at(got, 0x1210), nullptr);
    EXPECT_EQ(elf::symbol_at(got, 0x0FFF), nullptr);
  }
}

TEST(ElfSymbols, NoSymbolTableIsEmpty) {
  std::vector<uint8_t> img = build_elf(false, 3, 0x1000, {{0x1000, 0x1000, {0xC3}, 1}});
  EXPECT_TRUE(elf::function_symbols(img).empty());
}

TEST(ElfSymbols, EmbeddedImageBySpan) {
  std::vector<uint8_t> inner = build_elf(true, 62, 0x4000, {{0x4000, 0x4000, {0xC3}, 1}}, {{"inner_fn", 0x4000, 1, 2}});
  std::vector<uint8_t> outer(100 + inner.size() + 50, 0xEE);
  for (size_t i = 0; i < inner.size(); ++i) outer[100 + i] = inner[i];
  auto got = elf::function_symbols(std::span<const uint8_t>(outer).subspan(100, inner.size()));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].name, "inner_fn");
}

TEST(ElfSymbols, MalformedTablesThrowNeverCrash) {
  std::vector<uint8_t> img =
      build_elf(false, 3, 0x1000, {{0x1000, 0x1000, {0xC3}, 1}}, {{"f", 0x1000, 1, 2}, {"g", 0x1001, 1, 2}});
  for (size_t n = 0; n < img.size(); ++n) {
    std::vector<uint8_t> cut(img.begin(), img.begin() + long(n));
    try {
      (void)elf::function_symbols(cut);
    } catch (const std::runtime_error&) {
    }
  }
  std::vector<uint8_t> bad = img;
  // Point the first symbol's name far outside the string table (symbol 1 follows the null symbol).
  uint32_t shoff;
  std::memcpy(&shoff, bad.data() + 32, 4);
  uint32_t symoff;
  std::memcpy(&symoff, bad.data() + shoff + 40 + 16, 4);
  uint32_t huge = 0x7FFFFFFF;
  std::memcpy(bad.data() + symoff + 16, &huge, 4);
  EXPECT_THROW(elf::function_symbols(bad), std::runtime_error);
  std::mt19937 rng(7);
  for (int i = 0; i < 5000; ++i) {
    std::vector<uint8_t> m = img;
    for (int f = 0; f < 4; ++f) m[rng() % m.size()] = uint8_t(rng());
    try {
      (void)elf::function_symbols(m);
    } catch (const std::runtime_error&) {
    }
  }
}

TEST(ElfParse, RejectsNonElfAndBigEndian) {
  std::vector<uint8_t> junk(64, 0);
  EXPECT_THROW(elf::parse(junk), std::runtime_error);
  std::vector<uint8_t> img = build_elf(false, 3, 0x1000, {{0x1000, 0x1000, {0xC3}, 1}});
  img[5] = 2;
  EXPECT_THROW(elf::parse(img), std::runtime_error);
}

// readelf -Ws prints every symbol table; keep .symtab's defined FUNC entries.
std::set<std::pair<std::string, uint64_t>> readelf_functions(const std::string& path, bool& ok) {
  std::set<std::pair<std::string, uint64_t>> out;
  std::string cmd = "readelf -Ws --wide '" + path + "' 2>/dev/null";
  std::FILE* p = popen(cmd.c_str(), "r");
  ok = false;
  if (!p) return out;
  std::string text;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) text.append(buf, n);
  ok = pclose(p) == 0 && !text.empty();
  std::istringstream in(text);
  std::string line;
  bool in_symtab = false;
  while (std::getline(in, line)) {
    if (line.rfind("Symbol table", 0) == 0) {
      in_symtab = line.find("'.symtab'") != std::string::npos;
      continue;
    }
    if (!in_symtab) continue;
    std::istringstream f(line);
    std::string num, value, size, type, bind, vis, ndx, name;
    if (!(f >> num >> value >> size >> type >> bind >> vis >> ndx >> name)) continue;
    if (type != "FUNC" || ndx == "UND") continue;
    out.insert({name, std::stoull(value, nullptr, 16)});
  }
  return out;
}

TEST(ElfSymbols, AgreesWithReadelfOnThisBinary) {
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  ASSERT_GT(n, 0);
  exe[n] = 0;
  bool ok;
  std::set<std::pair<std::string, uint64_t>> want = readelf_functions(exe, ok);
  if (!ok || want.empty()) GTEST_SKIP() << "readelf not available";
  std::ifstream f(exe, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<elf::Symbol> got = elf::function_symbols(bytes);
  std::set<std::pair<std::string, uint64_t>> mine;
  for (const elf::Symbol& s : got) mine.insert({s.name, s.addr});
  EXPECT_EQ(mine, want);
  EXPECT_GT(want.size(), 100u);  // the test binary has plenty of functions
}

}  // namespace
