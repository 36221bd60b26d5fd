// The engine on its own thread (for the GUI): a queue of work items, views
// published at every stop and every 50 ms while running. Run-control
// commands execute in order; exec() functions also run between slices of a
// long run, so a panel can read memory while the guest runs.
#include "emu/engine/impl.h"
#include "mmu/arch.h"

namespace slot::engine {

View Engine::Impl::make_view() const {
  View v;
  v.generation = view_gen;
  v.running = running;
  v.last_stop = last_stop;
  v.icount = m.cpu().icount();
  v.regs = m.cpu().s;
  v.regs.rflags = m.cpu().rflags();
  v.regs.cr3 = m.mmu().mode().cr3;
  v.task = task_of_cr3(cur_cr3());
  v.module = module_in_slot();
  v.spaces = know.spaces;
  v.pml4 = self->pml4_now();
  for (const auto& [id, t] : know.tasks) v.tasks.push_back(t);
  for (const auto& [id, mi] : know.modules) v.modules.push_back(mi);
  v.op_names = hist.op_names;
  v.events = hist.events.size();
  v.calls = hist.calls.size();
  v.serial_bytes = know.serial_pos;
  v.stats = m.mmu().stats();
  v.snapshot_bytes = snap_bytes;
  v.snapshots = snaps.size();
  v.oldest_icount = snaps.empty() ? v.icount : snaps.front().icount;
  v.snapshot_message = tt_message;
  v.activity = activity;
  return v;
}

void Engine::Impl::publish(bool running_now) {
  View v = make_view();
  v.running = running_now;
  v.generation = ++view_gen;
  last_publish = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lk(view_mu);
  published = std::make_shared<const View>(std::move(v));
}

void Engine::Impl::maybe_publish() {
  if (std::chrono::steady_clock::now() - last_publish > std::chrono::milliseconds(50)) publish(true);
}

void Engine::Impl::serve_between_slices() {
  std::vector<Item> now;
  {
    std::lock_guard<std::mutex> lk(q_mu);
    for (auto it = queue.begin(); it != queue.end();) {
      if (!it->run_control) {
        now.push_back(std::move(*it));
        it = queue.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (Item& i : now) i.fn();
}

void Engine::Impl::thread_main() {
  for (;;) {
    Item item;
    {
      std::unique_lock<std::mutex> lk(q_mu);
      q_cv.wait(lk, [&] { return quit || !queue.empty(); });
      if (queue.empty()) {  // quit
        thread_done = true;
        return;
      }
      item = std::move(queue.front());
      queue.pop_front();
    }
    item.fn();
    activity.clear();
    publish(false);
  }
}

void Engine::start() {
  Impl& e = *impl_;
  if (e.threaded) return;
  e.threaded = true;
  e.quit = false;
  e.thread_done = false;
  e.publish(false);
  e.th = std::thread([&e] { e.thread_main(); });
}

void Engine::stop_thread() {
  Impl& e = *impl_;
  if (!e.threaded) return;
  {
    std::lock_guard<std::mutex> lk(e.q_mu);
    e.quit = true;
  }
  // A run in progress ends at its next slice once paused; queued work drains
  // (and is paused in turn).
  while (!e.thread_done) {
    pause();
    e.q_cv.notify_all();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  e.th.join();
  e.threaded = false;
}

void Engine::post(const Command& c) {
  Impl& e = *impl_;
  auto fn = [&e, c] {
    switch (c.kind) {
      case CommandKind::Continue: e.cont(c.arg); break;
      case CommandKind::Step: e.step(c.step); break;
      case CommandKind::ReverseStep: e.reverse_step(); break;
      case CommandKind::ReverseContinue: e.reverse_cont(); break;
      case CommandKind::BackToCall: e.back_to_call(); break;
      case CommandKind::Goto: e.goto_icount(c.arg); break;
      case CommandKind::AddPoint: e.self->add_point(c.point); break;
      case CommandKind::RemovePoint: e.self->remove_point(int(c.arg)); break;
    }
  };
  if (!e.threaded) {
    fn();
    return;
  }
  {
    std::lock_guard<std::mutex> lk(e.q_mu);
    e.queue.push_back(Impl::Item{true, fn});
  }
  e.q_cv.notify_all();
}

std::future<void> Engine::exec(std::function<void(Engine&)> fn) {
  Impl& e = *impl_;
  auto p = std::make_shared<std::promise<void>>();
  std::future<void> f = p->get_future();
  auto run = [this, fn = std::move(fn), p] {
    try {
      fn(*this);
      p->set_value();
    } catch (...) {
      p->set_exception(std::current_exception());
    }
  };
  if (!e.threaded) {
    run();
    return f;
  }
  {
    std::lock_guard<std::mutex> lk(e.q_mu);
    e.queue.push_back(Impl::Item{false, std::move(run)});
  }
  e.q_cv.notify_all();
  return f;
}

std::shared_ptr<const View> Engine::view() const {
  std::lock_guard<std::mutex> lk(impl_->view_mu);
  if (impl_->published || impl_->threaded) return impl_->published;
  return std::make_shared<const View>(impl_->make_view());
}

View Engine::make_view() const { return impl_->make_view(); }

}  // namespace slot::engine
