// Segment descriptors and gate descriptors as the SDM lays them out (Vol. 3A
// §3.4.5 Figure 3-8, §3.5 Table 3-2, §6.11 Figure 6-2 and §6.14.1 Figure
// 6-8): one decode, used by every path that reads a descriptor table (segment
// loads, interrupt delivery, IRET, LTR/LLDT), and named attribute constants
// instead of 0x93 and 0x9B.
#pragma once
#include <cstdint>

namespace slot::cpu {

// Segment::attr: descriptor bits 40-47 (type, S, DPL, P) as attr[7:0] and
// bits 52-55 (AVL, L, D/B, G) as attr[11:8].
namespace attr {
inline constexpr uint16_t kAccessed = 0x001;     // type bit 0
inline constexpr uint16_t kWritable = 0x002;     // data: writable; code: readable (type bit 1)
inline constexpr uint16_t kConforming = 0x004;   // code: conforming; data: expand-down (type bit 2)
inline constexpr uint16_t kCode = 0x008;         // type bit 3: code segment
inline constexpr uint16_t kS = 0x010;            // code or data (not a system descriptor)
inline constexpr uint16_t kPresent = 0x080;
inline constexpr uint16_t kLong = 0x200;         // L: 64-bit code segment
inline constexpr uint16_t kDefaultBig = 0x400;   // D/B
inline constexpr uint16_t kGranular = 0x800;     // G: limit in 4 KiB units
constexpr uint16_t dpl(unsigned d) { return uint16_t((d & 3) << 5); }
constexpr unsigned dpl_of(uint16_t a) { return (a >> 5) & 3; }
// A present, accessed, writable data segment (what reset and the flat SS
// loads of SYSCALL/interrupt delivery give) and a present, accessed, readable
// code segment.
inline constexpr uint16_t kFlatData = kPresent | kS | kWritable | kAccessed;          // 0x93
inline constexpr uint16_t kFlatCode = kPresent | kS | kCode | kWritable | kAccessed;  // 0x9B
}  // namespace attr

// System descriptor and gate types (S = 0; SDM Vol. 3A Table 3-2).
namespace systype {
inline constexpr unsigned kLdt = 0x2;
inline constexpr unsigned kTss16Avail = 0x1, kTssAvail = 0x9, kTssBusy = 0xB;
inline constexpr unsigned kIntGate = 0xE, kTrapGate = 0xF;
}  // namespace systype

// An 8-byte code, data or system segment descriptor.
struct SegDesc {
  uint64_t raw = 0;
  uint32_t base() const { return uint32_t(((raw >> 16) & 0xFFFFFF) | ((raw >> 32) & 0xFF000000)); }
  // The limit in bytes (scaled by G).
  uint32_t limit() const {
    const uint32_t l = uint32_t((raw & 0xFFFF) | ((raw >> 32) & 0xF0000));
    return (raw & (1ull << 55)) ? (l << 12) | 0xFFF : l;
  }
  uint16_t attr() const { return uint16_t(((raw >> 40) & 0xFF) | ((raw >> 44) & 0xF00)); }
  unsigned type5() const { return unsigned(raw >> 40) & 0x1F; }   // type with S (system types: S = 0)
  unsigned dpl() const { return unsigned(raw >> 45) & 3; }
  bool present() const { return raw & (1ull << 47); }
};

// An interrupt or trap gate: 16 bytes in IA-32e mode (lo, hi), 8 in legacy mode (hi unused).
struct Gate {
  uint64_t lo = 0, hi = 0;
  unsigned type() const { return unsigned(lo >> 40) & 0xF; }
  unsigned type5() const { return unsigned(lo >> 40) & 0x1F; }
  unsigned dpl() const { return unsigned(lo >> 45) & 3; }
  bool present() const { return lo & (1ull << 47); }
  uint16_t selector() const { return uint16_t(lo >> 16); }
  unsigned ist() const { return unsigned(lo >> 32) & 7; }
  uint64_t offset64() const { return (lo & 0xFFFF) | ((lo >> 32) & 0xFFFF0000) | (hi << 32); }
  uint32_t offset32() const { return uint32_t((lo & 0xFFFF) | ((lo >> 32) & 0xFFFF0000)); }
};

}  // namespace slot::cpu
