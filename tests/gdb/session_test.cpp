// Every command of the stub against a fake target. Expected replies follow
// the gdb manual's packet descriptions ("Packets", "Stop Reply Packets",
// "General Query Packets"), and QEMU's for Qqemu.PhyMemMode.
#include <gtest/gtest.h>

#include "emu/gdb/packet.h"
#include "emu/gdb/regs.h"
#include "emu/gdb/session.h"
#include "tests/gdb/fake_target.h"

namespace slot::gdb {
namespace {

using test::FakeTarget;

struct GdbSession : ::testing::Test {
  FakeTarget t;
  Session s{t};
  std::string ask(std::string_view p) {
    auto r = s.handle(p);
    EXPECT_EQ(r.packets.size(), 1u) << p;
    return r.packets.empty() ? "<none>" : r.packets.back();
  }
};

TEST_F(GdbSession, QSupportedAdvertisesWhatTheIssueAsks) {
  const std::string r = ask("qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386");
  for (const char* f : {"PacketSize=4000", "qXfer:features:read+", "ReverseStep+", "ReverseContinue+",
                        "QStartNoAckMode+", "swbreak+", "hwbreak+"})
    EXPECT_NE(r.find(f), std::string::npos) << f;
  EXPECT_EQ(r.find("multiprocess+"), std::string::npos);  // one thread, no processes
}

TEST_F(GdbSession, ThreadQueries) {
  EXPECT_EQ(ask("qC"), "QC1");
  EXPECT_EQ(ask("qAttached"), "1");
  EXPECT_EQ(ask("qfThreadInfo"), "m1");
  EXPECT_EQ(ask("qsThreadInfo"), "l");
  EXPECT_EQ(ask("Hg0"), "OK");
  EXPECT_EQ(ask("Hc-1"), "OK");
  EXPECT_EQ(ask("Hg2"), "E01");
  EXPECT_EQ(ask("T1"), "OK");
  EXPECT_EQ(ask("T5"), "E01");
  EXPECT_EQ(ask("qSomethingNew"), "");   // unknown: empty reply
  EXPECT_EQ(ask("vMustReplyEmpty"), "");
  EXPECT_EQ(ask("!"), "");
}

TEST_F(GdbSession, StopReplyOnAttachIsSigtrapWithThreadAndExpeditedRegisters) {
  t.s.rip = 0x1000;
  t.s.gpr[cpu::RSP] = 0x8000;
  const std::string r = ask("?");
  EXPECT_EQ(r.substr(0, 3), "T05");
  EXPECT_NE(r.find("thread:1;"), std::string::npos);
  EXPECT_NE(r.find("10:0010000000000000;"), std::string::npos);  // rip
  EXPECT_NE(r.find("07:0080000000000000;"), std::string::npos);  // rsp
}

TEST_F(GdbSession, RegistersReadAndWrite) {
  t.s.gpr[cpu::RAX] = 0x1122334455667788ull;
  const std::string g = ask("g");
  EXPECT_EQ(g.size(), regs_bytes() * 2);
  EXPECT_EQ(g.substr(0, 16), "8877665544332211");
  EXPECT_EQ(ask("p0"), "8877665544332211");
  EXPECT_EQ(ask("p10"), encode_reg(t.s, 16));
  EXPECT_EQ(ask("P3=0100000000000000"), "OK");  // rdx
  EXPECT_EQ(t.s.gpr[cpu::RDX], 1u);
  std::string g2 = encode_regs(t.s);
  g2.replace(16, 16, "efbeadde00000000");  // rbx
  EXPECT_EQ(ask("G" + g2), "OK");
  EXPECT_EQ(t.s.gpr[cpu::RBX], 0xdeadbeefu);
  EXPECT_EQ(ask("P12=10000000"), "E16");     // cs: read-only
  EXPECT_EQ(ask("P3=01"), "E16");            // wrong size
  EXPECT_EQ(ask("Pzz=00"), "E01");
  EXPECT_EQ(ask("p999"), "E16");
  EXPECT_EQ(ask("pq"), "E01");
  EXPECT_EQ(ask("G00"), "E16");
  t.refuse_regs = true;
  EXPECT_EQ(ask("P3=0200000000000000"), "E16");
}

TEST_F(GdbSession, TargetDescriptionIsServedInChunks) {
  const std::string xml = *target_description("target.xml");
  std::string got;
  for (size_t off = 0;;) {
    char req[64];
    std::snprintf(req, sizeof req, "qXfer:features:read:target.xml:%zx,100", off);
    const std::string r = ask(req);
    ASSERT_TRUE(r[0] == 'm' || r[0] == 'l') << r;
    const auto chunk = unescape_binary(r.substr(1));
    ASSERT_TRUE(chunk.has_value());
    got += *chunk;
    off += chunk->size();
    if (r[0] == 'l') break;
    ASSERT_EQ(chunk->size(), 0x100u);
  }
  EXPECT_EQ(got, xml);
  EXPECT_EQ(ask("qXfer:features:read:nope.xml:0,100"), "E00");
  EXPECT_EQ(ask("qXfer:features:read:target.xml:zz"), "E01");
}

TEST_F(GdbSession, VirtualAndPhysicalMemory) {
  t.map(t.virt, 0x1000, "virt");
  t.map(t.phys, 0x1000, "phys");
  EXPECT_EQ(ask("m1000,4"), to_hex("virt"));
  EXPECT_EQ(ask("qqemu.PhyMemMode"), "0");
  EXPECT_EQ(ask("Qqemu.PhyMemMode:1"), "OK");
  EXPECT_EQ(ask("qqemu.PhyMemMode"), "1");
  EXPECT_EQ(ask("m1000,4"), to_hex("phys"));
  EXPECT_EQ(ask("M1000,2:4142"), "OK");
  EXPECT_EQ(t.phys[0x1000], 'A');
  EXPECT_EQ(t.virt[0x1000], 'v');
  EXPECT_EQ(ask("Qqemu.PhyMemMode:0"), "OK");
  EXPECT_EQ(ask("Qqemu.PhyMemMode:2"), "E01");
}

TEST_F(GdbSession, MemoryErrorsAndPartialReads) {
  t.map(t.virt, 0x2000, "ab");
  EXPECT_EQ(ask("m2000,4"), to_hex("ab"));  // readable prefix
  EXPECT_EQ(ask("m3000,4"), "E0e");         // nothing readable
  EXPECT_EQ(ask("m2000"), "E01");
  EXPECT_EQ(ask("mxyz,4"), "E01");
  EXPECT_EQ(ask("M3000,1:00"), "E0e");
  EXPECT_EQ(ask("M2000,2:00"), "E01");      // length does not match the data
  EXPECT_EQ(ask("M2000,1:0"), "E01");       // odd hex
  // A huge length is clamped to what fits a packet.
  t.map(t.virt, 0x10000, std::string(0x5000, 'z'));
  const std::string big = ask("m10000,5000");
  EXPECT_LT(big.size(), kPacketSize);
  EXPECT_GT(big.size(), 0x1000u);
}

TEST_F(GdbSession, BinaryWriteUnescapes) {
  t.map(t.virt, 0x4000, std::string(4, '\0'));
  const std::string data("#}\x00*", 4);
  EXPECT_EQ(ask("X4000,4:" + escape_binary(data)), "OK");
  EXPECT_EQ(t.virt[0x4000], '#');
  EXPECT_EQ(t.virt[0x4001], '}');
  EXPECT_EQ(t.virt[0x4002], 0);
  EXPECT_EQ(t.virt[0x4003], '*');
  EXPECT_EQ(ask("X4000,0:"), "OK");  // gdb's probe for X support
  EXPECT_EQ(ask("X4000,1:}"), "E01");
}

TEST_F(GdbSession, BreakpointsAreTargetStopPointsAndIdempotent) {
  EXPECT_EQ(ask("Z0,ffffffff80104230,1"), "OK");
  ASSERT_EQ(t.points.size(), 1u);
  EXPECT_EQ(t.points.begin()->second.type, PointType::Software);
  EXPECT_EQ(t.points.begin()->second.addr, 0xffffffff80104230ull);
  EXPECT_EQ(ask("Z0,ffffffff80104230,1"), "OK");
  EXPECT_EQ(t.points.size(), 1u);
  EXPECT_EQ(ask("Z1,1000,1"), "OK");
  EXPECT_EQ(ask("Z2,2000,8"), "OK");
  EXPECT_EQ(t.points.size(), 3u);
  EXPECT_EQ(ask("Z3,2000,8"), "");  // read watchpoints: not supported
  EXPECT_EQ(ask("Z4,2000,8"), "");
  EXPECT_EQ(ask("Z2,2000,0"), "E16");
  EXPECT_EQ(ask("Z0,dead,1"), "E16");   // the target refused
  EXPECT_EQ(ask("Z9,1000,1"), "E01");
  EXPECT_EQ(ask("Z0,zz,1"), "E01");
  EXPECT_EQ(ask("z0,ffffffff80104230,1"), "OK");
  EXPECT_EQ(ask("z1,1000,1"), "OK");
  EXPECT_EQ(ask("z2,2000,8"), "OK");
  EXPECT_TRUE(t.points.empty());
  EXPECT_EQ(t.virt.size(), 0u);  // never a byte of guest memory written
}

TEST_F(GdbSession, StopRepliesNameTheReason) {
  ask("qSupported:swbreak+;hwbreak+");
  ask("Z0,1000,1");
  ask("Z1,2000,1");
  ask("Z2,3000,4");
  auto id_of = [&](PointType ty) {
    for (auto& [id, p] : t.points)
      if (p.type == ty) return id;
    return -1;
  };
  t.script.push_back({StopKind::Point, id_of(PointType::Software), 0, ""});
  EXPECT_NE(ask("c").find("swbreak:;"), std::string::npos);
  t.script.push_back({StopKind::Point, id_of(PointType::Hardware), 0, ""});
  EXPECT_NE(ask("c").find("hwbreak:;"), std::string::npos);
  t.script.push_back({StopKind::Point, id_of(PointType::Write), 0, ""});
  EXPECT_NE(ask("c").find("watch:3000;"), std::string::npos);
  t.script.push_back({StopKind::Interrupt, -1, 0, ""});
  EXPECT_EQ(ask("c").substr(0, 3), "T02");
  t.script.push_back({StopKind::HistoryStart, -1, 0, ""});
  EXPECT_NE(ask("bs").find("replaylog:begin;"), std::string::npos);
  EXPECT_EQ(ask("s").substr(0, 3), "T05");
  EXPECT_EQ(t.calls, (std::vector<std::string>{"cont", "cont", "cont", "cont", "rstep", "step"}));
}

TEST_F(GdbSession, SwbreakReasonOnlyForClientsThatAskedForIt) {
  ask("Z0,1000,1");
  t.script.push_back({StopKind::Point, t.points.begin()->first, 0, ""});
  EXPECT_EQ(ask("c").find("swbreak"), std::string::npos);
}

TEST_F(GdbSession, ResumeVariants) {
  EXPECT_EQ(ask("vCont?"), "vCont;c;C;s;S");
  ask("vCont;s:1");
  ask("vCont;s:1;c");
  ask("vCont;c");
  ask("vCont;C05:1");
  ask("S05");
  ask("C05");
  ask("bc");
  ask("bs");
  EXPECT_EQ(t.calls, (std::vector<std::string>{"step", "step", "cont", "cont", "step", "cont", "rcont", "rstep"}));
  EXPECT_EQ(ask("vCont;x"), "E01");
  EXPECT_EQ(ask("vCont;s:2"), "E01");  // no such thread
  EXPECT_EQ(ask("bx"), "");
  EXPECT_EQ(ask("Czz"), "E01");
}

TEST_F(GdbSession, ContinueAtAddressSetsRip) {
  ask("c1234");
  EXPECT_EQ(t.s.rip, 0x1234u);
  EXPECT_EQ(ask("szz"), "E01");
}

TEST_F(GdbSession, ExitIsReportedAndSticky) {
  t.script.push_back({StopKind::Exited, -1, 0x21, ""});
  EXPECT_EQ(ask("c"), "W21");
  EXPECT_TRUE(s.exited());
  EXPECT_EQ(ask("s"), "W21");  // the machine is gone; nothing runs
  EXPECT_EQ(ask("?"), "W21");
  EXPECT_EQ(t.calls.size(), 1u);
}

TEST_F(GdbSession, ShutdownPrintsWhyThenExits) {
  t.script.push_back({StopKind::Shutdown, -1, 0, "triple fault"});
  auto r = s.handle("c");
  ASSERT_EQ(r.packets.size(), 2u);
  EXPECT_EQ(r.packets[0][0], 'O');
  EXPECT_NE(from_hex(r.packets[0].substr(1))->find("triple fault"), std::string::npos);
  EXPECT_EQ(r.packets[1], "W00");
}

TEST_F(GdbSession, MonitorOutputIsHexConsoleThenOk) {
  auto r = s.handle("qRcmd," + to_hex("pml4"));
  ASSERT_EQ(r.packets.size(), 2u);
  EXPECT_EQ(r.packets[0], "O" + to_hex("monitor said: pml4\n"));
  EXPECT_EQ(r.packets[1], "OK");
  EXPECT_EQ(ask("qRcmd,zz"), "E01");
}

TEST_F(GdbSession, KillAndDetach) {
  auto k = s.handle("k");
  EXPECT_TRUE(k.packets.empty());
  EXPECT_EQ(k.after, Session::Result::After::Kill);
  auto d = s.handle("D");
  EXPECT_EQ(d.packets, std::vector<std::string>{"OK"});
  EXPECT_EQ(d.after, Session::Result::After::Detach);
}

TEST_F(GdbSession, NoAckModeAndNewClientReset) {
  EXPECT_FALSE(s.noack());
  EXPECT_EQ(ask("QStartNoAckMode"), "OK");
  EXPECT_TRUE(s.noack());
  ask("Z0,1000,1");
  ask("Qqemu.PhyMemMode:1");
  s.new_client();
  EXPECT_FALSE(s.noack());
  EXPECT_FALSE(s.phys_mode());
  EXPECT_TRUE(t.points.empty());  // a vanished client's breakpoints do not linger
}

TEST_F(GdbSession, RunnerWrapsEveryRunCommand) {
  int wrapped = 0;
  s.set_runner([&](const std::function<Stop()>& fn) { ++wrapped; return fn(); });
  ask("s");
  ask("c");
  ask("bs");
  ask("bc");
  ask("g");
  EXPECT_EQ(wrapped, 4);
}

TEST_F(GdbSession, EmptyAndGarbagePacketsNeverThrow) {
  for (const char* p : {"", "m", "M", "X", "Z", "z", "P", "p", "G", "H", "T", "b", "v", "q", "Q", "qXfer:features:read:",
                        "qRcmd,", "Z0", "Z0,", "Z0,1", "m,", "M1,1", "X1,1", "vCont;", "vCont;s:", "c,", "C", "S"}) {
    EXPECT_NO_THROW(s.handle(p)) << p;
  }
}

}  // namespace
}  // namespace slot::gdb
