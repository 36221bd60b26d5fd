// The nine panels, one file each. A panel draws from (current frame, frame of
// the previous stop, its own view state) and talks back only through the
// session (commands) and the requests for the next gather (docs/ARCHITECTURE.md).
#pragma once
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "ui/model/events_vm.h"
#include "ui/model/session.h"
#include "ui/model/walk_vm.h"

namespace slot::ui {

enum class PanelId : uint8_t { Slots, Calls, Registers, Disassembly, Memory, Walk, Tlb, Events, Console, Count };
inline constexpr unsigned kPanels = unsigned(PanelId::Count);
const char* panel_title(PanelId p);   // window title: "PML4 slots per task"
const char* panel_key(PanelId p);     // --panel name: "slots"
bool panel_from_key(const std::string& key, PanelId& out);
// "slots,calls walk" -> a bit per PanelId; false and the bad name otherwise.
bool panels_from_list(const std::string& list, uint32_t& mask, std::string& bad);

// View state of each panel (what the user chose, not what the machine holds).
struct SlotsState {
  bool scrub = false;           // the timeline slider is away from "now"
  int point = 0;                // history point shown when scrubbing
  std::set<uint16_t> seen;      // every slot ever shown (stable columns)
};
struct DrawnBar {
  uint32_t call = 0;
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;   // screen pixels, as drawn in the last frame
};
struct CallsState {
  float zoom = 1.0f;            // 1 = the whole run fits
  float scroll = 1.0f;          // 0 = start, 1 = end (follows now)
  std::vector<DrawnBar> drawn;  // the call bars on screen (clicks hit these; tests aim at them)
};
struct CodeState {
  bool follow_rip = true;
  uint64_t scrolled_to = ~0ull;   // the RIP the view last scrolled to (follow RIP keeps it in view once)
  uint64_t addr = 0;
  char input[64] = "";
};
struct MemoryState {
  uint64_t addr = 0;
  bool phys = false;
  bool follow_rsp = true;
  char input[64] = "rsp";
};
struct WalkState {
  bool active = false;
  uint64_t addr = 0;
  char input[64] = "";
  bool tree = true;             // the walk as a tree (else the table of rows)
  bool pinned = false;          // a walk kept for comparison (another address or moment)
  WalkTree pin;
};
struct TlbState {
  bool only_valid_sets = true;
  int array = -1;               // -1 = all arrays
};
struct EventsState {
  EventFilter filter;
  char text[128] = "";
  bool follow = true;
  size_t followed_cursor = ~size_t(0);   // the cursor the table last scrolled to
  std::string followed_table;            // in which table (its id changes with the column widths)
};
struct ConsoleState {
  bool show_vga = true, show_serial = true;
};

struct UiState {
  SlotsState slots;
  CallsState calls;
  CodeState code;
  MemoryState mem;
  WalkState walk;
  TlbState tlb;
  EventsState events;
  ConsoleState console;
  bool open[kPanels] = {true, true, true, true, true, true, true, true, true};
  bool breakpoint_dialog = false;
  uint32_t selected_task = 0xFFFFFFFFu;   // highlighted in the slot table and the call stacks (engine::kNone)
  bool tiled = true;                      // panels tile the window (View -> Tile panels)
  bool present = false;                   // presentation mode: the slot table full-window, large type
  // Any panel may send an address to the page walk ("click one anywhere").
  void show_walk(uint64_t va);
};

struct PanelCtx {
  Session& s;
  const Frame& f;
  const Frame* prev;            // the previous stop, may be null
  const History& h;
  Names names;
  Requests& req;                // what the next gather should read
  UiState& ui;
};

void draw_slots_panel(PanelCtx& c);
void draw_calls_panel(PanelCtx& c);
void draw_regs_panel(PanelCtx& c);
void draw_code_panel(PanelCtx& c);
void draw_memory_panel(PanelCtx& c);
void draw_walk_panel(PanelCtx& c);
void draw_tlb_panel(PanelCtx& c);
void draw_events_panel(PanelCtx& c);
void draw_console_panel(PanelCtx& c);
void draw_panel(PanelId p, PanelCtx& c);
void draw_present_panel(PanelCtx& c);   // presentation mode, full window

// Requests every panel needs whatever it draws (called before drawing).
void base_requests(const UiState& ui, const Frame& f, Requests& r);

}  // namespace slot::ui
