// What the guest tells about itself through the annotation port
// (docs/annotation.md): names, modules, tasks, and cross-module calls and
// returns, which become history points carrying the TLB cost since the
// previous point and the task's call stack.
#include <algorithm>
#include <cstdio>

#include "emu/engine/impl.h"

namespace slot::engine {

TlbDelta Engine::Impl::cum_now() const {
  const mmu::MmuStats st = m.mmu().totals();
  TlbDelta d;
  d.insns = m.cpu().icount();
  d.l1_misses = st.l1_misses, d.l2_misses = st.l2_misses;
  d.walks = st.walks, d.walk_refs = st.walk_refs;
  d.cr3_loads = st.cr3_loads, d.invlpg = st.invlpg + st.invpcid, d.stale = st.stale, d.faults = st.faults;
  d.cycles = m.mmu().cost(d.insns, m.cpu().kernel_ops()).total();
  return d;
}

TlbDelta Engine::Impl::task_cum_now(uint32_t task, const TlbDelta& global) const {
  TlbDelta d;
  if (auto it = know.task_cum.find(task); it != know.task_cum.end()) d = it->second;
  if (task == know.acct_task) {
    d += global;
    d -= know.acct_mark;
  }
  return d;
}

void Engine::Impl::on_kernel_entry(const Event& e) {
  know.in_ring0 = true;
  Knowledge::EntryMark& mk = know.entry_mark[e.task];
  mk.icount = e.icount;
  mk.ring0 = m.cpu().ring0_icount();
  mk.wall = cum_now();
  mk.task_cum = task_cum_now(e.task, mk.wall);
}

void Engine::Impl::on_kernel_exit(const Event& e) {
  know.in_ring0 = false;
  auto it = know.returning.find(e.task);
  if (it == know.returning.end()) return;
  const TlbDelta g = cum_now();
  const TlbDelta task_now = task_cum_now(e.task, g);
  for (uint32_t k : it->second) {
    CallRecord& c = hist.calls[k];
    const TlbDelta before = c.inclusive;
    c.exit_icount = e.icount;
    c.kernel_insns = m.cpu().ring0_icount() - hist.enter_ring0[k];
    c.inclusive = task_now;
    c.inclusive -= hist.enter_cum[k];
    c.wall = g;
    c.wall -= hist.enter_wall[k];
    c.exclusive = c.inclusive;
    c.exclusive -= hist.child_sum[k];
    if (c.parent != kNone) {  // the parent was charged the preliminary figure at the Return
      hist.child_sum[c.parent] -= before;
      hist.child_sum[c.parent] += c.inclusive;
    }
  }
  know.returning.erase(it);
}

void Engine::Impl::charge_switch(uint32_t new_task) {
  if (new_task == know.acct_task) return;
  const TlbDelta now = cum_now();
  TlbDelta d = now;
  d -= know.acct_mark;
  know.task_cum[know.acct_task] += d;
  know.acct_mark = now;
  know.acct_task = new_task;
}

void Engine::Impl::on_ann_dword(uint32_t v, unsigned size) {
  if (size != 4) {
    char why[80];
    std::snprintf(why, sizeof why, "%u-byte write of %#x to the annotation port (only outl is protocol)", size, v);
    Event e = base_event(EventKind::BadAnnotation);
    e.a = v;
    e.text = why;
    emit(e);
    return;
  }
  AnnRecord r;
  if (know.parser.feed(v, r)) handle(r);
}

void Engine::Impl::load_module_symbols(const ModuleInfo& mi) {
  if (syms.has_module(mi.id) || mi.symtab_bytes == 0 || mi.strtab_bytes == 0) return;
  constexpr uint64_t kMax = 16 << 20;  // a corrupt size must not allocate the world
  if (mi.symtab_bytes > kMax || mi.strtab_bytes > kMax) return;
  const uint8_t* st = m.mem().ptr(mi.symtab, mi.symtab_bytes);
  const uint8_t* str = m.mem().ptr(mi.strtab, mi.strtab_bytes);
  if (!st || !str) return;
  syms.set_module(mi.id, mi.name, parse_symtab64({st, mi.symtab_bytes}, {str, mi.strtab_bytes}));
}

size_t Engine::Impl::add_point(uint32_t call, bool is_return, uint32_t task, size_t ev, bool fresh) {
  const TlbDelta now = cum_now();
  size_t idx;
  if (fresh) {
    HistoryPoint hp;
    hp.event = ev, hp.call = call, hp.is_return = is_return, hp.task = task;
    auto t = know.tasks.find(task);
    hp.top_after = (t == know.tasks.end() || t->second.stack.empty()) ? kNone : t->second.stack.back();
    hp.slot_log_end = hist.slots.size();
    hp.delta = now;
    hp.delta -= know.cum_at_point;
    hist.points.push_back(hp);
    idx = hist.points.size() - 1;
    hist.events[ev].c = idx;
  } else {
    idx = hist.events[ev].c;
  }
  know.cum_at_point = now;
  know.points_seen = idx + 1;
  return idx;
}

namespace {
TaskInfo& task_entry(Knowledge& k, History& h, uint32_t id) {
  auto [it, inserted] = k.tasks.try_emplace(id);
  if (inserted) {
    it->second.id = id;
    char n[24];
    std::snprintf(n, sizeof n, "task%u", id);
    it->second.name = n;
    h.task_names.try_emplace(id, n);
  }
  return it->second;
}
}  // namespace

void Engine::Impl::handle(const AnnRecord& r) {
  bool fresh;
  switch (r.kind) {
    case AnnRecord::Bad: {
      Event e = base_event(EventKind::BadAnnotation);
      e.a = r.raw, e.text = r.text;
      emit(e);
      return;
    }
    case AnnRecord::AddressSpace: {
      const size_t i = discover(r.cr3);
      AddressSpace& as = know.spaces[i];
      as.task = r.task == ann::ANN_NONE ? kNone : r.task;
      as.module = r.module == ann::ANN_NONE ? kNone : r.module;
      as.name = r.text;
      for (SpaceLog& sl : hist.spaces)
        if (sl.as.cr3 == as.cr3) sl.as = as;
      if (as.cr3 == cur_cr3()) charge_switch(as.task);
      Event e = base_event(EventKind::Name);
      e.a = as.cr3, e.task = as.task, e.text = r.text;
      emit(e);
      return;
    }
    case AnnRecord::Module: {
      ModuleInfo mi;
      mi.id = r.module, mi.name = r.text, mi.pdpt = r.pdpt, mi.base = r.base;
      mi.symtab = r.symtab, mi.symtab_bytes = r.symtab_bytes, mi.strtab = r.strtab, mi.strtab_bytes = r.strtab_bytes;
      know.modules[mi.id] = mi;
      hist.module_names[mi.id] = mi.name;
      load_module_symbols(mi);
      Event e = base_event(EventKind::Module);
      e.a = mi.id, e.text = mi.name;
      emit(e);
      return;
    }
    case AnnRecord::TaskCreate: {
      TaskInfo& t = task_entry(know, hist, r.task);
      t.name = r.text;
      t.home_module = r.module == ann::ANN_NONE ? kNone : r.module;
      t.parent = r.parent == ann::ANN_NONE ? kNone : r.parent;
      hist.task_names[r.task] = r.text;
      Event e = base_event(EventKind::TaskCreate);
      e.task = r.task, e.text = r.text;
      flush_pending();
      const size_t ev = log(e, fresh);
      if (fresh) hist.task_lives[r.task].emplace_back(ev, r.text);
      check(ev);
      return;
    }
    case AnnRecord::Call: {
      TaskInfo& t = task_entry(know, hist, r.task);
      flush_pending();
      Event e = base_event(EventKind::Call);
      e.task = r.task, e.a = r.callee, e.b = r.op;
      const size_t ev = log(e, fresh);
      uint32_t k;
      if (fresh) {
        CallRecord c;
        c.index = k = uint32_t(hist.calls.size());
        c.task = r.task, c.caller = r.caller, c.callee = r.callee, c.op = r.op, c.depth = r.depth;
        c.parent = t.stack.empty() ? kNone : t.stack.back();
        for (const auto& b : r.buffers) c.buffers.push_back({b.caller_addr, b.window_addr, b.len});
        c.enter_icount = e.icount, c.enter_rip = e.rip, c.cr3 = e.cr3;
        c.enter_event = ev;
        auto ke = know.kernel_entry.find(r.task);
        c.before_event = ke == know.kernel_entry.end() ? kNoIndex : ke->second;
        auto mk = know.entry_mark.find(r.task);
        if (mk != know.entry_mark.end() && know.in_ring0) {  // counted from the caller's kernel entry
          c.entry_icount = mk->second.icount;
          hist.enter_ring0.push_back(mk->second.ring0);
          hist.enter_cum.push_back(mk->second.task_cum);
          hist.enter_wall.push_back(mk->second.wall);
        } else {
          const TlbDelta g = cum_now();
          hist.enter_ring0.push_back(m.cpu().ring0_icount());
          hist.enter_cum.push_back(task_cum_now(r.task, g));
          hist.enter_wall.push_back(g);
        }
        hist.calls.push_back(std::move(c));
        hist.child_sum.emplace_back();
        hist.events[ev].call = k;
      } else {
        k = hist.events[ev].call;
      }
      t.stack.push_back(k);
      add_point(k, false, r.task, ev, fresh);
      check(ev);
      return;
    }
    case AnnRecord::Return: {
      TaskInfo& t = task_entry(know, hist, r.task);
      // The innermost open call at the record's depth; anything above it was
      // never returned from (reported once, then unwound with it).
      auto it = std::find_if(t.stack.rbegin(), t.stack.rend(),
                             [&](uint32_t k) { return hist.calls[k].depth == r.depth; });
      if (it == t.stack.rend()) {
        Event e = base_event(EventKind::BadAnnotation);
        char why[96];
        std::snprintf(why, sizeof why, "RETURN of task %u at depth %u without an open call there", r.task, r.depth);
        e.task = r.task, e.text = why;
        emit(e);
        return;
      }
      const uint32_t k = *it;
      if (it != t.stack.rbegin()) {
        Event e = base_event(EventKind::BadAnnotation);
        e.task = r.task, e.text = "RETURN skips open calls (unwound with it)";
        emit(e);
      }
      t.stack.erase(std::prev(it.base()), t.stack.end());
      flush_pending();
      Event e = base_event(EventKind::Return);
      e.task = r.task, e.call = k, e.a = uint64_t(r.value);
      const size_t ev = log(e, fresh);
      if (fresh) {
        CallRecord& c = hist.calls[k];
        c.returned = true, c.return_icount = e.icount, c.status = r.value, c.return_event = ev;
        const TlbDelta g = cum_now();
        c.inclusive = task_cum_now(r.task, g);
        c.inclusive -= hist.enter_cum[k];
        c.wall = g;
        c.wall -= hist.enter_wall[k];
        c.exclusive = c.inclusive;
        c.exclusive -= hist.child_sum[k];
        if (c.parent != kNone) hist.child_sum[c.parent] += c.inclusive;
        // Finished at the kernel's exit to the caller (on_kernel_exit).
        if (c.entry_icount != kNone64 && know.in_ring0) know.returning[r.task].push_back(k);
      }
      add_point(k, true, r.task, ev, fresh);
      check(ev);
      return;
    }
    case AnnRecord::Mark: {
      Event e = base_event(EventKind::Mark);
      e.text = r.text;
      emit(e);
      return;
    }
    case AnnRecord::OpName: {
      // Names are history, not machine state: a view after going back still
      // names the calls the run made later (names are fixed per boot).
      auto& ops = hist.op_names[r.module];
      if (ops.size() <= r.op && r.op < 4096) ops.resize(r.op + 1);
      if (r.op < ops.size()) ops[r.op] = r.text;
      return;
    }
    case AnnRecord::TaskExit: {
      TaskInfo& t = task_entry(know, hist, r.task);
      t.exited = true, t.exit_value = r.value;
      t.stack.clear();
      Event e = base_event(EventKind::TaskExit);
      e.task = r.task, e.a = uint64_t(r.value);
      emit(e);
      return;
    }
  }
}

}  // namespace slot::engine
