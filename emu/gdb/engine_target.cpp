#include "emu/gdb/engine_target.h"

#include <cstring>
#include <exception>

namespace slot::gdb {

namespace {
// Fields of CpuState the stub may change (regs.h says which registers are writable).
bool same_writable(const cpu::CpuState& a, const cpu::CpuState& b) {
  if (std::memcmp(a.gpr, b.gpr, sizeof a.gpr) != 0 || a.rip != b.rip || a.rflags != b.rflags) return false;
  for (unsigned i = 0; i < 6; ++i)
    if (a.seg[i].base != b.seg[i].base) return false;
  return a.kernel_gs_base == b.kernel_gs_base && a.cr2 == b.cr2 && a.cr8 == b.cr8;
}
}  // namespace

cpu::CpuState EngineTarget::regs() {
  const cpu::Cpu& c = e_.machine().cpu();
  cpu::CpuState s = c.s;
  s.rflags = c.rflags();
  return s;
}

bool EngineTarget::set_regs(const cpu::CpuState& s) {
  const cpu::CpuState now = regs();
  if (same_writable(now, s)) return true;
  cpu::Cpu& c = e_.machine().cpu();
  std::memcpy(c.s.gpr, s.gpr, sizeof s.gpr);
  c.s.rip = s.rip;
  c.set_rflags(s.rflags);
  for (unsigned i = 0; i < 6; ++i) c.s.seg[i].base = s.seg[i].base;
  c.s.kernel_gs_base = s.kernel_gs_base;
  c.s.cr2 = s.cr2;
  c.s.cr8 = s.cr8;
  // The recorded future no longer follows from this state.
  e_.state_edited();
  return true;
}

namespace {
// Page by page, so an access that runs into an unmapped page still does (and
// reports) its accessible prefix. `part(addr, offset, len)` does one piece.
template <class Part>
size_t by_page(uint64_t addr, size_t n, Part part) {
  size_t done = 0;
  while (done < n) {
    const uint64_t a = addr + done;
    const size_t len = std::min<size_t>(n - done, 4096 - (a & 0xFFF));
    if (!part(a, done, len)) break;
    done += len;
  }
  return done;
}
}  // namespace

size_t EngineTarget::read(uint64_t addr, bool phys, void* out, size_t n) {
  auto* o = static_cast<uint8_t*>(out);
  return by_page(addr, n, [&](uint64_t a, size_t off, size_t len) {
    return phys ? e_.read_phys(a, o + off, len) : e_.read_virt(a, o + off, len);
  });
}

size_t EngineTarget::write(uint64_t addr, bool phys, const void* in, size_t n) {
  const auto* b = static_cast<const uint8_t*>(in);
  return by_page(addr, n, [&](uint64_t a, size_t off, size_t len) {
    return phys ? e_.write_phys(a, b + off, len) : e_.write_virt(a, b + off, len);
  });
}

int EngineTarget::add_point(PointType type, uint64_t addr, uint64_t len) {
  engine::StopPoint p = type == PointType::Write ? engine::StopPoint::write(addr, len) : engine::StopPoint::exec(addr);
  p.label = type == PointType::Write ? "gdb watchpoint" : "gdb breakpoint";
  try {
    return e_.add_point(p);
  } catch (const std::exception&) {
    return -1;  // e.g. a watchpoint on an unmapped address
  }
}

bool EngineTarget::remove_point(int id) { return e_.remove_point(id); }

Stop EngineTarget::translate(const engine::StopInfo& s) {
  Stop out;
  out.message = s.message;
  switch (s.reason) {
    case engine::StopReason::Step: out.kind = StopKind::Step; break;
    case engine::StopReason::Point:
      out.kind = StopKind::Point;
      out.point = s.point;
      break;
    case engine::StopReason::GuestExit:
      out.kind = StopKind::Exited;
      out.status = s.exit_status;
      break;
    case engine::StopReason::Shutdown: out.kind = StopKind::Shutdown; break;
    case engine::StopReason::Paused: out.kind = StopKind::Interrupt; break;
    case engine::StopReason::HistoryStart: out.kind = StopKind::HistoryStart; break;
    case engine::StopReason::Limit: out.kind = StopKind::Other; break;
  }
  return out;
}

Stop EngineTarget::step() { return translate(e_.step(engine::StepKind::Insn)); }
Stop EngineTarget::cont() { return translate(e_.cont()); }
Stop EngineTarget::reverse_step() { return translate(e_.reverse_step()); }
Stop EngineTarget::reverse_cont() { return translate(e_.reverse_cont()); }

std::string EngineTarget::monitor(const std::string& cmd) { return engine_monitor(e_, cmd); }

}  // namespace slot::gdb
