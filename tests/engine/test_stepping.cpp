// Stepping and stop points on the real guest. Oracles: Capstone for
// instruction lengths and kinds, the module ELF files on disk for symbol
// addresses (the engine reads them from guest memory instead), guest memory
// and the MMU's own debug walk at the stop.
#include <capstone/capstone.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "emu/loader/elf.h"
#include "mmu/arch.h"
#include "tests/engine/guest_fixture.h"

namespace slot::engine {
namespace {

struct Cs {
  csh h = 0;
  Cs() {
    cs_open(CS_ARCH_X86, CS_MODE_64, &h);
    cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
  }
  ~Cs() { cs_close(&h); }
};

struct Dis {
  bool ok = false;
  unsigned size = 0;
  std::string mnemonic;
  bool control = false;  // may change RIP other than falling through
};

Dis disasm(const Engine& e, uint64_t rip) {
  static Cs cs;
  uint8_t b[15] = {};
  unsigned n = 0;
  while (n < 15 && e.read_virt(rip + n, &b[n], 1)) ++n;
  cs_insn* insn = nullptr;
  Dis d;
  if (cs_disasm(cs.h, b, n, rip, 1, &insn) != 1) return d;
  d.ok = true;
  d.size = insn->size;
  d.mnemonic = insn->mnemonic;
  for (unsigned i = 0; i < insn->detail->groups_count; ++i) {
    const uint8_t g = insn->detail->groups[i];
    if (g == CS_GRP_JUMP || g == CS_GRP_CALL || g == CS_GRP_RET || g == CS_GRP_INT || g == CS_GRP_IRET ||
        g == CS_GRP_PRIVILEGE)
      d.control = true;
  }
  if (d.mnemonic == "syscall" || d.mnemonic == "sysretq" || d.mnemonic == "hlt" || d.mnemonic.rfind("rep", 0) == 0)
    d.control = true;
  cs_free(insn, 1);
  return d;
}

uint64_t elf_symbol(const std::string& file, const std::string& name) {
  std::ifstream f(file, std::ios::binary);
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  for (const auto& s : emu::elf::function_symbols(bytes))
    if (s.name == name) return s.addr;
  return 0;
}

std::string kernel64() {
  const std::string k = test::guest_image();
  return k.substr(0, k.size() - 4) + "64.elf";  // slotlab-guest64.elf, the ELF64 the ELF32 was made from
}

TEST(Stepping, InstructionStepAdvancesByTheInstructionLength) {
  auto b = test::boot("workload=demo");
  Engine& e = *b.e;
  e.step(StepKind::NextCall);
  size_t checked = 0;
  for (int i = 0; i < 3000; ++i) {
    const uint64_t rip = e.machine().cpu().s.rip, ic = e.icount();
    const size_t events = e.events().size();
    const Dis d = disasm(e, rip);
    ASSERT_TRUE(d.ok) << std::hex << rip;
    const StopInfo s = e.step(StepKind::Insn);
    ASSERT_EQ(s.reason, StopReason::Step);
    EXPECT_EQ(e.icount(), ic + 1);
    bool diverted = false;  // an interrupt or exception moves RIP elsewhere
    for (size_t k = events; k < e.events().size(); ++k)
      diverted |= e.events()[k].kind == EventKind::Interrupt || e.events()[k].kind == EventKind::Exception;
    if (!d.control && !diverted) {
      EXPECT_EQ(e.machine().cpu().s.rip, rip + d.size) << d.mnemonic << " at " << std::hex << rip;
      ++checked;
    }
  }
  EXPECT_GT(checked, 1000u);
}

// Steps until Capstone sees a near `call` at RIP (and it is not the last
// instruction before something odd); returns false if none within the budget.
bool step_to_call(Engine& e, Dis& d) {
  for (int i = 0; i < 200000; ++i) {
    d = disasm(e, e.machine().cpu().s.rip);
    if (d.ok && d.mnemonic == "call") return true;
    e.step(StepKind::Insn);
  }
  return false;
}

TEST(Stepping, StepOverANearCall) {
  auto b = test::boot("workload=demo");
  Engine& e = *b.e;
  e.step(StepKind::NextCall);
  for (int n = 0; n < 5; ++n) {
    Dis d;
    ASSERT_TRUE(step_to_call(e, d));
    const uint64_t rip = e.machine().cpu().s.rip, rsp = e.machine().cpu().s.gpr[cpu::RSP], ic = e.icount();
    const StopInfo s = e.step(StepKind::OverInsn);
    ASSERT_EQ(s.reason, StopReason::Step);
    EXPECT_EQ(e.machine().cpu().s.rip, rip + d.size);
    EXPECT_EQ(e.machine().cpu().s.gpr[cpu::RSP], rsp);
    EXPECT_GT(e.icount(), ic + 1);  // the callee ran
    e.step(StepKind::Insn);
  }
}

TEST(Stepping, StepOutReturnsToTheCaller) {
  auto b = test::boot("workload=demo");
  Engine& e = *b.e;
  e.step(StepKind::NextCall);
  for (int n = 0; n < 5; ++n) {
    Dis d;
    ASSERT_TRUE(step_to_call(e, d));
    const uint64_t after_call = e.machine().cpu().s.rip + d.size;
    e.step(StepKind::Insn);  // into the callee
    const uint64_t rsp = e.machine().cpu().s.gpr[cpu::RSP];
    uint64_t ret = 0;
    ASSERT_TRUE(e.read_virt(rsp, &ret, 8));
    EXPECT_EQ(ret, after_call);
    const StopInfo s = e.step(StepKind::Out);
    ASSERT_EQ(s.reason, StopReason::Step);
    EXPECT_EQ(e.machine().cpu().s.rip, ret);
    EXPECT_EQ(e.machine().cpu().s.gpr[cpu::RSP], rsp + 8);
  }
}

TEST(Stepping, NextCallVisitsEveryCallInOrder) {
  auto full = test::boot("workload=demo");
  ASSERT_EQ(full.e->cont().reason, StopReason::GuestExit);
  auto b = test::boot("workload=demo");
  Engine& e = *b.e;
  size_t k = 0;
  for (;;) {
    const StopInfo s = e.step(StepKind::NextCall);
    if (s.reason != StopReason::Step) break;
    const Event& ev = e.events()[s.event];
    ASSERT_EQ(ev.kind, EventKind::Call);
    EXPECT_EQ(ev.call, k);
    EXPECT_EQ(ev.icount, full.e->calls()[k].enter_icount);
    ++k;
  }
  EXPECT_EQ(k, full.e->calls().size());
}

TEST(Stepping, FinishCallAndOverCall) {
  auto b = test::boot("workload=demo");
  Engine& e = *b.e;
  for (int n = 0; n < 6; ++n) {
    StopInfo s = e.step(StepKind::NextCall);
    ASSERT_EQ(s.reason, StopReason::Step);
    const uint32_t k = e.events()[s.event].call;
    const CallRecord c = e.calls()[k];
    if (n % 2 == 0) {
      s = e.step(StepKind::FinishCall);
      ASSERT_EQ(s.reason, StopReason::Step);
      const Event& r = e.events()[s.event];
      EXPECT_EQ(r.kind, EventKind::Return);
      EXPECT_EQ(r.call, k);
      for (const TaskInfo& t : e.tasks())
        if (t.id == c.task) {
          EXPECT_EQ(t.stack.size(), c.depth - 1);
        }
    } else {
      s = e.step(StepKind::OverCall);
      ASSERT_EQ(s.reason, StopReason::Step);
      const Event& r = e.events()[s.event];
      ASSERT_EQ(r.kind, EventKind::Return);
      // Either a call made from inside k returned, or k itself did.
      EXPECT_TRUE(r.call == k || e.calls()[r.call].parent == k);
    }
  }
}

TEST(Stepping, ModuleSymbolBreakpointStopsOncePerCallIntoTheModule) {
  auto full = test::boot("workload=demo");
  ASSERT_EQ(full.e->cont().reason, StopReason::GuestExit);
  size_t into_fs = 0;
  uint32_t fs = kNone;
  uint64_t fs_pdpt = 0;
  for (const ModuleInfo& m : full.e->modules())
    if (m.name == "fs") fs = m.id, fs_pdpt = m.pdpt;
  for (const CallRecord& c : full.e->calls()) into_fs += c.callee == fs;
  ASSERT_GT(into_fs, 2u);

  const uint64_t addr = elf_symbol(test::guest_module_image("fs"), "module_main");
  ASSERT_NE(addr, 0u);
  auto b = test::boot("workload=demo");
  Engine& e = *b.e;
  e.step(StepKind::NextCall);  // the module records have been seen
  EXPECT_EQ(e.symbol_address("fs:module_main").value_or(0), addr);
  e.add_symbol_breakpoint("fs:module_main");
  size_t hits = 0;
  for (;;) {
    const StopInfo s = e.cont();
    if (s.reason != StopReason::Point) break;
    ++hits;
    EXPECT_EQ(e.machine().cpu().s.rip, addr);
    uint64_t slot1 = 0;
    e.read_phys((e.machine().mmu().mode().cr3 & x86::PTE_ADDR) + 8, &slot1, 8);
    EXPECT_EQ(slot1 & x86::PTE_ADDR, fs_pdpt);
  }
  // The first call into fs may precede the first stop (we started after call 0).
  EXPECT_GE(hits + 1, into_fs);
  EXPECT_LE(hits, into_fs);
}

TEST(Stepping, KernelSymbolAndPhysicalBreakpoints) {
  const uint64_t addr = elf_symbol(kernel64(), "_Z11xcall_enterP4TaskP9TrapFramePl");
  ASSERT_NE(addr, 0u);
  auto b = test::boot("workload=demo");
  Engine& e = *b.e;
  EXPECT_EQ(e.symbol_address("xcall_enter").value_or(0), addr);
  const int id = e.add_symbol_breakpoint("xcall_enter");
  StopInfo s = e.cont();
  ASSERT_EQ(s.reason, StopReason::Point);
  EXPECT_EQ(s.point, id);
  EXPECT_EQ(e.machine().cpu().s.rip, addr);
  EXPECT_EQ(e.machine().cpu().s.cpl(), 0);
  mmu::PhysAddr pa = 0;
  ASSERT_TRUE(e.machine().mmu().peek_translate(addr, pa));
  e.remove_point(id);
  e.add_point(StopPoint::exec_phys(pa));
  s = e.cont();
  ASSERT_EQ(s.reason, StopReason::Point);
  EXPECT_EQ(e.machine().cpu().s.rip, addr);
}

// The CPU's break filter against the plainest oracle: a bare Machine run one
// instruction at a time, looking at RIP before each. Two breakpoints: a
// function entry (reached by a branch) and the instruction after it (reached
// by falling through, in the middle of a straight-line run). Every arrival,
// and only those, must stop the engine at the same count, with the same
// machine state there (snapshots and replay depend on it).
TEST(Stepping, BreakpointsStopAtEveryArrivalASingleStepperSees) {
  const uint64_t entry = elf_symbol(kernel64(), "_Z11xcall_enterP4TaskP9TrapFramePl");
  ASSERT_NE(entry, 0u);
  const std::string cmd = "workload=demo";
  auto b = test::boot(cmd);
  Engine& e = *b.e;
  e.add_point(StopPoint::exec(entry));
  StopInfo s = e.cont();
  ASSERT_EQ(s.reason, StopReason::Point);
  std::vector<uint64_t> hits = {s.icount};
  const Dis first = disasm(e, entry);  // the kernel is mapped now
  ASSERT_TRUE(first.ok);
  const uint64_t next = entry + first.size;
  e.add_point(StopPoint::exec(next));

  std::vector<uint64_t> oracle, oracle_next;
  {
    emu::MachineConfig mc;
    mc.cmdline = cmd;
    emu::Machine m(mc);
    m.load_kernel(test::guest_image());
    m.board().set_serial_sink(std::make_unique<emu::StringSink>());
    for (;;) {
      const uint64_t rip = m.cpu().s.rip;
      if ((rip == entry || rip == next) && m.cpu().long_mode()) oracle.push_back(m.icount());
      if (rip == next && m.cpu().long_mode()) oracle_next.push_back(m.icount());
      if (m.run(m.icount() + 1) != emu::RunExit::InsnLimit) break;
    }
  }
  ASSERT_GT(oracle_next.size(), 3u);

  for (;;) {
    s = e.cont();
    if (s.reason != StopReason::Point) break;
    const uint64_t rip = e.machine().cpu().s.rip;
    EXPECT_TRUE(rip == entry || rip == next) << std::hex << rip;
    hits.push_back(s.icount);
  }
  EXPECT_EQ(hits, oracle);

  const uint64_t at = oracle_next[oracle_next.size() / 2];  // a fall-through arrival
  auto c = test::boot(cmd);
  c.e->add_point(StopPoint::exec(next));
  do s = c.e->cont();
  while (s.reason == StopReason::Point && s.icount < at);
  ASSERT_EQ(s.icount, at);
  const test::MachineState want = test::bare_state_at(cmd, at);
  const test::MachineState got = test::capture(c.e->machine());
  EXPECT_TRUE(want == got) << test::first_difference(want, got);
}

TEST(Stepping, WriteWatchpointOnACallBuffer) {
  auto b = test::boot("workload=demo");
  Engine& e = *b.e;
  // The first call that passes a buffer: watch it where the callee sees it.
  const CallBuffer* buf = nullptr;
  for (int n = 0; n < 20 && !buf; ++n) {
    const StopInfo s = e.step(StepKind::NextCall);
    ASSERT_EQ(s.reason, StopReason::Step);
    const CallRecord& c = e.calls()[e.events()[s.event].call];
    if (!c.buffers.empty()) buf = &c.buffers[0];
  }
  ASSERT_NE(buf, nullptr);
  const uint64_t va = buf->window_addr;
  const uint64_t len = std::min<uint64_t>(buf->len, 64);
  std::vector<uint8_t> before(len), after(len);
  ASSERT_TRUE(e.read_virt(va, before.data(), len));
  e.add_point(StopPoint::write(va, len));
  const StopInfo s = e.cont();
  ASSERT_EQ(s.reason, StopReason::Point);
  // Stopped after the store: its bytes are in memory (read through RAM, not the engine's log).
  mmu::PhysAddr pa = 0;
  ASSERT_TRUE(e.machine().mmu().peek_translate(va, pa));
  ASSERT_TRUE(e.read_phys(pa, after.data(), len));
  EXPECT_NE(before, after);
}

TEST(Stepping, RunToEvents) {
  {
    auto b = test::boot("workload=demo");
    b.e->add_point(StopPoint::on(EventKind::Cr3Load));
    const StopInfo s = b.e->cont();
    ASSERT_EQ(s.reason, StopReason::Point);
    EXPECT_EQ(b.e->machine().mmu().mode().cr3, b.e->events()[s.event].b & ~x86::CR3_NOFLUSH);
  }
  {
    auto b = test::boot("workload=demo");
    b.e->add_point(StopPoint::on(EventKind::SlotChange, 1));
    const StopInfo s = b.e->cont();
    ASSERT_EQ(s.reason, StopReason::Point);
    const Event& ev = b.e->events()[s.event];
    EXPECT_EQ(ev.slot, 1);
    uint64_t now = 0;
    b.e->read_phys(ev.c, &now, 8);
    EXPECT_EQ(now | x86::PTE_A, ev.b | x86::PTE_A);
    EXPECT_EQ(ev.c & 0xFFF, 8u);
  }
  {
    EngineConfig cfg;
    cfg.log_invlpg = true;
    auto b = test::boot("workload=demo flush=invlpg", cfg);
    b.e->add_point(StopPoint::on(EventKind::Invlpg));
    const StopInfo s = b.e->cont();
    ASSERT_EQ(s.reason, StopReason::Point);
    const Event& ev = b.e->events()[s.event];
    EXPECT_EQ(disasm(*b.e, ev.rip).mnemonic, "invlpg");
    EXPECT_EQ(s.addr, ev.a);
    // Not logged by default, but still a stop.
    auto q = test::boot("workload=demo flush=invlpg");
    q.e->add_point(StopPoint::on(EventKind::Invlpg));
    const StopInfo t = q.e->cont();
    ASSERT_EQ(t.reason, StopReason::Point);
    EXPECT_EQ(t.icount, s.icount);
    EXPECT_EQ(t.addr, s.addr);
  }
  {
    auto b = test::boot("workload=demo");
    b.e->step(StepKind::NextCall);
    const uint64_t addr = b.e->symbol_address("fs:module_main").value();
    b.e->add_point(StopPoint::tlb_miss(addr));
    const StopInfo s = b.e->cont();
    ASSERT_EQ(s.reason, StopReason::Point);
    // The miss was followed by a fill: the ITLB now holds the page.
    const mmu::DebugWalk w = b.e->machine().mmu().debug_walk(addr, mmu::Access::Fetch);
    EXPECT_TRUE(w.tlb_hit);
  }
}

// flush=none (the guest's negative control): the callee reads the caller's
// module through a stale TLB entry. The engine stops there and the address
// lies in the module area (PML4 slot 1).
TEST(Stepping, StaleTranslationStop) {
  auto b = test::boot("workload=selftest flush=none");
  b.e->add_point(StopPoint::on(EventKind::Stale));
  const StopInfo s = b.e->cont();
  ASSERT_EQ(s.reason, StopReason::Point);
  EXPECT_NE(s.message.find("stale"), std::string::npos);
  const uint64_t la = s.addr;
  EXPECT_EQ((la >> 39) & 511, 1u) << s.message;
  EXPECT_TRUE(b.e->machine().mmu().debug_walk(la).tlb_stale || !b.e->machine().mmu().debug_walk(la).ok);
}

}  // namespace
}  // namespace slot::engine
