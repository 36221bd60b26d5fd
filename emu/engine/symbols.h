// Symbols for the debugger: the kernel's ELF function symbols (from the image
// file) and each module's, read from guest physical memory where the
// ANN_MODULE record says its .symtab/.strtab lie. Module symbols are virtual
// addresses in the module area, so they mean something only while that module
// is in the module slot: lookups take the module currently mapped.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "emu/loader/elf.h"

namespace slot::engine {

class Symbols {
 public:
  // The kernel image's function symbols. An ELF32 image made by objcopy from
  // the 64-bit kernel keeps only the low 32 bits of each address: the kernel
  // code model (-mcmodel=kernel) links into the top 2 GiB, so values with bit
  // 31 set are sign-extended back. Missing or unreadable symbols: none.
  void load_kernel(std::span<const uint8_t> image);
  void set_module(uint32_t id, const std::string& name, std::vector<emu::elf::Symbol> syms);
  bool has_module(uint32_t id) const { return modules_.count(id) != 0; }

  // "name+0x12" (module symbols first when `module` is mapped), or "".
  std::string describe(uint64_t va, uint32_t module) const;
  // "sym" (kernel, then modules in id order) or "module:sym"; a C++ symbol
  // matches by its mangled name or its demangled name without parameters.
  std::optional<uint64_t> find(const std::string& spec, uint32_t& module) const;
  const std::vector<emu::elf::Symbol>& kernel() const { return kernel_; }

 private:
  struct Mod {
    std::string name;
    std::vector<emu::elf::Symbol> syms;  // sorted by address
  };
  std::vector<emu::elf::Symbol> kernel_;
  std::map<uint32_t, Mod> modules_;
};

// "_Z13annotate_calljjjjjPK12BufferWindowj" -> "annotate_call".
std::string short_name(const std::string& mangled);

// Function symbols (STT_FUNC, defined) of a raw ELF64 .symtab and its
// .strtab, sorted by address. Bounds-checked: bad names are skipped.
std::vector<emu::elf::Symbol> parse_symtab64(std::span<const uint8_t> symtab, std::span<const uint8_t> strtab);

}  // namespace slot::engine
