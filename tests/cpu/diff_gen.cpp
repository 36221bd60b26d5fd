// Random cases for the differential test: an encoding of one form with
// random prefixes, REX bits, ModRM/SIB addressing modes and immediates, and
// register, flag and memory values biased towards edge cases. Addresses
// always land in the HostExec data area (or deliberately outside it, where
// both CPUs must fault).
#include <algorithm>
#include <cstring>

#include "cpu/table.h"
#include "tests/cpu/diff_forms.h"

namespace slot::cputest {
namespace {
using namespace slot::cpu;
constexpr uint64_t kDF = 0x400, kID = 0x200000;
uint64_t wmask(unsigned w) { return w == 8 ? ~0ull : (1ull << (8 * w)) - 1; }
bool is(const FormRow& r, const char* h) { return !std::strcmp(r.handler, h); }

struct Regs {
  uint64_t v[16];
  bool locked[16] = {};
  bool rex = false;  // a REX prefix is present: byte registers 4-7 are SPL..DIL
  uint64_t get(unsigned r, unsigned w) const {
    if (w == 1 && !rex && r >= 4 && r < 8) return (v[r - 4] >> 8) & 0xFF;
    return v[r] & wmask(w);
  }
  void set(unsigned r, unsigned w, uint64_t x) {
    if (w == 1 && !rex && r >= 4 && r < 8) {
      v[r - 4] = (v[r - 4] & ~0xFF00ull) | ((x & 0xFF) << 8);
      return;
    }
    v[r] = (v[r] & ~wmask(w)) | (x & wmask(w));
  }
};
}  // namespace

uint64_t CaseGen::next() {  // splitmix64
  uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t CaseGen::interesting() {
  static constexpr uint64_t kEdges[] = {0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000,
                                        0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x100000000ull,
                                        0x7FFFFFFFFFFFFFFFull, 0x8000000000000000ull, ~0ull, 0};
  switch (below(10)) {
    case 0: return below(17);
    case 1: return uint64_t(-int64_t(below(17)));
    case 2: return kEdges[below(16)] + (below(3) - 1);
    case 3: return 1ull << below(64);
    default: return next();
  }
}

void CaseGen::make(const Form& f, Case& c, uint8_t* data) {
  const FormRow& r = *f.row;
  const Kind k = f.kind;
  c = Case{};
  c.form = &f;
  for (size_t off = 0; off < HostExec::kDataSize; off += 8) {
    const uint64_t v = next();
    std::memcpy(data + off, &v, 8);
  }
  Regs R;
  for (auto& x : R.v) x = interesting();
  uint64_t flags = 0x202 | (next() & 0x8D5);
  if (chance(k == Kind::String ? 50 : 15)) flags |= kDF;

  // ---- operand size and prefixes ----
  const bool m32 = g_.compat;  // 32-bit code: no REX, 32-bit default sizes, no RIP-relative
  unsigned w = 4;
  bool opsz = false, rexw = false;
  switch (r.size) {
    case S_B: w = 1; opsz = chance(5); break;  // 66 is ignored by byte operations
    case S_W: w = 2; break;
    case S_V: {
      const unsigned p = below(100);
      w = p < 25 ? 2 : (p < 55 || m32) ? 4 : 8;
      if (is(r, "bswap") && w == 2) w = m32 ? 4 : 8;  // 16-bit BSWAP is undefined
      opsz = w == 2 || (w == 8 && chance(10));  // REX.W wins over 66
      rexw = w == 8;
      break;
    }
    case S_D64:
      w = chance(20) ? 2 : m32 ? 4 : 8;
      opsz = w == 2 || (w == 8 && chance(10));
      rexw = w == 8 && (opsz || chance(20));
      break;
    default: w = m32 ? 4 : 8; break;  // S_F64: no 66 (Intel and AMD disagree on it)
  }
  c.width = w;
  const bool has_modrm = r.attrs & A_M;
  const bool modrm_fixed = r.ext >= 0x100;
  bool mem = false;
  // MOV CRn/DRn ignore mod (always registers): generate only the canonical form.
  const bool reg_only = is(r, "mov_RC") || is(r, "mov_CR") || is(r, "mov_RD") || is(r, "mov_DR");
  if (has_modrm && !modrm_fixed) {
    const bool mem_only = is(r, "lea") || is(r, "cmpxchg8b") || is(r, "prefetch") || (is(r, "nop") && r.opcode == 0x18);
    mem = reg_only ? false : mem_only ? chance(97) : chance(50);
  }
  c.mem = mem;
  const bool strings = k == Kind::String || k == Kind::Xlat;
  // 67h: 32-bit addressing in 64-bit code (16-bit addressing in 32-bit code is not generated).
  const bool asz32 = !m32 && (mem || strings || k == Kind::Moffs || (k == Kind::Jump && is(r, "loop"))) && chance(20);
  const bool a32 = asz32 || m32;  // addresses wrap at 4 GiB
  uint8_t seg = 0;
  uint64_t segbase = 0;
  if ((mem || k == Kind::Moffs || (strings && !is(r, "stos") && !is(r, "scas"))) && !asz32 && chance(12)) {
    static constexpr uint8_t kSeg[] = {0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65};
    seg = kSeg[below(m32 ? 4 : 6)];  // FS/GS hold null selectors in compatibility mode
    segbase = seg == 0x64 ? g_.fs_base : seg == 0x65 ? g_.gs_base : 0;  // ES CS SS DS: base 0 in 64-bit mode
  }
  // LOCK MOV CR0 is AMD's alias for CR8 (#UD on Intel): not generated.
  c.lock = ((r.attrs & A_LOCK) && mem) ? chance(30) : !reg_only && chance(2);
  uint8_t rep = 0;
  if (k == Kind::String) {
    const unsigned p = below(100);
    rep = p < 40 ? 0 : (p < 80 || !(is(r, "cmps") || is(r, "scas"))) ? 0xF3 : 0xF2;
  }

  // ---- ModRM register numbers; REX.R/B ----
  bool rex_r = false, rex_b = false, rex_x = false;
  unsigned reg = r.ext >= 0 && r.ext < 8 ? unsigned(r.ext) : below(8);
  unsigned rm = below(8);
  uint8_t modrm_byte = 0;
  if (modrm_fixed) {
    modrm_byte = uint8_t(r.ext & 0xFF);
    reg = (modrm_byte >> 3) & 7;
    rm = modrm_byte & 7;
  } else if (has_modrm && !m32) {
    rex_r = chance(40);
    rex_b = !mem && chance(40);
  }
  unsigned opreg = r.opcode & 7;  // 50+r, B8+r, 90+r, C8+r forms
  if (!has_modrm && (is(r, "push_r") || is(r, "pop_r") || is(r, "mov_RI") || is(r, "xchg_AR") || is(r, "bswap"))) {
    rex_b = !m32 && chance(40);
    opreg |= rex_b ? 8 : 0;
  }
  const bool force_rex = !m32 && (w == 1 || has_modrm) && chance(25);
  c.reg = has_modrm ? int(reg | (rex_r ? 8 : 0)) : int(opreg);
  // CALL r/m through RSP would push its return address over the code.
  if (k == Kind::CallRet && has_modrm && !mem && (rm | (rex_b ? 8 : 0)) == RSP) rm = RAX;
  const unsigned rm_full = rm | (rex_b ? 8 : 0);

  // ---- registers whose values the form dictates ----
  auto lock = [&](unsigned x) { R.locked[x] = true; };
  switch (k) {
    case Kind::Shift: case Kind::DShift: lock(RCX); break;
    case Kind::Div: lock(RAX); lock(RDX); break;
    case Kind::Cmpxchg: lock(RAX); break;
    case Kind::Cmpxchg8b: lock(RAX); lock(RDX); break;
    case Kind::BitTest: if (is(r, "bt_EG")) lock(unsigned(c.reg)); break;
    case Kind::String: lock(RSI); lock(RDI); lock(RCX); break;
    case Kind::Xlat: lock(RBX); lock(RAX); break;
    case Kind::Stack: case Kind::Popf: case Kind::CallRet: lock(RSP); break;
    case Kind::Enter: case Kind::Leave: lock(RSP); lock(RBP); break;
    case Kind::Jump: if (is(r, "loop")) lock(RCX); break;
    default: break;
  }
  if ((k == Kind::Jump || k == Kind::CallRet) && has_modrm && !mem) lock(rm_full);

  // ---- memory operand: a target in the data area ----
  uint64_t target = 0;
  unsigned mod = 3, sib = 0xFFFF;
  int32_t disp = 0;
  unsigned dispsize = 0;
  bool riprel = false;
  auto pick_off = [&](unsigned lo, unsigned hi) { return lo + below(hi - lo); };
  {
    unsigned off;
    if (k == Kind::BitTest && mem && is(r, "bt_EG")) off = pick_off(2048 + 64, 6144 - 64);
    else if (chance(30)) off = 4096 - below(16);  // straddle the page boundary
    else off = pick_off(64, unsigned(HostExec::kDataSize) - 80);
    if (k == Kind::Cmpxchg8b && w == 8 && chance(90)) off &= ~15u;  // CMPXCHG16B: #GP unless aligned
    target = g_.data_va + off;
  }
  if (mem) {
    std::vector<unsigned> free_regs;
    for (unsigned x = 0; x < (m32 ? 8u : 16u); ++x)
      if (!R.locked[x]) free_regs.push_back(x);
    const uint64_t ea = target - segbase;
    const uint64_t am = a32 ? 0xFFFFFFFFull : ~0ull;
    std::vector<unsigned> index_regs;  // RSP cannot be an index
    for (unsigned x : free_regs)
      if (x != RSP) index_regs.push_back(x);
    unsigned mode = below(7);
    if (segbase && (mode == 4 || mode == 5 || mode == 6)) mode = below(4);
    if (mode == 4 && index_regs.empty()) mode = 5;
    if (free_regs.empty() && mode <= 3) mode = 5;
    auto put_reg = [&](unsigned x, uint64_t lo) {
      R.v[x] = a32 ? ((next() << 32) | (lo & 0xFFFFFFFF)) : lo;
      R.locked[x] = true;
    };
    const unsigned scale = below(4);
    if (mode == 5) {  // [disp32]: SIB with no base and no index
      mod = 0;
      rm = 4;
      sib = (scale << 6) | (4 << 3) | 5;
      dispsize = 4;
      disp = int32_t(uint32_t(target));
    } else if (mode == 6) {  // [rip + disp32], patched once the length is known; [disp32] in 32-bit code
      mod = 0;
      rm = 5;
      dispsize = 4;
      riprel = !m32;
      disp = int32_t(uint32_t(target));
    } else if (mode == 4) {  // [index*s + disp32]
      const unsigned idx = index_regs[below(unsigned(index_regs.size()))];
      const uint64_t iv = below(256);
      put_reg(idx, iv);
      mod = 0;
      rm = 4;
      rex_x = idx >= 8;
      sib = (scale << 6) | ((idx & 7) << 3) | 5;
      dispsize = 4;
      disp = int32_t(uint32_t(ea - (iv << scale)));
    } else {
      const unsigned base = free_regs[below(unsigned(free_regs.size()))];
      rex_b = base >= 8;
      int index = -1;
      if (mode == 3) {
        std::vector<unsigned> cand;
        for (unsigned x : index_regs)
          if (x != base) cand.push_back(x);
        if (!cand.empty()) index = int(cand[below(unsigned(cand.size()))]);
      }
      mod = mode == 1 ? 1 : mode == 2 ? 2 : (mode == 3 ? below(3) : 0);
      if (mod == 0 && (base & 7) == 5) mod = 1;  // [rbp]/[r13] need a displacement
      dispsize = mod == 1 ? 1 : mod == 2 ? 4 : 0;
      disp = dispsize == 1 ? int8_t(next()) : dispsize == 4 ? int32_t(next()) : 0;
      uint64_t iv = 0;
      if (index >= 0) {
        iv = interesting();
        put_reg(unsigned(index), iv);
        rex_x = index >= 8;
        iv &= am;
      }
      if (index >= 0 || (base & 7) == 4) {
        rm = 4;
        sib = (scale << 6) | ((index >= 0 ? unsigned(index) & 7 : 4) << 3) | (base & 7);
      } else {
        rm = base & 7;
      }
      put_reg(base, (ea - uint64_t(int64_t(disp)) - (index >= 0 ? iv << scale : 0)) & am);
    }
  }
  R.rex = rexw || rex_r || rex_x || rex_b || force_rex;

  // ---- immediates and the values each kind needs ----
  std::vector<uint8_t> imm;
  auto put_imm = [&](uint64_t v, unsigned n) { for (unsigned b = 0; b < n; ++b) imm.push_back(uint8_t(v >> (8 * b))); };
  const unsigned bits = 8 * w;
  auto count = [&]() -> unsigned {
    static constexpr unsigned kCounts[] = {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65};
    return chance(60) ? kCounts[below(15)] : below(256);
  };
  auto rm_get = [&](unsigned width) -> uint64_t {
    if (!mem) return R.get(rm_full, width);
    uint64_t v = 0;
    std::memcpy(&v, data + (target - g_.data_va), width);
    return v;
  };
  auto rm_set = [&](unsigned width, uint64_t v) {
    if (!mem) return R.set(rm_full, width, v);
    std::memcpy(data + (target - g_.data_va), &v, width);
  };
  auto stack_ptr = [&](unsigned lo, unsigned hi) {
    uint64_t sp = g_.data_va + pick_off(lo, hi);
    if (chance(85)) sp &= ~7ull;
    return sp;
  };
  uint64_t branch_slot = 0;  // 1 = a register holds the target, 2 = memory at target, 3 = memory at RSP
  switch (k) {
    case Kind::Shift: {
      const unsigned n = is(r, "shift_E1") ? 1 : count();
      if (is(r, "shift_ECL")) R.set(RCX, 1, n);
      c.count = n & (w == 8 ? 63 : 31);
      break;
    }
    case Kind::DShift: {
      unsigned n = count();
      if (w == 2 && (n & 31) > 16) n = below(17) | (below(8) << 5);  // >16 on 16-bit: undefined result
      if (is(r, "shld_CL") || is(r, "shrd_CL")) R.set(RCX, 1, n);
      c.count = n & (w == 8 ? 63 : 31);
      break;
    }
    case Kind::String: {
      R.v[RCX] = rep ? (chance(10) ? 0 : below(24)) | (a32 ? next() << 32 : 0) : interesting();
      const uint64_t si = g_.data_va + pick_off(256, unsigned(HostExec::kDataSize) - 264) - segbase;
      const uint64_t di = g_.data_va + pick_off(256, unsigned(HostExec::kDataSize) - 264);
      R.v[RSI] = a32 ? (next() << 32) | uint32_t(si) : si;
      R.v[RDI] = a32 ? (next() << 32) | uint32_t(di) : di;
      if ((is(r, "cmps") || is(r, "scas")) && chance(60)) {  // long equal runs for REPE
        const uint64_t n = (rep ? (R.v[RCX] & 0xFF) : 1) * w + 16;  // at most 23 iterations
        const int64_t step = (flags & kDF) ? -int64_t(n) + int64_t(w) : 0;
        uint8_t* d = data + (di - g_.data_va) + step;
        if (is(r, "cmps")) std::memmove(d, data + (si + segbase - g_.data_va) + step, n);
        else for (uint64_t b = 0; b < n; ++b) d[b] = uint8_t(R.v[RAX] >> (8 * (b % w)));
        if (chance(50)) d[below(unsigned(n))] ^= uint8_t(1 + below(255));
      }
      break;
    }
    case Kind::Xlat: {
      const uint64_t al = R.v[RAX] & 0xFF;
      const uint64_t bx = target - segbase - al;
      R.v[RBX] = a32 ? (next() << 32) | uint32_t(bx) : bx;
      break;
    }
    case Kind::Stack: case Kind::Popf: case Kind::CallRet:
      R.v[RSP] = stack_ptr(512, unsigned(HostExec::kDataSize) - 512);
      if (k == Kind::Popf) {
        // Never TF or AC (a trap or alignment checks on the host); the rest is fair game.
        const uint64_t v = (next() & ~0x40100ull & 0xFFFFFFFF) | 2;
        std::memcpy(data + (R.v[RSP] - g_.data_va), &v, 8);
      }
      if (is(r, "push_seg") && w > 2) {
        // SDM PUSH: with a segment register, recent processors write only 16 bits.
        c.ignore_lo = unsigned(R.v[RSP] - g_.data_va) - w + 2;
        c.ignore_len = w - 2;
      }
      if (is(r, "ret_near")) branch_slot = 3;
      if (is(r, "call_E")) branch_slot = mem ? 2 : 1;
      break;
    case Kind::Enter:
      R.v[RSP] = stack_ptr(1024, unsigned(HostExec::kDataSize) - 64);
      R.v[RBP] = stack_ptr(512, unsigned(HostExec::kDataSize) - 64);
      break;
    case Kind::Leave:
      R.v[RBP] = stack_ptr(64, unsigned(HostExec::kDataSize) - 64);
      break;
    case Kind::Jump:
      if (is(r, "loop")) {
        const unsigned p = below(10);
        R.v[RCX] = p < 3 ? 0 : p < 5 ? 1 : p < 6 ? 0x100000000ull : p < 7 ? 2 : interesting();
        if (asz32) R.v[RCX] ^= next() << 32;
      }
      if (is(r, "jmp_E")) branch_slot = mem ? 2 : 1;
      break;
    case Kind::Div: {
      const uint64_t m = wmask(w);
      uint64_t v = chance(5) ? 0 : (interesting() & m);
      if (v == 0 && chance(80)) v = 1 + below(1000);
      rm_set(w, v);
      v = rm_get(w);  // the divisor may alias the dividend's registers
      uint64_t lo = interesting() & m, hi = interesting() & m;
      if (is(r, "div_E")) {
        if (v && chance(90)) hi %= v;
      } else {
        if (chance(80)) hi = (lo >> (bits - 1)) ? m : 0;  // sign-extended dividend
      }
      if (w == 1) R.set(RAX, 2, lo | (hi << 8));
      else { R.set(RAX, w, lo); R.set(RDX, w, hi); }
      break;
    }
    case Kind::Cmpxchg:
      if (chance(50)) R.set(RAX, w, rm_get(w));
      break;
    case Kind::Cmpxchg8b:
      if (chance(50) && mem) {
        const unsigned half = w == 8 ? 8 : 4;
        uint64_t lo = 0, hi = 0;
        std::memcpy(&lo, data + (target - g_.data_va), half);
        std::memcpy(&hi, data + (target - g_.data_va) + half, half);
        R.set(RAX, half, lo);
        R.set(RDX, half, hi);
      }
      break;
    case Kind::BitTest:
      if (is(r, "bt_EG") && mem) {
        const int64_t lim = 8 * 2000;  // +-2000 bytes around a target in the middle of the data
        R.v[c.reg] = (next() & ~wmask(w)) | (uint64_t(int64_t(below(unsigned(2 * lim))) - lim) & wmask(w));
      }
      break;
    default:
      if (is(r, "bsf") || is(r, "bsr") || is(r, "popcnt") || is(r, "lzcnt")) {
        const unsigned p = below(10);
        if (p < 2) rm_set(w, 0);
        else if (p < 4) rm_set(w, 1ull << below(bits));
      }
      break;
  }
  if (is(r, "bsf") || is(r, "bsr")) c.src = rm_get(w);
  switch (r.imm) {
    case I_NONE: break;
    case I_B:
      if (k == Kind::Shift || k == Kind::DShift) put_imm(c.count | (below(8) << 5), 1);
      else put_imm(interesting(), 1);
      break;
    case I_BS: put_imm(k == Kind::Jump ? (chance(70) ? HostExec::kTakenOffset : 0) : interesting(), 1); break;
    case I_W: put_imm(is(r, "ret_near") ? (chance(90) ? 8 * below(4) : next()) : interesting(), 2); break;
    case I_Z:
      put_imm((k == Kind::Jump || k == Kind::CallRet) ? (chance(70) ? HostExec::kTakenOffset : 0) : interesting(),
              w == 2 ? 2 : 4);
      break;
    case I_V: put_imm(interesting(), w); break;
    case I_MOFFS: put_imm(target - segbase, a32 ? 4 : 8); break;
    case I_ENTER: {
      const unsigned p = below(10);
      put_imm(p < 6 ? 8 * below(8) : p < 9 ? below(512) : next(), 2);
      put_imm(chance(70) ? below(4) : below(256), 1);
      break;
    }
    default: break;
  }
  if (is(r, "shift_EI") || is(r, "shld_I") || is(r, "shrd_I")) c.count = imm[0] & (w == 8 ? 63 : 31);
  c.op = r.sub == REG ? reg : r.sub;

  // ---- assemble ----
  std::vector<uint8_t> pfx;
  if (c.lock) pfx.push_back(0xF0);
  if (opsz) pfx.push_back(0x66);
  if (asz32) pfx.push_back(0x67);
  if (seg) pfx.push_back(seg);
  if (rep) pfx.push_back(rep);
  for (size_t a = pfx.size(); a > 1; --a) std::swap(pfx[a - 1], pfx[below(unsigned(a))]);
  if (r.pfx == PF3) pfx.push_back(0xF3);
  if (is(r, "xchg_AR") && opreg == 0 && chance(20)) pfx.push_back(0xF3);  // PAUSE (F3 90)
  if (r.pfx == P66 && !opsz) pfx.push_back(0x66);
  std::vector<uint8_t>& b = c.bytes;
  b = pfx;
  if (R.rex) b.push_back(uint8_t(0x40 | (rexw ? 8 : 0) | (rex_r ? 4 : 0) | (rex_x ? 2 : 0) | (rex_b ? 1 : 0)));
  if (r.map >= 2) b.push_back(0x0F);
  if (r.map == 3) b.push_back(0x38);
  if (r.map == 4) b.push_back(0x3A);
  b.push_back(r.opcode);
  size_t disp_at = 0;
  if (has_modrm) {
    b.push_back(modrm_fixed ? modrm_byte : uint8_t((mod << 6) | ((reg & 7) << 3) | (rm & 7)));
    if (sib != 0xFFFF) b.push_back(uint8_t(sib));
    disp_at = b.size();
    for (unsigned x = 0; x < dispsize; ++x) b.push_back(uint8_t(uint32_t(disp) >> (8 * x)));
  }
  b.insert(b.end(), imm.begin(), imm.end());
  const uint64_t end = g_.insn_va + b.size();
  if (riprel) {
    const uint32_t d = uint32_t(target - end);
    for (unsigned x = 0; x < 4; ++x) b[disp_at + x] = uint8_t(d >> (8 * x));
  }
  if (branch_slot) {
    const unsigned p = below(100);
    // 5%: a non-canonical target, #GP on both (a canonical one might be host code;
    // 32-bit code has no such target, so none there).
    const uint64_t t = p < 60 ? end + HostExec::kTakenOffset : (p < 95 || m32) ? end : 0x0000800000000000ull | (next() >> 20);
    if (branch_slot == 1) R.v[rm_full] = t;
    else std::memcpy(data + ((branch_slot == 2 ? target : R.v[RSP]) - g_.data_va), &t, 8);
  }
  std::memcpy(c.in.gpr, R.v, sizeof R.v);
  c.in.rflags = flags;
}

}  // namespace slot::cputest
