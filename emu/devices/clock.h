// Guest time. The machine's only clock is the retired-instruction count
// (docs/ARCHITECTURE.md section 2, step 4); every device derives its time from it so two
// runs of the same kernel are identical, instruction for instruction.
//
// Rate: `insns_per_second` guest instructions make one second of guest time.
// Default 1,000,000,000: one instruction = 1 ns, so 1e9 instructions = 1 s and
// the 8254's 1.193182 MHz input clock ticks once every ~838 instructions.
//
// Scheduling: devices register timers once (at construction) and arm them with
// an absolute instruction count. The run loop asks next_deadline() and runs the
// CPU straight up to it, then calls advance(now), which fires every due timer
// in deadline order (ties: lower timer id first). A callback receives the
// deadline it was armed for, not `now`, so a late advance still replays each
// event at its exact time and no PIT edge is lost.
#pragma once
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "emu/serialize.h"

namespace slot::emu {

class Clock {
 public:
  static constexpr uint64_t kDefaultInsnsPerSecond = 1'000'000'000;
  static constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();
  using TimerId = unsigned;
  using Callback = std::function<void(uint64_t deadline)>;

  // Throws std::invalid_argument unless insns_per_second >= 2 * 1193182, so
  // that no instruction spans more than half a PIT tick (no edge is merged).
  explicit Clock(uint64_t insns_per_second = kDefaultInsnsPerSecond);

  uint64_t insns_per_second() const { return ips_; }

  // Where "now" comes from: the CPU's retired-instruction counter. Unbound,
  // now() is the value last passed to advance() or set_now().
  void bind_icount(const uint64_t* counter) { counter_ = counter; }
  uint64_t now() const { return counter_ ? *counter_ : now_; }
  void set_now(uint64_t icount) { now_ = icount; }

  // Conversions (exact, 128-bit intermediate).
  uint64_t ticks(uint64_t icount, uint64_t hz) const;           // floor(icount * hz / ips)
  uint64_t icount_at_tick(uint64_t tick, uint64_t hz) const;    // first icount with ticks() >= tick
  uint64_t ns(uint64_t icount) const { return ticks(icount, 1'000'000'000); }

  // Timers.
  TimerId add_timer(std::string name, Callback fn);
  void arm(TimerId id, uint64_t deadline);
  void disarm(TimerId id);
  uint64_t deadline(TimerId id) const { return timers_[id].deadline; }
  uint64_t next_deadline() const { return next_; }
  void advance(uint64_t now_icount);

  void reset();  // disarms everything, now = 0
  void cancel_all();  // disarms everything; time goes on (a reboot)
  void serialize(Serializer& s);
  std::string dump() const;

 private:
  struct Timer {
    std::string name;
    Callback fn;
    uint64_t deadline = kNever;
  };
  void recompute_next();

  uint64_t ips_;
  const uint64_t* counter_ = nullptr;
  uint64_t now_ = 0;
  uint64_t next_ = kNever;
  std::vector<Timer> timers_;
};

}  // namespace slot::emu
