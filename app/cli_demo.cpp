// `slotlab demo`: the guided tour. Boots the demo workload on the debugger
// engine, lets it run to the end, then walks the engine's history call by
// call: who called whom, what one PML4 entry the call rewrote, the call
// stacks, and the TLB cost. Everything printed comes from the engine's
// observation of the machine (CR3 loads, writes to PML4 pages, the annotation
// port), not from the guest's own transcript.
#include "app/commands.h"
#include "app/machine_options.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <string>

#include "emu/engine/engine.h"
#include "app/lab/labs.h"  // default_kernel()
#include "mmu/arch.h"

namespace slot::emu {

namespace {

std::string commas(uint64_t v) {
  const std::string d = std::to_string(v);
  std::string s;
  for (size_t i = 0; i < d.size(); ++i) {
    if (i && (d.size() - i) % 3 == 0) s += ',';
    s += d[i];
  }
  return s;
}

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "%#llx", (unsigned long long)v);
  return b;
}

const char* slot_role(unsigned slot) {
  switch (slot) {
    case 0: return "null guard";
    case 1: return "module area";
    case 2: return "task-private area";
    case 511: return "kernel (global pages)";
    default: return "";
  }
}

// What a PML4 entry points to, in words: a module's PDPT if the engine knows
// one at that physical address.
std::string entry_meaning(const engine::Engine& e, uint64_t v) {
  if (!(v & x86::PTE_P)) return "(not present)";
  for (const engine::ModuleInfo& m : e.modules())
    if ((v & x86::PTE_ADDR) == m.pdpt) return "= " + m.name + "'s PDPT";
  return "";
}

const engine::SpaceView* find_space(const std::vector<engine::SpaceView>& v, uint64_t cr3) {
  for (const engine::SpaceView& s : v)
    if (s.cr3 == cr3) return &s;
  return nullptr;
}

uint64_t entry_of(const engine::SpaceView* s, unsigned slot) {
  if (s)
    for (const engine::SlotEntry& e : s->slots)
      if (e.slot == slot) return e.value;
  return 0;
}

// The address space the task ran in when it entered the kernel to make the
// call (flush=pcid has one per module), else the call's own.
uint64_t cr3_before(const engine::Engine& e, const engine::CallRecord& c) {
  return c.before_event == engine::kNoIndex ? c.cr3 : e.events()[c.before_event].cr3;
}

// What the kernel did between the task's system call and the callee's start,
// as the engine saw it: PML4 writes, CR3 loads, INVLPG/INVPCID.
std::string kernel_actions(const engine::Engine& e, const engine::CallRecord& c) {
  if (c.before_event == engine::kNoIndex) return "";
  unsigned slots = 0, cr3 = 0, invlpg = 0, invpcid = 0;
  bool noflush = false;
  for (size_t i = c.before_event; i < c.enter_event; ++i) {
    const engine::Event& ev = e.events()[i];
    if (ev.kind == engine::EventKind::SlotChange) ++slots;
    if (ev.kind == engine::EventKind::Cr3Load) ++cr3, noflush |= bool(ev.b & x86::CR3_NOFLUSH);
    if (ev.kind == engine::EventKind::Invlpg) ++invlpg;
    if (ev.kind == engine::EventKind::Invpcid) ++invpcid;
  }
  std::string s;
  auto add = [&](const std::string& x) { s += (s.empty() ? "" : ", ") + x; };
  if (slots) add("wrote " + std::to_string(slots) + " PML4 entr" + (slots == 1 ? "y" : "ies"));
  if (cr3)
    add(noflush ? "loaded CR3 with bit 63 set (switch to another PCID, nothing flushed)"
                : "reloaded CR3 (flushes every non-global TLB entry)");
  if (invlpg) add("invalidated " + std::to_string(invlpg) + " page(s) with INVLPG");
  if (invpcid) add(std::to_string(invpcid) + " INVPCID");
  if (!slots && !cr3 && !invlpg && !invpcid) add("no page-table change and no invalidation");
  return s;
}

