#include "tests/cpu/diff_emu.h"

#include <signal.h>

#include <cstring>
#include <stdexcept>

namespace slot::cputest {
namespace {
constexpr uint64_t kCodePa = 0x600000, kDataPa0 = 0x610000, kDataPa1 = 0x620000;  // data pages not adjacent
uint16_t host_sel(int which) {
  uint16_t s = 0;
  switch (which) {
    case 0: asm volatile("mov %%cs, %0" : "=r"(s)); break;
    case 1: asm volatile("mov %%ss, %0" : "=r"(s)); break;
    case 2: asm volatile("mov %%ds, %0" : "=r"(s)); break;
    case 3: asm volatile("mov %%es, %0" : "=r"(s)); break;
    case 4: asm volatile("mov %%fs, %0" : "=r"(s)); break;
    default: asm volatile("mov %%gs, %0" : "=r"(s)); break;
  }
  return s;
}
}  // namespace

int signal_for_vector(int vec) {
  switch (vec) {
    case x86::VEC_DE: return SIGFPE;
    case x86::VEC_DB: case x86::VEC_BP: return SIGTRAP;
    case x86::VEC_UD: return SIGILL;
    case x86::VEC_SS: case x86::VEC_AC: return SIGBUS;
    case x86::VEC_GP: case x86::VEC_PF: return SIGSEGV;
    default: return -1;
  }
}

EmuExec::EmuExec(const HostExec& host)
    : code_va_(host.code_page()), insn_va_(host.insn_va()), data_va_(host.data_va()),
      fs_base_(host.fs_base()), gs_base_(host.gs_base()) {
  if (code_va_ < 0x1000000) throw std::runtime_error("host code page overlaps the fixture's low memory");
  cs_ = host_sel(0), ss_ = host_sel(1), ds_ = host_sel(2), es_ = host_sel(3), fs_ = host_sel(4), gs_ = host_sel(5);
  m_.enter_long_mode(0);
  m_.map(code_va_, kCodePa, 4096, x86::PTE_U | x86::PTE_W);
  m_.map(data_va_, kDataPa0, 4096, x86::PTE_U | x86::PTE_W | x86::PTE_NX);
  m_.map(data_va_ + 4096, kDataPa1, 4096, x86::PTE_U | x86::PTE_W | x86::PTE_NX);
  m_.set_gate(x86::VEC_BP, kHandlers + 16 * x86::VEC_BP, 3);  // INT3 from ring 3, as Linux allows
  m_.cpu.set_observer(this);
  m_.cpu.sync_mmu();
}

void EmuExec::set_data(const uint8_t* src) {
  std::memcpy(m_.mem.data() + kDataPa0, src, 4096);
  std::memcpy(m_.mem.data() + kDataPa1, src + 4096, 4096);
}
void EmuExec::get_data(uint8_t* dst) {
  std::memcpy(dst, m_.mem.data() + kDataPa0, 4096);
  std::memcpy(dst + 4096, m_.mem.data() + kDataPa1, 4096);
}

void EmuExec::enter_user(bool compat) {
  using namespace cpu;
  auto& c = m_.cpu;
  if (compat) {  // what HostExec's far jump loads: Linux's flat 32-bit user code, DS = ES = __USER_DS
    c.set_seg_raw(CS, 0x23, 0, 0xFFFFFFFF, 0xCFB);
    c.set_seg_raw(DS, 0x2B, 0, 0xFFFFFFFF, 0xCF3);
    c.set_seg_raw(ES, 0x2B, 0, 0xFFFFFFFF, 0xCF3);
  } else {
    c.set_seg_raw(CS, cs_, 0, 0xFFFFFFFF, 0xAFB);
    c.set_seg_raw(DS, ds_, 0, 0xFFFFFFFF, ds_ ? 0xCF3 : 0);
    c.set_seg_raw(ES, es_, 0, 0xFFFFFFFF, es_ ? 0xCF3 : 0);
  }
  c.set_seg_raw(SS, ss_, 0, 0xFFFFFFFF, 0xCF3);
  c.set_seg_raw(FS, fs_, fs_base_, 0xFFFFFFFF, fs_ ? 0xCF3 : 0);
  c.set_seg_raw(GS, gs_, gs_base_, 0xFFFFFFFF, gs_ ? 0xCF3 : 0);
}

void EmuExec::on_cpu_event(const cpu::CpuEvent& e) {
  const bool exc = e.kind == cpu::CpuEventKind::Exception || e.kind == cpu::CpuEventKind::SoftInt;
  if (!exc || vector_ >= 0) return;  // keep the first one (a #DF may follow)
  vector_ = e.vector;
  std::memcpy(at_fault_.gpr, m_.cpu.s.gpr, sizeof at_fault_.gpr);
  at_fault_.rflags = m_.cpu.rflags();
  at_fault_.outcome = kFaulted;
}

int EmuExec::run(const uint8_t* insn, unsigned len, RegFile& rf, bool compat) {
  auto& c = m_.cpu;
  for (unsigned k = 0; k < len; ++k) m_.mem.write(kCodePa + (insn_va_ - code_va_) + k, 1, insn[k]);  // SMC-aware
  enter_user(compat);
  std::memcpy(c.s.gpr, rf.gpr, sizeof rf.gpr);
  c.set_rflags(rf.rflags);
  c.s.rip = insn_va_;
  vector_ = -1;
  // One instruction; a REP string instruction may take several steps.
  for (unsigned k = 0; k < 64 && vector_ < 0; ++k) {
    c.run(c.icount() + 1);
    if (c.s.rip != insn_va_) break;
  }
  last_rip_ = c.s.rip;
  if (vector_ >= 0) {
    rf = at_fault_;
    return vector_;
  }
  std::memcpy(rf.gpr, c.s.gpr, sizeof rf.gpr);
  rf.rflags = c.rflags();
  const uint64_t end = insn_va_ + len;
  rf.outcome = c.s.rip == end ? kFellThrough : c.s.rip == end + HostExec::kTakenOffset ? kTaken : 99;
  return -1;
}

}  // namespace slot::cputest
