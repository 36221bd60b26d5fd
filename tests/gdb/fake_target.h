// A Target for protocol tests: registers, two separate memories (virtual and
// physical, so tests see which one a packet reached), recorded stop points,
// and scripted stops. cont() can block until interrupt() to test Ctrl-C.
#pragma once
#include <atomic>
#include <chrono>
#include <cstring>
#include <deque>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "emu/gdb/target.h"
#include "mmu/arch.h"

namespace slot::gdb::test {

struct FakeTarget : Target {
  cpu::CpuState s;
  std::map<uint64_t, uint8_t> virt, phys;  // absent = unmapped
  struct Point { PointType type; uint64_t addr, len; };
  std::map<int, Point> points;
  int next_id = 1;
  std::deque<Stop> script;        // next stops of step/cont (default Step)
  std::vector<std::string> calls; // "step", "cont", "rstep", "rcont", "set_regs"
  std::atomic<bool> block_cont{false}, interrupted{false}, running{false};
  bool refuse_regs = false;

  FakeTarget() {
    // A 64-bit code segment in long mode: registers are reported unmasked.
    s.efer = x86::EFER_LME | x86::EFER_LMA;
    s.seg[cpu::CS].sel = 0x08;
    s.seg[cpu::CS].attr = 0x29B;  // present, DPL 0, code, L=1
  }

  void map(std::map<uint64_t, uint8_t>& m, uint64_t a, const std::string& bytes) {
    for (size_t i = 0; i < bytes.size(); ++i) m[a + i] = uint8_t(bytes[i]);
  }

  cpu::CpuState regs() override { return s; }
  bool set_regs(const cpu::CpuState& n) override {
    calls.push_back("set_regs");
    if (refuse_regs) return false;
    s = n;
    return true;
  }
  size_t read(uint64_t addr, bool is_phys, void* out, size_t n) override {
    auto& m = is_phys ? phys : virt;
    size_t i = 0;
    for (; i < n; ++i) {
      auto it = m.find(addr + i);
      if (it == m.end()) break;
      static_cast<uint8_t*>(out)[i] = it->second;
    }
    return i;
  }
  size_t write(uint64_t addr, bool is_phys, const void* in, size_t n) override {
    auto& m = is_phys ? phys : virt;
    size_t i = 0;
    for (; i < n && m.count(addr + i); ++i) m[addr + i] = static_cast<const uint8_t*>(in)[i];
    return i;
  }
  int add_point(PointType type, uint64_t addr, uint64_t len) override {
    if (addr == 0xdead) return -1;  // a point the target refuses
    points[next_id] = {type, addr, len};
    return next_id++;
  }
  bool remove_point(int id) override { return points.erase(id) != 0; }

  Stop next(const char* what) {
    calls.push_back(what);
    if (script.empty()) return Stop{};
    Stop st = script.front();
    script.pop_front();
    return st;
  }
  Stop step() override { return next("step"); }
  Stop cont() override {
    if (block_cont) {
      running = true;
      while (!interrupted) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      running = false;
      interrupted = false;
      calls.push_back("cont");
      Stop st;
      st.kind = StopKind::Interrupt;
      return st;
    }
    return next("cont");
  }
  Stop reverse_step() override { return next("rstep"); }
  Stop reverse_cont() override { return next("rcont"); }
  void interrupt() override {
    if (running) interrupted = true;  // like Engine::pause(): only a running run stops
  }
  std::string monitor(const std::string& cmd) override { return "monitor said: " + cmd + "\n"; }
};

}  // namespace slot::gdb::test
