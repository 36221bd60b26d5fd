#include "app/lab/check.h"

#include <cstdio>

#include "mmu/arch.h"

namespace slot::lab {

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "%#llx", (unsigned long long)v);
  return b;
}

std::string fixed(double v, int decimals) {
  char b[48];
  std::snprintf(b, sizeof b, "%.*f", decimals, v);
  return b;
}

std::string pf_bits(uint32_t e) {
  char b[64];
  std::snprintf(b, sizeof b, "P=%u W/R=%u U/S=%u RSVD=%u I/D=%u", e & x86::PF_P ? 1 : 0, e & x86::PF_W ? 1 : 0,
                e & x86::PF_U ? 1 : 0, e & x86::PF_RSVD ? 1 : 0, e & x86::PF_I ? 1 : 0);
  return b;
}

Booted boot(const CheckEnv& env, const std::string& cmdline, const std::string& tlb, bool log_invlpg) {
  Booted b;
  b.cmdline = env.extra.empty() ? cmdline : cmdline + " " + env.extra;
  b.tlb = tlb;
  engine::EngineConfig cfg;
  cfg.machine.cmdline = b.cmdline;
  cfg.machine.tlb = tlb;
  cfg.time_travel = false;
  cfg.log_invlpg = log_invlpg;
  b.e = std::make_unique<engine::Engine>(cfg);
  b.e->load_kernel(env.kernel);
  auto sink = std::make_unique<emu::StringSink>();
  b.serial = sink.get();
  b.e->set_serial_sink(std::move(sink));
  return b;
}

bool run_to_end(Booted& b, uint64_t max_insns) {
  const engine::StopInfo s = b.e->cont(max_insns);
  return s.reason == engine::StopReason::GuestExit;
}

RunFigures figures(const Booted& b) {
  RunFigures f;
  const mmu::MmuStats st = b.e->machine().mmu().stats();
  f.insns = b.e->icount();
  f.l1_misses = st.l1_misses;
  f.walks = st.walks;
  f.walk_refs = st.walk_refs;
  f.cr3_loads = st.cr3_loads;
  f.invlpg = st.invlpg + st.invpcid;
  f.cycles = b.e->machine().mmu().cost(f.insns, b.e->machine().cpu().kernel_ops()).total();
  f.calls = b.e->calls().size();
  for (const engine::Event& ev : b.e->events()) f.slot_changes += ev.kind == engine::EventKind::SlotChange;
  return f;
}

Report::Report(const Lab& lab) { std::printf("lab %d: %s: checking what the student is told to observe\n", lab.number, lab.title); }

bool Report::expect(bool ok, const std::string& what, const std::string& detail) {
  std::printf("  %-5s %s%s%s%s\n", ok ? "ok" : "FAIL", what.c_str(), detail.empty() ? "" : "  (",
              detail.c_str(), detail.empty() ? "" : ")");
  std::fflush(stdout);
  if (!ok) ++failed_;
  return ok;
}

void Report::note(const std::string& line) {
  std::printf("        %s\n", line.c_str());
  std::fflush(stdout);
}

int check_lab(const Lab& lab, const CheckEnv& env) {
  switch (lab.number) {
    case 1: return check_module_call(lab, env);
    case 2: return check_missing_invalidation(lab, env);
    case 3: return check_flush_or_tag(lab, env);
    case 4: return check_isolation(lab, env);
    case 5: return check_kernels(lab, env);
    case 6: return check_page_walk(lab, env);
    case 7: return check_custom_tlb(lab, env);
  }
  return 1;
}

}  // namespace slot::lab
