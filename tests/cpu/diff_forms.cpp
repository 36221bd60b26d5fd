#include "tests/cpu/diff_forms.h"

#include <cpuid.h>

#include <cstdio>
#include <cstring>

#include "cpu/table.h"

namespace slot::cputest {
namespace {
using namespace slot::cpu;  // the opcode table's vocabulary (X, P0, I_B, S_V, A_M, ...)

#define ROW(map, opc, ext, pfx, sub, h, imm, size, attrs, mn) \
  FormRow{map, opc, int16_t(ext), pfx, uint8_t(sub), imm, size, attrs, #h, #mn},
const FormRow kTable[] = {
#include "cpu/opcodes.def"
};
#undef ROW

struct Rule {
  const char* handler;
  Kind kind;
  Family family;
};
using K = Kind;
using F = Family;
// Which handlers the differential test covers, and how to generate operands.
constexpr Rule kRules[] = {
    {"alu_EG", K::Generic, F::Alu},       {"alu_GE", K::Generic, F::Alu},
    {"alu_AI", K::Generic, F::Alu},       {"alu_EI", K::Generic, F::Alu},
    {"test_EG", K::Generic, F::Alu},      {"test_AI", K::Generic, F::Alu},
    {"test_EI", K::Generic, F::Alu},      {"not_E", K::Generic, F::Alu},
    {"neg_E", K::Generic, F::Alu},        {"incdec_E", K::Generic, F::Alu},
    {"xadd", K::Generic, F::Alu},         {"cmpxchg", K::Cmpxchg, F::Alu},
    {"cmpxchg8b", K::Cmpxchg8b, F::Alu},
    {"mul_E", K::Generic, F::MulDiv},     {"imul_E", K::Generic, F::MulDiv},
    {"imul_GE", K::Generic, F::MulDiv},   {"imul_GEI", K::Generic, F::MulDiv},
    {"div_E", K::Div, F::MulDiv},         {"idiv_E", K::Div, F::MulDiv},
    {"shift_EI", K::Shift, F::ShiftRotate}, {"shift_E1", K::Shift, F::ShiftRotate},
    {"shift_ECL", K::Shift, F::ShiftRotate}, {"shld_I", K::DShift, F::ShiftRotate},
    {"shld_CL", K::DShift, F::ShiftRotate}, {"shrd_I", K::DShift, F::ShiftRotate},
    {"shrd_CL", K::DShift, F::ShiftRotate},
    {"bt_EG", K::BitTest, F::Bits},       {"bt_EI", K::BitTest, F::Bits},
    {"bsf", K::Generic, F::Bits},         {"bsr", K::Generic, F::Bits},
    {"popcnt", K::Generic, F::Bits},      {"lzcnt", K::Generic, F::Bits},
    {"bswap", K::Generic, F::Bits},       {"setcc", K::Generic, F::Bits},
    {"cmovcc", K::Generic, F::Bits},
    {"mov_EG", K::Generic, F::Move},      {"mov_GE", K::Generic, F::Move},
    {"mov_EI", K::Generic, F::Move},      {"mov_RI", K::Generic, F::Move},
    {"movzx", K::Generic, F::Move},       {"movsx", K::Generic, F::Move},
    {"movsxd", K::Generic, F::Move},      {"lea", K::Generic, F::Move},
    {"xchg_EG", K::Generic, F::Move},     {"xchg_AR", K::Generic, F::Move},
    {"cvt_a", K::Generic, F::Move},       {"cvt_d", K::Generic, F::Move},
    {"lahf", K::Generic, F::Move},        {"sahf", K::Generic, F::Move},
    {"flagop", K::Generic, F::Move},      {"mov_ES", K::Generic, F::Move},
    {"fwait", K::Generic, F::Move},       {"nop", K::Nop, F::Move},
    {"prefetch", K::Nop, F::Move},
    {"mov_AO", K::Moffs, F::Move},        {"mov_OA", K::Moffs, F::Move},
    {"xlat", K::Xlat, F::Move},
    {"movs", K::String, F::String},       {"cmps", K::String, F::String},
    {"stos", K::String, F::String},       {"lods", K::String, F::String},
    {"scas", K::String, F::String},
    {"push_r", K::Stack, F::Stack},       {"pop_r", K::Stack, F::Stack},
    {"push_i", K::Stack, F::Stack},       {"push_E", K::Stack, F::Stack},
    {"pop_E", K::Stack, F::Stack},        {"pushf", K::Stack, F::Stack},
    {"push_seg", K::Stack, F::Stack},     {"popf", K::Popf, F::Stack},
    {"pusha", K::Stack, F::Stack},        {"popa", K::Stack, F::Stack},
    {"inc_r", K::Generic, F::Alu},        {"dec_r", K::Generic, F::Alu},
    {"enter", K::Enter, F::Stack},        {"leave", K::Leave, F::Stack},
    {"jcc", K::Jump, F::Branch},          {"loop", K::Jump, F::Branch},
    {"jmp_rel", K::Jump, F::Branch},      {"jmp_E", K::Jump, F::Branch},
    {"call_rel", K::CallRet, F::Branch},  {"call_E", K::CallRet, F::Branch},
    {"ret_near", K::CallRet, F::Branch},
    // At CPL 3 with IOPL 0 these must fault exactly as the host does.
    {"hlt", K::Faulting, F::Faults},      {"in_port", K::Faulting, F::Faults},
    {"out_port", K::Faulting, F::Faults}, {"ins", K::Faulting, F::Faults},
    {"outs", K::Faulting, F::Faults},     {"mov_RC", K::Faulting, F::Faults},
    {"mov_CR", K::Faulting, F::Faults},   {"mov_RD", K::Faulting, F::Faults},
    {"mov_DR", K::Faulting, F::Faults},   {"clts", K::Faulting, F::Faults},
    {"wbinvd", K::Faulting, F::Faults},   {"rdmsr", K::Faulting, F::Faults},
    {"wrmsr", K::Faulting, F::Faults},    {"swapgs", K::Faulting, F::Faults},
    {"clac_stac", K::Faulting, F::Faults}, {"int3", K::Faulting, F::Faults},
};

// Forms the host CPU cannot execute are skipped (with a note): on a CPU
// without LZCNT, F3 0F BD is BSR, and so on.
bool host_lacks(const FormRow& r) {
  unsigned a = 0, b = 0, c1 = 0, d = 0, c8 = 0;
  __get_cpuid(1, &a, &b, &c1, &d);
  if (__get_cpuid(0x80000001, &a, &b, &c8, &d) == 0) c8 = 0;
  const char* why = nullptr;
  if (!std::strcmp(r.handler, "lzcnt") && !(c8 & (1u << 5))) why = "LZCNT";
  if (!std::strcmp(r.handler, "popcnt") && !(c1 & (1u << 23))) why = "POPCNT";
  if (!std::strcmp(r.handler, "cmpxchg8b") && !(c1 & (1u << 13))) why = "CMPXCHG16B";
  if (why) std::printf("note: the host CPU lacks %s; %s not tested\n", why, r.mnemonic);
  return why != nullptr;
}

std::vector<Form> build(bool compat) {
  std::vector<Form> v;
  for (const FormRow& r : kTable) {
    if (r.attrs & (compat ? A_O64 : A_I64)) continue;  // not valid in this mode
    if (host_lacks(r)) continue;
    const bool ud_insn = !std::strcmp(r.handler, "ud") &&
                         (!std::strcmp(r.mnemonic, "ud2") || !std::strcmp(r.mnemonic, "ud1"));
    if (ud_insn) {
      v.push_back({&r, K::Faulting, F::Faults});
      continue;
    }
    // CLI and STI fault at CPL 3 with IOPL 0 (SDM Vol. 2A CLI).
    if (!std::strcmp(r.handler, "flagop") && (r.sub == 3 || r.sub == 4)) {
      v.push_back({&r, K::Faulting, F::Faults});
      continue;
    }
    for (const Rule& rule : kRules)
      if (!std::strcmp(rule.handler, r.handler)) v.push_back({&r, rule.kind, rule.family});
  }
  return v;
}

bool is(const Case& c, const char* h) { return !std::strcmp(c.form->row->handler, h); }
}  // namespace

const char* family_name(Family f) {
  static const char* const names[] = {"Alu", "MulDiv", "ShiftRotate", "Bits", "Move", "String", "Stack", "Branch", "Faults"};
  return names[unsigned(f)];
}

const std::vector<Form>& diff_forms(bool compat) {
  static const std::vector<Form> forms64 = build(false), forms32 = build(true);
  return compat ? forms32 : forms64;
}

std::string form_name(const Form& f) {
  char b[96];
  const FormRow& r = *f.row;
  const char* esc = r.map == 1 ? "" : r.map == 2 ? "0F " : r.map == 3 ? "0F38 " : "0F3A ";
  std::snprintf(b, sizeof b, "%s %s%02X%s", r.mnemonic, esc, r.opcode,
                r.ext >= 0x100 ? " (ModRM)" : r.ext >= 0 ? (std::string(" /") + char('0' + r.ext)).c_str() : "");
  return b;
}

// Undefined flags, from each instruction's "Flags Affected" section (SDM Vol. 2).
uint64_t undefined_flags(const Case& c) {
  constexpr uint64_t CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
  const unsigned bits = 8 * c.width;
  if (is(c, "alu_EG") || is(c, "alu_GE") || is(c, "alu_AI") || is(c, "alu_EI"))
    return (c.op == 1 || c.op == 4 || c.op == 6) ? AF : 0;  // OR AND XOR: AF undefined
  if (is(c, "test_EG") || is(c, "test_AI") || is(c, "test_EI")) return AF;
  if (is(c, "mul_E") || is(c, "imul_E") || is(c, "imul_GE") || is(c, "imul_GEI")) return SF | ZF | AF | PF;
  if (c.form->kind == Kind::Div) return CF | PF | AF | ZF | SF | OF;
  if (c.form->kind == Kind::Shift) {
    if (c.count == 0) return 0;  // a masked count of 0 changes no flags
    uint64_t u = c.count != 1 ? OF : 0;  // OF only for 1-bit shifts/rotates
    if (c.op >= 4) u |= AF;              // SHL SHR SAL SAR: AF undefined
    // SHL/SHR: "CF is undefined ... where the count is greater than or equal to the size".
    if ((c.op == 4 || c.op == 5 || c.op == 6) && c.count >= bits) u |= CF;
    return u;
  }
  if (c.form->kind == Kind::DShift) return c.count == 0 ? 0 : AF | (c.count != 1 ? OF : 0);
  if (c.form->kind == Kind::BitTest) return OF | SF | AF | PF;  // ZF unaffected, CF = the bit
  if (is(c, "bsf") || is(c, "bsr")) return CF | OF | SF | AF | PF;
  if (is(c, "lzcnt")) return OF | SF | PF | AF;
  return 0;
}

int undefined_gpr(const Case& c) {
  // BSF/BSR with a zero source: "the content of the destination operand is undefined".
  if ((is(c, "bsf") || is(c, "bsr")) && c.src == 0) return c.reg;
  return -1;
}

}  // namespace slot::cputest
