#include "ui/model/regs_vm.h"

#include <utility>

#include "mmu/arch.h"
#include "ui/model/names.h"

namespace slot::ui {

namespace {

struct Bit {
  unsigned bit;
  const char* name;
};

std::string names_of(uint64_t v, std::initializer_list<Bit> bits) {
  std::string s;
  for (const Bit& b : bits)
    if (v >> b.bit & 1) join_to(s, " ", b.name);
  return s.empty() ? "-" : s;
}

// RFLAGS bits (SDM Vol. 1 §3.4.3).
constexpr Bit kFlags[] = {{0, "CF"},  {2, "PF"},  {4, "AF"},  {6, "ZF"},  {7, "SF"},  {8, "TF"},  {9, "IF"},
                          {10, "DF"}, {11, "OF"}, {14, "NT"}, {16, "RF"}, {17, "VM"}, {18, "AC"}, {21, "ID"}};

}  // namespace

std::string decode_cr0(uint64_t v) {
  return names_of(v, {{0, "PE"}, {1, "MP"}, {2, "EM"}, {3, "TS"}, {4, "ET"}, {5, "NE"}, {16, "WP"}, {18, "AM"},
                      {29, "NW"}, {30, "CD"}, {31, "PG"}});
}
std::string decode_cr4(uint64_t v) {
  return names_of(v, {{0, "VME"}, {1, "PVI"}, {2, "TSD"}, {3, "DE"}, {4, "PSE"}, {5, "PAE"}, {6, "MCE"},
                      {7, "PGE"}, {8, "PCE"}, {9, "OSFXSR"}, {10, "OSXMMEXCPT"}, {11, "UMIP"}, {12, "LA57"},
                      {16, "FSGSBASE"}, {17, "PCIDE"}, {18, "OSXSAVE"}, {20, "SMEP"}, {21, "SMAP"}, {22, "PKE"}});
}
std::string decode_efer(uint64_t v) { return names_of(v, {{0, "SCE"}, {8, "LME"}, {10, "LMA"}, {11, "NXE"}}); }
std::string decode_rflags(uint64_t v) {
  std::string s;
  for (const Bit& b : kFlags)
    if (v >> b.bit & 1) join_to(s, " ", b.name);
  return (s.empty() ? std::string() : s + " ") + "IOPL=" + std::to_string(v >> 12 & 3);
}

RegsView make_regs(const cpu::CpuState& s, const cpu::CpuState* p) {
  RegsView v;
  auto row = [&](std::vector<RegRow>& to, std::string name, uint64_t now, const uint64_t* before,
                 std::string detail = "", int digits = 16) {
    to.push_back({std::move(name), hex(now, digits), std::move(detail), before && *before != now});
  };
  static const char* const gpr[] = {"RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
                                    "R8",  "R9",  "R10", "R11", "R12", "R13", "R14", "R15"};
  // Listed in the conventional order (RAX RBX RCX RDX ...), not encoding order.
  static const int order[] = {0, 3, 1, 2, 6, 7, 5, 4, 8, 9, 10, 11, 12, 13, 14, 15};
  for (int i : order) row(v.general, gpr[i], s.gpr[i], p ? &p->gpr[i] : nullptr);
  row(v.general, "RIP", s.rip, p ? &p->rip : nullptr);

  row(v.flags, "RFLAGS", s.rflags, p ? &p->rflags : nullptr, decode_rflags(s.rflags), 8);
  for (const Bit& b : kFlags) {
    const uint64_t now = s.rflags >> b.bit & 1;
    const uint64_t before = p ? (p->rflags >> b.bit & 1) : now;
    v.flags.push_back({b.name, std::to_string(now), "", p && now != before});
  }
  const uint64_t iopl = s.rflags >> 12 & 3, iopl_before = p ? (p->rflags >> 12 & 3) : iopl;
  v.flags.push_back({"IOPL", std::to_string(iopl), "", p && iopl != iopl_before});

  static const char* const segs[] = {"ES", "CS", "SS", "DS", "FS", "GS"};
  auto seg = [&](const char* name, const cpu::Segment& now, const cpu::Segment* before) {
    const std::string detail = "base " + hex(now.base) + " limit " + hex(now.limit) + " attr " + hex(now.attr) +
                               (now.present() ? " P" : "") + " DPL" + std::to_string(now.dpl()) +
                               (now.l() ? " L" : "") + (now.db() ? " D/B" : "");
    const bool changed = before && (before->sel != now.sel || before->base != now.base ||
                                    before->limit != now.limit || before->attr != now.attr);
    v.segments.push_back({name, hex(now.sel, 4), detail, changed});
  };
  for (int i : {1, 2, 3, 0, 4, 5}) seg(segs[i], s.seg[i], p ? &p->seg[i] : nullptr);
  seg("LDTR", s.ldtr, p ? &p->ldtr : nullptr);
  seg("TR", s.tr, p ? &p->tr : nullptr);
  auto table = [&](const char* name, const cpu::TableReg& now, const cpu::TableReg* before) {
    v.segments.push_back({name, hex(now.base, 16), "limit " + hex(now.limit),
                          before && (before->base != now.base || before->limit != now.limit)});
  };
  table("GDTR", s.gdtr, p ? &p->gdtr : nullptr);
  table("IDTR", s.idtr, p ? &p->idtr : nullptr);

  row(v.control, "CR0", s.cr0, p ? &p->cr0 : nullptr, decode_cr0(s.cr0));
  row(v.control, "CR2", s.cr2, p ? &p->cr2 : nullptr);
  // CR3: PML4 base and, with CR4.PCIDE=1, the PCID in bits 11:0 (SDM Vol. 3A §4.5).
  const std::string cr3_detail = "PML4 " + hex(s.cr3 & x86::PTE_ADDR) +
                                 ((s.cr4 & x86::CR4_PCIDE) ? " PCID " + std::to_string(s.cr3 & x86::CR3_PCID_MASK)
                                                           : std::string());
  row(v.control, "CR3", s.cr3, p ? &p->cr3 : nullptr, cr3_detail);
  row(v.control, "CR4", s.cr4, p ? &p->cr4 : nullptr, decode_cr4(s.cr4));
  row(v.control, "CR8", s.cr8, p ? &p->cr8 : nullptr);
  row(v.control, "EFER", s.efer, p ? &p->efer : nullptr, decode_efer(s.efer));
  const uint64_t cpl = s.cpl(), cpl_before = p ? p->cpl() : cpl;
  v.control.push_back({"CPL", std::to_string(cpl), cpl == 3 ? "user" : "kernel", p && cpl != cpl_before});
  return v;
}

}  // namespace slot::ui
