#include "emu/loader/elf.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace slot::emu::elf {

namespace {

constexpr uint32_t PT_LOAD = 1;
constexpr uint32_t SHT_SYMTAB = 2, SHT_DYNSYM = 11;
constexpr uint8_t STT_FUNC = 2;
constexpr uint16_t SHN_UNDEF = 0;

[[noreturn]] void fail(const std::string& why) { throw std::runtime_error("ELF: " + why); }

// Checked little-endian reads from the file.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> d) : d_(d) {}
  uint64_t size() const { return d_.size(); }
  bool fits(uint64_t off, uint64_t len) const { return off <= d_.size() && len <= d_.size() - off; }
  template <class T>
  T get(uint64_t off, const char* what) const {
    if (!fits(off, sizeof(T))) fail(fmt::format("truncated ({} at offset {:#x} lies outside the file)", what, off));
    T v;
    std::memcpy(&v, d_.data() + off, sizeof(T));
    return v;
  }
  uint8_t u8(uint64_t off, const char* what) const { return get<uint8_t>(off, what); }
  uint16_t u16(uint64_t off, const char* what) const { return get<uint16_t>(off, what); }
  uint32_t u32(uint64_t off, const char* what) const { return get<uint32_t>(off, what); }
  uint64_t u64(uint64_t off, const char* what) const { return get<uint64_t>(off, what); }
  // A 32- or 64-bit field depending on the ELF class.
  uint64_t word(bool is64, uint64_t off, const char* what) const { return is64 ? u64(off, what) : u32(off, what); }
  const uint8_t* data() const { return d_.data(); }

 private:
  std::span<const uint8_t> d_;
};

struct Header {
  bool is64;
  uint16_t type, machine;
  uint64_t entry, phoff, shoff;
  uint16_t phentsize, phnum, shentsize, shnum;
};

Header read_header(const Reader& r) {
  if (!is_elf({r.data(), size_t(r.size())})) fail("not an ELF file (bad magic)");
  uint8_t cls = r.u8(4, "e_ident"), data = r.u8(5, "e_ident");
  if (cls != 1 && cls != 2) fail(fmt::format("unknown ELF class {}", cls));
  if (data != 1) fail("not little-endian");
  Header h{};
  h.is64 = cls == 2;
  const uint64_t need = h.is64 ? 64 : 52;
  if (!r.fits(0, need)) fail(fmt::format("truncated (file has {} bytes, the ELF header needs {})", r.size(), need));
  h.type = r.u16(16, "e_type");
  h.machine = r.u16(18, "e_machine");
  h.entry = r.word(h.is64, 24, "e_entry");
  h.phoff = r.word(h.is64, h.is64 ? 32 : 28, "e_phoff");
  h.shoff = r.word(h.is64, h.is64 ? 40 : 32, "e_shoff");
  const uint64_t base = h.is64 ? 54 : 42;
  h.phentsize = r.u16(base, "e_phentsize");
  h.phnum = r.u16(base + 2, "e_phnum");
  h.shentsize = r.u16(base + 4, "e_shentsize");
  h.shnum = r.u16(base + 6, "e_shnum");
  return h;
}

}  // namespace

bool is_elf(std::span<const uint8_t> f) {
  return f.size() >= 4 && f[0] == 0x7F && f[1] == 'E' && f[2] == 'L' && f[3] == 'F';
}

Image parse(std::span<const uint8_t> file) {
  Reader r(file);
  Header h = read_header(r);
  Image img{h.is64, h.type, h.machine, h.entry, {}};
  if (h.phnum == 0) return img;
  const uint64_t min_ent = h.is64 ? 56 : 32;
  if (h.phnum == 0xFFFF) fail("extended program header count (PN_XNUM) is not supported");
  if (h.phentsize < min_ent) fail(fmt::format("program header entry size {} is smaller than {}", h.phentsize, min_ent));
  if (!r.fits(h.phoff, uint64_t(h.phnum) * h.phentsize))
    fail(fmt::format("truncated ({} program headers at offset {:#x} run past the end of the file)", h.phnum, h.phoff));
  for (unsigned i = 0; i < h.phnum; ++i) {
    uint64_t p = h.phoff + uint64_t(i) * h.phentsize;
    if (r.u32(p, "p_type") != PT_LOAD) continue;
    Segment s{};
    if (h.is64) {
      s.flags = r.u32(p + 4, "p_flags");
      s.offset = r.u64(p + 8, "p_offset");
      s.vaddr = r.u64(p + 16, "p_vaddr");
      s.paddr = r.u64(p + 24, "p_paddr");
      s.filesz = r.u64(p + 32, "p_filesz");
      s.memsz = r.u64(p + 40, "p_memsz");
    } else {
      s.offset = r.u32(p + 4, "p_offset");
      s.vaddr = r.u32(p + 8, "p_vaddr");
      s.paddr = r.u32(p + 12, "p_paddr");
      s.filesz = r.u32(p + 16, "p_filesz");
      s.memsz = r.u32(p + 20, "p_memsz");
      s.flags = r.u32(p + 24, "p_flags");
    }
    if (s.filesz > s.memsz)
      fail(fmt::format("segment {} has p_filesz {:#x} larger than p_memsz {:#x}", i, s.filesz, s.memsz));
    if (!r.fits(s.offset, s.filesz))
      fail(fmt::format("truncated (segment {} needs file bytes {:#x}+{:#x}, the file has {:#x})", i, s.offset,
                       s.filesz, r.size()));
    img.loads.push_back(s);
  }
  return img;
}

