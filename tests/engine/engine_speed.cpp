// engine_speed KERNEL [CMDLINE] [REPEATS]: boots the kernel three ways and prints
// instructions per second -- Machine::run alone, the engine with no stop point
// (time travel on), and the engine with time travel off -- so "the engine costs
// nothing measurable when no breakpoint is set" is a number, not a claim.
// Each configuration runs REPEATS times (default 3); the best time counts.
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "emu/engine/engine.h"

using namespace slot;

namespace {
class Null final : public emu::SerialSink {
 public:
  void put(uint8_t) override {}
};

// Process CPU time: the build machine is shared, wall time is noise.
double seconds(std::clock_t a) { return double(std::clock() - a) / CLOCKS_PER_SEC; }

struct Result { double secs; uint64_t insns; };

Result bare(const std::string& k, const std::string& cmd) {
  emu::MachineConfig mc;
  mc.cmdline = cmd;
  emu::Machine m(mc);
  m.load_kernel(k);
  m.board().set_serial_sink(std::make_unique<Null>());
  const std::clock_t t = std::clock();
  m.run(~0ull);
  return {seconds(t), m.icount()};
}

Result with_engine(const std::string& k, const std::string& cmd, bool tt, bool bp) {
  engine::EngineConfig cfg;
  cfg.machine.cmdline = cmd;
  cfg.time_travel = tt;
  engine::Engine e(cfg);
  e.load_kernel(k);
  e.set_serial_sink(std::make_unique<Null>());
  if (bp) e.add_point(engine::StopPoint::exec(0x1234));  // never hit: the cost of having one set
  const std::clock_t t = std::clock();
  e.cont();
  return {seconds(t), e.machine().icount()};
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: engine_speed KERNEL [CMDLINE] [REPEATS]\n");
    return 2;
  }
  const std::string k = argv[1], cmd = argc > 2 ? argv[2] : "workload=selftest";
  const int reps = argc > 3 ? std::atoi(argv[3]) : 3;
  struct Row { const char* name; Result best; } rows[] = {
      {"Machine::run", {1e9, 0}}, {"engine, time travel off", {1e9, 0}}, {"engine, time travel on", {1e9, 0}},
      {"engine, one breakpoint", {1e9, 0}}};
  for (int r = 0; r < reps; ++r) {
    Result x[] = {bare(k, cmd), with_engine(k, cmd, false, false), with_engine(k, cmd, true, false),
                  with_engine(k, cmd, false, true)};
    for (int i = 0; i < 4; ++i)
      if (x[i].secs < rows[i].best.secs) rows[i].best = x[i];
  }
  for (const Row& row : rows)
    std::printf("%-26s %12llu insns %8.3f s %8.1f MIPS\n", row.name, (unsigned long long)row.best.insns,
                row.best.secs, row.best.insns / row.best.secs / 1e6);
  return 0;
}
