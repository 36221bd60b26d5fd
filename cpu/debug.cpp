// The debug registers (SDM Vol. 3B §17.2-17.3): DR0-DR3 breakpoint
// addresses, DR7 enables with R/W and LEN per breakpoint, DR6 status.
// Instruction breakpoints are faults checked before the instruction (run());
// data and I/O breakpoints are traps: the accesses record hits and the #DB
// follows the instruction, together with a single-step trap if TF was set.
// Implicit supervisor accesses (descriptor tables, the TSS, a 64-bit
// interrupt frame) are not checked.
#include "cpu/cpu.h"

namespace slot::cpu {

namespace {
constexpr uint64_t kDr6Bd = 1ull << 13, kDr6Bs = 1ull << 14;
constexpr uint64_t kDr7Gd = 1ull << 13;
unsigned rw_of(uint64_t dr7, unsigned i) { return unsigned(dr7 >> (16 + 4 * i)) & 3; }
// LEN encodings 00, 01, 11, 10 = 1, 2, 4, 8 bytes (8 only in IA-32e mode: SDM Table 17-2).
uint64_t len_of(uint64_t dr7, unsigned i) {
  static constexpr uint64_t kLen[4] = {1, 2, 8, 4};
  return kLen[(dr7 >> (18 + 4 * i)) & 3];
}
// An access [a, a+n) hits breakpoint i when it touches any byte of the
// naturally aligned range DRi names (SDM §17.2.5: the low address bits the
// length covers are ignored).
bool overlaps(uint64_t bp, uint64_t len, uint64_t a, uint64_t n) {
  const uint64_t base = bp & ~(len - 1);
  return a < base + len && base < a + n;
}
}  // namespace

void Cpu::debug_regs_changed() {
  dbg_exec_ = dbg_data_ = dbg_io_ = 0;
  const uint64_t dr7 = s.dr[7];
  for (unsigned i = 0; i < 4; ++i) {
    if (!((dr7 >> (2 * i)) & 3)) continue;  // neither Li nor Gi
    switch (rw_of(dr7, i)) {
      case 0: dbg_exec_ |= uint8_t(1u << i); break;
      case 2: if (s.cr4 & x86::CR4_DE) dbg_io_ |= uint8_t(1u << i); break;  // undefined without DE
      default: dbg_data_ |= uint8_t(1u << i); break;
    }
  }
  end_run();  // run() checks instruction breakpoints; data breakpoints leave the data fast path
}

void Cpu::data_breakpoint(uint64_t la, unsigned len, bool write) {
  for (unsigned i = 0; i < 4; ++i) {
    if (!((dbg_data_ >> i) & 1)) continue;
    if (rw_of(s.dr[7], i) == 1 && !write) continue;  // 01: writes only; 11: reads and writes
    if (overlaps(s.dr[i], len_of(s.dr[7], i), la, len)) dbg_hits_ |= 1u << i;
  }
  if (dbg_hits_) attention_ = true;  // the trap follows the instruction: its run ends
}

void Cpu::io_breakpoint(uint16_t port, unsigned len) {
  for (unsigned i = 0; i < 4; ++i)
    if (((dbg_io_ >> i) & 1) && overlaps(s.dr[i] & 0xFFFF, len_of(s.dr[7], i), port, len)) dbg_hits_ |= 1u << i;
  if (dbg_hits_) attention_ = true;
}

// After an instruction with TF set or breakpoint hits: one #DB trap with
// DR6.BS and the hit Bn bits (B0-B3 are replaced, the rest of DR6 is sticky:
// SDM §17.2.3). After MOV SS / POP SS nothing is delivered; the hits wait
// for the end of the next instruction and TF single-steps that one.
void Cpu::debug_trap(bool tf) {
  if (icount_ == dbg_blocked_) return;
  uint64_t dr6 = s.dr[6];
  if (dbg_hits_) dr6 = (dr6 & ~0xFull) | dbg_hits_;
  if (tf) dr6 |= kDr6Bs;
  s.dr[6] = dr6;
  dbg_hits_ = 0;
  deliver_event(x86::VEC_DB, false, 0, 0);
}

// Before the instruction at RIP (RF clear): the enabled execute breakpoints
// at its first byte. A hit is a fault: RIP stays, DR6 names the breakpoints,
// and the RFLAGS image keeps RF clear (the handler sets it to go on).
bool Cpu::exec_breakpoint() {
  const uint64_t la = rip_linear();
  uint32_t hits = 0;
  for (unsigned i = 0; i < 4; ++i)
    if (((dbg_exec_ >> i) & 1) && s.dr[i] == la) hits |= 1u << i;
  if (!hits) return false;
  s.dr[6] = (s.dr[6] & ~0xFull) | hits;
  insn_rip = s.rip;
  ++icount_;  // delivery takes time, like any fault
  deliver_event(x86::VEC_DB, false, 0, 0);
  return true;
}

// MOV to or from a debug register while DR7.GD is set: a #DB fault with
// DR6.BD, and GD cleared so the handler can use the registers (§17.2.4).
void Cpu::general_detect() {
  if (!(s.dr[7] & kDr7Gd)) return;
  s.dr[6] |= kDr6Bd;
  s.dr[7] &= ~kDr7Gd;
  db_fault_ = true;
  fault(x86::VEC_DB);
}

// INT1 / ICEBP: #DB as a trap (RIP after the instruction), delivered like a
// hardware exception -- no gate DPL check -- and without DR6 bits.
void Cpu::icebp() { deliver_event(x86::VEC_DB, false, 0, 0); }

}  // namespace slot::cpu
