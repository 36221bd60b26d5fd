#include "ui/model/names.h"

#include <cxxabi.h>

#include <cstdio>
#include <cstdlib>

#include "mmu/arch.h"
#include "ui/model/frame.h"

namespace slot::ui {

Names::Names(const engine::View& v) {
  for (const auto& t : v.tasks) tasks_[t.id] = t.name;
  for (const auto& m : v.modules) {
    modules_[m.id] = m.name;
    if (m.pdpt) pdpts_[m.pdpt & x86::PTE_ADDR] = m.id;
  }
  ops_ = v.op_names;
}

Names Names::as_of(const History& h, size_t at) const {
  Names n = *this;
  auto apply = [at](const std::map<uint32_t, std::vector<NameLife>>& log, std::unordered_map<uint32_t, std::string>& out) {
    for (const auto& [id, lives] : log) {
      const NameLife* now = nullptr;
      for (const NameLife& l : lives)
        if (l.from <= at) now = &l;
      if (now) out[id] = now->name;
      else if (!lives.empty()) out.erase(id);  // not yet announced at `at`: no later name
    }
  };
  apply(h.task_names, n.tasks_);
  apply(h.module_names, n.modules_);
  return n;
}

std::string Names::task(uint32_t id) const {
  if (id == engine::kNone) return "-";
  auto it = tasks_.find(id);
  return it != tasks_.end() && !it->second.empty() ? it->second : "task " + std::to_string(id);
}

std::string Names::module(uint32_t id) const {
  if (id == engine::kNone) return "-";
  auto it = modules_.find(id);
  return it != modules_.end() && !it->second.empty() ? it->second : "module " + std::to_string(id);
}

std::string Names::op(uint32_t module, uint32_t op) const {
  const auto it = ops_.find(module);
  return engine::op_label(this->module(module), it == ops_.end() ? nullptr : &it->second, op);
}

uint32_t Names::module_by_pdpt(uint64_t pdpt) const {
  auto it = pdpts_.find(pdpt & x86::PTE_ADDR);
  return it == pdpts_.end() ? engine::kNone : it->second;
}

Rgb module_colour(uint32_t module) {
  // Tableau-like palette: bright enough for white text on it, far apart in hue.
  static constexpr Rgb palette[] = {
      {31, 119, 180}, {214, 110, 20}, {44, 160, 44}, {200, 40, 42}, {148, 103, 189},
      {140, 86, 75},  {207, 88, 170}, {110, 110, 110}, {160, 160, 30}, {23, 160, 175},
  };
  if (module == engine::kNone) return kOtherColour;
  return palette[module % (sizeof(palette) / sizeof(palette[0]))];
}

std::string pretty_symbol(const std::string& sym) {
  const size_t colon = sym.find(':');
  const size_t start = colon == std::string::npos ? 0 : colon + 1;
  const size_t plus = sym.find("+0x", start);
  const std::string name = sym.substr(start, plus == std::string::npos ? std::string::npos : plus - start);
  if (name.rfind("_Z", 0) != 0) return sym;
  int status = 0;
  char* d = abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status);
  if (status != 0 || !d) {
    std::free(d);
    return sym;
  }
  std::string out = d;
  std::free(d);
  if (const size_t paren = out.find('('); paren != std::string::npos) out.resize(paren);
  return sym.substr(0, start) + out + (plus == std::string::npos ? "" : sym.substr(plus));
}

void join_to(std::string& s, const char* sep, const std::string& word) {
  if (!s.empty()) s += sep;
  s += word;
}

std::string hex(uint64_t v, int digits) {
  char buf[32];
  if (digits > 0) std::snprintf(buf, sizeof buf, "%0*llx", digits, (unsigned long long)v);
  else std::snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)v);
  return buf;
}

}  // namespace slot::ui
