// The bench harness's parsers and statistics (app/bench): transcripts of the
// perf kernels and the guest, medians, the recording format, profiles.
// Expected values are written out by hand from the formats' definitions
// (tests/perf/common/perf.h, guest/kernel/bench.cpp, perf and callgrind
// output captured from the real tools in tests/perf/data).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "app/bench/profile.h"
#include "app/bench/recording.h"
#include "app/bench/runner.h"
#include "app/bench/stats.h"
#include "app/bench/transcript.h"
#include "app/bench/workloads.h"

namespace slot::bench {
namespace {

std::string data(const std::string& name) {
  std::ifstream f(std::string(PERF_TEST_DATA) + "/" + name);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

const char* kAluTranscript =
    "== boot test perf_alu ==\n"
    "ok   multiboot magic = 2badb002\n"
    "perf alu iters=20000 k=10 loop_insns=200000 checksum=3db265a4e6780ba5\n"
    "summary: 1 checks, 0 failed\n";

TEST(Transcript, PerfLine) {
  const auto p = parse_perf_line(kAluTranscript);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->name, "alu");
  EXPECT_EQ(p->iters, 20000u);
  EXPECT_EQ(p->k, 10u);
  EXPECT_EQ(p->loop_insns, 200000u);
  EXPECT_EQ(p->checksum, "3db265a4e6780ba5");
}

TEST(Transcript, PerfLineRejectsInconsistentOrMalformedLines) {
  EXPECT_FALSE(parse_perf_line("perf alu iters=3 k=10 loop_insns=31 checksum=1\n"));  // 3 x 10 != 31
  EXPECT_FALSE(parse_perf_line("perf alu iters=3 k=10 loop_insns=30 checksum=xyz\n"));
  EXPECT_FALSE(parse_perf_line("perf alu iters=-3 k=10 loop_insns=30 checksum=1\n"));
  EXPECT_FALSE(parse_perf_line("perf alu iters=3 k=10 checksum=1\n"));
  EXPECT_FALSE(parse_perf_line("xperf alu iters=3 k=10 loop_insns=30 checksum=1\n"));
  EXPECT_FALSE(parse_perf_line(""));
  // CRLF endings (a serial console) and a later good line are fine.
  const auto p = parse_perf_line("junk\r\nperf tlb iters=2 k=7 loop_insns=14 checksum=ff\r\n");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->checksum, "ff");
}

TEST(Transcript, Summary) {
  unsigned f = 99;
  ASSERT_TRUE(parse_summary(kAluTranscript, f));
  EXPECT_EQ(f, 0u);
  ASSERT_TRUE(parse_summary("summary: 70 checks, 2 failed\n", f));
  EXPECT_EQ(f, 2u);
  EXPECT_FALSE(parse_summary("ok   x = 1\n", f));
  EXPECT_FALSE(parse_summary("summary: 70 checks, two failed\n", f));
}

TEST(Transcript, GuestBench) {
  const std::string t =
      "SLOTLAB guest workload=bench mode=modarea flush=pcid\n"
      "RESULT mode=modarea flush=pcid size=0 depth=1 ws=1 calls=64 ticks_per_call=4365\n"
      "RESULT mode=modarea flush=pcid size=0 depth=1 ws=16 calls=64 FAIL -5\n"
      "RESULT mode=modarea flush=pcid size=0 depth=1 ws=128 calls=64 ticks_per_call=5635\n"
      "DONE\n";
  const GuestBench g = parse_guest_bench(t);
  EXPECT_EQ(g.results, 2u);
  EXPECT_EQ(g.failures, 1u);
  EXPECT_TRUE(g.done);
  EXPECT_FALSE(parse_guest_bench("RESULT x ticks_per_call=1\n").done);
}

TEST(Transcript, DebugExitStatusIsQemus) {
  // QEMU hw/misc/debugexit.c: exit((val << 1) | 1).
  EXPECT_EQ(debug_exit_status(0x10), 33);
  EXPECT_EQ(debug_exit_status(0x11), 35);
  EXPECT_EQ(debug_exit_status(0), 1);
}

TEST(Judge, PerfKernel) {
  Workload w;
  w.kind = Kind::Loop;
  RunResult r;
  r.transcript = kAluTranscript;
  r.status = 33;
  Sample s;
  judge(w, r, s);
  EXPECT_TRUE(s.ok) << s.note;
  EXPECT_EQ(s.loop_insns, 200000u);
  r.status = 35;
  judge(w, r, s);
  EXPECT_FALSE(s.ok);
  r.status = 33;
  r.transcript = "FAIL multiboot magic = 0 want 2badb002\nsummary: 1 checks, 1 failed\n";
  judge(w, r, s);
  EXPECT_FALSE(s.ok);
  EXPECT_EQ(s.note, "1 self-checks failed");
  r.transcript = "== boot test perf_alu ==\n";  // killed mid-run
  judge(w, r, s);
  EXPECT_FALSE(s.ok);
}

TEST(Judge, GuestBench) {
  Workload w;
  w.kind = Kind::Guest;
  w.guest = true;
  RunResult r;
  r.transcript = "RESULT a ticks_per_call=1\nDONE\n";
  r.status = 1;
  Sample s;
  judge(w, r, s);
  EXPECT_TRUE(s.ok) << s.note;
  r.status = 5;
  judge(w, r, s);
  EXPECT_FALSE(s.ok);
  r.status = 1;
  r.transcript = "RESULT a FAIL -3\nDONE\n";
  judge(w, r, s);
  EXPECT_FALSE(s.ok);
}

TEST(Stats, Median) {
  EXPECT_DOUBLE_EQ(median({3, 1, 2}), 2);
  EXPECT_DOUBLE_EQ(median({4, 1, 3, 2}), 2.5);
  EXPECT_DOUBLE_EQ(median({7}), 7);
  EXPECT_TRUE(std::isnan(median({})));
  EXPECT_DOUBLE_EQ(median({0.9, 9.9, 1.0, 1.1, 1.05}), 1.05);  // one outlier does not move it
  EXPECT_DOUBLE_EQ(min_of({3, 1, 2}), 1);
  EXPECT_DOUBLE_EQ(max_of({3, 1, 2}), 3);
}

TEST(Recording, RoundTripsThroughTsvWithEscapes) {
  Recording r;
  r.set("profile:alu", "  41.0%  a\tb\n  2.0%  c\\d\n");
  r.set("date", "today");
  r.set("date", "tomorrow");  // set() replaces
  Sample s;
  s.workload = "alu";
  s.engine = Engine::SlotlabNoTlb;
  s.run = 2;
  s.wall_s = 1.25;
  s.icount = 123456789012ull;
  s.loop_insns = 200;
  s.status = 33;
  s.ok = true;
  s.checksum = "00ff";
  s.note = "line1\nline2";
  r.samples.push_back(s);
  const Recording b = from_tsv(to_tsv(r));
  EXPECT_EQ(b.get("profile:alu"), r.get("profile:alu"));
  EXPECT_EQ(b.get("date"), "tomorrow");
  EXPECT_EQ(b.meta.size(), 2u);
  ASSERT_EQ(b.samples.size(), 1u);
  const Sample& t = b.samples[0];
  EXPECT_EQ(t.workload, "alu");
  EXPECT_EQ(t.engine, Engine::SlotlabNoTlb);
  EXPECT_EQ(t.run, 2u);
  EXPECT_DOUBLE_EQ(t.wall_s, 1.25);
  EXPECT_EQ(t.icount, 123456789012ull);
  EXPECT_EQ(t.loop_insns, 200u);
  EXPECT_EQ(t.status, 33);
  EXPECT_TRUE(t.ok);
  EXPECT_EQ(t.checksum, "00ff");
  EXPECT_EQ(t.note, "line1\nline2");
}

TEST(Recording, RejectsMalformedLines) {
  EXPECT_THROW(from_tsv("sample\talu\tqemu\n"), std::runtime_error);
  EXPECT_THROW(from_tsv("sample\talu\tsimics\t0\t1.0\t0\t0\t33\t1\t\t\n"), std::runtime_error);
  EXPECT_THROW(from_tsv("sample\talu\tqemu\t0\tfast\t0\t0\t33\t1\t\t\n"), std::runtime_error);
  EXPECT_THROW(from_tsv("frobnicate\n"), std::runtime_error);
  EXPECT_NO_THROW(from_tsv("# comment only\n\n"));
}

TEST(Recording, ReadsTheRecordedRun) {
  const Recording r = from_tsv(data("recorded_run.tsv"));
  EXPECT_EQ(r.samples.size(), 37u);  // the sample lines of the file
  EXPECT_EQ(r.get("qemu_version"), "QEMU emulator version 7.2.22");
  EXPECT_EQ(r.get("profile:alu"), "  32.8%  [.] slot::cpu::Cpu::fetch_decode\n  10.4%  [.] slot::cpu::Cpu::run\n");
}

TEST(Profile, ParsesPerfReport) {
  const std::string t = parse_perf_report(data("perf_report.txt"), 3);
  EXPECT_EQ(t,
            " 32.84%  [.] slot::cpu::Cpu::fetch_decode\n"
            " 13.95%  [.] __memset_avx512_unaligned_erms\n"
            " 12.36%  [k] pvm_irq_enable\n");
  // Symbols with single spaces survive; the IPC columns do not.
  const std::string all = parse_perf_report(data("perf_report.txt"), 100);
  EXPECT_NE(all.find("[.] slot::cpu::Cpu::rmw<8u, slot::cpu::(anonymous namespace)::shift_rm<8u>(slot::cpu::Cpu&, "
                     "slot::cpu::Insn const&, unsigned int)::{lambda(unsigned long)#1}>\n"),
            std::string::npos);
  EXPECT_EQ(parse_perf_report("# only comments\n", 5), "");
}

TEST(Profile, ParsesCallgrindAnnotate) {
  const std::string t = parse_callgrind_annotate(data("callgrind_annotate.txt"), 2);
  // 21,380 of 129,396 instructions = 16.5 %; 21,172 = 16.4 %.
  EXPECT_EQ(t,
            "  16.5%  ./elf/./elf/dl-tunables.c:__GI___tunables_init "
            "[/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2]\n"
            "  16.4%  ./elf/./elf/dl-lookup.c:do_lookup_x [/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2]\n");
}

TEST(Workloads, Matrix) {
  PlanOptions o;
  o.build_dir = "/b";
  const std::vector<Workload> full = emulator_workloads(o);
  const Workload* alu = find_workload(full, "alu");
  ASSERT_TRUE(alu);
  EXPECT_EQ(alu->image, "/b/tests/perf/kernels/perf_alu.elf");
  EXPECT_EQ(alu->baseline, "alu@0");
  ASSERT_TRUE(find_workload(full, "alu@0"));
  EXPECT_EQ(find_workload(full, "alu@0")->cmdline_slotlab, "iters=0");
  EXPECT_EQ(find_workload(full, "tlb@0")->cmdline_qemu, "iters=0 pages=4096");
  for (const char* g : {"modcall-cr3", "modcall-invlpg", "modcall-pcid"}) {
    const Workload* w = find_workload(full, g);
    ASSERT_TRUE(w) << g;
    EXPECT_EQ(w->image, "/b/guest/slotlab-guest.elf");
    EXPECT_EQ(w->cmdline_qemu, std::string("workload=bench mode=modarea flush=") + (g + 8));
  }
  o.quick = true;
  const std::vector<Workload> quick = emulator_workloads(o);
  EXPECT_FALSE(find_workload(quick, "modcall-cr3"));
  EXPECT_TRUE(find_workload(quick, "modcall-pcid"));
  // Quick sizes are a tenth of the full ones.
  const std::string fa = find_workload(full, "alu")->cmdline_slotlab, qa = find_workload(quick, "alu")->cmdline_slotlab;
  EXPECT_EQ(std::stoull(fa.substr(6)), 10 * std::stoull(qa.substr(6)));
  // Tracing slotlab runs the fewest iterations, QEMU the most.
  const uint64_t qi = std::stoull(find_workload(full, "alu")->cmdline_qemu.substr(6)),
                 si = std::stoull(fa.substr(6)), ti = std::stoull(find_workload(full, "alu")->cmdline_trace.substr(6));
  EXPECT_GT(qi, si);
  EXPECT_GT(si, ti);
  EXPECT_EQ(alu->cmdline(Engine::Qemu), alu->cmdline_qemu);
  EXPECT_EQ(alu->cmdline(Engine::SlotlabNoTlb), alu->cmdline_slotlab);
  EXPECT_EQ(alu->cmdline(Engine::SlotlabTrace), alu->cmdline_trace);
  // Every workload also runs on the debugger engine with a breakpoint it never reaches.
  for (const Workload& w : full) {
    EXPECT_EQ(std::count(w.engines.begin(), w.engines.end(), Engine::SlotlabBreak), 1) << w.id;
    EXPECT_FALSE(w.break_at.empty()) << w.id;
  }
  EXPECT_EQ(alu->cmdline(Engine::SlotlabBreak), alu->cmdline_slotlab);
  // The trace engine joins the loops only when asked for.
  EXPECT_EQ(std::count(alu->engines.begin(), alu->engines.end(), Engine::SlotlabTrace), 0);
  o.trace = true;
  o.only = {"mem", "tlb"};
  const std::vector<Workload> only = emulator_workloads(o);
  ASSERT_EQ(only.size(), 4u);  // each with its baseline
  EXPECT_EQ(only[0].id, "mem@0");
  EXPECT_EQ(only[1].id, "mem");
  EXPECT_EQ(only[3].id, "tlb");
  EXPECT_EQ(std::count(only[1].engines.begin(), only[1].engines.end(), Engine::SlotlabTrace), 1);
  // Tracing the TLB loop's set-up alone takes seconds: it is not traced.
  EXPECT_EQ(std::count(only[3].engines.begin(), only[3].engines.end(), Engine::SlotlabTrace), 0);
}

TEST(Runner, QemuCommandIsTheBootTestsOne) {
  const std::vector<std::string> a = qemu_argv("q", "k.elf", "iters=5");
  const std::string j = [&] {
    std::string s;
    for (const auto& x : a) s += x + " ";
    return s;
  }();
  EXPECT_EQ(j,
            "q -cpu max -m 256 -display none -monitor none -serial stdio -no-reboot -device "
            "isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel k.elf -append iters=5 ");
}

// The breakpoint engine's run is the real debugger engine with a stop point
// armed: the one the benchmark uses is never reached by a passing run, and a
// point the run does reach turns the run into an error (so the row cannot
// silently measure a run without its breakpoint).
TEST(Runner, EngineRunWithABreakpoint) {
  const std::string alu = std::string(PERF_ELF_DIR) + "/perf_alu.elf";
  PlanOptions o;
  o.build_dir = "/b";
  const std::string spec = find_workload(emulator_workloads(o), "alu")->break_at;
  const RunResult ok = run_engine(alu, "iters=1000", spec, 100'000'000);
  EXPECT_TRUE(ok.error.empty()) << ok.error;
  EXPECT_EQ(ok.status, 33);
  EXPECT_GT(ok.icount, 10'000u);
  const RunResult hit = run_engine(alu, "iters=1000", "sym:perf_alu_loop", 100'000'000);
  EXPECT_NE(hit.error.find("stopped"), std::string::npos) << hit.error;
  const RunResult bad = run_engine(alu, "iters=1000", "sym:no_such_symbol", 100'000'000);
  EXPECT_NE(bad.error.find("no_such_symbol"), std::string::npos) << bad.error;
}

// The guest's idle run (calls=0): DONE and the exit status, no RESULT line.
TEST(Judge, GuestBaselineIsTheBootAlone) {
  Workload b;
  b.kind = Kind::Baseline;
  b.guest = true;
  RunResult r;
  r.transcript = "SLOTLAB guest workload=bench\nbench: calls=0, nothing measured\nDONE\n";
  r.status = 1;
  Sample s;
  judge(b, r, s);
  EXPECT_TRUE(s.ok) << s.note;
  r.transcript = "SLOTLAB guest workload=bench\n";  // killed during boot
  judge(b, r, s);
  EXPECT_FALSE(s.ok);
}

// The guest benchmark's plan: every module-call run has a calls=0 run of the
// same image to subtract, and every slotlab engine runs as a process.
TEST(Plan, GuestRowsHaveIdleBaselinesAndRunAsProcesses) {
  PlanOptions o;
  o.build_dir = "/b";
  const std::vector<Workload> ws = emulator_workloads(o);
  for (const Workload& w : ws) {
    if (w.kind != Kind::Guest) continue;
    const Workload* b = find_workload(ws, w.baseline);
    ASSERT_TRUE(b) << w.id;
    EXPECT_TRUE(b->guest);
    EXPECT_EQ(b->kind, Kind::Baseline);
    EXPECT_EQ(b->image, w.image);
    EXPECT_EQ(b->cmdline_qemu, w.cmdline_qemu + " calls=0");
  }
  const auto run = slotlab_argv("/b/slotlab", Engine::Slotlab, "k.elf", "x=1", "sym:panic", "/tmp/s.json");
  EXPECT_EQ(run, (std::vector<std::string>{"/b/slotlab", "run", "k.elf", "--cmdline", "x=1", "--stats-json", "/tmp/s.json"}));
  const auto none = slotlab_argv("/b/slotlab", Engine::SlotlabNoTlb, "k.elf", "x=1", "sym:panic", "/tmp/s.json");
  EXPECT_EQ(none.back(), "none");
  const auto dbg = slotlab_argv("/b/slotlab", Engine::SlotlabBreak, "k.elf", "x=1", "sym:panic", "/tmp/s.json");
  EXPECT_EQ(dbg[1], "trace");
  EXPECT_NE(std::find(dbg.begin(), dbg.end(), "sym:panic"), dbg.end());
  EXPECT_EQ(stats_instructions("{\"run\":{\"instructions\":1234,\"host_seconds\":1}}"), 1234u);
  EXPECT_EQ(stats_instructions("{}"), 0u);
}

TEST(Runner, ProcessStatusTranscriptAndTimeout) {
  const RunResult r = run_process({"sh", "-c", "echo hello; exit 33"}, 10);
  EXPECT_EQ(r.status, 33);
  EXPECT_EQ(r.transcript, "hello\n");
  EXPECT_TRUE(r.error.empty());
  const RunResult t = run_process({"sleep", "10"}, 0.2);
  EXPECT_EQ(t.status, -1);
  EXPECT_NE(t.error.find("killed"), std::string::npos);
  EXPECT_LT(t.wall_s, 5);
  const RunResult m = run_process({"/nonexistent/tool"}, 10);
  EXPECT_EQ(m.status, 127);
}

}  // namespace
}  // namespace slot::bench

namespace slot::bench {
namespace {

// Bochs as the emulator bench's third engine: the perf kernel boots from a
// GRUB ISO, its transcript is judged like QEMU's (without an exit status),
// and the run ends at its summary line.
TEST(Runner, BochsBootsAPerfKernelFromAGrubIso) {
  Tools t;
  t.bochs = find_program("bochs");
  t.grub_mkrescue = find_program("grub-mkrescue");
  t.timeout_s = 120;
  if (t.bochs.empty() || t.grub_mkrescue.empty()) GTEST_SKIP() << "bochs or grub-mkrescue not installed";
  Workload w;
  w.id = "alu";
  w.kind = Kind::Loop;
  const RunResult r = run_bochs(t, std::string(PERF_ELF_DIR) + "/perf_alu.elf", "iters=1000", "summary:");
  EXPECT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.status, kNoExitStatus);
  Sample s;
  judge(w, r, s);
  EXPECT_TRUE(s.ok) << s.note << "\n" << r.transcript;
  EXPECT_EQ(s.loop_insns, 10'000u);  // 1000 iterations x 10 instructions
}

}  // namespace
}  // namespace slot::bench
