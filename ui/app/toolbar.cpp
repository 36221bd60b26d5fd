// The menu bar, the toolbar (the debugger's actions with their keys), the
// status line, and the help window listing the keys.
#include <SDL.h>
#include <imgui.h>

#include "ui/app/app.h"
#include "ui/panels/widgets.h"

namespace slot::ui {

void App::draw_menu() {
  if (!ImGui::BeginMainMenuBar()) return;
  if (ImGui::BeginMenu("Debug")) {
    for (Action a : kToolbar)
      if (ImGui::MenuItem(action_label(a), action_shortcut(a))) {
        if (a == Action::Breakpoints) ui_.breakpoint_dialog = true;
        else s_.act(a);
      }
    ImGui::Separator();
    if (ImGui::MenuItem("Quit")) quit_ = true;
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("View")) {
    for (unsigned i = 0; i < kPanels; ++i) ImGui::MenuItem(panel_title(PanelId(i)), nullptr, &ui_.open[i]);
    ImGui::Separator();
    if (ImGui::MenuItem("Reset layout")) {
      reset_layout_ = true;
      for (bool& o : ui_.open) o = true;
    }
    if (ImGui::MenuItem(action_label(Action::FontBigger), action_shortcut(Action::FontBigger))) set_scale(scale_ * 1.15f);
    if (ImGui::MenuItem(action_label(Action::FontSmaller), action_shortcut(Action::FontSmaller))) set_scale(scale_ / 1.15f);
    if (ImGui::MenuItem(action_label(Action::FontReset), action_shortcut(Action::FontReset))) set_scale(base_scale_);
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Help")) {
    if (ImGui::MenuItem("Keys")) help_ = true;
    ImGui::EndMenu();
  }
  ImGui::EndMainMenuBar();
}

void App::draw_toolbar(float y, float h) {
  const ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos(ImVec2(0, y), ImGuiCond_Always);
  ImGui::SetNextWindowSize(ImVec2(io.DisplaySize.x, h), ImGuiCond_Always);
  const ImGuiWindowFlags wf = ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                              ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoSavedSettings |
                              ImGuiWindowFlags_NoBringToFrontOnFocus;
  if (!ImGui::Begin("##toolbar", nullptr, wf)) {
    ImGui::End();
    return;
  }
  const auto v = s_.latest_view();
  const bool running = v && v->running;
  for (Action a : kToolbar) {
    if (a != kToolbar[0]) ImGui::SameLine();
    const char* label = a == Action::RunPause ? (running ? "Pause" : "Run") : action_label(a);
    if (ImGui::Button(label)) {
      if (a == Action::Breakpoints) ui_.breakpoint_dialog = true;
      else s_.act(a);
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s (%s)", action_label(a), action_shortcut(a));
  }
  // Status line: what the machine is doing and where it stopped.
  const Frame& f = s_.frame();
  if (v) {
    const Names n = f.view ? Names(*f.view) : Names();
    std::string st;
    if (running) st = "running";
    else
      st = std::string("stopped: ") + engine::stop_reason_name(v->last_stop.reason) +
           (v->last_stop.message.empty() ? "" : " (" + v->last_stop.message + ")");
    char buf[512];
    std::snprintf(buf, sizeof buf, "%s | icount %llu | task %s | module slot: %s | CPL %u | %s%s", st.c_str(),
                  (unsigned long long)v->icount, n.task(v->task).c_str(), n.module(v->module).c_str(),
                  unsigned(v->regs.cpl()), hex(v->regs.rip).c_str(),
                  f.rip_symbol.empty() ? "" : (" " + f.rip_symbol).c_str());
    text_coloured(running ? ImVec4(0.5f, 1.0f, 0.5f, 1) : ImVec4(1.0f, 0.85f, 0.4f, 1), buf);
    ImGui::SameLine();
    ImGui::TextDisabled("| %zu calls, %zu events, %llu snapshots", v->calls, v->events,
                        (unsigned long long)v->snapshots);
  }
  ImGui::End();
}

void App::draw_help() {
  ImGui::SetNextWindowSize(ImVec2(420 * scale_, 0), ImGuiCond_Appearing);
  if (ImGui::Begin("Keys", &help_, ImGuiWindowFlags_AlwaysAutoResize)) {
    for (Action a : kToolbar) ImGui::BulletText("%-12s %s", action_shortcut(a), action_label(a));
    for (Action a : {Action::FontBigger, Action::FontSmaller, Action::FontReset})
      ImGui::BulletText("%-12s %s", action_shortcut(a), action_label(a));
    ImGui::TextDisabled("Click an address anywhere to walk it; click a call bar or an event to go there.");
  }
  ImGui::End();
}

}  // namespace slot::ui
