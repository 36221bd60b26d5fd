// Run control: slices of Machine::run, stop points, stepping.
//
// The machine runs in slices of up to EngineConfig::chunk instructions, cut
// at snapshot points; every stop other than an execution breakpoint (event
// catches, watchpoints, call-level steps) is raised by an observer calling
// Cpu::request_stop(), which the CPU honours at the next instruction
// boundary. Execution breakpoints are handed to the CPU's break filter
// (Cpu::set_exec_breaks): code pages without one run exactly as in
// `slotlab run`, a page with one runs instruction by instruction, and the
// engine looks only at the candidate stops (a module-qualified breakpoint
// may not apply). Only instruction-level steps (step over/out) single-step
// here. docs/debugger-engine.md has the measured cost.
#include <cstdio>
#include <cstring>

#include "emu/engine/impl.h"
#include "mmu/arch.h"

namespace slot::engine {

StopInfo Engine::Impl::make_stop(StopReason r, const std::string& msg) const {
  StopInfo s;
  s.reason = r;
  s.icount = m.cpu().icount();
  s.rip = m.cpu().s.rip;
  s.message = msg;
  s.step = goal.kind;
  return s;
}

bool Engine::Impl::needs_single_step() const { return goal.insn_level; }

void Engine::Impl::arm_exec_breaks(uint64_t resume_at) {
  std::vector<uint64_t> lin, phys;
  if (points_on)
    for (const auto& [id, p] : points) {
      if (p.kind == PointKind::Exec) lin.push_back(p.addr);
      if (p.kind == PointKind::ExecPhys) phys.push_back(p.addr);
    }
  m.cpu().set_exec_breaks(std::move(lin), std::move(phys), resume_at);
}

bool Engine::Impl::exec_point_hit(int& id) const {
  const cpu::Cpu& c = m.cpu();
  const uint64_t la = c.mode64() ? c.s.rip : uint32_t(c.s.seg[cpu::CS].base + c.s.rip);
  uint32_t mod = kNone - 1;  // computed on demand
  for (const auto& [pid, p] : points) {
    if (p.kind == PointKind::Exec && p.addr == la) {
      if (p.module != kNone) {
        if (mod == kNone - 1) mod = module_in_slot();
        if (mod != p.module) continue;
      }
      id = pid;
      return true;
    }
    if (p.kind == PointKind::ExecPhys) {
      mmu::PhysAddr pa;
      if (m.mmu().peek_translate(la, pa) && pa == p.addr) {
        id = pid;
        return true;
      }
    }
  }
  return false;
}

namespace {
// Decodes the instruction at RIP without side effects (no TLB fill, no fault).
bool decode_at_rip(const Engine::Impl& e, cpu::Insn& insn) {
  const cpu::Cpu& c = e.m.cpu();
  uint8_t bytes[15] = {};
  for (unsigned i = 0; i < 15; ++i)
    if (!e.read_virt(c.s.rip + i, &bytes[i], 1)) break;
  return cpu::decode(c.code_size(), [&](unsigned i) { return bytes[i]; }, insn) == cpu::DecodeStatus::Ok;
}
}  // namespace

bool Engine::Impl::near_ret_at_rip() const {
  cpu::Insn insn;
  return decode_at_rip(*this, insn) && std::strcmp(cpu::mnemonic(insn), "ret") == 0;
}

bool Engine::Impl::near_call_at_rip(uint64_t& next) const {
  cpu::Insn insn;
  if (!decode_at_rip(*this, insn) || std::strcmp(cpu::mnemonic(insn), "call") != 0) return false;
  next = m.cpu().s.rip + insn.len;
  return true;
}

bool Engine::Impl::after_run(emu::RunExit r, StopInfo& out) {
  flush_pending();
  maybe_snapshot();
  enforce_budget();
  if (threaded) {
    maybe_publish();
    serve_between_slices();
  }
  if (r == emu::RunExit::DebugExit) {
    out = make_stop(StopReason::GuestExit);
    out.exit_status = m.exit_status();
    return true;
  }
  if (r == emu::RunExit::Shutdown) {
    out = make_stop(StopReason::Shutdown, m.shutdown_report());
    return true;
  }
  // History memory (EngineConfig::history_budget): only a run that goes past
  // the furthest point reached so far stops; replay of what is recorded goes on.
  const bool beyond = m.cpu().icount() > far_icount;
  if (beyond) far_icount = m.cpu().icount();
  if (beyond && cursor >= hist.events.size() && history_bytes() > cfg.history_budget) [[unlikely]] {
    char msg[200];
    std::snprintf(msg, sizeof msg,
                  "history memory limit (%llu MiB) reached at instruction %llu: the run stops here; "
                  "reverse execution and replay still work (raise EngineConfig::history_budget)",
                  (unsigned long long)(cfg.history_budget >> 20), (unsigned long long)m.cpu().icount());
    out = make_stop(StopReason::Limit, msg);
    return true;
  }
  if (hit) {
    Hit h = *hit;
    hit.reset();
    if (collecting && h.reason == StopReason::Point) {
      collected.emplace_back(m.cpu().icount(), h);
    } else {
      out = make_stop(h.reason, h.message);
      out.point = h.point;
      out.event = h.event;
      out.addr = h.addr;
      out.cause_rip = h.cause_rip;
      return true;
    }
  }
  if (pause_flag.exchange(false)) {
    out = make_stop(StopReason::Paused);
    return true;
  }
  return false;
}

StopInfo Engine::Impl::run_chunks(uint64_t target, StopReason at_target, bool skip_first) {
  arm_exec_breaks(skip_first ? m.cpu().icount() : ~0ull);
  for (;;) {
    const uint64_t now = m.cpu().icount();
    if (now >= target) return make_stop(at_target);
    uint64_t bound = std::min(target, now + cfg.chunk);
    if (cfg.time_travel && next_snap_at > now) bound = std::min(bound, next_snap_at);
    const emu::RunExit r = m.run(bound);
    const bool at_break = m.cpu().stopped_at_break();
    StopInfo out;
    if (after_run(r, out)) return out;
    if (!at_break) continue;
    const uint64_t at = m.cpu().icount();
    int id;
    if (exec_point_hit(id)) {
      if (!collecting) {
        out = make_stop(StopReason::Point, points[id].label);
        out.point = id;
        out.cause_rip = out.rip;
        return out;
      }
      Hit h;
      h.point = id;
      h.message = points[id].label;
      h.cause_rip = m.cpu().s.rip;
      collected.emplace_back(at, h);
    }
    arm_exec_breaks(at);  // on past this one
  }
}

StopInfo Engine::Impl::run_single(uint64_t target, StopReason at_target, bool skip_first) {
  bool first = true;
  for (;;) {
    const uint64_t now = m.cpu().icount();
    if (now >= target) return make_stop(at_target);
    const cpu::Cpu& c = m.cpu();
    if (!(first && skip_first)) {
      int id;
      if (points_on && exec_point_hit(id)) {
        Hit h;
        h.point = id;
        h.message = points[id].label;
        h.cause_rip = c.s.rip;
        if (!collecting) {
          StopInfo s = make_stop(StopReason::Point, h.message);
          s.point = id;
          s.cause_rip = s.rip;
          return s;
        }
        collected.emplace_back(now, h);
      }
      if (goal.insn_level && goal.kind == StepKind::OverInsn && c.s.rip == goal.ret &&
          c.s.gpr[cpu::RSP] >= goal.rsp && c.s.cpl() == goal.cpl)
        return make_stop(StopReason::Step);
    }
    first = false;
    // Step out: the near RET that pops this function's frame is the one
    // executed at this privilege level with RSP at or above where we started
    // (a nested call's RET runs below it; a 1 MiB window keeps other stacks out).
    const bool last = goal.insn_level && goal.kind == StepKind::Out && c.s.cpl() == goal.cpl &&
                      c.s.gpr[cpu::RSP] - goal.rsp < (1u << 20) && near_ret_at_rip();
    emu::RunExit r;
    do r = m.run(now + 1);
    while (r == emu::RunExit::Stopped && m.cpu().icount() == now && !hit);
    StopInfo out;
    if (after_run(r, out)) return out;
    if (last) return make_stop(StopReason::Step);
  }
}

StopInfo Engine::Impl::run(uint64_t target, StopReason at_target, bool skip_first) {
  running = true;
  StopInfo s = needs_single_step() ? run_single(target, at_target, skip_first)
                                    : run_chunks(target, at_target, skip_first);
  m.cpu().clear_exec_breaks();
  running = false;
  if (!searching_back) pause_flag = false;   // a pause ends this run, not the next command
  goal = Goal{};
  flush_pending();
  last_stop = s;
  // A progress view: composite commands (reverse continue, back to call)
  // run several times; the engine thread publishes the stopped view once
  // the whole command is done (thread_main).
  if (threaded) publish(true);
  return s;
}

StopInfo Engine::Impl::step(StepKind k) {
  const cpu::Cpu& c = m.cpu();
  const uint64_t now = c.icount();
  goal = Goal{};
  goal.kind = k;
  static const char* const what[] = {"one instruction", "over a call instruction", "out of this function",
                                     "to the next module call", "over a module call", "to the end of this module call"};
  activity = std::string("running ") + what[unsigned(k)];
  switch (k) {
    case StepKind::Insn: return run(now + 1, StopReason::Step, true);
    case StepKind::OverInsn: {
      uint64_t ret;
      if (!near_call_at_rip(ret)) return run(now + 1, StopReason::Step, true);
      goal.insn_level = true;
      goal.ret = ret, goal.rsp = c.s.gpr[cpu::RSP], goal.cpl = c.s.cpl();
      return run(~0ull, StopReason::Limit, true);
    }
    case StepKind::Out:
      goal.insn_level = true;
      goal.rsp = c.s.gpr[cpu::RSP], goal.cpl = c.s.cpl();
      return run(~0ull, StopReason::Limit, true);
    case StepKind::NextCall:
      goal.active = true;
      return run(~0ull, StopReason::Limit, true);
    case StepKind::OverCall:
    case StepKind::FinishCall: {
      goal.task = task_of_cr3(cur_cr3());
      if (goal.task == kNone) {
        // In a space the guest did not name (the kernel's init thread): the
        // task of the latest call event.
        for (size_t i = cursor; i-- > 0;)
          if (hist.events[i].kind == EventKind::Call || hist.events[i].kind == EventKind::Return) {
            goal.task = hist.events[i].task;
            break;
          }
      }
      auto t = know.tasks.find(goal.task);
      goal.depth = t == know.tasks.end() ? 0 : t->second.stack.size();
      if (k == StepKind::FinishCall && goal.depth == 0) {
        goal = Goal{};
        return make_stop(StopReason::Step, "not inside a cross-module call");
      }
      goal.active = true;
      return run(~0ull, StopReason::Limit, true);
    }
  }
  return make_stop(StopReason::Step);
}

StopInfo Engine::Impl::cont(uint64_t max_insns) {
  goal = Goal{};
  activity = "running to the next stop point";
  const uint64_t now = m.cpu().icount();
  const uint64_t target = max_insns ? (max_insns > ~0ull - now ? ~0ull : now + max_insns) : ~0ull;
  return run(target, StopReason::Limit, true);
}

}  // namespace slot::engine
