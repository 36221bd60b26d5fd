// The gdb stub's Target on the debugger engine (emu/engine/engine.h), used
// synchronously from the stub's thread. Breakpoints are engine stop points
// (no int3 is ever written into guest memory); reverse execution is the
// engine's replay; interrupt() is Engine::pause().
#pragma once
#include <string>

#include "emu/engine/engine.h"
#include "emu/gdb/target.h"

namespace slot::gdb {

class EngineTarget final : public Target {
 public:
  explicit EngineTarget(engine::Engine& e) : e_(e) {}

  cpu::CpuState regs() override;
  bool set_regs(const cpu::CpuState& s) override;
  size_t read(uint64_t addr, bool phys, void* out, size_t n) override;
  size_t write(uint64_t addr, bool phys, const void* in, size_t n) override;
  int add_point(PointType type, uint64_t addr, uint64_t len) override;
  bool remove_point(int id) override;
  Stop step() override;
  Stop cont() override;
  Stop reverse_step() override;
  Stop reverse_cont() override;
  void interrupt() override { e_.pause(); }
  std::string monitor(const std::string& cmd) override;

  static Stop translate(const engine::StopInfo& s);

 private:
  engine::Engine& e_;
};

// `monitor` commands on the engine's queries (monitor.cpp).
std::string engine_monitor(engine::Engine& e, const std::string& cmd);

}  // namespace slot::gdb
