// Panel 7: every TLB array and paging-structure cache as sets x ways, the
// latest use and the fills since the last stop marked; counters and a
// miss-rate plot per call/return interval.
#include <algorithm>

#include "ui/model/glossary.h"
#include "ui/model/tlb_vm.h"
#include "ui/panels/widgets.h"

namespace slot::ui {

namespace {
void grid(PanelCtx& c, const TlbGrid& g) {
  const bool only = c.ui.tlb.only_valid_sets;
  const int ways = int(std::min(g.info.ways, 16u));
  const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_ScrollX |
                                ImGuiTableFlags_ScrollY;
  unsigned shown = 0;
  for (unsigned s = 0; s < g.info.sets; ++s) {
    bool any = !only;
    for (unsigned w = 0; w < g.info.ways && !any; ++w) any = g.at(s, w).valid;
    shown += any;
  }
  const float h = (std::min(14.0f, float(std::max(shown, 1u))) + 1.6f) * ImGui::GetFrameHeight();
  if (!ImGui::BeginTable(g.info.name.c_str(), ways + 1, flags, ImVec2(0, h))) return;
  ImGui::TableSetupScrollFreeze(1, 1);
  ImGui::TableSetupColumn("set");
  for (int w = 0; w < ways; ++w) ImGui::TableSetupColumn(("way " + std::to_string(w)).c_str());
  ImGui::TableHeadersRow();
  for (unsigned s = 0; s < g.info.sets; ++s) {
    bool any = false;
    for (int w = 0; w < ways; ++w) any |= g.at(s, unsigned(w)).valid;
    if (only && !any) continue;
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextDisabled("%u", s);
    for (int w = 0; w < ways; ++w) {
      ImGui::TableNextColumn();
      const TlbCell& cell = g.at(s, unsigned(w));
      if (!cell.valid) continue;
      if (cell.filled) ImGui::TableSetBgColor(ImGuiTableBgTarget_CellBg, IM_COL32(40, 140, 60, 150));
      if (cell.serves_fetch || cell.serves_stack)
        ImGui::TableSetBgColor(ImGuiTableBgTarget_CellBg, IM_COL32(60, 90, 170, 190));
      if (cell.e.global) ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.75f, 0.75f, 0.85f, 1));
      text(cell.text);
      if (cell.e.global) ImGui::PopStyleColor();
      if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip("%s\nlinear %s -> physical %s\nrecency rank in its set: %llu%s%s%s%s\n\n%s%s%s", cell.text.c_str(),
                          hex(cell.e.linear()).c_str(), hex(cell.e.phys()).c_str(), (unsigned long long)cell.age,
                          cell.serves_fetch ? "\nthe next instruction fetch (RIP) hits it" : "",
                          cell.serves_stack ? "\na read at RSP hits it" : "",
                          cell.filled ? "\nfilled since the last stop" : "",
                          cell.replaced.empty() ? "" : ("\n" + cell.replaced).c_str(), glossary("PCID"),
                          cell.e.global ? "\n" : "", cell.e.global ? glossary("G") : "");
        if (!g.info.psc && ImGui::IsMouseClicked(0)) c.ui.show_walk(cell.e.linear());
      }
    }
  }
  ImGui::EndTable();
}
}  // namespace

void draw_tlb_panel(PanelCtx& c) {
  const TlbView v = make_tlb(c.f, c.prev, c.h);
  ImGui::Text("L1 %llu hits %llu misses | L2 %llu hits %llu misses | %llu walks | %llu stale",
              (unsigned long long)v.l1_hits, (unsigned long long)v.l1_misses, (unsigned long long)v.l2_hits,
              (unsigned long long)v.l2_misses, (unsigned long long)v.walks, (unsigned long long)v.stale);
  if (!v.l1_mpki.empty()) {
    const float top = std::max(1.0f, *std::max_element(v.l1_mpki.begin(), v.l1_mpki.end()));
    ImGui::PlotLines("##mpki", v.l1_mpki.data(), int(v.l1_mpki.size()), 0,
                     "L1 TLB misses / 1000 instructions, per call or return", 0.0f, top * 1.1f,
                     ImVec2(ImGui::GetContentRegionAvail().x, ImGui::GetTextLineHeight() * 3.5f));
  }
  ImGui::Checkbox("only sets with entries", &c.ui.tlb.only_valid_sets);
  ImGui::SameLine();
  ImGui::TextDisabled("blue: serves RIP / RSP now   green: filled since the last stop   grey text: global");
  hover_tip(std::string("P3: PCID 3. ") + glossary("PCID") + "\n\n" + glossary("G") + "\n\n" + glossary("PSC"));
  if (v.grids.empty()) ImGui::TextDisabled("the TLB model is off (--tlb none)");
  for (const TlbGrid& g : v.grids) {
    char head[160];
    std::snprintf(head, sizeof head, "%s  (%s, %ux%u, %u valid; %llu hits %llu misses %llu fills %llu evictions)###%s",
                  g.info.name.c_str(), g.info.side_sizes.c_str(), g.info.sets, g.info.ways, g.valid,
                  (unsigned long long)g.hits, (unsigned long long)g.misses, (unsigned long long)g.fills,
                  (unsigned long long)g.evictions, g.info.name.c_str());
    const bool open = ImGui::CollapsingHeader(head, g.info.level == 1 && !g.info.psc ? ImGuiTreeNodeFlags_DefaultOpen : 0);
    if (g.info.psc) hover_tip(glossary("PSC"));
    if (open) grid(c, g);
  }
}

}  // namespace slot::ui
