// Runs on one code page (Cpu::run_page, which defers the fetch charges of a
// run and makes them when anything else touches the TLB model) must be
// indistinguishable from the per-instruction path (Cpu::step, one translate()
// per fetch). Each case boots the same image twice -- once with runs, once
// without -- and compares everything a user or a test could see at the end:
// how the run ended, the instruction count, the serial transcript, every
// architectural register, the whole MMU (every TLB and paging-structure-cache
// entry with its use stamp, the replacement state, the clock, every counter:
// Mmu::save()), the devices (Board::serialize) and all of RAM.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "emu/devices/serial_sink.h"
#include "emu/serialize.h"
#include "emu/machine/machine.h"
#include "tests/cpu/machine.h"

namespace {

using slot::emu::Machine;
using slot::emu::MachineConfig;
using slot::emu::RunExit;

class StringSink final : public slot::emu::SerialSink {
 public:
  explicit StringSink(std::string& out) : out_(out) {}
  void put(uint8_t byte) override { out_.push_back(char(byte)); }

 private:
  std::string& out_;
};

struct Case {
  const char* name;
  std::string image;
  std::string cmdline;
  std::string tlb;
  uint64_t max_insns;
  bool disk = false;  // a virtio-blk disk holding a ustar archive (ustar_image)
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.image << " '" << c.cmdline << "' tlb=" << c.tlb; }

// What the TLB model shows a user: every entry with its age (its recency rank
// in its set, what replacement decides by) and every counter.
std::string model_view(slot::mmu::Mmu& mmu) {
  std::ostringstream o;
  for (const slot::mmu::TlbDumpEntry& e : mmu.dump())
    o << e.array << ' ' << e.set << ' ' << e.way << ' ' << e.entry.vpn << ' ' << e.entry.pfn << ' '
      << int(e.entry.size) << ' ' << e.entry.pcid << ' ' << e.entry.global << ' ' << e.age << ' ' << e.psc << '\n';
  const slot::mmu::MmuStats st = mmu.stats();
  o << st.translations << ' ' << st.l1_hits << ' ' << st.l1_misses << ' ' << st.l2_hits << ' ' << st.l2_misses << ' '
    << st.walks << ' ' << st.walk_refs << ' ' << st.ad_writes << ' ' << st.faults << ' ' << st.cr3_loads << ' '
    << st.invlpg << ' ' << st.invpcid << '\n';
  for (const auto& a : st.arrays)
    o << a.name << ' ' << a.hits << ' ' << a.misses << ' ' << a.fills << ' ' << a.evictions << ' ' << a.dirty_rewalks
      << '\n';
  for (const auto& p : st.pscs) o << p.level << ' ' << p.hits << ' ' << p.misses << ' ' << p.fills << '\n';
  return o.str();
}

struct Outcome {
  RunExit exit;
  uint64_t icount;
  std::string serial, regs, model;
  std::vector<uint8_t> mmu, board;
  std::vector<uint8_t> ram, disk;
};

// A ustar archive (POSIX.1-1988) with one 3,000-byte file, a.txt: one header
// block, the data in 512-byte blocks, two zero blocks at the end.
std::vector<uint8_t> ustar_image() {
  std::vector<uint8_t> img(512 * (1 + 6 + 2), 0);
  auto put = [&](size_t at, const char* text) { std::memcpy(&img[at], text, std::strlen(text)); };
  put(0, "a.txt");
  put(100, "0000644");
  put(108, "0000000");
  put(116, "0000000");
  put(124, "00000005670");  // 3000 in octal
  put(136, "00000000000");
  put(156, "0");
  put(257, "ustar");
  put(263, "00");
  std::memset(&img[148], ' ', 8);  // the checksum counts its own field as spaces
  unsigned sum = 0;
  for (size_t i = 0; i < 512; ++i) sum += img[i];
  std::snprintf(reinterpret_cast<char*>(&img[148]), 8, "%06o", sum);
  for (size_t i = 0; i < 3000; ++i) img[512 + i] = uint8_t(i * 7 + i / 13);
  return img;
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// Sees every translation: with it attached the MMU fills no fast-path slot,
// so every access takes translate()'s full path (no runs, no REP bulk copies).
class NullObserver final : public slot::mmu::MmuObserver {};

Outcome run(const Case& k, bool page_runs, bool observed = false) {
  MachineConfig cfg;
  cfg.ram_mib = 64;
  cfg.tlb = k.tlb;
  cfg.cmdline = k.cmdline;
  cfg.one_insn_per_run = !page_runs;
  if (k.disk) {  // a fresh image for every run: the workload writes to it
    // Named by test and run: ctest runs the tests of this file in parallel.
    std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(test.begin(), test.end(), '/', '_');
    cfg.disk = ::testing::TempDir() + "dispatch_disk_" + test + std::to_string(page_runs) + std::to_string(observed) + ".img";
    const std::vector<uint8_t> img = ustar_image();
    std::ofstream(cfg.disk, std::ios::binary).write(reinterpret_cast<const char*>(img.data()), std::streamsize(img.size()));
  }
  Machine m(cfg);
  Outcome out;
  m.board().set_serial_sink(std::make_unique<StringSink>(out.serial));
  m.load_kernel(k.image);
  NullObserver obs;
  if (observed) m.mmu().set_observer(&obs);
  // Cut into pieces, with the model's view taken at each cut: a use stamp
  // that a later access would overwrite is seen at some cut.
  constexpr uint64_t kPiece = 250'000;
  for (uint64_t at = kPiece;; at += kPiece) {
    out.exit = m.run(std::min(at, k.max_insns));
    out.model += model_view(m.mmu());
    if (out.exit != RunExit::InsnLimit || at >= k.max_insns) break;
  }
  out.icount = m.icount();
  out.regs = slot::cputest::cpu_state_text(m.cpu());
  if (observed) m.mmu().set_observer(nullptr);
  out.mmu = m.mmu().save();
  out.model += model_view(m.mmu());
  slot::emu::Serializer ser;
  m.board().serialize(ser);
  out.board = ser.take();
  const uint8_t* ram = m.mem().ptr(0, m.mem().size());
  out.ram.assign(ram, ram + m.mem().size());
  if (k.disk) {
    out.disk = read_file(cfg.disk);  // (writes reach the file at once)
    std::remove(cfg.disk.c_str());
  }
  return out;
}

// Everything but the raw MMU arrays; those too when `raw_mmu`.
void expect_same(const Outcome& a, const Outcome& b, bool raw_mmu) {
  EXPECT_EQ(a.exit, b.exit);
  EXPECT_EQ(a.icount, b.icount);
  EXPECT_EQ(a.serial, b.serial);
  EXPECT_EQ(a.regs, b.regs);
  EXPECT_EQ(a.model, b.model);
  if (raw_mmu) {
    EXPECT_TRUE(a.mmu == b.mmu) << "the MMU state (entries, raw stamps, clock, counters) differs";
  }
  EXPECT_TRUE(a.board == b.board) << "the device state differs";
  EXPECT_TRUE(a.ram == b.ram) << "RAM differs";
  EXPECT_TRUE(a.disk == b.disk) << "the disk image differs";
  // The case must exercise something: a transcript or a real run.
  EXPECT_GT(a.icount, 10000u);
}

// The disk case did what it says: the file read back whole (the CRC of what
// the image file holds afterwards), the interrupts came through the I/O APIC,
// and the write changed the file's bytes 1000-1699 and nothing else of the image.
void expect_disk_used(const Outcome& o) {
  ASSERT_GE(o.disk.size(), 512u + 3000u);
  uint32_t crc = ~0u;  // CRC-32 (IEEE 802.3, reflected), of the file as the image now holds it
  for (size_t i = 512; i < 512 + 3000; ++i) {
    crc ^= o.disk[i];
    for (int b = 0; b < 8; ++b) crc = crc >> 1 ^ (0xEDB88320u & (0u - (crc & 1)));
  }
  char want[64];
  std::snprintf(want, sizeof want, "CAT file=a.txt bytes=3000 crc32=%08x\n", ~crc);
  EXPECT_NE(o.serial.find(want), std::string::npos) << want << o.serial;
  EXPECT_NE(o.serial.find("through the I/O APIC"), std::string::npos) << o.serial;
  EXPECT_NE(o.serial.find(", 0 through the 8259"), std::string::npos) << o.serial;
  const std::vector<uint8_t> before = ustar_image();
  ASSERT_EQ(o.disk.size(), before.size());
  size_t lo = before.size(), hi = 0;
  for (size_t i = 0; i < before.size(); ++i)
    if (o.disk[i] != before[i]) lo = std::min(lo, i), hi = i + 1;
  EXPECT_GE(lo, 512u + 1000u);
  EXPECT_LE(hi, 512u + 1700u);
  EXPECT_GT(hi, lo);
}

class Dispatch : public ::testing::TestWithParam<Case> {};

TEST_P(Dispatch, PageRunsChangeNothing) {
  const Outcome step = run(GetParam(), false), runs = run(GetParam(), true);
  expect_same(step, runs, true);
  if (GetParam().disk) expect_disk_used(runs);
}

// The fast paths as a whole -- runs on one code page, the REP STOS and REP
// MOVS bulk paths, the TLB fast-path slots -- against a run in which every
// access takes the model's full path. Not Mmu::save(): with an observer the
// model drops invalidated entries eagerly and mirrors nothing, so its raw
// arrays differ while everything a user can see -- entries, their recency
// ranks, counters -- must not.
TEST_P(Dispatch, FastPathsChangeNothing) {
  expect_same(run(GetParam(), false, true), run(GetParam(), true), false);
}

std::vector<Case> cases() {
  const std::string perf = PERF_ELF_DIR, boot = BOOT_ELF_DIR, guest = GUEST_IMAGE;
  std::vector<Case> v;
  v.push_back({"perf_alu", perf + "/perf_alu.elf", "iters=20000", "skylake", 50'000'000});
  v.push_back({"perf_mem", perf + "/perf_mem.elf", "iters=20000", "skylake", 50'000'000});
  v.push_back({"perf_tlb", perf + "/perf_tlb.elf", "iters=2000", "skylake", 50'000'000});
  v.push_back({"perf_tlb_tiny", perf + "/perf_tlb.elf", "iters=2000", "tiny", 50'000'000});
  v.push_back({"perf_mem_none", perf + "/perf_mem.elf", "iters=20000", "none", 50'000'000});
  for (const char* b : {"smc", "paging", "exceptions", "ring3", "debugregs", "pkeys", "apic", "irq", "corners"})
    v.push_back({b, boot + "/" + b + ".elf", "", "skylake", 50'000'000});
  for (const char* w : {"workload=selftest flush=pcid", "workload=selftest flush=cr3", "workload=demo",
                        "workload=attacks"})
    v.push_back({"guest", guest, w, "skylake", 4'000'000});
  // A disk: the device's DMA into the caller's page, its interrupt through
  // the I/O APIC (level-triggered, masked and unmasked around each request),
  // a write that reaches the image.
  v.push_back({"guest_disk", guest, "workload=cat file=a.txt write=700 at=1000", "skylake", 4'000'000, true});
  // The whole module-call benchmark: its copies are REP MOVSB (the bulk path).
  v.push_back({"guest_bench", guest, "workload=bench mode=modarea flush=invlpg", "skylake", 40'000'000});
  return v;
}

std::string name_of(const ::testing::TestParamInfo<Case>& i) {
  std::string n = std::string(i.param.name) + "_" + std::to_string(i.index);
  for (char& ch : n)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(Images, Dispatch, ::testing::ValuesIn(cases()), name_of);

}  // namespace
