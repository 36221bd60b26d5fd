#include "ui/model/keys.h"

namespace slot::ui {

Action key_action(Key k, bool shift, bool ctrl) {
  switch (k) {
    case Key::F5: return ctrl ? Action::None : shift ? Action::ReverseContinue : Action::RunPause;
    case Key::F7: return shift || ctrl ? Action::None : Action::OverCall;
    case Key::F8: return ctrl ? Action::BackToCall : shift ? Action::FinishCall : Action::NextCall;
    case Key::F9: return Action::Breakpoints;
    case Key::F10: return shift || ctrl ? Action::None : Action::StepOver;
    case Key::F11: return ctrl ? Action::ReverseStep : shift ? Action::StepOut : Action::StepInto;
    case Key::B: return ctrl ? Action::Breakpoints : Action::None;
    case Key::S: return ctrl ? Action::SavePng : Action::None;
    case Key::P: return shift || ctrl ? Action::None : Action::Present;
    case Key::PageDown: return shift || ctrl ? Action::None : Action::NextCall;
    case Key::PageUp: return shift || ctrl ? Action::None : Action::BackToCall;
    case Key::Escape: return Action::Escape;
    case Key::Plus: return ctrl ? Action::FontBigger : Action::None;
    case Key::Minus: return ctrl ? Action::FontSmaller : Action::None;
    case Key::Zero: return ctrl ? Action::FontReset : Action::None;
    default: return Action::None;
  }
}

std::optional<engine::Command> action_command(Action a, bool running) {
  using engine::CommandKind;
  using engine::StepKind;
  engine::Command c;
  auto step = [&](StepKind k) {
    c.kind = CommandKind::Step;
    c.step = k;
    return c;
  };
  switch (a) {
    case Action::RunPause:
      if (running) return std::nullopt;
      c.kind = CommandKind::Continue;
      return c;
    case Action::ReverseContinue: c.kind = CommandKind::ReverseContinue; return c;
    case Action::StepInto: return step(StepKind::Insn);
    case Action::StepOver: return step(StepKind::OverInsn);
    case Action::StepOut: return step(StepKind::Out);
    case Action::NextCall: return step(StepKind::NextCall);
    case Action::FinishCall: return step(StepKind::FinishCall);
    case Action::OverCall: return step(StepKind::OverCall);
    case Action::ReverseStep: c.kind = CommandKind::ReverseStep; return c;
    case Action::BackToCall: c.kind = CommandKind::BackToCall; return c;
    default: return std::nullopt;
  }
}

const char* action_label(Action a) {
  switch (a) {
    case Action::RunPause: return "Run/Pause";
    case Action::ReverseContinue: return "Reverse continue";
    case Action::StepInto: return "Step into";
    case Action::StepOver: return "Step over";
    case Action::StepOut: return "Step out";
    case Action::NextCall: return "Next module call";
    case Action::FinishCall: return "Finish module call";
    case Action::OverCall: return "Over module call";
    case Action::ReverseStep: return "Reverse step";
    case Action::BackToCall: return "Back to previous call";
    case Action::Breakpoints: return "Breakpoints";
    case Action::FontBigger: return "Bigger text";
    case Action::FontSmaller: return "Smaller text";
    case Action::FontReset: return "Default text size";
    case Action::Present: return "Presentation mode";
    case Action::Escape: return "Stop a run or a search; leave presentation mode";
    case Action::SavePng: return "Save the panel under the mouse as PNG";
    default: return "";
  }
}

const char* action_button(Action a) {
  // Short enough that the toolbar takes two lines at 1280x720 and font scale 2.
  switch (a) {
    case Action::StepInto: return "Step";
    case Action::StepOver: return "Over";
    case Action::StepOut: return "Out";
    case Action::NextCall: return "Next call";
    case Action::FinishCall: return "Finish call";
    case Action::OverCall: return "Over call";
    case Action::ReverseStep: return "Back step";
    case Action::BackToCall: return "Back to call";
    case Action::ReverseContinue: return "Back run";
    default: return action_label(a);
  }
}

const char* action_shortcut(Action a) {
  switch (a) {
    case Action::RunPause: return "F5";
    case Action::ReverseContinue: return "Shift+F5";
    case Action::StepInto: return "F11";
    case Action::StepOver: return "F10";
    case Action::StepOut: return "Shift+F11";
    case Action::NextCall: return "F8";
    case Action::FinishCall: return "Shift+F8";
    case Action::OverCall: return "F7";
    case Action::ReverseStep: return "Ctrl+F11";
    case Action::BackToCall: return "Ctrl+F8";
    case Action::Breakpoints: return "F9 / Ctrl+B";
    case Action::FontBigger: return "Ctrl+=";
    case Action::FontSmaller: return "Ctrl+-";
    case Action::FontReset: return "Ctrl+0";
    case Action::Present: return "P";
    case Action::Escape: return "Esc";
    case Action::SavePng: return "Ctrl+S";
    default: return "";
  }
}

}  // namespace slot::ui
