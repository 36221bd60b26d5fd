#include "ui/panels/widgets.h"

#include "ui/panel_keys.h"

#include "ui/model/memory_vm.h"

namespace slot::ui {

const char* panel_title(PanelId p) {
  static const char* const t[] = {"PML4 slots per task", "Module calls", "Registers", "Disassembly", "Memory",
                                  "Page walk", "TLB", "Events", "Console"};
  return unsigned(p) < kPanels ? t[unsigned(p)] : "?";
}

static_assert(sizeof kPanelKeys / sizeof *kPanelKeys == kPanels, "one key per panel, in PanelId order");

const char* panel_key(PanelId p) { return unsigned(p) < kPanels ? kPanelKeys[unsigned(p)] : "?"; }

bool panel_from_key(const std::string& key, PanelId& out) {
  for (unsigned i = 0; i < kPanels; ++i)
    if (key == panel_key(PanelId(i))) return out = PanelId(i), true;
  return false;
}

bool panels_from_list(const std::string& list, uint32_t& mask, std::string& bad) {
  mask = 0;
  std::string word;
  for (size_t i = 0; i <= list.size(); ++i) {
    if (i < list.size() && list[i] != ',' && list[i] != ' ') {
      word += list[i];
      continue;
    }
    if (word.empty()) continue;
    PanelId p;
    if (!panel_from_key(word, p)) return bad = word, false;
    mask |= 1u << unsigned(p);
    word.clear();
  }
  return true;
}

void UiState::show_walk(uint64_t va) {
  walk.active = true;
  walk.addr = va;
  std::snprintf(walk.input, sizeof walk.input, "0x%llx", (unsigned long long)va);
  open[unsigned(PanelId::Walk)] = true;
}

void base_requests(const UiState& ui, const Frame& f, Requests& r) {
  r.point = ui.slots.scrub ? size_t(ui.slots.point) : engine::kNoIndex;
  r.walk = ui.walk.active;
  r.walk_addr = ui.walk.addr;
  r.mem_phys = ui.mem.phys;
  r.mem_addr = ui.mem.follow_rsp && f.view ? f.view->regs.gpr[cpu::RSP] & ~uint64_t(15) : ui.mem.addr;
  if (r.mem_rows == 0) r.mem_rows = 32;
  r.code_at = !ui.code.follow_rip;
  r.code_addr = ui.code.addr;
  if (r.code_lines == 0) r.code_lines = 40;
}

void draw_panel(PanelId p, PanelCtx& c) {
  switch (p) {
    case PanelId::Slots: draw_slots_panel(c); break;
    case PanelId::Calls: draw_calls_panel(c); break;
    case PanelId::Registers: draw_regs_panel(c); break;
    case PanelId::Disassembly: draw_code_panel(c); break;
    case PanelId::Memory: draw_memory_panel(c); break;
    case PanelId::Walk: draw_walk_panel(c); break;
    case PanelId::Tlb: draw_tlb_panel(c); break;
    case PanelId::Events: draw_events_panel(c); break;
    case PanelId::Console: draw_console_panel(c); break;
    default: break;
  }
}

void address_link(PanelCtx& c, uint64_t va, const char* label) {
  const std::string s = label ? std::string(label) : hex(va);
  ImGui::TextUnformatted(s.c_str());
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip("%s\nclick: page walk of this address", hex(va).c_str());
    if (ImGui::IsMouseClicked(0)) c.ui.show_walk(va);
  }
}

bool address_input(const char* id, char* buf, size_t n, const cpu::CpuState& regs, uint64_t& out) {
  if (ImGui::InputText(id, buf, n, ImGuiInputTextFlags_EnterReturnsTrue)) return parse_address(buf, regs, out);
  return false;
}

void hover_tip(const std::string& t) {
  if (!t.empty() && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", t.c_str());
}

void text(const std::string& s) { ImGui::TextUnformatted(s.c_str(), s.c_str() + s.size()); }

void text_coloured(const ImVec4& c, const std::string& s) {
  ImGui::PushStyleColor(ImGuiCol_Text, c);
  text(s);
  ImGui::PopStyleColor();
}

void text_wrapped_coloured(const ImVec4& c, const std::string& s) {
  ImGui::PushStyleColor(ImGuiCol_Text, c);
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(s.c_str());
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
}

}  // namespace slot::ui
