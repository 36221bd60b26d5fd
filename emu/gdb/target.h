// What the gdb stub needs from a machine: a small interface, so the protocol
// layer is tested against a fake (tests/gdb/fake_target.h) and runs on the
// debugger engine through one adapter (engine_target.h). All calls come from
// the stub's thread except interrupt(), which any thread may call.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "cpu/state.h"

namespace slot::gdb {

enum class StopKind : uint8_t {
  Step,          // the step finished
  Point,         // a breakpoint or watchpoint (Stop::point) was hit
  Interrupt,     // interrupt() (Ctrl-C, a client arriving)
  Exited,        // the guest exited: Stop::status is the process status
  Shutdown,      // triple fault / not emulated: Stop::message
  HistoryStart,  // reverse execution reached the oldest reachable state
  Other,         // any other engine stop (an event catch): a plain SIGTRAP
};

struct Stop {
  StopKind kind = StopKind::Step;
  int point = -1;        // Point: the id add_point() returned
  uint32_t status = 0;   // Exited
  std::string message;   // Shutdown, Other
};

enum class PointType : uint8_t { Software, Hardware, Write };

class Target {
 public:
  virtual ~Target() = default;

  // Registers with RFLAGS materialised. set_regs() takes a full state whose
  // writable fields (regs.h) may differ from regs(); false = refused.
  virtual cpu::CpuState regs() = 0;
  virtual bool set_regs(const cpu::CpuState& s) = 0;

  // Memory: `phys` selects physical addresses, else virtual addresses through
  // the current page tables. Reads never have side effects (no TLB fill, no
  // device access). Both return how many leading bytes succeeded.
  virtual size_t read(uint64_t addr, bool phys, void* out, size_t n) = 0;
  virtual size_t write(uint64_t addr, bool phys, const void* in, size_t n) = 0;

  // Breakpoints are stop points of the engine, never bytes written into guest
  // memory. Returns an id >= 1, or -1 if the target cannot set it.
  virtual int add_point(PointType type, uint64_t addr, uint64_t len) = 0;
  virtual bool remove_point(int id) = 0;

  virtual Stop step() = 0;
  virtual Stop cont() = 0;
  virtual Stop reverse_step() = 0;
  virtual Stop reverse_cont() = 0;
  virtual void interrupt() = 0;  // thread-safe: ends a running cont()/reverse_cont()

  // `monitor CMD` (qRcmd): text for the user; unknown commands say so.
  virtual std::string monitor(const std::string& cmd) = 0;
};

}  // namespace slot::gdb
