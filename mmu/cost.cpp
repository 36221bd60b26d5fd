// The cost model: modelled cycles from counts. Counts are exact; cycles are a
// model (CostConfig in config.h lists the terms and docs/mmu.md the sources
// of the default prices).
#include "mmu/mmu.h"

namespace slot::mmu {

KernelOps& KernelOps::operator+=(const KernelOps& o) {
  syscall += o.syscall, sysret += o.sysret, iret += o.iret, wrmsr += o.wrmsr, port_io += o.port_io;
  string_steps += o.string_steps, string_bytes += o.string_bytes;
  return *this;
}

KernelOps& KernelOps::operator-=(const KernelOps& o) {
  syscall -= o.syscall, sysret -= o.sysret, iret -= o.iret, wrmsr -= o.wrmsr, port_io -= o.port_io;
  string_steps -= o.string_steps, string_bytes -= o.string_bytes;
  return *this;
}

const std::vector<CostField>& cost_fields() {
  static const std::vector<CostField> f = {
      {"base_cpi", &CostConfig::base_cpi},     {"l1_hit", &CostConfig::l1_hit},
      {"l2_hit", &CostConfig::l2_hit},         {"walk", &CostConfig::walk},
      {"mem_ref", &CostConfig::mem_ref},       {"cr3_load", &CostConfig::cr3_load},
      {"cr3_noflush", &CostConfig::cr3_noflush}, {"invlpg", &CostConfig::invlpg},
      {"invpcid", &CostConfig::invpcid},       {"syscall", &CostConfig::syscall},
      {"sysret", &CostConfig::sysret},         {"iret", &CostConfig::iret},
      {"wrmsr", &CostConfig::wrmsr},           {"port_io", &CostConfig::port_io},
      {"string_start", &CostConfig::string_start}, {"string_bw", &CostConfig::string_bw},
  };
  return f;
}

void CostInputs::add(const KernelOps& o) {
  syscall += double(o.syscall), sysret += double(o.sysret), iret += double(o.iret), wrmsr += double(o.wrmsr);
  port_io += double(o.port_io), string_steps += double(o.string_steps), string_bytes += double(o.string_bytes);
}

CostBreakdown price(const CostConfig& c, const CostInputs& in) {
  CostBreakdown b;
  b.instructions = in.instructions * c.base_cpi;
  b.l1 = in.l1_hits * c.l1_hit;
  b.l2 = in.l1_misses * c.l2_hit;  // every L1 miss looks up the STLB
  b.walks = in.walks * c.walk;
  b.mem_refs = in.walk_refs * c.mem_ref;
  b.cr3 = in.cr3_flush * c.cr3_load + in.cr3_noflush * c.cr3_noflush;
  b.invlpg = in.invlpg * c.invlpg + in.invpcid * c.invpcid;
  b.kernel = in.syscall * c.syscall + in.sysret * c.sysret + in.iret * c.iret + in.wrmsr * c.wrmsr +
             in.port_io * c.port_io;
  b.copy = in.string_steps * c.string_start + (c.string_bw > 0 ? in.string_bytes / c.string_bw : 0);
  return b;
}

CostBreakdown Mmu::cost(uint64_t instructions, const KernelOps& ops) const {
  const MmuStats s = totals();
  CostInputs in;
  in.instructions = double(instructions);
  in.l1_hits = double(s.l1_hits), in.l1_misses = double(s.l1_misses);
  in.walks = double(s.walks), in.walk_refs = double(s.walk_refs);
  in.cr3_flush = double(s.cr3_loads - s.cr3_noflush), in.cr3_noflush = double(s.cr3_noflush);
  in.invlpg = double(s.invlpg), in.invpcid = double(s.invpcid);
  in.add(ops);
  return price(config().cost, in);
}

}  // namespace slot::mmu
