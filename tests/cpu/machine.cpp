#include "tests/cpu/machine.h"

#include <cstring>
#include <stdexcept>

namespace slot::cputest {

using namespace x86;

std::vector<uint8_t> EventLog::exceptions() const {
  std::vector<uint8_t> v;
  for (const auto& e : events)
    if (e.kind == cpu::CpuEventKind::Exception) v.push_back(e.vector);
  return v;
}

TestMachine::TestMachine(uint64_t ram) : mem(ram), mmu(mem, "none"), cpu(mmu, mem, io) {
  // Self-modifying code: the machine would wire this in emu/; the tests do it here.
  mem.set_write_listener([this](mmu::PhysAddr pa, unsigned n) { cpu.invalidate_code(pa, n); });
  cpu.set_observer(&log);
  pml4_ = alloc_table();
}

uint64_t TestMachine::alloc_table() {
  if (next_table_ >= kPtPoolEnd) throw std::runtime_error("page-table pool exhausted");
  const uint64_t pa = next_table_;
  next_table_ += 4096;
  std::memset(mem.data() + pa, 0, 4096);
  return pa;
}

uint64_t* TestMachine::entry(uint64_t table_pa, unsigned idx) {
  return reinterpret_cast<uint64_t*>(mem.data() + table_pa + 8ull * idx);
}

uint64_t TestMachine::pte_addr(uint64_t va) {
  uint64_t t = pml4_;
  for (int level = 4; level > 1; --level) {
    uint64_t* e = entry(t, unsigned((va >> (12 + 9 * (level - 1))) & 511));
    if (!(*e & PTE_P)) *e = alloc_table() | PTE_P | PTE_W | PTE_U | PTE_A;
    if (*e & PTE_PS) throw std::runtime_error("pte_addr through a large page");
    t = *e & PTE_ADDR;
  }
  return t + 8 * ((va >> 12) & 511);
}

void TestMachine::map(uint64_t va, uint64_t pa, uint64_t len, uint64_t flags) {
  for (uint64_t off = 0; off < len; off += 4096)
    *reinterpret_cast<uint64_t*>(mem.data() + pte_addr(va + off)) = ((pa + off) & PTE_ADDR) | flags | PTE_P | PTE_A | PTE_D;
}

void TestMachine::map_1g(uint64_t va, uint64_t pa, uint64_t flags) {
  uint64_t* e4 = entry(pml4_, unsigned((va >> 39) & 511));
  if (!(*e4 & PTE_P)) *e4 = alloc_table() | PTE_P | PTE_W | PTE_U | PTE_A;
  *entry(*e4 & PTE_ADDR, unsigned((va >> 30) & 511)) = (pa & ~(PAGE_1G - 1)) | flags | PTE_P | PTE_PS | PTE_A | PTE_D;
}

uint64_t TestMachine::step_to_spin(uint64_t max) {
  const uint64_t start = cpu.icount();
  for (uint64_t k = 0; k < max; ++k) {
    mmu::PhysAddr pa;
    if (mmu.peek_translate(cpu.s.rip, pa) && mem.read(pa, 2) == 0xFEEB) break;
    if (cpu.run(cpu.icount() + 1) != cpu::StopReason::Limit) break;
  }
  return cpu.icount() - start;
}

void TestMachine::unmap(uint64_t va) { *reinterpret_cast<uint64_t*>(mem.data() + pte_addr(va)) = 0; }

void TestMachine::put(uint64_t pa, std::initializer_list<uint8_t> bytes) { put(pa, std::vector<uint8_t>(bytes)); }
void TestMachine::put(uint64_t pa, const std::vector<uint8_t>& bytes) {
  for (size_t k = 0; k < bytes.size(); ++k) mem.write(pa + k, 1, bytes[k]);
}

void TestMachine::set_gate(uint8_t vec, uint64_t handler, unsigned dpl, unsigned ist, unsigned type) {
  // 16-byte IA-32e gate (SDM Vol. 3A §6.14.1, figure 6-8).
  const uint64_t lo = (handler & 0xFFFF) | (uint64_t(kKCode) << 16) | (uint64_t(ist & 7) << 32) |
                      (uint64_t(type) << 40) | (uint64_t(dpl) << 45) | (1ull << 47) |
                      ((handler >> 16 & 0xFFFF) << 48);
  wr(kIdt + 16ull * vec, lo);
  wr(kIdt + 16ull * vec + 8, handler >> 32);
}

void TestMachine::set_cpl(unsigned cpl) {
  using cpu::CS;
  if (cpl == 0) {
    cpu.set_seg_raw(CS, kKCode, 0, 0xFFFFFFFF, 0xA9B);
    for (unsigned s : {cpu::SS, cpu::DS, cpu::ES}) cpu.set_seg_raw(s, kKData, 0, 0xFFFFFFFF, 0xC93);
  } else {
    cpu.set_seg_raw(CS, kUCode, 0, 0xFFFFFFFF, 0xAFB);
    for (unsigned s : {cpu::SS, cpu::DS, cpu::ES}) cpu.set_seg_raw(s, kUData, 0, 0xFFFFFFFF, 0xCF3);
  }
}

void TestMachine::enter_long_mode(unsigned cpl) {
  // GDT (SDM Vol. 3A §3.4.5): descriptors as a 64-bit kernel lays them out.
  const uint64_t gdt[] = {0,
                          0x00AF9B000000FFFFull,   // 0x08 kernel code, L=1
                          0x00CF93000000FFFFull,   // 0x10 kernel data
                          0x00CFFB000000FFFFull,   // 0x18 user code, 32-bit
                          0x00CFF3000000FFFFull,   // 0x20 user data
                          0x00AFFB000000FFFFull};  // 0x28 user code, L=1
  for (unsigned k = 0; k < 6; ++k) wr(kGdt + 8 * k, gdt[k]);
  // 0x30: 64-bit available TSS (type 9), limit 0x67, 16 bytes.
  wr(kGdt + 0x30, 0x67 | ((kTss & 0xFFFFFF) << 16) | (0x89ull << 40) | ((kTss >> 24 & 0xFF) << 56));
  wr(kGdt + 0x38, kTss >> 32);
  // TSS: RSP0, IST1; the I/O map base lies beyond the limit (no bitmap: ring-3 I/O faults).
  std::memset(mem.data() + kTss, 0, 0x68);
  wr(kTss + 4, kKernelStack);
  wr(kTss + 36, kIstStack);
  wr(kTss + 102, 0x68, 2);
  for (unsigned v = 0; v < 256; ++v) {
    wr(kHandlers + 16 * v, 0xFEEB, 2);  // jmp $
    set_gate(uint8_t(v), kHandlers + 16 * v);
  }
  map(0, 0, kLowMapEnd, PTE_W);

  auto& s = cpu.s;
  s.gdtr = {kGdt, 0x3F};
  s.idtr = {kIdt, 0xFFF};
  s.tr = cpu::Segment{kTssSel, kTss, 0x67, 0x8B};
  s.ldtr = cpu::Segment{0, 0, 0, 0};
  s.cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
  s.cr4 = CR4_PAE | CR4_OSFXSR;
  s.efer = EFER_LME | EFER_LMA | EFER_SCE | EFER_NXE;
  s.cr3 = pml4_;
  s.star = (uint64_t(0x18) << 48) | (uint64_t(kKCode) << 32);
  set_cpl(cpl);
  cpu.set_seg_raw(cpu::FS, 0, 0, 0, 0);
  cpu.set_seg_raw(cpu::GS, 0, 0, 0, 0);
  cpu.set_rflags(2);
  s.gpr[cpu::RSP] = kKernelStack - 0x800;
  cpu.flush_code_cache();
  cpu.sync_mmu();
}

}  // namespace slot::cputest
