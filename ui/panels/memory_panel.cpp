// Panel 5: memory, virtual (through the current page tables, side-effect
// free) or physical; hex and ASCII; only the visible rows are read.
#include "ui/model/memory_vm.h"
#include "ui/panels/widgets.h"

namespace slot::ui {

void draw_memory_panel(PanelCtx& c) {
  MemoryState& st = c.ui.mem;
  if (!c.f.view) return;
  ImGui::SetNextItemWidth(220);
  uint64_t a = 0;
  if (address_input("address##mem", st.input, sizeof st.input, c.f.view->regs, a)) {
    const std::string in = st.input;
    st.follow_rsp = in == "rsp";
    st.addr = a;
  }
  hover_tip("an address, or a register name (rsp follows the stack); Enter to show");
  ImGui::SameLine();
  ImGui::Checkbox("physical", &st.phys);
  ImGui::SameLine();
  if (ImGui::SmallButton("-page")) st.addr -= 4096, st.follow_rsp = false;
  ImGui::SameLine();
  if (ImGui::SmallButton("+page")) st.addr += 4096, st.follow_rsp = false;
  const std::vector<MemLine> rows = make_memory(c.f);
  // Ask for as many rows as fit.
  const float line = ImGui::GetTextLineHeightWithSpacing();
  c.req.mem_rows = unsigned(std::max(4.0f, ImGui::GetContentRegionAvail().y / line));
  if (!st.follow_rsp && !rows.empty() && rows.front().addr != (st.addr & ~uint64_t(15)))
    ImGui::TextDisabled("reading ...");
  if (rows.empty()) ImGui::TextDisabled("nothing read yet");
  for (const MemLine& l : rows) {
    ImGui::PushID(reinterpret_cast<const void*>(static_cast<uintptr_t>(l.addr)));
    if (!st.phys) address_link(c, l.addr, hex(l.addr, 16).c_str());
    else text(hex(l.addr, 16));
    ImGui::SameLine();
    if (l.ok) text(l.hex);
    else ImGui::TextDisabled("%s", l.hex.c_str());
    ImGui::SameLine();
    ImGui::TextDisabled("|");
    ImGui::SameLine();
    text(l.ascii);
    ImGui::PopID();
  }
}

}  // namespace slot::ui
