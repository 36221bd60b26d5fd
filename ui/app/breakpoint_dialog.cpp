// The breakpoint dialog: stop points by address (virtual or physical), by
// symbol ("fs:module_main"), write watches, and event catches (a module call,
// a slot change, a fault vector, a stale translation ...), plus the list of
// those set, each removable.
#include <imgui.h>

#include "ui/app/app.h"
#include "ui/model/memory_vm.h"
#include "ui/panels/widgets.h"

namespace slot::ui {

namespace {
const char* const kKinds[] = {"address", "physical address", "symbol", "write watch (8 bytes)", "event"};

std::string describe(const engine::StopPoint& p, const Names& n) {
  using engine::PointKind;
  std::string s;
  switch (p.kind) {
    case PointKind::Exec: s = "exec " + hex(p.addr); break;
    case PointKind::ExecPhys: s = "exec phys " + hex(p.addr); break;
    case PointKind::Write: s = "write " + hex(p.addr) + " +" + std::to_string(p.len); break;
    case PointKind::WritePhys: s = "write phys " + hex(p.addr) + " +" + std::to_string(p.len); break;
    case PointKind::Event:
      s = std::string("event ") + engine::event_name(p.event) + (p.filter >= 0 ? " #" + std::to_string(p.filter) : "");
      break;
  }
  if (p.module != engine::kNone) s += " (while " + n.module(p.module) + " is in the module slot)";
  if (!p.label.empty()) s += "  " + p.label;
  return s;
}
}  // namespace

void App::draw_breakpoint_dialog() {
  if (!ImGui::IsPopupOpen("Breakpoints")) ImGui::OpenPopup("Breakpoints");
  ImGui::SetNextWindowSize(ImVec2(560 * scale_, 0), ImGuiCond_Appearing);
  if (!ImGui::BeginPopupModal("Breakpoints", &ui_.breakpoint_dialog)) return;
  const Frame& f = s_.frame();
  const Names n = f.view ? Names(*f.view) : Names();
  ImGui::Combo("kind", &bp_kind_, kKinds, IM_ARRAYSIZE(kKinds));
  if (bp_kind_ == 4) {
    static const char* events[kEventKinds];
    for (unsigned k = 0; k < kEventKinds; ++k) events[k] = engine::event_name(engine::EventKind(k));
    ImGui::Combo("event", &bp_event_, events, IM_ARRAYSIZE(events));
    ImGui::InputInt("filter (vector or slot, -1 any)", &bp_filter_);
  } else {
    ImGui::InputTextWithHint("##spec", bp_kind_ == 2 ? "fs:module_main, or kernel_main" : "0x8000001000, or rip",
                             bp_input_, sizeof bp_input_);
  }
  if (ImGui::Button("Add")) {
    bp_error_.clear();
    uint64_t a = 0;
    const cpu::CpuState regs = f.view ? f.view->regs : cpu::CpuState{};
    if (bp_kind_ == 2) {
      bp_error_ = s_.add_symbol_breakpoint(bp_input_);
    } else if (bp_kind_ == 4) {
      engine::StopPoint p = engine::StopPoint::on(engine::EventKind(bp_event_), bp_filter_);
      p.label = engine::event_name(engine::EventKind(bp_event_));
      bp_error_ = s_.add_point(p);
    } else if (!parse_address(bp_input_, regs, a)) {
      bp_error_ = "not an address: " + std::string(bp_input_);
    } else {
      engine::StopPoint p = bp_kind_ == 0   ? engine::StopPoint::exec(a)
                            : bp_kind_ == 1 ? engine::StopPoint::exec_phys(a)
                                            : engine::StopPoint::write(a, 8);
      p.label = bp_input_;
      bp_error_ = s_.add_point(p);
    }
    s_.poll(req_, true);
  }
  if (!bp_error_.empty()) text_coloured(ImVec4(1, 0.4f, 0.4f, 1), bp_error_);
  ImGui::Separator();
  if (f.points.empty()) ImGui::TextDisabled("no stop points");
  for (const auto& [id, p] : f.points) {
    ImGui::PushID(id);
    if (ImGui::SmallButton("remove")) {
      s_.remove_point(id);
      s_.poll(req_, true);
    }
    ImGui::SameLine();
    ImGui::Text("#%d %s", id, describe(p, n).c_str());
    ImGui::PopID();
  }
  ImGui::Separator();
  if (ImGui::Button("Close")) {
    ui_.breakpoint_dialog = false;
    ImGui::CloseCurrentPopup();
  }
  ImGui::EndPopup();
}

}  // namespace slot::ui
