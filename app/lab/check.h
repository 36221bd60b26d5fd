// What the labs' checks share: a guest booted on the engine with its COM1
// transcript kept, a report that prints one line per observation, and the
// guest's documented design (docs/guest.md) as constants.
//
// The constants are written from the documentation, not included from
// guest/ (emu/ shares no header with the guest but the architectural ones,
// docs/ARCHITECTURE.md section 1): a guest that drifts from its documentation fails the
// labs, which is what an instructor needs to know.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "emu/devices/serial_sink.h"
#include "emu/engine/engine.h"
#include "app/lab/labs.h"

namespace slot::lab {

// ---- docs/guest.md --------------------------------------------------------------
namespace guest {
inline constexpr uint64_t kSlotBytes = 1ull << 39;           // one PML4 entry maps 512 GiB
inline constexpr unsigned kModuleSlot = 1, kPrivateSlot = 2, kKernelSlot = 511;
inline constexpr uint64_t kGiB = 1ull << 30, kMiB = 1ull << 20;
inline constexpr uint64_t module_base(unsigned id) { return kModuleSlot * kSlotBytes + id * kGiB; }
// The task-private area: stack window of depth d ends at (d+1) MiB (16 KiB),
// buffer window of depth d at 1 GiB + d * 16 MiB.
inline constexpr uint64_t kPrivate = kPrivateSlot * kSlotBytes;
inline constexpr uint64_t stack_window_end(unsigned d) { return kPrivate + (d + 1) * kMiB; }
inline constexpr uint64_t kStackWindowBytes = 16 << 10;
inline constexpr uint64_t buffer_window(unsigned d) { return kPrivate + kGiB + d * 16 * kMiB; }
enum Module : uint32_t { APP = 1, FS = 2, BLK = 3, CONS = 4, EVIL = 5, B1 = 6 };
inline constexpr uint32_t FS_READ = 0, FS_ECHO = 5;
inline constexpr int64_t E_FAULT = -5;
// guest/include/attacks.h, listed in docs/guest.md's table of open questions.
inline constexpr uint32_t ATK_read_other_module = 1, ATK_read_caller_module = 3, ATK_read_caller_stack = 4,
                          ATK_fault_in_callee = 16;
}  // namespace guest

// The page-fault error code decoded (SDM Vol. 3A section 4.7, bits from mmu/arch.h):
// "P=0 W/R=1 U/S=1 RSVD=0 I/D=0".
std::string pf_bits(uint32_t error);

// ---- a booted guest ----------------------------------------------------------------
struct Booted {
  std::unique_ptr<engine::Engine> e;
  emu::StringSink* serial = nullptr;   // owned by the engine
  std::string cmdline, tlb;
};
// Boots `kernel` with `cmdline` (+ env.extra) on the engine (no time travel:
// the checks only go forward). Throws std::runtime_error on bad input.
Booted boot(const CheckEnv& env, const std::string& cmdline, const std::string& tlb, bool log_invlpg = false);
// The TLB model a check runs with: --tlb if given, else the lab's own.
inline std::string lab_tlb(const Lab& lab, const CheckEnv& env) { return env.tlb.empty() ? lab.tlb : env.tlb; }
// Whole-run figures from the MMU's statistics and cost model.
struct RunFigures {
  uint64_t insns = 0, l1_misses = 0, walks = 0, walk_refs = 0, cr3_loads = 0, invlpg = 0, calls = 0,
           slot_changes = 0;
  double cycles = 0;
};
RunFigures figures(const Booted& b);
// Runs to the end (or `max_insns`); true when the guest exited.
bool run_to_end(Booted& b, uint64_t max_insns = 0);

// ---- the report ----------------------------------------------------------------------
class Report {
 public:
  explicit Report(const Lab& lab);
  // "  ok    what  (detail)" or "  FAIL  what  (detail)"; returns ok.
  bool expect(bool ok, const std::string& what, const std::string& detail = "");
  void note(const std::string& line);      // "        line"
  int failed() const { return failed_; }

 private:
  int failed_ = 0;
};

std::string hex(uint64_t v);
std::string fixed(double v, int decimals = 1);

// Per-lab checks (check_*.cpp).
int check_module_call(const Lab& lab, const CheckEnv& env);        // lab 1
int check_missing_invalidation(const Lab& lab, const CheckEnv& env);  // lab 2
int check_flush_or_tag(const Lab& lab, const CheckEnv& env);       // lab 3
int check_isolation(const Lab& lab, const CheckEnv& env);          // lab 4
int check_kernels(const Lab& lab, const CheckEnv& env);            // lab 5
int check_page_walk(const Lab& lab, const CheckEnv& env);          // lab 6
int check_custom_tlb(const Lab& lab, const CheckEnv& env);         // lab 7

}  // namespace slot::lab
