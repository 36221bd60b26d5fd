// Toolbar actions and their keys, as in common debuggers (Visual Studio,
// VS Code): F5 run/pause, F10 step over, F11 step into, Shift+F11 step out;
// SlotLab's own: F8 next module call, Shift+F8 finish module call, F7 step
// over a module call; Ctrl+ for the reverse direction (Ctrl+F11 reverse step,
// Ctrl+F8 back to the previous module call, Shift+F5 reverse continue);
// a presenter's remote sends Page Down / Page Up: next / previous call. P
// toggles presentation mode, Escape leaves it.
// Pure data: the app maps SDL keys to Key, the session turns actions into
// engine commands.
#pragma once
#include <optional>

#include "emu/engine/engine.h"

namespace slot::ui {

enum class Key : uint8_t { F5, F7, F8, F9, F10, F11, B, P, S, Plus, Minus, Zero, PageUp, PageDown, Escape, Other };

enum class Action : uint8_t {
  None, RunPause, ReverseContinue, StepInto, StepOver, StepOut, NextCall, FinishCall, OverCall,
  ReverseStep, BackToCall, Breakpoints, FontBigger, FontSmaller, FontReset, Present, Escape, SavePng,
};

Action key_action(Key k, bool shift, bool ctrl);
// The engine command for an action, when it is one (RunPause while running is
// a pause(), not a command; font and dialog actions are the GUI's).
std::optional<engine::Command> action_command(Action a, bool running);
const char* action_label(Action a);      // "Step into"
const char* action_button(Action a);     // the toolbar's short label, "Step" (the tooltip has the rest)
const char* action_shortcut(Action a);   // "F11"

// The toolbar, in order.
inline constexpr Action kToolbar[] = {Action::RunPause,   Action::StepInto,       Action::StepOver,
                                      Action::StepOut,    Action::NextCall,       Action::OverCall,
                                      Action::FinishCall, Action::ReverseStep,    Action::BackToCall,
                                      Action::ReverseContinue, Action::Breakpoints};

}  // namespace slot::ui
