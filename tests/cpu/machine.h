// Test fixture for the CPU tests: one Cpu on flat RAM with the "none" TLB
// model, and helpers to build what a 64-bit kernel would (4-level page
// tables, GDT, IDT, TSS) directly in physical memory, then enter IA-32e
// mode by setting the registers (the tests exercise instructions, not boot).
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "cpu/cpu.h"
#include "mmu/arch.h"
#include "mmu/mmu.h"

namespace slot::cputest {

// Ports and interrupts: a log of OUTs, all-ones INs, one fixed INTA vector.
class TestPlatform : public cpu::Platform {
 public:
  struct Out { uint16_t port; unsigned size; uint32_t value; };
  uint32_t io_in(uint16_t, unsigned size) override { return size >= 4 ? ~0u : (1u << (8 * size)) - 1; }
  void io_out(uint16_t port, unsigned size, uint32_t value) override { outs.push_back({port, size, value}); }
  uint8_t intr_ack() override { ++acks; return vector; }
  std::vector<Out> outs;
  uint8_t vector = 0x20;
  unsigned acks = 0;
};

// Records every CPU event (exceptions with vector, error code, CR2).
class EventLog : public cpu::CpuObserver {
 public:
  void on_cpu_event(const cpu::CpuEvent& e) override { events.push_back(e); }
  std::vector<cpu::CpuEvent> events;
  std::vector<uint8_t> exceptions() const;
};

// Physical layout of the fixture (identity-mapped, supervisor-only, by enter_long_mode()).
inline constexpr uint64_t kGdt = 0x1000, kIdt = 0x2000, kTss = 0x3000;
inline constexpr uint64_t kHandlers = 0x4000;  // vector v's handler: JMP $ at kHandlers + 16*v
inline constexpr uint64_t kKernelStack = 0x20000, kIstStack = 0x28000;  // tops (TSS.RSP0, IST1)
inline constexpr uint64_t kPtPool = 0x100000, kPtPoolEnd = 0x200000;
inline constexpr uint64_t kLowMapEnd = 0x400000;  // [0, 4 MiB) identity-mapped for the kernel
// Selectors (GDT: null, kcode64, kdata, ucode32, udata, ucode64, TSS): the
// SYSCALL/SYSRET layout (STAR[47:32] = 0x08, STAR[63:48] = 0x18).
inline constexpr uint16_t kKCode = 0x08, kKData = 0x10, kUCode32 = 0x1B, kUData = 0x23, kUCode = 0x2B,
                          kTssSel = 0x30;

class TestMachine {
 public:
  explicit TestMachine(uint64_t ram_bytes = 16ull << 20);

  mmu::PhysMemory mem;
  mmu::Mmu mmu;
  TestPlatform io;
  cpu::Cpu cpu;
  EventLog log;

  // 4 KiB mappings [va, va+len) -> [pa, ...). `flags` adds PTE_W / PTE_U /
  // PTE_NX to P (and A|D so no test depends on the walker's A/D updates).
  // Intermediate entries allow everything; the leaf decides.
  void map(uint64_t va, uint64_t pa, uint64_t len, uint64_t flags);
  void map_1g(uint64_t va, uint64_t pa, uint64_t flags);  // one 1 GiB page
  void unmap(uint64_t va);                                 // clears the 4 KiB leaf
  uint64_t pte_addr(uint64_t va);                          // physical address of va's leaf PTE
  uint64_t pml4() const { return pml4_; }

  // GDT, IDT (interrupt gates, DPL 0, to HLT stubs), TSS (RSP0, IST1),
  // identity map of [0, kLowMapEnd), CR0/CR4/EFER for IA-32e, CS/SS at `cpl`.
  void enter_long_mode(unsigned cpl = 0);
  void set_cpl(unsigned cpl);  // reloads CS/SS/DS/ES raw for ring 0 or 3 (64-bit)
  // Rewrites IDT entry `vec`: type 0xE interrupt / 0xF trap gate.
  void set_gate(uint8_t vec, uint64_t handler, unsigned dpl = 0, unsigned ist = 0, unsigned type = 0xE);

  void put(uint64_t pa, std::initializer_list<uint8_t> bytes);
  void put(uint64_t pa, const std::vector<uint8_t>& bytes);
  uint64_t rd(uint64_t pa, unsigned size = 8) const { return mem.read(pa, size); }
  void wr(uint64_t pa, uint64_t v, unsigned size = 8) { mem.write(pa, size, v); }

  // Runs `n` instructions (a halted CPU stops early).
  cpu::StopReason step(uint64_t n = 1) { return cpu.run(cpu.icount() + n); }
  // Runs until RIP reaches a `jmp $` (EB FE: the tests' "stop here", and
  // every default exception handler), the CPU halts or shuts down, or `max`
  // instructions. Returns the number of instructions run.
  //
  // Twice: one instruction per run() call (the spin is found before it
  // runs), then -- from the same state -- the same number of instructions
  // as one run() call, which runs straight-line code on a page as a unit
  // (Cpu::run_page). The two must leave the same machine (registers, the
  // count, the MMU's whole saved state, RAM, port writes, CPU events), else
  // the test fails here; what the test then checks is the second run's.
  uint64_t run_to_spin(uint64_t max = 100000);
  // True if RIP is at vector v's default handler (the exception was delivered).
  bool in_handler(uint8_t vec) const { return cpu.s.rip == kHandlers + 16ull * vec; }

 private:
  uint64_t step_to_spin(uint64_t max);
  uint64_t alloc_table();
  uint64_t* entry(uint64_t table_pa, unsigned idx);
  uint64_t pml4_ = 0;
  uint64_t next_table_ = kPtPool;
};

// Every architectural register, the count and the interpreter's pending
// state (interrupt line, halt, debug and NMI holds), as text: what two runs
// that must agree are compared by (the structs have padding, so no bytes).
std::string cpu_state_text(const cpu::Cpu& c);

}  // namespace slot::cputest
