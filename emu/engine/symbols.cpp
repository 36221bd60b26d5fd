#include "emu/engine/symbols.h"

#include <cxxabi.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace slot::engine {

using emu::elf::Symbol;

std::vector<Symbol> parse_symtab64(std::span<const uint8_t> symtab, std::span<const uint8_t> strtab) {
  // Elf64_Sym: st_name u32, st_info u8, st_other u8, st_shndx u16, st_value u64, st_size u64.
  std::vector<Symbol> out;
  for (size_t off = 0; off + 24 <= symtab.size(); off += 24) {
    uint32_t name;
    uint16_t shndx;
    uint64_t value, size;
    std::memcpy(&name, &symtab[off], 4);
    const uint8_t info = symtab[off + 4];
    std::memcpy(&shndx, &symtab[off + 6], 2);
    std::memcpy(&value, &symtab[off + 8], 8);
    std::memcpy(&size, &symtab[off + 16], 8);
    if ((info & 0xF) != 2 || shndx == 0 || name >= strtab.size()) continue;  // STT_FUNC, defined
    const auto* s = reinterpret_cast<const char*>(strtab.data()) + name;
    const size_t n = strnlen(s, strtab.size() - name);
    if (n == 0 || n == strtab.size() - name) continue;  // empty or unterminated
    out.push_back(Symbol{value, size, std::string(s, n)});
  }
  std::sort(out.begin(), out.end(), [](const Symbol& a, const Symbol& b) { return a.addr < b.addr; });
  return out;
}

void Symbols::load_kernel(std::span<const uint8_t> image) {
  kernel_.clear();
  try {
    if (!emu::elf::is_elf(image)) return;
    const bool is32 = image.size() > 4 && image[4] == 1;
    kernel_ = emu::elf::function_symbols(image);
    if (is32)
      for (Symbol& s : kernel_) s.addr = uint64_t(int64_t(int32_t(uint32_t(s.addr))));
    std::sort(kernel_.begin(), kernel_.end(), [](const Symbol& a, const Symbol& b) { return a.addr < b.addr; });
  } catch (const std::exception&) {
    kernel_.clear();  // symbols are a convenience: a bad table must not stop the boot
  }
}

void Symbols::set_module(uint32_t id, const std::string& name, std::vector<Symbol> syms) {
  modules_[id] = Mod{name, std::move(syms)};
}

std::string short_name(const std::string& mangled) {
  if (mangled.rfind("_Z", 0) != 0) return mangled;
  int status = 0;
  char* d = abi::__cxa_demangle(mangled.c_str(), nullptr, nullptr, &status);
  if (status != 0 || !d) return mangled;
  std::string out(d);
  std::free(d);
  // "ns::f(int, char)" -> "ns::f": what people type in a breakpoint.
  if (const size_t paren = out.find('('); paren != std::string::npos && paren > 0) out.resize(paren);
  return out;
}

namespace {
std::string fmt_sym(const std::string& prefix, const Symbol& s, uint64_t va) {
  char buf[32] = "";
  if (va != s.addr) std::snprintf(buf, sizeof buf, "+%#llx", (unsigned long long)(va - s.addr));
  return prefix + short_name(s.name) + buf;
}
bool matches(const Symbol& s, const std::string& spec) { return s.name == spec || short_name(s.name) == spec; }
}  // namespace

std::string Symbols::describe(uint64_t va, uint32_t module) const {
  auto it = modules_.find(module);
  if (it != modules_.end())
    if (const Symbol* s = emu::elf::symbol_at(it->second.syms, va)) return fmt_sym(it->second.name + ":", *s, va);
  if (const Symbol* s = emu::elf::symbol_at(kernel_, va)) return fmt_sym("", *s, va);
  return "";
}

std::optional<uint64_t> Symbols::find(const std::string& spec, uint32_t& module) const {
  const size_t colon = spec.find(':');
  if (colon != std::string::npos) {
    const std::string mod = spec.substr(0, colon), name = spec.substr(colon + 1);
    for (const auto& [id, m] : modules_) {
      if (m.name != mod) continue;
      for (const Symbol& s : m.syms)
        if (matches(s, name)) { module = id; return s.addr; }
    }
    return std::nullopt;
  }
  for (const Symbol& s : kernel_)
    if (matches(s, spec)) { module = 0xFFFFFFFFu; return s.addr; }
  for (const auto& [id, m] : modules_)
    for (const Symbol& s : m.syms)
      if (matches(s, spec)) { module = id; return s.addr; }
  return std::nullopt;
}

}  // namespace slot::engine
