// The register file gdb sees: one table (regs.cpp) from which the target
// description XML, the `g`/`G` layout and `p`/`P` numbering are all derived.
//
// Layout: gdb's org.gnu.gdb.i386.core feature in QEMU's order (rax rbx rcx rdx
// rsi rdi rbp rsp r8-r15 rip eflags cs ss ds es fs gs, then the x87 registers
// gdb requires in that feature, reported as zero: the CPU has no x87),
// org.gnu.gdb.i386.segments (fs_base gs_base), and org.slotlab.x86.system
// (segment bases, k_gs_base, cr0 cr2 cr3 cr4 cr8 efer, gdtr, idtr).
//
// Like QEMU's gdbstub, outside a 64-bit code segment (EFER.LMA=0 or CS.L=0)
// rax..rdi and rip are reported zero-extended from 32 bits and r8-r15 as 0,
// so lockstep comparisons against QEMU line up (tests/boot/lockstep/README.md).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cpu/state.h"

namespace slot::gdb {

struct RegInfo {
  const char* name;
  unsigned bits;
  const char* type;     // gdb type name (or one defined in the description)
  const char* group;    // nullptr = default
  unsigned feature;     // index into the feature list
  bool writable;        // gpr, rip, eflags, bases, cr2, cr8; the rest would need descriptor or MMU reloads
};

size_t reg_count();
const RegInfo& reg_info(size_t regnum);
std::optional<size_t> reg_number(std::string_view name);
size_t regs_bytes();  // size of a `g` reply in bytes

// True when the CPU executes 64-bit code (values are reported unmasked).
bool code64(const cpu::CpuState& s);

std::string encode_reg(const cpu::CpuState& s, size_t regnum);  // hex, little-endian
std::string encode_regs(const cpu::CpuState& s);                 // the `g` reply
// Applies hex `value` to register `regnum` in `s`. A value equal to what
// encode_reg reports leaves the register untouched (so writing back a `g`
// reply never changes anything, even for masked or read-only registers).
// Returns false for a malformed value or a change to a read-only register.
bool decode_reg(cpu::CpuState& s, size_t regnum, std::string_view hex);
bool decode_regs(cpu::CpuState& s, std::string_view hex);  // `G`; a short packet writes a prefix

// qXfer:features:read annexes: "target.xml" (everything inline).
std::optional<std::string> target_description(std::string_view annex);

}  // namespace slot::gdb
