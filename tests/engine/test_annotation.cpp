// The annotation parser against the examples in docs/annotation.md (the
// dwords are copied from the document, not produced by an encoder of ours),
// plus the robustness rules: unknown types skipped by length, resync on a
// dword without the magic, malformed records reported and ignored, never fatal.
#include <gtest/gtest.h>

#include <vector>

#include "emu/engine/annotation.h"
#include "tests/engine/guest_fixture.h"

namespace slot::engine {
namespace {

std::vector<AnnRecord> feed(const std::vector<uint32_t>& dwords) {
  AnnParser p;
  std::vector<AnnRecord> out;
  for (uint32_t d : dwords) {
    AnnRecord r;
    if (p.feed(d, r)) out.push_back(r);
  }
  return out;
}

TEST(Annotation, DocExampleAddressSpace) {
  auto r = feed({0x000701A5, 0x00123000, 0x00000000, 0x00000001, 0xFFFFFFFF, 0x65696C63, 0x612D746E, 0x00000000});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].kind, AnnRecord::AddressSpace);
  EXPECT_EQ(r[0].cr3, 0x123000u);
  EXPECT_EQ(r[0].task, 1u);
  EXPECT_EQ(r[0].module, ann::ANN_NONE);
  EXPECT_EQ(r[0].text, "client-a");
}

TEST(Annotation, DocExampleModule) {
  auto r = feed({0x000C02A5, 0x00000002, 0x00181000, 0x00000000, 0x80000000, 0x00000080, 0x00112A40, 0x00000000,
                 0x00000630, 0x00113070, 0x00000000, 0x000001C2, 0x00007366});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].kind, AnnRecord::Module);
  EXPECT_EQ(r[0].module, 2u);
  EXPECT_EQ(r[0].pdpt, 0x181000u);
  EXPECT_EQ(r[0].base, 0x8080000000ull);
  EXPECT_EQ(r[0].symtab, 0x112A40u);
  EXPECT_EQ(r[0].symtab_bytes, 1584u);
  EXPECT_EQ(r[0].strtab, 0x113070u);
  EXPECT_EQ(r[0].strtab_bytes, 450u);
  EXPECT_EQ(r[0].text, "fs");
}

TEST(Annotation, DocExamplesTaskCallReturnMarkExit) {
  auto r = feed({0x000603A5, 0x00000001, 0x00000001, 0x00000000, 0x65696C63, 0x612D746E, 0x00000000,  // task
                 0x000B04A5, 0x00000001, 0x00000001, 0x00000002, 0x00000000, 0x00000001, 0x00000001,   // call
                 0x50001000, 0x00000080, 0x41000000, 0x00000100, 0x00000100,
                 0x000605A5, 0x00000001, 0x00000100, 0x00000000, 0x00000001, 0x00000002, 0x00000001,  // return
                 0x000206A5, 0x636E6562, 0x00000068,                                                   // mark
                 0x000307A5, 0x00000001, 0x000000F7, 0x00000000});                                     // exit
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r[0].kind, AnnRecord::TaskCreate);
  EXPECT_EQ(r[0].task, 1u);
  EXPECT_EQ(r[0].module, 1u);
  EXPECT_EQ(r[0].parent, 0u);
  EXPECT_EQ(r[0].text, "client-a");
  EXPECT_EQ(r[1].kind, AnnRecord::Call);
  EXPECT_EQ(r[1].caller, 1u);
  EXPECT_EQ(r[1].callee, 2u);
  EXPECT_EQ(r[1].op, 0u);
  EXPECT_EQ(r[1].depth, 1u);
  ASSERT_EQ(r[1].buffers.size(), 1u);
  EXPECT_EQ(r[1].buffers[0].caller_addr, 0x8050001000ull);
  EXPECT_EQ(r[1].buffers[0].window_addr, 0x10041000000ull);
  EXPECT_EQ(r[1].buffers[0].len, 256u);
  EXPECT_EQ(r[2].kind, AnnRecord::Return);
  EXPECT_EQ(r[2].value, 256);
  EXPECT_EQ(r[2].depth, 1u);
  EXPECT_EQ(r[2].callee, 2u);
  EXPECT_EQ(r[2].caller, 1u);
  EXPECT_EQ(r[3].kind, AnnRecord::Mark);
  EXPECT_EQ(r[3].text, "bench");
  EXPECT_EQ(r[4].kind, AnnRecord::TaskExit);
  EXPECT_EQ(r[4].value, 247);
}

