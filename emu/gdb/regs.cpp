#include "emu/gdb/regs.h"

#include <cstring>
#include <vector>

#include "emu/gdb/packet.h"
#include "mmu/arch.h"

namespace slot::gdb {

namespace {

using cpu::CpuState;

enum class Src : uint8_t { Gpr, Rip, Rflags, Sel, Base, KGsBase, Cr, Efer, TableBase, TableLimit, Zero };

struct Def {
  RegInfo info;
  Src src;
  uint8_t idx;  // GPR number (cpu::Reg), segment (cpu::SegReg), CR number, 0 = GDTR / 1 = IDTR
};

constexpr unsigned kCore = 0, kSegments = 1, kSystem = 2;
constexpr const char* kFeatures[] = {"org.gnu.gdb.i386.core", "org.gnu.gdb.i386.segments", "org.slotlab.x86.system"};

constexpr Def gpr(const char* n, cpu::Reg r, const char* type = "int64") {
  return {{n, 64, type, nullptr, kCore, true}, Src::Gpr, uint8_t(r)};
}
constexpr Def sel(const char* n, cpu::SegReg s) { return {{n, 32, "int32", nullptr, kCore, false}, Src::Sel, uint8_t(s)}; }
constexpr Def zero(const char* n, unsigned bits, const char* type, const char* group) {
  return {{n, bits, type, group, kCore, true}, Src::Zero, 0};
}
constexpr Def base(const char* n, cpu::SegReg s, unsigned feature) {
  return {{n, 64, "int64", feature == kSystem ? "system" : nullptr, feature, true}, Src::Base, uint8_t(s)};
}
constexpr Def cr(const char* n, uint8_t num, const char* type, bool writable) {
  return {{n, 64, type, "system", kSystem, writable}, Src::Cr, num};
}

using namespace cpu;
// Register numbers are indices into this table (the `regnum` of the XML).
constexpr Def kRegs[] = {
    gpr("rax", RAX), gpr("rbx", RBX), gpr("rcx", RCX), gpr("rdx", RDX), gpr("rsi", RSI), gpr("rdi", RDI),
    gpr("rbp", RBP, "data_ptr"), gpr("rsp", RSP, "data_ptr"), gpr("r8", R8), gpr("r9", R9), gpr("r10", R10),
    gpr("r11", R11), gpr("r12", R12), gpr("r13", R13), gpr("r14", R14), gpr("r15", R15),
    {{"rip", 64, "code_ptr", nullptr, kCore, true}, Src::Rip, 0},
    {{"eflags", 32, "slotlab_eflags", nullptr, kCore, true}, Src::Rflags, 0},
    sel("cs", CS), sel("ss", SS), sel("ds", DS), sel("es", ES), sel("fs", FS), sel("gs", GS),
    zero("st0", 80, "i387_ext", nullptr), zero("st1", 80, "i387_ext", nullptr),
    zero("st2", 80, "i387_ext", nullptr), zero("st3", 80, "i387_ext", nullptr),
    zero("st4", 80, "i387_ext", nullptr), zero("st5", 80, "i387_ext", nullptr),
    zero("st6", 80, "i387_ext", nullptr), zero("st7", 80, "i387_ext", nullptr),
    zero("fctrl", 32, "int", "float"), zero("fstat", 32, "int", "float"), zero("ftag", 32, "int", "float"),
    zero("fiseg", 32, "int", "float"), zero("fioff", 32, "int", "float"), zero("foseg", 32, "int", "float"),
    zero("fooff", 32, "int", "float"), zero("fop", 32, "int", "float"),
    base("fs_base", FS, kSegments), base("gs_base", GS, kSegments),
    base("cs_base", CS, kSystem), base("ss_base", SS, kSystem), base("ds_base", DS, kSystem),
    base("es_base", ES, kSystem),
    {{"k_gs_base", 64, "int64", "system", kSystem, true}, Src::KGsBase, 0},
    cr("cr0", 0, "slotlab_cr0", false), cr("cr2", 2, "int64", true), cr("cr3", 3, "int64", false),
    cr("cr4", 4, "slotlab_cr4", false), cr("cr8", 8, "int64", true),
    {{"efer", 64, "slotlab_efer", "system", kSystem, false}, Src::Efer, 0},
    {{"gdtr_base", 64, "data_ptr", "system", kSystem, false}, Src::TableBase, 0},
    {{"gdtr_limit", 32, "int32", "system", kSystem, false}, Src::TableLimit, 0},
    {{"idtr_base", 64, "data_ptr", "system", kSystem, false}, Src::TableBase, 1},
    {{"idtr_limit", 32, "int32", "system", kSystem, false}, Src::TableLimit, 1},
};
constexpr size_t kCount = sizeof kRegs / sizeof kRegs[0];

uint64_t get(const CpuState& s, const Def& d) {
  const bool wide = code64(s);
  switch (d.src) {
    case Src::Gpr:
      // QEMU target/i386/gdbstub.c: outside 64-bit code, eax..edi zero-extended, r8-r15 read as 0.
      if (wide) return s.gpr[d.idx];
      return d.idx < 8 ? s.gpr[d.idx] & 0xFFFFFFFFu : 0;
    case Src::Rip: return wide ? s.rip : s.rip & 0xFFFFFFFFu;
    case Src::Rflags: return s.rflags & 0xFFFFFFFFu;
    case Src::Sel: return s.seg[d.idx].sel;
    case Src::Base: return s.seg[d.idx].base;
    case Src::KGsBase: return s.kernel_gs_base;
    case Src::Cr:
      switch (d.idx) {
        case 0: return s.cr0;
        case 2: return s.cr2;
        case 3: return s.cr3;
        case 4: return s.cr4;
        default: return s.cr8;
      }
    case Src::Efer: return s.efer;
    case Src::TableBase: return d.idx ? s.idtr.base : s.gdtr.base;
    case Src::TableLimit: return d.idx ? s.idtr.limit : s.gdtr.limit;
    case Src::Zero: return 0;
  }
  return 0;
}

void set(CpuState& s, const Def& d, uint64_t v) {
  switch (d.src) {
    case Src::Gpr:
      // Outside 64-bit code only the low half is visible: keep the upper half.
      if (code64(s)) s.gpr[d.idx] = v;
      else if (d.idx < 8) s.gpr[d.idx] = (s.gpr[d.idx] & ~0xFFFFFFFFull) | (v & 0xFFFFFFFFu);
      break;
    case Src::Rip: s.rip = code64(s) ? v : v & 0xFFFFFFFFu; break;
    // Reserved bits keep their architectural values (bit 1 set; SDM Vol. 1 §3.4.3).
    case Src::Rflags: s.rflags = (v & 0x3F7FD5) | 2; break;
    case Src::Base: s.seg[d.idx].base = v; break;
    case Src::KGsBase: s.kernel_gs_base = v; break;
    case Src::Cr:
      if (d.idx == 2) s.cr2 = v;
      else if (d.idx == 8) s.cr8 = v & 15;
      break;
    default: break;  // read-only: decode_reg refuses changes before we get here
  }
}

size_t bytes_of(const Def& d) { return d.info.bits / 8; }

// Flag types for the description (bit positions: SDM Vol. 3A §2.3, §2.5, Vol. 1 §3.4.3).
struct Flag { const char* name; unsigned start, end; };
struct FlagType { const char* id; unsigned size; std::vector<Flag> fields; unsigned feature; };
const std::vector<FlagType>& flag_types() {
  static const std::vector<FlagType> t = {
      {"slotlab_eflags", 4,
       {{"CF", 0, 0}, {"PF", 2, 2}, {"AF", 4, 4}, {"ZF", 6, 6}, {"SF", 7, 7}, {"TF", 8, 8}, {"IF", 9, 9},
        {"DF", 10, 10}, {"OF", 11, 11}, {"IOPL", 12, 13}, {"NT", 14, 14}, {"RF", 16, 16}, {"VM", 17, 17},
        {"AC", 18, 18}, {"VIF", 19, 19}, {"VIP", 20, 20}, {"ID", 21, 21}},
       kCore},
      {"slotlab_cr0", 8,
       {{"PE", 0, 0}, {"MP", 1, 1}, {"EM", 2, 2}, {"TS", 3, 3}, {"ET", 4, 4}, {"NE", 5, 5}, {"WP", 16, 16},
        {"AM", 18, 18}, {"NW", 29, 29}, {"CD", 30, 30}, {"PG", 31, 31}},
       kSystem},
      {"slotlab_cr4", 8,
       {{"VME", 0, 0}, {"PVI", 1, 1}, {"TSD", 2, 2}, {"DE", 3, 3}, {"PSE", 4, 4}, {"PAE", 5, 5}, {"MCE", 6, 6},
        {"PGE", 7, 7}, {"PCE", 8, 8}, {"OSFXSR", 9, 9}, {"OSXMMEXCPT", 10, 10}, {"UMIP", 11, 11},
        {"LA57", 12, 12}, {"VMXE", 13, 13}, {"SMXE", 14, 14}, {"FSGSBASE", 16, 16}, {"PCIDE", 17, 17},
        {"OSXSAVE", 18, 18}, {"SMEP", 20, 20}, {"SMAP", 21, 21}, {"PKE", 22, 22}},
       kSystem},
      {"slotlab_efer", 8,
       {{"SCE", 0, 0}, {"LME", 8, 8}, {"LMA", 10, 10}, {"NXE", 11, 11}, {"SVME", 12, 12}, {"LMSLE", 13, 13},
        {"FFXSR", 14, 14}, {"TCE", 15, 15}},
       kSystem},
  };
  return t;
}

std::string build_description() {
  std::string x = "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n"
                  "  <architecture>i386:x86-64</architecture>\n";
  for (unsigned f = 0; f < 3; ++f) {
    x += "  <feature name=\"" + std::string(kFeatures[f]) + "\">\n";
    for (const FlagType& t : flag_types()) {
      if (t.feature != f) continue;
      x += "    <flags id=\"" + std::string(t.id) + "\" size=\"" + std::to_string(t.size) + "\">\n";
      for (const Flag& fl : t.fields)
        x += "      <field name=\"" + std::string(fl.name) + "\" start=\"" + std::to_string(fl.start) +
             "\" end=\"" + std::to_string(fl.end) + "\"/>\n";
      x += "    </flags>\n";
    }
    for (size_t n = 0; n < kCount; ++n) {
      const RegInfo& r = kRegs[n].info;
      if (r.feature != f) continue;
      x += "    <reg name=\"" + std::string(r.name) + "\" bitsize=\"" + std::to_string(r.bits) + "\" type=\"" +
           r.type + "\" regnum=\"" + std::to_string(n) + "\"";
      if (r.group) x += " group=\"" + std::string(r.group) + "\"";
      x += "/>\n";
    }
    x += "  </feature>\n";
  }
  x += "</target>\n";
  return x;
}

}  // namespace

bool code64(const cpu::CpuState& s) { return (s.efer & x86::EFER_LMA) && s.seg[cpu::CS].l(); }

size_t reg_count() { return kCount; }
const RegInfo& reg_info(size_t regnum) { return kRegs[regnum].info; }

std::optional<size_t> reg_number(std::string_view name) {
  for (size_t n = 0; n < kCount; ++n)
    if (name == kRegs[n].info.name) return n;
  return std::nullopt;
}

size_t regs_bytes() {
  size_t b = 0;
  for (const Def& d : kRegs) b += bytes_of(d);
  return b;
}

std::string encode_reg(const cpu::CpuState& s, size_t regnum) {
  const Def& d = kRegs[regnum];
  uint8_t buf[16] = {};
  const uint64_t v = get(s, d);
  for (size_t i = 0; i < 8 && i < bytes_of(d); ++i) buf[i] = uint8_t(v >> (8 * i));
  return to_hex(buf, bytes_of(d));
}

std::string encode_regs(const cpu::CpuState& s) {
  std::string out;
  out.reserve(regs_bytes() * 2);
  for (size_t n = 0; n < kCount; ++n) out += encode_reg(s, n);
  return out;
}

bool decode_reg(cpu::CpuState& s, size_t regnum, std::string_view hex) {
  if (regnum >= kCount) return false;
  const Def& d = kRegs[regnum];
  if (hex.size() != bytes_of(d) * 2) return false;
  const auto raw = from_hex(hex);
  if (!raw) return false;
  if (hex == encode_reg(s, regnum)) return true;  // unchanged (case differences compare below)
  uint64_t v = 0;
  bool high_bytes = false;  // bytes beyond 64 bits (x87) must stay zero
  for (size_t i = 0; i < raw->size(); ++i) {
    if (i < 8) v |= uint64_t(uint8_t((*raw)[i])) << (8 * i);
    else high_bytes |= (*raw)[i] != 0;
  }
  if (v == get(s, d) && !high_bytes) return true;
  if (!d.info.writable || d.src == Src::Zero) return false;
  set(s, d, v);
  return true;
}

bool decode_regs(cpu::CpuState& s, std::string_view hex) {
  if (hex.size() % 2) return false;
  // Decode into a copy: a packet with one bad register changes nothing.
  cpu::CpuState t = s;
  size_t off = 0;
  for (size_t n = 0; n < kCount && off < hex.size(); ++n) {
    const size_t len = bytes_of(kRegs[n]) * 2;
    if (off + len > hex.size()) return false;
    if (!decode_reg(t, n, hex.substr(off, len))) return false;
    off += len;
  }
  if (off != hex.size()) return false;
  s = t;
  return true;
}

std::optional<std::string> target_description(std::string_view annex) {
  static const std::string xml = build_description();
  if (annex == "target.xml") return xml;
  return std::nullopt;
}

}  // namespace slot::gdb