void print_intro(const std::string& kernel, const std::string& cmdline, const std::string& tlb) {
  std::printf(
      "SlotLab demo: a microkernel that switches modules by rewriting ONE page-table entry\n"
      "kernel %s   command line \"%s\"   TLB model %s\n\n"
      "How to read this. Every task has its own PML4, the top page table: 512 slots of 512 GiB each.\n"
      "  slot 1    the MODULE AREA: holds the module running now (app, fs, blk, cons ...)\n"
      "  slot 2    the task's private area: its stacks and the windows where call buffers appear\n"
      "  slot 511  the kernel, the same in every task (global pages survive CR3 loads)\n"
      "A cross-module call does not switch address spaces: the kernel rewrites slot 1 from the\n"
      "caller's PDPT to the callee's, invalidates what the old entry translated, and runs the\n"
      "callee in the same task. The emulator sees that itself (a write to a PML4 page, a CR3\n"
      "load); the guest only adds names through an I/O port. Below, every call the guest made.\n",
      kernel.c_str(), cmdline.c_str(), tlb.c_str());
}

void print_call(const engine::Engine& e, const engine::CallRecord& c) {
  const std::string task = e.task_name(c.task, c.enter_event);
  // A call counts from the caller's SYSCALL (its kernel entry) to the kernel's
  // exit back to it: the instruction it starts at is that SYSCALL.
  const uint64_t start = c.entry_icount != engine::kNone64 ? c.entry_icount : c.enter_icount;
  std::printf("\n--- call #%u  task %u \"%s\": %s -> %s, depth %u   (SYSCALL at instruction %s)\n",
              engine::call_number(c.index), c.task, task.c_str(), e.module_name(c.caller).c_str(),
              e.op_label(c.callee, c.op).c_str(), c.depth, commas(start).c_str());
  for (const engine::CallBuffer& b : c.buffers)
    std::printf("  buffer: %u bytes at %s in %s, mapped (not copied) for %s at %s\n", b.len,
                hex(b.caller_addr).c_str(), e.module_name(c.caller).c_str(), e.module_name(c.callee).c_str(),
                hex(b.window_addr).c_str());

  // Call stack of the task at the call (outermost first).
  std::string stack;
  for (const engine::TaskStackView& s : e.stacks_at_call(c.index)) {
    if (s.task != c.task) continue;
    for (size_t i = 0; i < s.calls.size(); ++i) {
      const engine::CallRecord& f = e.calls()[s.calls[i]];
      if (i == 0) stack = e.module_name(f.caller);
      stack += " -> " + e.module_name(f.callee);
    }
  }
  std::printf("  call stack of %s: %s\n", task.c_str(), stack.c_str());

  const auto before = e.pml4_before_call(c.index), after = e.pml4_at_call(c.index);
  const uint64_t cr3b = cr3_before(e, c);
  const engine::SpaceView* sb = find_space(before, cr3b);
  const engine::SpaceView* sa = find_space(after, c.cr3);
  if (const std::string k = kernel_actions(e, c); !k.empty()) std::printf("  the kernel: %s\n", k.c_str());
  if (cr3b != c.cr3)
    std::printf("  address space: %s (cr3 %s) -> %s (cr3 %s)\n", sb ? sb->name.c_str() : "?", hex(cr3b).c_str(),
                sa ? sa->name.c_str() : "?", hex(c.cr3).c_str());
  std::printf("  %-32s %-33s %s\n", "PML4 slot", "before the call", "in the callee");
  for (unsigned slot = 0; slot < 512; ++slot) {
    const uint64_t vb = entry_of(sb, slot), va = entry_of(sa, slot);
    if (!(vb & x86::PTE_P) && !(va & x86::PTE_P)) continue;
    const std::string lb = hex(vb) + " " + entry_meaning(e, vb), la = hex(va) + " " + entry_meaning(e, va);
    std::printf("    %3u %-27s %-33s %s%s\n", slot, slot_role(slot), lb.c_str(), la.c_str(),
                (vb | x86::PTE_A) != (va | x86::PTE_A) ? "   <- changed" : "");
  }
  if (!c.returned) {
    std::printf("  (never returned)\n");
    return;
  }
  const engine::TlbDelta& d = c.inclusive;
  std::printf("  returned %lld after %s instructions (%s of them in the kernel, SYSCALL to the return to the "
              "caller);\n    TLB cost of the call: %s L1 TLB misses, %s STLB misses, %s page walks (%s memory "
              "references),\n    about %s modelled cycles",
              (long long)c.status, commas(d.insns).c_str(), commas(c.kernel_insns).c_str(),
              commas(d.l1_misses).c_str(), commas(d.l2_misses).c_str(), commas(d.walks).c_str(),
              commas(d.walk_refs).c_str(), commas(uint64_t(d.cycles)).c_str());
  if (c.exclusive.insns != d.insns)
    std::printf(";\n    without its nested calls: %s instructions, %s page walks, about %s cycles",
                commas(c.exclusive.insns).c_str(), commas(c.exclusive.walks).c_str(),
                commas(uint64_t(c.exclusive.cycles)).c_str());
  std::printf("\n");
}

