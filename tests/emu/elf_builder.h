// Builds small ELF32/ELF64 executables byte by byte for the loader tests,
// following the System V ABI layouts directly (independent of emu/loader).
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace slot::test {

struct SegSpec {
  uint64_t paddr, vaddr;
  std::vector<uint8_t> data;  // file bytes
  uint64_t memsz;             // >= data.size(); the rest is bss
};

struct SymSpec {
  std::string name;
  uint64_t value, size;
  uint8_t type;         // 1 = STT_OBJECT, 2 = STT_FUNC
  uint16_t shndx = 1;   // 0 = undefined
};

class Bytes {
 public:
  std::vector<uint8_t> v;
  size_t size() const { return v.size(); }
  void pad_to(size_t n) { if (v.size() < n) v.resize(n, 0); }
  void align(size_t a) { pad_to((v.size() + a - 1) / a * a); }
  template <class T>
  void put(size_t off, T x) {
    pad_to(off + sizeof x);
    std::memcpy(v.data() + off, &x, sizeof x);
  }
  void append(const std::vector<uint8_t>& b) { v.insert(v.end(), b.begin(), b.end()); }
};

// A multiboot-1 header: magic, flags, checksum and (with bit 16) the five address fields.
inline std::vector<uint8_t> mb_header(uint32_t flags, uint32_t header_addr = 0, uint32_t load_addr = 0,
                                      uint32_t load_end = 0, uint32_t bss_end = 0, uint32_t entry = 0) {
  uint32_t f[8] = {0x1BADB002, flags, uint32_t(-(0x1BADB002u + flags)), header_addr, load_addr, load_end, bss_end,
                   entry};
  size_t n = (flags & (1u << 16)) ? 8 : 3;
  std::vector<uint8_t> out(n * 4);
  std::memcpy(out.data(), f, n * 4);
  return out;
}

inline std::vector<uint8_t> build_elf(bool is64, uint16_t machine, uint64_t entry, const std::vector<SegSpec>& segs,
                                      const std::vector<SymSpec>& syms = {}, uint16_t type = 2) {
  Bytes b;
  const size_t eh = is64 ? 64 : 52, ph = is64 ? 56 : 32, sh = is64 ? 64 : 40;
  b.pad_to(eh);
  b.v[0] = 0x7F; b.v[1] = 'E'; b.v[2] = 'L'; b.v[3] = 'F';
  b.v[4] = is64 ? 2 : 1;  // class
  b.v[5] = 1;             // little-endian
  b.v[6] = 1;             // version
  b.put<uint16_t>(16, type);
  b.put<uint16_t>(18, machine);
  b.put<uint32_t>(20, 1);
  const size_t phoff = eh;
  b.pad_to(phoff + ph * segs.size());
  std::vector<size_t> offs;
  for (const SegSpec& s : segs) {
    b.align(16);
    offs.push_back(b.size());
    b.append(s.data);
  }
  for (size_t i = 0; i < segs.size(); ++i) {
    size_t p = phoff + i * ph;
    const SegSpec& s = segs[i];
    if (is64) {
      b.put<uint32_t>(p, 1); b.put<uint32_t>(p + 4, 5); b.put<uint64_t>(p + 8, offs[i]);
      b.put<uint64_t>(p + 16, s.vaddr); b.put<uint64_t>(p + 24, s.paddr); b.put<uint64_t>(p + 32, s.data.size());
      b.put<uint64_t>(p + 40, s.memsz); b.put<uint64_t>(p + 48, 16);
    } else {
      b.put<uint32_t>(p, 1); b.put<uint32_t>(p + 4, uint32_t(offs[i])); b.put<uint32_t>(p + 8, uint32_t(s.vaddr));
      b.put<uint32_t>(p + 12, uint32_t(s.paddr)); b.put<uint32_t>(p + 16, uint32_t(s.data.size()));
      b.put<uint32_t>(p + 20, uint32_t(s.memsz)); b.put<uint32_t>(p + 24, 5); b.put<uint32_t>(p + 28, 16);
    }
  }
  size_t shoff = 0, shnum = 0;
  if (!syms.empty()) {
    // Sections: 0 null, 1 .symtab (link 2), 2 .strtab.
    std::vector<uint8_t> strtab(1, 0);
    Bytes st;
    const size_t ent = is64 ? 24 : 16;
    st.pad_to(ent);  // symbol 0 is the null symbol
    for (const SymSpec& s : syms) {
      uint32_t name = uint32_t(strtab.size());
      strtab.insert(strtab.end(), s.name.begin(), s.name.end());
      strtab.push_back(0);
      size_t p = st.size();
      st.pad_to(p + ent);
      uint8_t info = uint8_t(1 << 4 | s.type);  // STB_GLOBAL
      if (is64) {
        st.put<uint32_t>(p, name); st.put<uint8_t>(p + 4, info); st.put<uint16_t>(p + 6, s.shndx);
        st.put<uint64_t>(p + 8, s.value); st.put<uint64_t>(p + 16, s.size);
      } else {
        st.put<uint32_t>(p, name); st.put<uint32_t>(p + 4, uint32_t(s.value)); st.put<uint32_t>(p + 8, uint32_t(s.size));
        st.put<uint8_t>(p + 12, info); st.put<uint16_t>(p + 14, s.shndx);
      }
    }
    b.align(8);
    size_t sym_off = b.size();
    b.append(st.v);
    size_t str_off = b.size();
    b.append(strtab);
    b.align(8);
    shoff = b.size();
    shnum = 3;
    b.pad_to(shoff + 3 * sh);
    auto sec = [&](int i, uint32_t type, size_t off, size_t size, uint32_t link, size_t entsize) {
      size_t p = shoff + i * sh;
      b.put<uint32_t>(p + 4, type);
      if (is64) {
        b.put<uint64_t>(p + 24, off); b.put<uint64_t>(p + 32, size); b.put<uint32_t>(p + 40, link);
        b.put<uint64_t>(p + 56, entsize);
      } else {
        b.put<uint32_t>(p + 16, uint32_t(off)); b.put<uint32_t>(p + 20, uint32_t(size)); b.put<uint32_t>(p + 24, link);
        b.put<uint32_t>(p + 36, uint32_t(entsize));
      }
    };
    sec(1, 2, sym_off, st.size(), 2, ent);
    sec(2, 3, str_off, strtab.size(), 0, 0);
  }
  if (is64) {
    b.put<uint64_t>(24, entry); b.put<uint64_t>(32, phoff); b.put<uint64_t>(40, shoff);
    b.put<uint16_t>(52, uint16_t(eh)); b.put<uint16_t>(54, uint16_t(ph)); b.put<uint16_t>(56, uint16_t(segs.size()));
    b.put<uint16_t>(58, uint16_t(sh)); b.put<uint16_t>(60, uint16_t(shnum));
  } else {
    b.put<uint32_t>(24, uint32_t(entry)); b.put<uint32_t>(28, uint32_t(phoff)); b.put<uint32_t>(32, uint32_t(shoff));
    b.put<uint16_t>(40, uint16_t(eh)); b.put<uint16_t>(42, uint16_t(ph)); b.put<uint16_t>(44, uint16_t(segs.size()));
    b.put<uint16_t>(46, uint16_t(sh)); b.put<uint16_t>(48, uint16_t(shnum));
  }
  return b.v;
}

}  // namespace slot::test
