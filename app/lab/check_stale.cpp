// Lab 2: flush=none. The kernel rewrites PML4[1] and invalidates nothing the
// caller's module had cached, so the callee can go on reading the caller
// through the TLB (SDM Vol. 3A section 4.10.4: the processor may use a cached
// translation until software invalidates it). Then the two fixes.
#include "app/lab/check.h"
#include "mmu/arch.h"

namespace slot::lab {

namespace {

// Runs to the call app -> evil of the read_caller_module attack, then lets
// the call finish with a stale-translation catch set. True if a stale
// translation was used inside that call.
bool stale_in_read_caller_module(Booted& b, bool& reached) {
  engine::Engine& e = *b.e;
  reached = false;
  const int call_pt = e.add_point(engine::StopPoint::on(engine::EventKind::Call, guest::EVIL));
  for (int i = 0; i < 64 && !reached; ++i) {
    const engine::StopInfo s = e.cont();
    if (s.reason != engine::StopReason::Point) break;
    reached = !e.calls().empty() && e.calls().back().op == guest::ATK_read_caller_module;
  }
  e.remove_point(call_pt);
  if (!reached) return false;
  const int stale_pt = e.add_point(engine::StopPoint::on(engine::EventKind::Stale));
  const engine::StopInfo s = e.step(engine::StepKind::FinishCall);
  e.remove_point(stale_pt);
  return s.reason == engine::StopReason::Point;
}

}  // namespace

int check_missing_invalidation(const Lab& lab, const CheckEnv& env) {
  Report r(lab);
  const std::string tlb = lab_tlb(lab, env);
  {
    Booted b = boot(env, lab.cmdline, tlb, /*log_invlpg=*/true);
    engine::Engine& e = *b.e;
    // Stale detection re-walks every TLB hit (slow): the check runs at full
    // speed to the attack's call and sets the catch there; the student's F5
    // from the start stops at the same place (nothing stale is used before).
    const int call_pt = e.add_point(engine::StopPoint::on(engine::EventKind::Call, guest::EVIL));
    for (int i = 0; i < 64; ++i)
      if (e.cont().reason != engine::StopReason::Point ||
          (!e.calls().empty() && e.calls().back().op == guest::ATK_read_caller_module))
        break;
    e.remove_point(call_pt);
    const int stale_pt = e.add_point(engine::StopPoint::on(engine::EventKind::Stale));
    const engine::StopInfo s = e.cont();
    if (!r.expect(s.reason == engine::StopReason::Point, "F5 with a `stale` breakpoint stops",
                  engine::stop_reason_name(s.reason)))
      return r.failed();
    const engine::View v = e.make_view();
    r.note("stopped at " + hex(s.rip) + " " + e.symbolize(s.rip) + ", address " + hex(s.addr));
    r.expect(v.module == guest::EVIL, "the module in slot 1 is evil", e.module_name(v.module));
    const uint64_t app = guest::module_base(guest::APP);
    r.expect(s.addr >= app && s.addr < app + guest::kGiB, "the stale address is in app's GiB (slot 1): the caller",
             hex(s.addr));
    uint32_t call = engine::kNone;
    for (const engine::TaskInfo& t : v.tasks)
      if (t.id == v.task && !t.stack.empty()) call = t.stack.back();
    r.expect(call != engine::kNone && e.calls()[call].callee == guest::EVIL &&
                 e.calls()[call].op == guest::ATK_read_caller_module,
             "inside the call app -> evil, attack read_caller_module (3)",
             call == engine::kNone ? "no open call" : e.op_label(e.calls()[call].callee, e.calls()[call].op));
    const mmu::DebugWalk w = e.machine().mmu().debug_walk(s.addr);
    r.expect(!w.ok && !w.steps.empty() && w.steps.back().level == 3,
             "memory says: not mapped, the walk ends at the PDPTE (evil's PDPT has no entry for app's GiB)");
    r.expect(w.tlb_hit && w.tlb_stale, "the TLB still holds a translation for it, marked stale",
             w.tlb_hit ? w.tlb_array + " -> " + hex(w.tlb_entry.phys()) : "no TLB entry");
    // Since the last rewrite of PML4[1] in this address space: no flushing
    // CR3 load of it, no INVLPG of that page.
    const auto& ev = e.events();
    size_t last = engine::kNoIndex;
    const uint64_t pml4 = v.regs.cr3 & x86::PTE_ADDR;
    for (size_t i = 0; i < ev.size(); ++i)
      if (ev[i].kind == engine::EventKind::SlotChange && ev[i].slot == guest::kModuleSlot &&
          (ev[i].c & ~0xFFFull) == pml4)
        last = i;
    int flushes = 0;
    for (size_t i = last == engine::kNoIndex ? ev.size() : last + 1; i < ev.size(); ++i) {
      const engine::Event& x = ev[i];
      if (x.kind == engine::EventKind::Cr3Load && (x.b & x86::PTE_ADDR) == pml4 && !(x.b >> 63)) ++flushes;
      if (x.kind == engine::EventKind::Invlpg && (x.a >> 12) == (s.addr >> 12)) ++flushes;
    }
    r.expect(last != engine::kNoIndex && flushes == 0,
             "after the last slot_change of PML4[1]: no CR3 reload and no INVLPG of that page",
             last == engine::kNoIndex ? "no slot change" : "slot change at event " + std::to_string(last));
    e.remove_point(stale_pt);
    // The kernel judges the attack when its task ends, before the next
    // attack calls evil.
    e.add_point(engine::StopPoint::on(engine::EventKind::Call, guest::EVIL));
    e.cont();
    r.expect(b.serial->text().find("ATTACK read_caller_module: BREACH") != std::string::npos,
             "the console says: ATTACK read_caller_module: BREACH");
  }
  // The fixes: the same call with the kernel invalidating; no stale use.
  for (const char* fix : {"flush=cr3", "flush=invlpg invlpg_max=100000"}) {
    Booted b = boot(env, std::string("workload=attacks ") + fix, tlb);
    bool reached = false;
    const bool stale = stale_in_read_caller_module(b, reached);
    r.expect(reached && !stale, std::string(fix) + ": no stale translation in the read_caller_module call",
             reached ? (stale ? "stale used" : "clean") : "attack not reached");
  }
  // And what they cost: the demo on each variant.
  RunFigures f[3];
  const char* names[3] = {"none", "cr3", "invlpg"};  // invlpg page by page (invlpg_max, lab 2's text)
  r.note("workload=demo        insns       L1 misses   walks      CR3 loads  INVLPG     cycles");
  for (int i = 0; i < 3; ++i) {
    Booted b = boot(env, std::string("workload=demo flush=") + names[i] + (i == 2 ? " invlpg_max=100000" : ""), tlb);
    run_to_end(b);
    f[i] = figures(b);
    char line[200];
    std::snprintf(line, sizeof line, "flush=%-8s %12llu %11llu %10llu %10llu %10llu %12.0f", names[i],
                  (unsigned long long)f[i].insns, (unsigned long long)f[i].l1_misses,
                  (unsigned long long)f[i].walks, (unsigned long long)f[i].cr3_loads,
                  (unsigned long long)f[i].invlpg, f[i].cycles);
    r.note(line);
  }
  r.expect(f[0].walks < f[1].walks && f[0].walks < f[2].walks,
           "invalidating costs walks: none has fewer than cr3 and invlpg");
  r.expect(f[1].cr3_loads > f[0].cr3_loads, "flush=cr3 reloads CR3 more often than none");
  r.expect(f[2].invlpg > f[0].invlpg, "flush=invlpg executes more INVLPGs than none");
  return r.failed();
}

}  // namespace slot::lab
