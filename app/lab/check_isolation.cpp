// Lab 4: the hostile module. Every page fault evil causes is caught; its
// error code is what SDM Vol. 3A section 4.7 says for that access, the kernel
// turns it into E_FAULT for the caller, and the victim goes on working.
#include <vector>

#include "app/lab/check.h"
#include "guest/include/attacks.h"
#include "mmu/arch.h"

namespace slot::lab {

namespace {

struct Fault {
  uint32_t call = engine::kNone;   // the task's innermost open call
  uint64_t cr2 = 0;
  uint32_t error = 0;
};

const Fault* fault_of(const std::vector<Fault>& v, const engine::Engine& e, uint32_t op) {
  for (const Fault& f : v)
    if (f.call != engine::kNone && e.calls()[f.call].callee == guest::EVIL && e.calls()[f.call].op == op) return &f;
  return nullptr;
}

}  // namespace

int check_isolation(const Lab& lab, const CheckEnv& env) {
  Report r(lab);
  Booted b = boot(env, lab.cmdline, lab_tlb(lab, env));
  engine::Engine& e = *b.e;
  const int pf = e.add_point(engine::StopPoint::on(engine::EventKind::Exception, 14));
  std::vector<Fault> faults;
  for (int i = 0; i < 200; ++i) {
    const engine::StopInfo s = e.cont();
    if (s.reason != engine::StopReason::Point) break;
    Fault f;
    if (s.event != engine::kNoIndex) {
      f.error = uint32_t(e.events()[s.event].a);
      f.cr2 = e.events()[s.event].b;
    }
    const uint32_t task = e.current_task();
    for (const engine::TaskInfo& t : e.tasks())
      if (t.id == task && !t.stack.empty()) f.call = t.stack.back();
    faults.push_back(f);
  }
  e.remove_point(pf);
  const bool exited = run_to_end(b);   // the calls' returns and what follows them
  r.note(std::to_string(faults.size()) + " page faults caught:");
  for (const Fault& f : faults)
    r.note((f.call == engine::kNone ? std::string("outside a call")
                                    : e.op_label(e.calls()[f.call].callee, e.calls()[f.call].op)) +
           ": CR2 " + hex(f.cr2) + ", error " + hex(f.error) + " (" + pf_bits(f.error) + ")");
  if (!r.expect(!faults.empty(), "F5 with a #PF breakpoint stops in evil")) return r.failed();

  const Fault& first = faults.front();
  const bool in_evil = first.call != engine::kNone && e.calls()[first.call].callee == guest::EVIL;
  r.expect(in_evil && e.calls()[first.call].op == guest::ATK_read_other_module,
           "the first #PF is evil reading fs (attack read_other_module)",
           in_evil ? e.op_label(e.calls()[first.call].callee, e.calls()[first.call].op) : "not in evil");
  r.expect(first.cr2 == guest::module_base(guest::FS), "CR2 = fs's base, 0x8080000000", hex(first.cr2));
  r.expect(first.error == x86::PF_U, "error code 0x4: not present, read, user", pf_bits(first.error));

  const Fault* null = fault_of(faults, e, guest::ATK_fault_in_callee);
  if (r.expect(null != nullptr, "attack fault_in_callee faults")) {
    r.expect(null->cr2 == 0 && null->error == (x86::PF_U | x86::PF_W),
             "CR2 = 0, error code 0x6: not present, write, user", hex(null->cr2) + ", " + pf_bits(null->error));
    const engine::CallRecord& c = e.calls()[null->call];
    r.expect(c.returned && c.status == guest::E_FAULT, "the kernel ends the call with E_FAULT (-5)",
             c.returned ? "status " + std::to_string(c.status) : "not returned");
    // Recovery: the same task's next call (app -> fs FS_ECHO 7) works.
    const engine::CallRecord* next = nullptr;
    for (size_t k = null->call + 1; k < e.calls().size() && !next; ++k)
      if (e.calls()[k].task == c.task && e.calls()[k].depth == c.depth) next = &e.calls()[k];
    r.expect(next && next->callee == guest::FS && next->op == guest::FS_ECHO && next->returned && next->status == 8,
             "the victim then calls fs FS_ECHO(7) and gets 8: the kernel recovered",
             next ? e.op_label(next->callee, next->op) + " status " +
                        std::to_string(next->status)
                  : "no next call");
  }
  const Fault* stack = fault_of(faults, e, guest::ATK_read_caller_stack);
  if (r.expect(stack != nullptr, "attack read_caller_stack faults")) {
    const uint64_t lo = guest::stack_window_end(0) - guest::kStackWindowBytes, hi = guest::stack_window_end(0);
    r.expect(stack->cr2 >= lo && stack->cr2 < hi && (stack->cr2 >> 39) == guest::kPrivateSlot,
             "CR2 is in the caller's stack window (depth 0, slot 2)",
             hex(stack->cr2) + " in [" + hex(lo) + ", " + hex(hi) + ")");
    r.expect(stack->error == x86::PF_U, "error code 0x4: the caller's stack is not present at depth 1",
             pf_bits(stack->error));
    const engine::CallRecord& c = e.calls()[stack->call];
    r.expect(c.returned && c.status == guest::E_FAULT, "and that call also ends with E_FAULT",
             "status " + std::to_string(c.status));
  }
  const std::string& out = b.serial->text();
  const std::string summary = "ATTACKS total=" + std::to_string(ATK_COUNT_PLUS_ONE - 1) + " breaches=0";
  r.expect(exited && out.find(summary) != std::string::npos, "the console ends with " + summary);
  return r.failed();
}

}  // namespace slot::lab
