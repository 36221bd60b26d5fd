// The instruction forms of the differential test and how to generate random
// cases for them. Forms are enumerated from the opcode table (cpu/opcodes.def,
// docs/ARCHITECTURE.md): every row whose handler is a user-mode integer
// instruction, plus privileged and #UD rows that must fault identically at
// CPL 3. Each generated encoding is length-checked against Zydis before it
// runs, so a wrong table row cannot make the host execute something else.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tests/cpu/host_exec.h"

namespace slot::cputest {

// One row of cpu/opcodes.def, with its handler's name.
struct FormRow {
  uint8_t map, opcode;
  int16_t ext;
  uint8_t pfx, sub, imm, size, attrs;
  const char* handler;
  const char* mnemonic;
};

enum class Kind : uint8_t {
  Generic, Div, Shift, DShift, BitTest, Cmpxchg, Cmpxchg8b, String, Xlat, Stack, Enter, Leave, Popf,
  Jump, CallRet, Moffs, Faulting, Nop,
};

enum class Family : uint8_t { Alu, MulDiv, ShiftRotate, Bits, Move, String, Stack, Branch, Faults, Count };
const char* family_name(Family f);

struct Form {
  const FormRow* row;
  Kind kind;
  Family family;
};
// The forms for 64-bit code, or (compat) for 32-bit code in compatibility mode.
const std::vector<Form>& diff_forms(bool compat = false);
std::string form_name(const Form& f);

// Where the generated code and data live (the HostExec's geometry).
struct Geometry {
  uint64_t insn_va, data_va, fs_base, gs_base;
  bool compat;  // generate 32-bit code (compatibility mode)
};

struct Case {
  const Form* form = nullptr;
  std::vector<uint8_t> bytes;
  RegFile in{};
  unsigned width = 0;    // operand size in bytes
  unsigned op = 0;       // sub-operation (row's constant or ModRM.reg)
  unsigned count = 0;    // masked shift count (shifts)
  uint64_t src = 0;      // source operand value (bit scans)
  int reg = -1;          // ModRM.reg register number with REX.R
  bool mem = false;
  bool lock = false;
  unsigned ignore_lo = 0, ignore_len = 0;  // data bytes whose content is implementation-specific
};

class CaseGen {
 public:
  CaseGen(uint64_t seed, const Geometry& g) : s_(seed), g_(g) {}
  // Fills `c` and the initial data area (HostExec::kDataSize bytes).
  void make(const Form& f, Case& c, uint8_t* data);

 private:
  uint64_t next();
  unsigned below(unsigned n) { return unsigned(next() % n); }
  bool chance(unsigned pct) { return below(100) < pct; }
  uint64_t interesting();
  uint64_t s_;
  Geometry g_;
};

// Status flags the SDM leaves undefined after this case (masked in the comparison).
uint64_t undefined_flags(const Case& c);
// A register whose result the SDM leaves undefined, or -1.
int undefined_gpr(const Case& c);

}  // namespace slot::cputest