struct DemoState {
  std::string kernel;
  MachineConfig machine;
  bool console = false;
};

void bind_demo_options(CLI::App& cmd, DemoState& s) {
  s.machine.cmdline = "workload=demo";
  MachineOptionsHelp h;
  h.kernel = "guest kernel (default: guest/slotlab-guest.elf next to this program)";
  h.kernel_required = false;
  h.cmdline = "guest command line (default: workload=demo)";
  h.mem = false;
  bind_machine_options(cmd, s.kernel, s.machine, h);
  cmd.add_flag("--console", s.console, "also print what the guest wrote on COM1");
}

int run_demo(const DemoState& s) {
  const std::string kernel = s.kernel.empty() ? lab::default_kernel() : s.kernel;
  if (access(kernel.c_str(), R_OK) != 0)
    throw std::runtime_error("cannot read the guest kernel " + kernel + " (build it: cmake --build build)");
  engine::EngineConfig cfg;
  cfg.machine = s.machine;
  cfg.time_travel = false;
  engine::Engine e(cfg);
  e.load_kernel(kernel);
  auto console = std::make_unique<StringSink>();
  StringSink* text = console.get();
  e.set_serial_sink(std::move(console));
  const engine::StopInfo stop = e.cont(4'000'000'000ull);

  print_intro(kernel, s.machine.cmdline, s.machine.tlb);
  for (const engine::CallRecord& c : e.calls()) print_call(e, c);

  std::printf("\n%zu cross-module calls, %s instructions in all. The guest ", e.calls().size(),
              commas(e.icount()).c_str());
  if (stop.reason == engine::StopReason::GuestExit)
    std::printf("exited with status %u (%s; `slotlab run` exits %u for it, as QEMU's isa-debug-exit does).\n",
                stop.exit_status >> 1, stop.exit_status == 1 ? "all checks passed" : "a check failed",
                stop.exit_status & 0xFF);
  else
    std::printf("stopped: %s %s\n", engine::stop_reason_name(stop.reason), stop.message.c_str());
  if (s.console) std::printf("\nWhat the guest printed on COM1:\n%s", text->text().c_str());
  // Commands that run as printed: this binary's path as the shell reaches
  // it from here (build/slotlab), not a bare `slotlab` that is not on PATH.
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  std::string exe = ec ? "slotlab" : std::filesystem::relative(self, ec).string();
  if (ec || exe.empty()) exe = self.string();
  if (exe.find('/') == std::string::npos) exe = "./" + exe;
  std::printf("Next:\n  %s trace %s --calls                    # the call tree with its costs\n"
              "  %s trace %s --chrome-trace calls.json  # then open calls.json in ui.perfetto.dev\n",
              exe.c_str(), kernel.c_str(), exe.c_str(), kernel.c_str());
  // 0 when the guest reported success (isa-debug-exit status 1 = guest exit code 0).
  return stop.reason == engine::StopReason::GuestExit && stop.exit_status == 1 ? 0 : 1;
}

}  // namespace

CommandAction bind_demo(CLI::App& cmd) { return bind_state<DemoState>(cmd, bind_demo_options, run_demo); }

}  // namespace slot::emu
