// The GUI's side of the engine: it never touches the CPU or MMU (issue 6). It
// posts commands to the engine's queue, asks the engine thread for Frames
// (gather.h) when the engine published a new view or a panel asked for
// something new, and keeps the current frame, the frame of the previous stop
// (what "changed" highlights compare against) and the merged history.
//
// Threaded (the GUI): the engine thread runs (Engine::start()); poll() never
// blocks. Synchronous (tests, headless setup): no engine thread; sync()
// gathers directly.
#pragma once
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>

#include "ui/model/console_vm.h"
#include "ui/model/gather.h"
#include "ui/model/keys.h"

namespace slot::ui {

class Session {
 public:
  Session(engine::Engine& e, std::shared_ptr<SerialLog> log, bool threaded);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Non-blocking: collects a finished gather, starts a new one when the
  // engine published a new view, the requests changed, or `force`. True when
  // a new frame arrived.
  bool poll(const Requests& r, bool force = false);
  // Blocking: a fresh frame for `r` (waits for the engine thread if threaded).
  void sync(const Requests& r);

  const Frame& frame() const { return *cur_; }
  const Frame* prev_stop() const { return prev_stop_.get(); }
  const History& history() const { return hist_; }
  const SerialLog& serial() const { return *log_; }
  bool running() const;               // from the latest published view
  std::shared_ptr<const engine::View> latest_view() const;

  // Toolbar / keys. Returns false for GUI-only actions (fonts, dialog).
  bool act(Action a);
  void post(const engine::Command& c);
  // Runs fn on the engine thread between slices (threaded) or here (not);
  // the future is ready when it ran. Scripted sessions use it.
  std::future<void> exec(std::function<void(engine::Engine&)> fn);
  void pause();
  void go_to(uint64_t icount);        // jump (forward or backward) to an instruction count
  void back_to_call();                // to the previous module call (see session.cpp)
  void toggle_breakpoint(uint64_t va);
  void remove_point(int id);
  // Breakpoint dialog: a symbol ("fs:module_main") or a stop point. Returns ""
  // or the engine's one-line error; blocks until the engine thread ran it.
  std::string add_symbol_breakpoint(const std::string& spec);
  std::string add_point(const engine::StopPoint& p);
  // The requests with the known history sizes filled in.
  Requests with_history(Requests r) const;
  uint64_t frames() const { return frames_; }

 private:
  void accept(Frame&& f);
  template <class F> auto on_engine(F fn) -> decltype(fn(std::declval<engine::Engine&>()));

  engine::Engine& e_;
  std::shared_ptr<SerialLog> log_;
  bool threaded_;
  Gatherer gatherer_;   // used on the engine thread only
  History hist_;
  std::shared_ptr<Frame> cur_, cur_stop_, prev_stop_;
  std::future<void> pending_;
  std::shared_ptr<Frame> incoming_;
  Requests last_req_;
  uint64_t last_generation_ = ~0ull;
  std::chrono::steady_clock::time_point last_start_{};
  uint64_t frames_ = 0;
};

// Runs the engine synchronously to a point named on the command line:
//   call:N     the N-th cross-module call (N >= 1; "call" = call:1)
//   return:N   the N-th return
//   slot:N     the N-th PML4 slot change
//   icount:N   exactly N instructions from reset
//   sym:NAME   a symbol breakpoint ("fs:module_main", "kernel_main")
//   event:KIND the first event of that kind (event_name(): "stale", "exception" ...)
//   end        until the guest exits
// Returns "" or a one-line error.
std::string run_until(engine::Engine& e, const std::string& spec);

}  // namespace slot::ui