std::vector<Symbol> function_symbols(std::span<const uint8_t> file) {
  Reader r(file);
  Header h = read_header(r);
  std::vector<Symbol> out;
  if (h.shnum == 0 || h.shoff == 0) return out;
  const uint64_t min_ent = h.is64 ? 64 : 40;
  if (h.shentsize < min_ent) fail(fmt::format("section header entry size {} is smaller than {}", h.shentsize, min_ent));
  if (!r.fits(h.shoff, uint64_t(h.shnum) * h.shentsize))
    fail(fmt::format("truncated ({} section headers at offset {:#x} run past the end of the file)", h.shnum, h.shoff));

  struct Sec { uint32_t type, link; uint64_t offset, size, entsize; };
  auto section = [&](unsigned i) {
    uint64_t p = h.shoff + uint64_t(i) * h.shentsize;
    Sec s{};
    s.type = r.u32(p + 4, "sh_type");
    if (h.is64) {
      s.offset = r.u64(p + 24, "sh_offset");
      s.size = r.u64(p + 32, "sh_size");
      s.link = r.u32(p + 40, "sh_link");
      s.entsize = r.u64(p + 56, "sh_entsize");
    } else {
      s.offset = r.u32(p + 16, "sh_offset");
      s.size = r.u32(p + 20, "sh_size");
      s.link = r.u32(p + 24, "sh_link");
      s.entsize = r.u32(p + 36, "sh_entsize");
    }
    return s;
  };
  int symtab = -1;
  for (unsigned i = 0; i < h.shnum; ++i) {
    uint32_t t = section(i).type;
    if (t == SHT_SYMTAB) { symtab = int(i); break; }
    if (t == SHT_DYNSYM && symtab < 0) symtab = int(i);
  }
  if (symtab < 0) return out;
  Sec st = section(unsigned(symtab));
  if (st.link >= h.shnum) fail(fmt::format("symbol table links to string table {} of {}", st.link, h.shnum));
  Sec str = section(st.link);
  const uint64_t ent = h.is64 ? 24 : 16;
  if (st.entsize < ent) fail(fmt::format("symbol entry size {} is smaller than {}", st.entsize, ent));
  if (!r.fits(st.offset, st.size)) fail("truncated (symbol table runs past the end of the file)");
  if (!r.fits(str.offset, str.size)) fail("truncated (string table runs past the end of the file)");
  const char* strings = reinterpret_cast<const char*>(r.data() + str.offset);
  const uint64_t count = st.size / st.entsize;  // entsize >= ent, so each entry lies inside the table
  for (uint64_t i = 0; i < count; ++i) {
    const uint64_t p = st.offset + i * st.entsize;
    uint32_t name = r.u32(p, "st_name");
    uint8_t info;
    uint16_t shndx;
    uint64_t value, size;
    if (h.is64) {
      info = r.u8(p + 4, "st_info");
      shndx = r.u16(p + 6, "st_shndx");
      value = r.u64(p + 8, "st_value");
      size = r.u64(p + 16, "st_size");
    } else {
      value = r.u32(p + 4, "st_value");
      size = r.u32(p + 8, "st_size");
      info = r.u8(p + 12, "st_info");
      shndx = r.u16(p + 14, "st_shndx");
    }
    if ((info & 0xF) != STT_FUNC || shndx == SHN_UNDEF) continue;
    if (name >= str.size) fail(fmt::format("symbol name offset {:#x} lies outside the string table", name));
    const char* s = strings + name;
    const void* nul = std::memchr(s, 0, size_t(str.size - name));
    if (!nul) fail("symbol name is not NUL-terminated inside the string table");
    size_t len = size_t(static_cast<const char*>(nul) - s);
    out.push_back({value, size, std::string(s, len)});
  }
  std::stable_sort(out.begin(), out.end(), [](const Symbol& a, const Symbol& b) { return a.addr < b.addr; });
  return out;
}

const Symbol* symbol_at(const std::vector<Symbol>& syms, uint64_t addr) {
  // Candidates start at or below addr; look back a little for an enclosing one
  // (symbols may nest or share an address).
  auto it = std::upper_bound(syms.begin(), syms.end(), addr, [](uint64_t a, const Symbol& s) { return a < s.addr; });
  for (int n = 0; it != syms.begin() && n < 64; ++n) {
    --it;
    if (addr - it->addr < it->size || (it->size == 0 && it->addr == addr)) return &*it;
  }
  return nullptr;
}

}  // namespace slot::emu::elf
