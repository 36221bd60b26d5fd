#include "emu/devices/clock.h"

#include <fmt/format.h>

#include <stdexcept>

namespace slot::emu {

namespace {
constexpr uint64_t kPitHz = 1'193'182;
using u128 = unsigned __int128;
uint64_t saturate(u128 v) { return v > u128(Clock::kNever) ? Clock::kNever : uint64_t(v); }
}  // namespace

Clock::Clock(uint64_t insns_per_second) : ips_(insns_per_second) {
  if (ips_ < 2 * kPitHz)
    throw std::invalid_argument(fmt::format("instructions per second must be at least {}", 2 * kPitHz));
}

uint64_t Clock::ticks(uint64_t icount, uint64_t hz) const { return saturate(u128(icount) * hz / ips_); }

uint64_t Clock::icount_at_tick(uint64_t tick, uint64_t hz) const {
  // Smallest n with floor(n * hz / ips) >= tick, i.e. n >= tick * ips / hz.
  return saturate((u128(tick) * ips_ + hz - 1) / hz);
}

Clock::TimerId Clock::add_timer(std::string name, Callback fn) {
  timers_.push_back({std::move(name), std::move(fn), kNever});
  return TimerId(timers_.size() - 1);
}

void Clock::arm(TimerId id, uint64_t deadline) {
  timers_[id].deadline = deadline;
  if (deadline < next_) next_ = deadline; else recompute_next();
}

void Clock::disarm(TimerId id) {
  uint64_t was = timers_[id].deadline;
  timers_[id].deadline = kNever;
  if (was == next_) recompute_next();
}

void Clock::recompute_next() {
  next_ = kNever;
  for (const Timer& t : timers_) next_ = t.deadline < next_ ? t.deadline : next_;
}

void Clock::advance(uint64_t now_icount) {
  now_ = now_icount;
  while (next_ <= now_icount) {
    TimerId due = 0;
    for (TimerId i = 0; i < timers_.size(); ++i)
      if (timers_[i].deadline == next_) { due = i; break; }
    uint64_t when = timers_[due].deadline;
    disarm(due);
    timers_[due].fn(when);  // may re-arm, possibly again <= now
  }
}

void Clock::reset() {
  now_ = 0;
  cancel_all();
}

void Clock::cancel_all() {
  for (Timer& t : timers_) t.deadline = kNever;
  next_ = kNever;
}

void Clock::serialize(Serializer& s) {
  s.tag("clock");
  uint64_t ips = ips_, n = timers_.size();
  s.io(ips);
  s.io(n);
  if (s.loading() && (ips != ips_ || n != timers_.size()))
    throw std::runtime_error("snapshot load: clock rate or timer set differs from this machine");
  s.io(now_);
  for (Timer& t : timers_) s.io(t.deadline);
  recompute_next();
}

std::string Clock::dump() const {
  std::string out = fmt::format("clock: icount {} ({} ns guest time), {} insns/s\n", now(), ns(now()), ips_);
  for (const Timer& t : timers_) {
    if (t.deadline == kNever) out += fmt::format("  timer {:<10} idle\n", t.name);
    else out += fmt::format("  timer {:<10} at icount {}\n", t.name, t.deadline);
  }
  return out;
}

}  // namespace slot::emu
