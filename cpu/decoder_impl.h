// Template body of decode() (included by decoder.h).
#pragma once
#include "cpu/table.h"

namespace slot::cpu {

template <unsigned W> void ud(Cpu&, const Insn&);

template <class Fetch>
DecodeStatus decode(CodeSize cs, Fetch&& fetch, Insn& out) {
  const bool m64 = cs == CodeSize::Bits64;
  unsigned i = 0;
  bool opsz = false, adsz = false, lock = false;
  uint8_t rep = 0, seg = SEG_NONE, rex = 0;
  uint8_t b;
  auto next = [&]() -> int { return i < 15 ? int(fetch(i++)) : -1; };
  for (;;) {
    int v = next();
    if (v < 0) return DecodeStatus::TooLong;
    b = uint8_t(v);
    switch (b) {
      case 0x66: opsz = true; rex = 0; continue;
      case 0x67: adsz = true; rex = 0; continue;
      case 0xF0: lock = true; rex = 0; continue;
      case 0xF2: case 0xF3: rep = b; rex = 0; continue;
      case 0x26: seg = ES; rex = 0; continue;
      case 0x2E: seg = CS; rex = 0; continue;
      case 0x36: seg = SS; rex = 0; continue;
      case 0x3E: seg = DS; rex = 0; continue;
      case 0x64: seg = FS; rex = 0; continue;
      case 0x65: seg = GS; rex = 0; continue;
      default: break;
    }
    if (m64 && (b & 0xF0) == 0x40) { rex = b; continue; }
    break;
  }
  unsigned map = 1;
  if (b == 0x0F) {
    int v = next();
    if (v < 0) return DecodeStatus::TooLong;
    b = uint8_t(v);
    map = 2;
    if (b == 0x38 || b == 0x3A) {
      map = b == 0x38 ? 3 : 4;
      if ((v = next()) < 0) return DecodeStatus::TooLong;
      b = uint8_t(v);
    }
  }
  const bool rexw = rex & 8, rexr = rex & 4, rexx = rex & 2, rexb = rex & 1;
  Insn& d = out;
  d = Insn{};
  d.base = d.index = NO_REG;
  d.flags = uint8_t((rex ? IF_REX : 0) | (lock ? IF_LOCK : 0) | (rep == 0xF3 ? IF_REP : 0) |
                    (rep == 0xF2 ? IF_REPNE : 0) | (seg != SEG_NONE ? IF_SEGOVR : 0));
  d.asz = m64 ? (adsz ? 4 : 8) : ((cs == CodeSize::Bits32) != adsz ? 4 : 2);
  d.reg = uint8_t((b & 7) | (rexb ? 8 : 0));

  detail::Candidates c = detail::candidates(map, b);
  // In 64-bit mode C4, C5 and 62 are always the VEX and EVEX prefixes (LES,
  // LDS and BOUND are invalid there; SDM Vol. 2A §2.3.5, §2.7.1): no AVX,
  // so #UD, decided before any ModRM is read -- read as LDS's ModRM, SIB and
  // displacement, the bytes could run past 15 and give #GP instead.
  if (m64 && map == 1 && (b == 0xC4 || b == 0xC5 || b == 0x62)) c.count = 0, c.modrm = false;
  if (c.modrm) {
    int v = next();
    if (v < 0) return DecodeStatus::TooLong;
    uint8_t modrm = uint8_t(v);
    d.modrm = modrm;
    unsigned mod = modrm >> 6, rm = modrm & 7;
    d.reg = uint8_t(((modrm >> 3) & 7) | (rexr ? 8 : 0));
    d.rm = uint8_t(rm | (rexb ? 8 : 0));
    // MOV to/from CRn/DRn (0F 20-23): "the 2 bits in the mod field are
    // ignored" and r/m always names a register (SDM Vol. 2B, MOV—Move
    // to/from Control Registers and Debug Registers): no SIB, no displacement.
    const bool mod_ignored = map == 2 && (b & 0xFC) == 0x20;
    if (mod != 3 && !mod_ignored) {
      d.flags |= IF_MEM;
      unsigned dispsize = 0;
      uint8_t defseg = DS;
      if (d.asz == 2) {
        static constexpr uint8_t kBase[8] = {RBX, RBX, RBP, RBP, RSI, RDI, RBP, RBX};
        static constexpr uint8_t kIndex[8] = {RSI, RDI, RSI, RDI, NO_REG, NO_REG, NO_REG, NO_REG};
        d.base = kBase[rm];
        d.index = kIndex[rm];
        if (mod == 0 && rm == 6) d.base = NO_REG, dispsize = 2;
        else dispsize = mod == 1 ? 1 : mod == 2 ? 2 : 0;
        if (d.base == RBP) defseg = SS;
      } else {
        if (rm == 4) {
          int s = next();
          if (s < 0) return DecodeStatus::TooLong;
          uint8_t sib = uint8_t(s);
          d.scale = sib >> 6;
          unsigned idx = ((sib >> 3) & 7) | (rexx ? 8 : 0);
          d.index = idx == 4 ? NO_REG : uint8_t(idx);
          unsigned base = sib & 7;
          if (base == 5 && mod == 0) d.base = NO_REG, dispsize = 4;
          else d.base = uint8_t(base | (rexb ? 8 : 0));
        } else if (rm == 5 && mod == 0) {
          d.base = m64 ? RIP_REG : NO_REG;
          dispsize = 4;
        } else {
          d.base = d.rm;
        }
        if (mod == 1) dispsize = 1;
        else if (mod == 2) dispsize = 4;
        if (d.base == RSP || d.base == RBP) defseg = SS;
      }
      int32_t disp = 0;
      for (unsigned k = 0; k < dispsize; ++k) {
        int v2 = next();
        if (v2 < 0) return DecodeStatus::TooLong;
        disp |= int32_t(uint32_t(v2) << (8 * k));
      }
      if (dispsize == 1) disp = int8_t(disp);
      if (dispsize == 2) disp = int16_t(disp);
      d.disp = disp;
      d.seg = seg != SEG_NONE ? seg : defseg;
    }
  }
  if (!(d.flags & IF_MEM)) d.seg = seg != SEG_NONE ? seg : uint8_t(DS);  // string instructions' source
  // Choose the row: exact ModRM > mandatory prefix > ModRM.reg > any.
  const Row* row = nullptr;
  int best = -1;
  for (unsigned k = 0; k < c.count; ++k) {
    const Row& r = kRows[c.rows[k]];
    if ((r.attrs & A_I64) && m64) continue;
    if ((r.attrs & A_O64) && !m64) continue;
    int score = 0;
    if (r.ext >= 0x100) {
      if ((d.modrm >> 6) != 3 || d.modrm != (r.ext & 0xFF)) continue;
      score = 8;
    } else if (r.ext >= 0) {
      if (((d.modrm >> 3) & 7) != r.ext) continue;
      score = 2;
    }
    if (r.pfx == PF3) {
      if (rep != 0xF3) continue;
      score += 4;
    } else if (r.pfx == P66) {
      if (!opsz) continue;
      score += 4;
    }
    if (score > best) best = score, row = &r;
  }
  // Outside 64-bit mode C4/C5 with ModRM.mod = 11 are the VEX prefix, not
  // LES/LDS (SDM Vol. 2A §2.3.5): no AVX, so #UD (decoder coverage, docs/cpu.md).
  if (map == 1 && (b == 0xC4 || b == 0xC5) && (d.modrm >> 6) == 3) row = nullptr;
  if (!row) {
    d.fn = &ud<1>;
    d.row = kNoRow;
    d.osz = 4;
    d.len = uint8_t(i);
    return DecodeStatus::Ok;
  }
  switch (row->size) {
    case S_B: d.osz = 1; break;
    case S_W: d.osz = 2; break;
    case S_V: d.osz = m64 ? (rexw ? 8 : opsz ? 2 : 4) : ((cs == CodeSize::Bits32) != opsz ? 4 : 2); break;
    // REX.W wins over 66 (SDM Vol. 2A §2.2.1.2): 66 48 68 is PUSH imm32, not imm16.
    case S_D64: d.osz = m64 ? (opsz && !rexw ? 2 : 8) : ((cs == CodeSize::Bits32) != opsz ? 4 : 2); break;
    case S_F64: d.osz = m64 ? 8 : ((cs == CodeSize::Bits32) != opsz ? 4 : 2); break;
  }
  auto imm = [&](unsigned n, bool sx) -> bool {
    uint64_t v = 0;
    for (unsigned k = 0; k < n; ++k) {
      int x = next();
      if (x < 0) return false;
      v |= uint64_t(x) << (8 * k);
    }
    if (sx && n < 8) {
      unsigned sh = 64 - 8 * n;
      v = uint64_t(int64_t(v << sh) >> sh);
    }
    d.imm = v;
    return true;
  };
  bool ok = true;
  switch (row->imm) {
    case I_NONE: break;
    case I_B: ok = imm(1, false); break;
    case I_BS: ok = imm(1, true); break;
    case I_W: ok = imm(2, false); break;
    case I_Z: ok = imm(d.osz == 2 ? 2 : 4, true); break;
    case I_V: ok = imm(d.osz, false); break;
    case I_MOFFS: ok = imm(d.asz, false); break;
    case I_ENTER: {
      ok = imm(2, false);
      int lv = ok ? next() : -1;
      ok = lv >= 0;
      d.imm2 = uint16_t(lv & 0xFF);
      break;
    }
    case I_FAR: {
      ok = imm(d.osz == 2 ? 2 : 4, false);
      uint64_t off = d.imm;
      ok = ok && imm(2, false);
      d.imm2 = uint16_t(d.imm);
      d.imm = off;
      break;
    }
  }
  if (!ok) return DecodeStatus::TooLong;
  if (row->imm == I_MOFFS) {
    d.flags |= IF_MEM;
    d.seg = seg != SEG_NONE ? seg : uint8_t(DS);
  }
  d.len = uint8_t(i);
  d.row = uint16_t(row - kRows);
  d.op = row->sub == REG ? uint8_t((d.modrm >> 3) & 7) : row->sub;
  unsigned wi = d.osz == 1 ? 0 : d.osz == 2 ? 1 : d.osz == 4 ? 2 : 3;
  d.fn = row->fn[wi];
  // LOCK is legal only on lockable forms with a memory destination (SDM Vol. 2A §2.1.1).
  if (lock && (!(row->attrs & A_LOCK) || !(d.flags & IF_MEM))) d.fn = &ud<1>;
  else specialise(d);
  return DecodeStatus::Ok;
}

}  // namespace slot::cpu
