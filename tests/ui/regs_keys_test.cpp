// Panel 3's rows and the toolbar keys. Oracles: the SDM's bit positions
// (Vol. 3A §2.5 control registers, Vol. 1 §3.4.3 RFLAGS, Vol. 3A §4.5 CR3)
// and the key conventions of common debuggers (Visual Studio / VS Code:
// F5 continue, F10 step over, F11 step into, Shift+F11 step out).
#include <gtest/gtest.h>

#include "ui/model/keys.h"
#include "ui/model/memory_vm.h"
#include "ui/model/regs_vm.h"

namespace slot::ui {
namespace {

const RegRow* find(const std::vector<RegRow>& rows, const std::string& name) {
  for (const auto& r : rows)
    if (r.name == name) return &r;
  return nullptr;
}

TEST(Regs, DecodesControlRegistersAndFlags) {
  cpu::CpuState s;
  s.cr0 = 0x80050033;                  // PG AM WP NE ET MP PE
  s.cr4 = (1u << 5) | (1u << 7) | (1u << 17) | (1u << 20);  // PAE PGE PCIDE SMEP
  s.cr3 = 0x861000 | 0x21;             // PCID 33
  s.efer = 0xD01;                      // SCE LME LMA NXE
  s.rflags = 0x246;                    // IF ZF PF + bit 1
  const RegsView v = make_regs(s, nullptr);
  EXPECT_EQ(find(v.control, "CR0")->detail, "PE MP ET NE WP AM PG");
  EXPECT_EQ(find(v.control, "CR4")->detail, "PAE PGE PCIDE SMEP");
  EXPECT_EQ(find(v.control, "CR3")->detail, "PML4 0x861000 PCID 33");
  EXPECT_EQ(find(v.control, "EFER")->detail, "SCE LME LMA NXE");
  EXPECT_EQ(find(v.flags, "RFLAGS")->detail, "PF ZF IF IOPL=0");
  EXPECT_EQ(find(v.flags, "ZF")->value, "1");
  EXPECT_EQ(find(v.flags, "CF")->value, "0");
  EXPECT_EQ(v.general.size(), 17u);
  EXPECT_EQ(v.general.front().name, "RAX");
  EXPECT_EQ(v.general.back().name, "RIP");
}

TEST(Regs, MarksWhatChangedSinceTheLastStop) {
  cpu::CpuState a, b;
  a.gpr[cpu::RBX] = 1;
  b = a;
  b.gpr[cpu::RBX] = 2;
  b.rflags = a.rflags | 0x40;  // ZF
  b.seg[cpu::SS].sel = 0x2B;
  const RegsView v = make_regs(b, &a);
  for (const auto& r : v.general) EXPECT_EQ(r.changed, r.name == "RBX") << r.name;
  EXPECT_TRUE(find(v.flags, "ZF")->changed);
  EXPECT_FALSE(find(v.flags, "CF")->changed);
  EXPECT_TRUE(find(v.flags, "RFLAGS")->changed);
  EXPECT_TRUE(find(v.segments, "SS")->changed);
  EXPECT_FALSE(find(v.segments, "CS")->changed);
  const RegsView first = make_regs(b, nullptr);
  for (const auto& r : first.general) EXPECT_FALSE(r.changed);
}

TEST(Keys, CommonDebuggerConventions) {
  EXPECT_EQ(key_action(Key::F5, false, false), Action::RunPause);
  EXPECT_EQ(key_action(Key::F10, false, false), Action::StepOver);
  EXPECT_EQ(key_action(Key::F11, false, false), Action::StepInto);
  EXPECT_EQ(key_action(Key::F11, true, false), Action::StepOut);
  EXPECT_EQ(key_action(Key::F8, false, false), Action::NextCall);
  EXPECT_EQ(key_action(Key::F8, true, false), Action::FinishCall);
  EXPECT_EQ(key_action(Key::F8, false, true), Action::BackToCall);
  EXPECT_EQ(key_action(Key::F11, false, true), Action::ReverseStep);
  EXPECT_EQ(key_action(Key::F9, false, false), Action::Breakpoints);
  EXPECT_EQ(key_action(Key::B, false, false), Action::None);  // typing "b" is not a command
  EXPECT_EQ(key_action(Key::Plus, false, true), Action::FontBigger);
}

TEST(Keys, ActionsBecomeEngineCommands) {
  using engine::CommandKind;
  using engine::StepKind;
  auto cmd = [](Action a) { return action_command(a, false); };
  ASSERT_TRUE(cmd(Action::StepInto));
  EXPECT_EQ(cmd(Action::StepInto)->kind, CommandKind::Step);
  EXPECT_EQ(cmd(Action::StepInto)->step, StepKind::Insn);
  EXPECT_EQ(cmd(Action::StepOver)->step, StepKind::OverInsn);
  EXPECT_EQ(cmd(Action::StepOut)->step, StepKind::Out);
  EXPECT_EQ(cmd(Action::NextCall)->step, StepKind::NextCall);
  EXPECT_EQ(cmd(Action::FinishCall)->step, StepKind::FinishCall);
  EXPECT_EQ(cmd(Action::OverCall)->step, StepKind::OverCall);
  EXPECT_EQ(cmd(Action::ReverseStep)->kind, CommandKind::ReverseStep);
  EXPECT_EQ(cmd(Action::BackToCall)->kind, CommandKind::BackToCall);
  EXPECT_EQ(cmd(Action::RunPause)->kind, CommandKind::Continue);
  EXPECT_FALSE(action_command(Action::RunPause, true)) << "while running F5 pauses (Engine::pause)";
  EXPECT_FALSE(cmd(Action::Breakpoints));
  for (Action a : kToolbar) EXPECT_STRNE(action_shortcut(a), "") << action_label(a);
}

TEST(Memory, AddressesAndRegisters) {
  cpu::CpuState s;
  s.gpr[cpu::RSP] = 0x1234;
  uint64_t a = 0;
  EXPECT_TRUE(parse_address("rsp", s, a));
  EXPECT_EQ(a, 0x1234u);
  EXPECT_TRUE(parse_address("0xFFFF_8000", s, a));
  EXPECT_EQ(a, 0xFFFF8000u);
  EXPECT_TRUE(parse_address(" 8040000000 ", s, a));
  EXPECT_EQ(a, 0x8040000000u);
  EXPECT_FALSE(parse_address("xyz", s, a));
  EXPECT_FALSE(parse_address("", s, a));
  EXPECT_FALSE(parse_address("0x11112222333344445", s, a));
}

}  // namespace
}  // namespace slot::ui