TEST(Annotation, DocExampleOpName) {
  auto r = feed({0x000408A5, 0x00000002, 0x00000000, 0x525F5346, 0x00444145,
                 0x000308A5, 0x00000002, 0x00000001, 0x41414141});  // name without its NUL
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].kind, AnnRecord::OpName);
  EXPECT_EQ(r[0].module, 2u);
  EXPECT_EQ(r[0].op, 0u);
  EXPECT_EQ(r[0].text, "FS_READ");
  EXPECT_EQ(r[1].kind, AnnRecord::Bad);
}

TEST(Annotation, UnknownTypeIsSkippedByItsLength) {
  // type 0x33 with 2 payload dwords, whose second payload dword even looks like a header
  auto r = feed({0x000233A5, 0x11111111, 0x000206A5, 0x000206A5, 0x636E6562, 0x00000068});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].kind, AnnRecord::Bad);
  EXPECT_NE(r[0].text.find("unknown"), std::string::npos);
  EXPECT_EQ(r[1].kind, AnnRecord::Mark);
  EXPECT_EQ(r[1].text, "bench");
}

TEST(Annotation, DwordWithoutMagicIsDroppedAndTheStreamResyncs) {
  auto r = feed({0x12345678, 0x000206A5, 0x636E6562, 0x00000068});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].kind, AnnRecord::Bad);
  EXPECT_EQ(r[0].raw, 0x12345678u);
  EXPECT_EQ(r[1].kind, AnnRecord::Mark);
}

TEST(Annotation, MalformedRecordsAreReported) {
  // CALL announcing one buffer but carrying none.
  auto r = feed({0x000604A5, 1, 1, 2, 0, 1, 1});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].kind, AnnRecord::Bad);
  // A name without its NUL.
  r = feed({0x000203A5 + 0x00020000, 1, 1, 0, 0x41414141});  // TASK_CREATE, 4 dwords, no NUL
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].kind, AnnRecord::Bad);
  // A header announcing more than ANN_MAX_PAYLOAD dwords must not swallow what follows.
  r = feed({0xFFFF06A5, 0x000206A5, 0x636E6562, 0x00000068});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].kind, AnnRecord::Bad);
  EXPECT_EQ(r[1].kind, AnnRecord::Mark);
  // RETURN with a wrong length.
  r = feed({0x000505A5, 1, 2, 3, 4, 5});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].kind, AnnRecord::Bad);
}

// Garbage on the port of a running machine: reported as events, never fatal;
// the guest still boots to its end with the same transcript.
TEST(Annotation, GarbageOnThePortIsReportedNotFatal) {
  auto b = test::boot("workload=demo");
  Engine& e = *b.e;
  e.step(StepKind::NextCall);  // a record just ended: the stream is between records
  auto& bus = e.machine().board();
  bus.io_out(ann::ANN_PORT, 4, 0xDEADBEEF);          // no magic
  bus.io_out(ann::ANN_PORT, 1, 0xA5);                // not an outl
  bus.io_out(ann::ANN_PORT, 4, ann::header(ann::Type(0x77), 0));  // unknown type, no payload
  size_t bad = 0;
  for (const Event& ev : e.events()) bad += ev.kind == EventKind::BadAnnotation;
  EXPECT_EQ(bad, 3u);
  e.state_edited();
  const StopInfo s = e.cont();
  EXPECT_EQ(s.reason, StopReason::GuestExit);
  EXPECT_NE(b.console->text().find("DEMO console bytes="), std::string::npos);
  EXPECT_NE(b.console->text().find(" ok"), std::string::npos);
}

}  // namespace
}  // namespace slot::engine
