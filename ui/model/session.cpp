#include "ui/model/session.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "emu/engine/point_spec.h"
#include "ui/model/events_vm.h"

namespace slot::ui {

using namespace std::chrono_literals;

Session::Session(engine::Engine& e, std::shared_ptr<SerialLog> log, bool threaded)
    : e_(e), log_(std::move(log)), threaded_(threaded), cur_(std::make_shared<Frame>()) {}

Session::~Session() {
  if (pending_.valid()) pending_.wait();
}

template <class F>
auto Session::on_engine(F fn) -> decltype(fn(std::declval<engine::Engine&>())) {
  using R = decltype(fn(e_));
  if (!threaded_) return fn(e_);
  if constexpr (std::is_void_v<R>) {
    e_.exec([&](engine::Engine& en) { fn(en); }).get();
  } else {
    std::optional<R> out;
    e_.exec([&](engine::Engine& en) { out.emplace(fn(en)); }).get();
    return std::move(*out);
  }
}

Requests Session::with_history(Requests r) const {
  r.known_events = hist_.events.size();
  r.known_points = hist_.points.size();
  r.known_first_open_call = hist_.first_open_call;
  return r;
}

static bool same_requests(const Requests& a, const Requests& b) {
  return a.point == b.point && a.walk == b.walk && a.walk_addr == b.walk_addr && a.mem_addr == b.mem_addr &&
         a.mem_phys == b.mem_phys && a.mem_rows == b.mem_rows && a.code_at == b.code_at &&
         a.code_addr == b.code_addr && a.code_lines == b.code_lines;
}

void Session::accept(Frame&& f) {
  merge(hist_, std::move(f.tail));
  f.tail = {};
  auto nf = std::make_shared<Frame>(std::move(f));
  // A new stop (not a redraw of the same one): the old stop becomes "previous".
  if (nf->view && !nf->view->running) {
    if (!cur_stop_ || cur_stop_->view->icount != nf->view->icount) prev_stop_ = cur_stop_;
    cur_stop_ = nf;
  }
  cur_ = nf;
  ++frames_;
}

bool Session::poll(const Requests& req, bool force) {
  bool arrived = false;
  if (pending_.valid() && pending_.wait_for(0s) == std::future_status::ready) {
    pending_.get();
    accept(std::move(*incoming_));
    incoming_.reset();
    arrived = true;
  }
  if (pending_.valid()) return arrived;
  const auto v = e_.view();
  const uint64_t gen = v ? v->generation : 0;
  const bool stale = gen != last_generation_ || !same_requests(req, last_req_) || force;
  if (!stale) return arrived;
  // While the machine runs, views come every few milliseconds: a dozen frames
  // a second is plenty for the panels and keeps the engine thread busy running.
  const auto now = std::chrono::steady_clock::now();
  if (v && v->running && !force && now - last_start_ < 80ms) return arrived;
  last_start_ = now;
  last_generation_ = gen;
  last_req_ = req;
  const Requests r = with_history(req);
  if (!threaded_) {
    accept(gatherer_.gather(e_, r));
    return true;
  }
  incoming_ = std::make_shared<Frame>();
  auto box = incoming_;
  pending_ = e_.exec([this, box, r](engine::Engine& en) { *box = gatherer_.gather(en, r); });
  return arrived;
}

void Session::sync(const Requests& req) {
  if (pending_.valid()) {
    pending_.get();
    accept(std::move(*incoming_));
    incoming_.reset();
  }
  const auto v = e_.view();
  last_generation_ = v ? v->generation : 0;
  last_req_ = req;
  const Requests r = with_history(req);
  accept(on_engine([&](engine::Engine& en) { return gatherer_.gather(en, r); }));
}

bool Session::running() const {
  const auto v = e_.view();
  return v && v->running;
}

std::shared_ptr<const engine::View> Session::latest_view() const { return e_.view(); }

void Session::post(const engine::Command& c) {
  if (threaded_) {
    e_.post(c);
    return;
  }
  // Synchronous sessions run the command here (tests; the headless setup).
  using engine::CommandKind;
  switch (c.kind) {
    case CommandKind::Continue: e_.cont(c.arg); break;
    case CommandKind::Step: e_.step(c.step); break;
    case CommandKind::ReverseStep: e_.reverse_step(); break;
    case CommandKind::ReverseContinue: e_.reverse_cont(); break;
    case CommandKind::BackToCall: e_.back_to_call(); break;
    case CommandKind::Goto: e_.goto_icount(c.arg); break;
    case CommandKind::AddPoint: e_.add_point(c.point); break;
    case CommandKind::RemovePoint: e_.remove_point(int(c.arg)); break;
  }
}

void Session::pause() { e_.pause(); }

std::future<void> Session::exec(std::function<void(engine::Engine&)> fn) {
  if (threaded_) return e_.exec(std::move(fn));
  std::promise<void> done;
  fn(e_);
  done.set_value();
  return done.get_future();
}

bool Session::act(Action a) {
  const bool run = running();
  if (a == Action::RunPause && run) {
    pause();
    return true;
  }
  if (run && a != Action::None && action_command(a, false)) {
    // A step while running: stop first, then step from where it stopped.
    pause();
  }
  if (a == Action::BackToCall) {
    back_to_call();
    return true;
  }
  if (auto c = action_command(a, run)) {
    post(*c);
    return true;
  }
  return false;
}

void Session::back_to_call() {
  // Engine::back_to_call() replays up to the present and goes to the latest
  // Call hit it meets; stopped right after a call's announcement, that is the
  // same call (its hit is at the present), so the key would do nothing. One
  // instruction back first reaches the previous call. (Reported to the engine.)
  auto fn = [](engine::Engine& en) {
    const uint64_t now = en.make_view().icount;
    if (now > 0) en.goto_icount(now - 1);
    en.back_to_call();
  };
  if (!threaded_) {
    fn(e_);
    return;
  }
  e_.exec(fn);  // queued like a command; the engine publishes a view after it
}

void Session::go_to(uint64_t icount) {
  if (running()) pause();
  engine::Command c;
  c.kind = engine::CommandKind::Goto;
  c.arg = icount;
  post(c);
}

void Session::toggle_breakpoint(uint64_t va) {
  for (const auto& [id, p] : cur_->points)
    if (p.kind == engine::PointKind::Exec && p.addr == va) {
      remove_point(id);
      return;
    }
  engine::StopPoint p = engine::StopPoint::exec(va);
  p.label = hex(va);
  engine::Command c;
  c.kind = engine::CommandKind::AddPoint;
  c.point = p;
  post(c);
}

void Session::remove_point(int id) {
  engine::Command c;
  c.kind = engine::CommandKind::RemovePoint;
  c.arg = uint64_t(id);
  post(c);
}

std::string Session::add_symbol_breakpoint(const std::string& spec) {
  return on_engine([&](engine::Engine& en) -> std::string {
    try {
      en.add_symbol_breakpoint(spec);
      return "";
    } catch (const std::exception& ex) {
      return ex.what();
    }
  });
}

std::string Session::add_point(const engine::StopPoint& p) {
  return on_engine([&](engine::Engine& en) -> std::string {
    try {
      en.add_point(p);
      return "";
    } catch (const std::exception& ex) {
      return ex.what();
    }
  });
}

// ---- --until ------------------------------------------------------------------

namespace {
using engine::parse_count;
std::string lower(const std::string& s) { return engine::lowercase(s); }
// Continues to the n-th hit of stop point p; "" or why not.
std::string cont_hits(engine::Engine& e, const engine::StopPoint& p, uint64_t n) {
  const int id = e.add_point(p);
  std::string err;
  for (uint64_t i = 0; i < n; ++i) {
    const engine::StopInfo s = e.cont();
    if (s.reason != engine::StopReason::Point) {
      err = std::string("stopped (") + engine::stop_reason_name(s.reason) + ") after " + std::to_string(i) +
            " of " + std::to_string(n) + " hits";
      break;
    }
  }
  e.remove_point(id);
  return err;
}
}  // namespace

std::string run_until(engine::Engine& e, const std::string& spec_in) {
  const std::string spec = lower(spec_in);
  const size_t colon = spec.find(':');
  const std::string what = spec.substr(0, colon);
  const std::string arg = colon == std::string::npos ? "" : spec_in.substr(colon + 1);
  uint64_t n = 1;
  if (what == "end") {
    e.cont();
    return "";
  }
  if (what == "icount") {
    if (!parse_count(arg, n)) return "--until icount:N needs a number";
    e.goto_icount(n);
    return "";
  }
  if (what == "sym" || what == "break") {
    if (arg.empty()) return "--until sym:NAME needs a symbol";
    try {
      const int id = e.add_symbol_breakpoint(arg);
      const engine::StopInfo s = e.cont();
      e.remove_point(id);
      if (s.reason != engine::StopReason::Point) return "symbol " + arg + " was never reached";
    } catch (const std::exception& ex) {
      return ex.what();
    }
    return "";
  }
  if (!arg.empty() && what != "event" && !parse_count(arg, n)) return "bad count in --until " + spec_in;
  if (what == "call") {
    if (n == 0) return "--until call:N counts from 1";
    for (uint64_t i = 0; i < n; ++i) {
      const engine::StopInfo s = e.step(engine::StepKind::NextCall);
      if (s.reason == engine::StopReason::GuestExit || s.reason == engine::StopReason::Shutdown)
        return "the guest stopped after " + std::to_string(i) + " calls";
    }
    return "";
  }
  if (what == "return") return cont_hits(e, engine::StopPoint::on(engine::EventKind::Return), n);
  if (what == "slot") return cont_hits(e, engine::StopPoint::on(engine::EventKind::SlotChange), n);
  if (what == "event") {
    std::string kind = lower(arg);
    const size_t c2 = kind.find(':');
    if (c2 != std::string::npos) {
      if (!parse_count(kind.substr(c2 + 1), n)) return "bad count in --until " + spec_in;
      kind = kind.substr(0, c2);
    }
    for (unsigned k = 0; k < kEventKinds; ++k)
      if (lower(engine::event_name(engine::EventKind(k))) == kind)
        return cont_hits(e, engine::StopPoint::on(engine::EventKind(k)), n);
    return "unknown event kind '" + arg + "'";
  }
  return "unknown --until '" + spec_in + "' (call:N, return:N, slot:N, icount:N, sym:NAME, event:KIND, end)";
}

}  // namespace slot::ui
