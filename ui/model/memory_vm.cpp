#include "ui/model/memory_vm.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace slot::ui {

std::vector<MemLine> make_memory(const Frame& f) {
  std::vector<MemLine> out;
  for (const MemRow& r : f.mem) {
    MemLine l;
    l.addr = r.addr;
    l.ok = r.ok;
    for (unsigned i = 0; i < 16; ++i) {
      char b[4];
      if (r.ok) std::snprintf(b, sizeof b, "%02x", r.bytes[i]);
      else std::snprintf(b, sizeof b, "??");
      l.hex += b;
      if (i != 15) l.hex += i == 7 ? "  " : " ";
      l.ascii += r.ok && r.bytes[i] >= 0x20 && r.bytes[i] < 0x7F ? char(r.bytes[i]) : '.';
    }
    out.push_back(std::move(l));
  }
  return out;
}

bool parse_address(const std::string& text, const cpu::CpuState& s, uint64_t& out) {
  std::string t;
  for (char c : text)
    if (!std::isspace(static_cast<unsigned char>(c))) t += char(std::tolower(static_cast<unsigned char>(c)));
  if (t.empty()) return false;
  static const char* const gpr[] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                    "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
  for (int i = 0; i < 16; ++i)
    if (t == gpr[i]) return out = s.gpr[i], true;
  if (t == "rip") return out = s.rip, true;
  if (t == "cr2") return out = s.cr2, true;
  if (t == "cr3") return out = s.cr3 & ~0xFFFull, true;
  if (t.rfind("0x", 0) == 0) t = t.substr(2);
  t.erase(std::remove(t.begin(), t.end(), '_'), t.end());
  t.erase(std::remove(t.begin(), t.end(), '\''), t.end());
  if (t.empty() || t.size() > 16 || t.find_first_not_of("0123456789abcdef") != std::string::npos) return false;
  out = std::strtoull(t.c_str(), nullptr, 16);
  return true;
}

}  // namespace slot::ui
