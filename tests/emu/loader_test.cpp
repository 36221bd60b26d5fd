// Multiboot loader tests on hand-built images. Oracles: the Multiboot 0.6.96
// specification (header search and checksum, a.out kludge fields, info
// layout) and what a guest read under QEMU 7.2 (-kernel k.elf -append
// "hello world"): info at 0x9500, flags 0x24f, mem_lower 0x27f, mem_upper
// 0x3b80 at -m 16, memory map at 0x9000, boot_device 0x8000ffff, and, for a
// kernel at 0x100000 whose page-rounded size is 0x5000, cmdline at 0x105000
// and the loader name at 0x105012.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

#include "emu/loader/multiboot.h"
#include "tests/emu/elf_builder.h"

namespace mb = slot::emu::multiboot;
using slot::mmu::PhysMemory;
using slot::test::build_elf;
using slot::test::mb_header;

namespace {

constexpr uint64_t k16M = 16ull << 20;

std::vector<uint8_t> cat(std::vector<uint8_t> a, const std::vector<uint8_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// An ELF32 kernel like a typical gcc-built one: text at 1 MiB (starting with
// the multiboot header), data further up with a bss tail.
std::vector<uint8_t> kernel32(uint32_t mb_flags = 0x3, uint16_t machine = 3) {
  std::vector<uint8_t> text = cat(mb_header(mb_flags), {0x90, 0x90, 0xF4});
  std::vector<uint8_t> data(16, 'B');
  return build_elf(false, machine, 0x10000C, {{0x100000, 0x100000, text, text.size() + 0x1000}, {0x104000, 0x104000, data, 0x321}});
}

std::string error_of(PhysMemory& mem, const std::vector<uint8_t>& img) {
  try {
    mb::load(mem, img, "x");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

uint32_t rd(const PhysMemory& m, uint64_t pa) { return uint32_t(m.read(pa, 4)); }
std::string str_at(PhysMemory& m, uint64_t pa) { return reinterpret_cast<const char*>(m.ptr(pa)); }

TEST(Multiboot, Elf32LoadsLikeQemu) {
  PhysMemory mem(k16M);
  std::memset(mem.ptr(0x100000, 0x10000), 0xAA, 0x10000);  // bss must come out zeroed
  std::vector<uint8_t> img = kernel32();
  mb::BootInfo bi = mb::load(mem, img, mb::qemu_cmdline("k.elf", "hello world"));
  EXPECT_EQ(bi.format, mb::Format::Elf32);
  EXPECT_EQ(bi.entry, 0x10000Cu);
  EXPECT_EQ(bi.info_addr, 0x9500u);
  EXPECT_EQ(bi.image_start, 0x100000u);
  EXPECT_EQ(bi.image_end, 0x104321u);
  EXPECT_EQ(rd(mem, 0x100000), 0x1BADB002u);
  EXPECT_EQ(mem.read(0x10000C, 1), 0x90u);
  EXPECT_EQ(mem.read(0x10000F, 1), 0x00u);  // bss
  EXPECT_EQ(mem.read(0x100FFF, 1), 0x00u);
  EXPECT_EQ(mem.read(0x104000, 1), uint64_t('B'));
  EXPECT_EQ(mem.read(0x104320, 1), 0x00u);

  const uint32_t mbi = bi.info_addr;
  EXPECT_EQ(rd(mem, mbi + 0), 0x24Fu);        // flags
  EXPECT_EQ(rd(mem, mbi + 4), 0x27Fu);        // mem_lower
  EXPECT_EQ(rd(mem, mbi + 8), 0x3B80u);       // mem_upper at 16 MiB
  EXPECT_EQ(rd(mem, mbi + 12), 0x8000FFFFu);  // boot_device
  EXPECT_EQ(rd(mem, mbi + 16), 0x105000u);    // cmdline
  EXPECT_EQ(rd(mem, mbi + 20), 0u);           // mods_count
  EXPECT_EQ(rd(mem, mbi + 24), 0x105000u);    // mods_addr
  EXPECT_EQ(rd(mem, mbi + 44), 0xA8u);        // mmap_length: 7 entries
  EXPECT_EQ(rd(mem, mbi + 48), 0x9000u);      // mmap_addr
  EXPECT_EQ(rd(mem, mbi + 64), 0x105012u);    // boot_loader_name
  EXPECT_EQ(str_at(mem, 0x105000), "k.elf hello world");
  EXPECT_EQ(str_at(mem, 0x105012), "slotlab");

  // The memory map a QEMU 7.2 -m 16 guest printed (size, base, length, type).
  const uint64_t want[7][3] = {{0x0, 0x9FC00, 1},          {0x9FC00, 0x400, 2},         {0xF0000, 0x10000, 2},
                               {0x100000, 0xEE0000, 1},    {0xFE0000, 0x20000, 2},      {0xFFFC0000, 0x40000, 2},
                               {0xFD00000000, 0x300000000, 2}};
  for (int i = 0; i < 7; ++i) {
    uint64_t e = 0x9000 + 24 * i;
    EXPECT_EQ(rd(mem, e), 20u);
    EXPECT_EQ(mem.read(e + 4, 8), want[i][0]) << i;
    EXPECT_EQ(mem.read(e + 12, 8), want[i][1]) << i;
    EXPECT_EQ(rd(mem, e + 20), want[i][2]) << i;
  }
}

// Boot modules (spec 3.3, flags bit 3): mods_count entries of {start, end,
// string, 0} at mods_addr; each module's bytes at [start, end), page-aligned
// (the spec leaves alignment to the loader; QEMU aligns, and so do we), its
// string NUL-terminated; nothing overlaps the kernel, the command line or
// another module.
TEST(Multiboot, ModulesAreWhereTheInformationSays) {
  PhysMemory mem(k16M);
  const std::vector<mb::BootModule> mods = {{"policy.txt manifest", {'a', 'b', 'c'}},
                                            {"big.bin", std::vector<uint8_t>(5000, 0x5A)},
                                            {"empty", {}}};
  mb::BootInfo bi = mb::load(mem, kernel32(), mb::qemu_cmdline("k.elf", "hello"), mods);
  const uint32_t mbi = bi.info_addr;
  EXPECT_EQ(rd(mem, mbi + 0) & 0x8, 0x8u);
  ASSERT_EQ(rd(mem, mbi + 20), 3u);
  const uint32_t at = rd(mem, mbi + 24);
  EXPECT_GE(at, bi.image_end);
  EXPECT_EQ(str_at(mem, rd(mem, mbi + 16)), "k.elf hello");
  uint64_t prev_end = bi.image_end;
  for (uint32_t i = 0; i < 3; ++i) {
    const uint32_t start = rd(mem, at + 16 * i), end = rd(mem, at + 16 * i + 4), string = rd(mem, at + 16 * i + 8);
    EXPECT_EQ(rd(mem, at + 16 * i + 12), 0u);
    EXPECT_EQ(start % 4096, 0u) << i;
    EXPECT_EQ(end - start, mods[i].bytes.size()) << i;
    EXPECT_GE(start, prev_end) << i;
    EXPECT_EQ(str_at(mem, string), mods[i].string) << i;
    for (size_t k = 0; k < mods[i].bytes.size(); ++k) ASSERT_EQ(mem.read(start + k, 1), mods[i].bytes[k]) << i;
    prev_end = std::max<uint64_t>(end, start);
  }
  // The command line and the strings lie below the first module.
  EXPECT_LT(rd(mem, mbi + 16), rd(mem, at));
  EXPECT_LT(rd(mem, mbi + 64), rd(mem, at));
  EXPECT_EQ(str_at(mem, rd(mem, mbi + 64)), "slotlab");
}

TEST(Multiboot, ModuleListFromQemuSyntax) {
  const std::string dir = ::testing::TempDir();
  const std::string a = dir + "/slotlab_mod_a.txt", b = dir + "/slotlab_mod_b.bin";
  std::FILE* f = std::fopen(a.c_str(), "wb");
  std::fputs("hello", f);
  std::fclose(f);
  f = std::fopen(b.c_str(), "wb");
  std::fclose(f);
  const std::vector<mb::BootModule> m = mb::load_modules(a + " manifest," + b);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].string, a + " manifest");
  EXPECT_EQ(std::string(m[0].bytes.begin(), m[0].bytes.end()), "hello");
  EXPECT_EQ(m[1].string, b);
  EXPECT_TRUE(m[1].bytes.empty());
  EXPECT_TRUE(mb::load_modules("").empty());
  try {
    mb::load_modules("/nonexistent/policy manifest");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "/nonexistent/policy: cannot open: No such file or directory");
  }
}

TEST(Multiboot, MemoryMapAt256MiBMatchesQemu) {
  auto map = mb::memory_map(256ull << 20);
  ASSERT_EQ(map.size(), 7u);
  EXPECT_EQ(map[3].base, 0x100000u);
  EXPECT_EQ(map[3].length, 0xFEE0000u);  // QEMU -m 256: mem_upper 0x3fb80 KiB
  EXPECT_EQ(map[3].length / 1024, 0x3FB80u);
  EXPECT_EQ(map[4].base, 0xFFE0000u);
}

TEST(Multiboot, Elf64Loads) {
  std::vector<uint8_t> text = cat(mb_header(0x3), {0xF4});
  std::vector<uint8_t> img = build_elf(true, 62, 0x20000C, {{0x200000, 0xFFFFFFFF80200000ull, text, 0x2000}});
  PhysMemory mem(k16M);
  mb::BootInfo bi = mb::load(mem, img, "");
  EXPECT_EQ(bi.format, mb::Format::Elf64);
  EXPECT_EQ(bi.entry, 0x20000Cu);
  EXPECT_EQ(rd(mem, 0x200000), 0x1BADB002u);  // loaded at p_paddr, not the higher-half p_vaddr
  EXPECT_EQ(rd(mem, bi.info_addr + 16), 0x202000u);
}

TEST(Multiboot, Elf64EntryAbove4GiBRejected) {
  std::vector<uint8_t> img = build_elf(true, 62, 0xFFFFFFFF80200000ull, {{0x200000, 0, mb_header(0x3), 0x100}});
  PhysMemory mem(k16M);
  EXPECT_NE(error_of(mem, img).find("above 4 GiB"), std::string::npos);
}

TEST(Multiboot, AoutKludgeRawBinary) {
  // File: 16 bytes, then the header at offset 16 (header_addr 0x200010), code after it.
  std::vector<uint8_t> img(16, 0x11);
  img = cat(img, mb_header(0x10003, 0x200010, 0x200000, 0, 0x203000, 0x200030));
  img.resize(0x40, 0x22);
  PhysMemory mem(k16M);
  std::memset(mem.ptr(0x200000, 0x4000), 0xAA, 0x4000);
  mb::BootInfo bi = mb::load(mem, img, "a");
  EXPECT_EQ(bi.format, mb::Format::AoutKludge);
  EXPECT_EQ(bi.entry, 0x200030u);
  EXPECT_EQ(mem.read(0x200000, 1), 0x11u);        // file offset 0 at load_addr
  EXPECT_EQ(rd(mem, 0x200010), 0x1BADB002u);
  EXPECT_EQ(mem.read(0x20003F, 1), 0x22u);        // load_end_addr 0: to the end of the file
  EXPECT_EQ(mem.read(0x200040, 1), 0x00u);        // bss up to bss_end_addr
  EXPECT_EQ(mem.read(0x202FFF, 1), 0x00u);
  EXPECT_EQ(mem.read(0x203000, 1), uint64_t('a'));  // the command line follows the bss
  EXPECT_EQ(bi.image_end, 0x203000u);
  EXPECT_EQ(rd(mem, bi.info_addr + 16), 0x203000u);
}

TEST(Multiboot, AoutKludgeTextOffsetAndLoadEnd) {
  // Header at file offset 0x40 but only 0x20 bytes above load_addr: the image starts at file offset 0x20.
  std::vector<uint8_t> img(0x40);
  for (size_t i = 0; i < img.size(); ++i) img[i] = uint8_t(i);
  img = cat(img, mb_header(0x10000, 0x300020, 0x300000, 0x300040, 0, 0x300004));
  img.resize(0x100, 0x77);
  PhysMemory mem(k16M);
  mb::BootInfo bi = mb::load(mem, img, "");
  EXPECT_EQ(mem.read(0x300000, 1), 0x20u);
  EXPECT_EQ(rd(mem, 0x300020), 0x1BADB002u);
  EXPECT_EQ(rd(mem, 0x30003C), 0x300004u);  // the header's entry_addr: last dword before load_end_addr
  EXPECT_EQ(mem.read(0x300040, 1), 0x00u);  // file byte 0x60 (0x77) is past load_end_addr: not loaded
  EXPECT_EQ(bi.image_end, 0x300040u);
}

TEST(Multiboot, KludgeTakesPrecedenceOverElf) {
  // An ELF whose header asks for the address fields: they win (spec 3.1.3, QEMU and GRUB agree).
  const size_t off = 0x60;  // segment data follows the ELF header (52) and one program header (32), 16-aligned
  std::vector<uint8_t> hdr = mb_header(0x10000, 0x500000 + uint32_t(off), 0x500000, 0, 0, 0x500000);
  std::vector<uint8_t> img = build_elf(false, 3, 0x100000, {{0x100000, 0x100000, cat(hdr, std::vector<uint8_t>(16)), 64}});
  ASSERT_EQ(img.size() >= off + 32, true);
  ASSERT_EQ(uint32_t(img[off]) | uint32_t(img[off + 1]) << 8, 0xB002u);
  PhysMemory mem(k16M);
  mb::BootInfo bi = mb::load(mem, img, "");
  EXPECT_EQ(bi.format, mb::Format::AoutKludge);
  EXPECT_EQ(mem.read(0x500000, 4), 0x464C457Fu);  // the whole file from offset 0, ELF magic first
  EXPECT_EQ(mem.read(0x100000, 4), 0u);           // the PT_LOAD address is not used
}

std::vector<uint8_t> raw_with_header_at(size_t off) {
  std::vector<uint8_t> img(off, 0);
  uint32_t a = 0x100000;
  return cat(img, mb_header(0x10000, a + uint32_t(off), a, 0, 0, a));
}

TEST(Multiboot, HeaderSearchLimits) {
  EXPECT_TRUE(mb::find_header(raw_with_header_at(8180)).has_value());   // ends exactly at 8192
  EXPECT_FALSE(mb::find_header(raw_with_header_at(8184)).has_value());  // crosses 8192
  std::vector<uint8_t> misaligned = raw_with_header_at(2);
  EXPECT_FALSE(mb::find_header(misaligned).has_value());  // must be 32-bit aligned
  std::vector<uint8_t> bad = raw_with_header_at(8);
  bad[16] ^= 1;  // checksum
  EXPECT_FALSE(mb::find_header(bad).has_value());
  PhysMemory mem(k16M);
  EXPECT_EQ(error_of(mem, bad), "not an ELF file and no multiboot header in the first 8192 bytes");
}

TEST(Multiboot, ClearErrors) {
  PhysMemory mem(k16M);
  auto has = [&](const std::vector<uint8_t>& img, const char* what) {
    std::string e = error_of(mem, img);
    EXPECT_NE(e.find(what), std::string::npos) << "got: " << e;
    EXPECT_EQ(e.find('\n'), std::string::npos);
  };
  has({}, "file is empty");
  has(build_elf(false, 3, 0x100000, {{0x100000, 0x100000, std::vector<uint8_t>(64), 64}}), "no multiboot header");
  has(mb_header(0x3), "no address fields");
  has(kernel32(0x3, 62), "machine");
  has(kernel32(0x8003), "features");
  has(build_elf(false, 3, 0x100000, {{0x100000, 0x100000, mb_header(3), 12}}, {}, 3), "not an executable");
  has(build_elf(false, 3, 0x100000, {{0xFFF000, 0xFFF000, mb_header(3), 0x2000}}), "outside RAM");
  has(build_elf(false, 3, 0x100000, {{0x8000, 0x8000, mb_header(3), 0x2000}}), "overlaps the boot information");
  has(build_elf(false, 3, 0x100000, {{0x100000, 0x100000, mb_header(3), 4}}), "larger than p_memsz");
  has(cat(std::vector<uint8_t>(0), mb_header(0x10000, 0x100000, 0x100004, 0, 0, 0)), "below load_addr");
  has(mb_header(0x10000, 0x100000, 0x100000, 0xFFFFF, 0, 0), "below load_addr");
  has(mb_header(0x10000, 0x100000, 0x100000, 0x100100, 0, 0), "truncated");
  has(mb_header(0x10000, 0x100000, 0x100000, 0, 0x100010, 0), "bss_end_addr");
  has(mb_header(0x10000, 0x100010, 0x100000, 0, 0, 0), "before the file");
  std::vector<uint8_t> cut = mb_header(0x10000, 0x100000, 0x100000, 0, 0, 0);
  cut.resize(20);
  has(cut, "cut off");
  PhysMemory small(1 << 20);
  EXPECT_NE(error_of(small, kernel32()).find("too small"), std::string::npos);
}

TEST(Multiboot, EveryTruncationIsCleanError) {
  std::vector<uint8_t> img = kernel32();
  PhysMemory mem(k16M);
  for (size_t n = 0; n < img.size(); ++n) {
    std::vector<uint8_t> cut(img.begin(), img.begin() + long(n));
    std::string e = error_of(mem, cut);
    EXPECT_FALSE(e.empty()) << n;  // every prefix misses a segment's bytes or a header
    EXPECT_EQ(e.find('\n'), std::string::npos);
  }
}

TEST(Multiboot, RandomMutationsNeverCrash) {
  std::mt19937 rng(1234);
  std::vector<uint8_t> base = kernel32();
  PhysMemory mem(k16M);
  int loaded = 0;
  for (int i = 0; i < 3000; ++i) {
    std::vector<uint8_t> img = base;
    int flips = 1 + int(rng() % 8);
    for (int f = 0; f < flips; ++f) img[rng() % img.size()] = uint8_t(rng());
    if (rng() % 4 == 0) img.resize(rng() % img.size());
    std::string e = error_of(mem, img);
    EXPECT_EQ(e.find('\n'), std::string::npos);
    loaded += e.empty();
  }
  EXPECT_GT(loaded, 0);
}

TEST(Multiboot, LoadFileErrorsNameTheFile) {
  PhysMemory mem(k16M);
  try {
    mb::load_file(mem, "/nonexistent/kernel.elf", "");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "/nonexistent/kernel.elf: cannot open: No such file or directory");
  }
  EXPECT_THROW(mb::load_file(mem, "/", ""), std::runtime_error);
  std::string path = ::testing::TempDir() + "/slotlab_loader_test.elf";
  std::vector<uint8_t> img = kernel32();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fwrite(img.data(), 1, img.size(), f);
  std::fclose(f);
  EXPECT_EQ(mb::load_file(mem, path, "").entry, 0x10000Cu);
  f = std::fopen(path.c_str(), "wb");
  std::fwrite(img.data(), 1, 30, f);
  std::fclose(f);
  try {
    mb::load_file(mem, path, "");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path + ": ", 0), 0u);
  }
  std::filesystem::remove(path);
}

TEST(Multiboot, QemuCmdline) {
  EXPECT_EQ(mb::qemu_cmdline("k.elf", ""), "k.elf ");
  EXPECT_EQ(mb::qemu_cmdline("build/k.elf", "a b"), "build/k.elf a b");
}

}  // namespace
