#include "ui/model/code_vm.h"

#include <cstdio>

#include "ui/model/names.h"

namespace slot::ui {

int exec_point_at(const Frame& f, uint64_t addr) {
  for (const auto& [id, p] : f.points)
    if (p.kind == engine::PointKind::Exec && p.addr == addr) return id;
  return -1;
}

std::vector<CodeRow> make_code(const Frame& f) {
  std::vector<CodeRow> out;
  const uint64_t rip = f.view ? f.view->regs.rip : 0;
  for (const CodeLine& l : f.code) {
    CodeRow r;
    r.addr = l.addr;
    r.label = l.symbol;
    for (size_t i = 0; i < l.bytes.size() && i < 8; ++i) {
      char b[4];
      std::snprintf(b, sizeof b, "%02x", l.bytes[i]);
      join_to(r.bytes, " ", b);
    }
    if (l.bytes.size() > 8) r.bytes += "..";
    r.text = l.text;
    r.current = l.addr == rip;
    r.cause = f.view && !f.view->running && l.addr == f.view->last_stop.cause_rip;
    r.point = exec_point_at(f, l.addr);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace slot::ui
