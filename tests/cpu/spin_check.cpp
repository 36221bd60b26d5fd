// TestMachine::run_to_spin, which checks whole runs against the
// per-instruction path (machine.h), and the text the two are compared by.
// Apart from machine.cpp because it reports through GoogleTest: the fuzz
// targets build the fixture without it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <sstream>

#include "tests/cpu/machine.h"

namespace slot::cputest {

uint64_t TestMachine::run_to_spin(uint64_t max) {
  struct Machine {
    cpu::CpuSnapshot cpu;
    std::vector<uint8_t> mmu, ram;
    std::vector<TestPlatform::Out> outs;
    unsigned acks;
    std::vector<cpu::CpuEvent> events;
  };
  auto save = [&] {
    return Machine{cpu.snapshot(), mmu.save(), std::vector<uint8_t>(mem.data(), mem.data() + mem.size()), io.outs,
                   io.acks, log.events};
  };
  auto load = [&](const Machine& m) {
    std::memcpy(mem.data(), m.ram.data(), m.ram.size());
    cpu.restore(m.cpu);  // (drops decoded code: RAM may hold other bytes now)
    mmu.load(m.mmu);
    io.outs = m.outs, io.acks = m.acks, log.events = m.events;
  };
  const Machine before = save();
  load(before);  // both passes start alike: no decoded code
  const uint64_t n = step_to_spin(max);
  const std::string stepped = cpu_state_text(cpu);
  const Machine after = save();
  load(before);
  const uint64_t start = cpu.icount();
  while (cpu.icount() < start + n && cpu.run(start + n) == cpu::StopReason::Limit) {
  }
  const Machine ran = save();
  EXPECT_EQ(cpu_state_text(cpu), stepped) << "one run() call and one per instruction leave different CPUs";
  EXPECT_TRUE(ran.mmu == after.mmu) << "... different MMU states";
  EXPECT_TRUE(ran.ram == after.ram) << "... different RAM";
  EXPECT_TRUE(std::equal(ran.outs.begin(), ran.outs.end(), after.outs.begin(), after.outs.end(),
                         [](const TestPlatform::Out& a, const TestPlatform::Out& b) {
                           return a.port == b.port && a.size == b.size && a.value == b.value;
                         }))
      << "... different port writes";
  EXPECT_EQ(ran.acks, after.acks) << "... different interrupt acknowledgements";
  EXPECT_EQ(ran.events.size(), after.events.size()) << "... different CPU events";
  for (size_t i = 0; i < std::min(ran.events.size(), after.events.size()); ++i) {
    const cpu::CpuEvent &a = ran.events[i], &b = after.events[i];
    EXPECT_TRUE(a.kind == b.kind && a.vector == b.vector && a.a == b.a && a.b == b.b && a.rip == b.rip)
        << "CPU event " << i << " differs";
  }
  return cpu.icount() - start;
}

std::string cpu_state_text(const cpu::Cpu& c) {
  const cpu::CpuSnapshot snap = c.snapshot();
  const cpu::CpuState& s = snap.s;
  std::ostringstream o;
  o << std::hex;
  for (uint64_t r : s.gpr) o << r << ' ';
  o << "rip " << s.rip << " rflags " << c.rflags();
  auto seg = [&](const cpu::Segment& g) { o << " [" << g.sel << ' ' << g.base << ' ' << g.limit << ' ' << g.attr << ']'; };
  for (const auto& g : s.seg) seg(g);
  seg(s.ldtr), seg(s.tr);
  o << " gdt " << s.gdtr.base << ' ' << s.gdtr.limit << " idt " << s.idtr.base << ' ' << s.idtr.limit;
  o << " cr " << s.cr0 << ' ' << s.cr2 << ' ' << s.cr3 << ' ' << s.cr4 << ' ' << s.cr8 << " dr";
  for (uint64_t d : s.dr) o << ' ' << d;
  o << " efer " << s.efer << " msr " << s.star << ' ' << s.lstar << ' ' << s.cstar << ' ' << s.fmask << ' '
    << s.kernel_gs_base << ' ' << s.tsc_aux << ' ' << s.pat << ' ' << s.tsc_offset << ' ' << s.tsc_adjust << ' '
    << s.sysenter_cs << ' ' << s.sysenter_esp << ' ' << s.sysenter_eip << " pk " << s.pkru << ' ' << s.pkrs;
  o << " icount " << snap.icount << " shadow " << snap.shadow_until << " insn_rip " << snap.insn_rip << " ring0 "
    << snap.ring0_done << ' ' << snap.ring0_from << " ops " << snap.ops.syscall << ' ' << snap.ops.sysret << ' '
    << snap.ops.iret << ' ' << snap.ops.wrmsr << ' ' << snap.ops.port_io << ' ' << snap.ops.string_steps << ' '
    << snap.ops.string_bytes << " line " << snap.intr_line << " halted " << snap.halted << " shutdown "
    << snap.shutdown << " dbg " << snap.dbg_hits << ' ' << snap.dbg_blocked << " nmi " << snap.nmi_pending << ' '
    << snap.nmi_blocked;
  return o.str();
}

}  // namespace slot::cputest
