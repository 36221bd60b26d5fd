// The tracer: an mmu::MmuObserver and cpu::CpuObserver that stamps each MMU
// event with the CPU context (icount, RIP of the causing instruction, CPL,
// CR3, PCID), filters it, formats it as text or JSON Lines and writes it,
// stopping at a byte cap. It also keeps a summary of stale-translation
// events for --stats. It is attached only while someone asked for it:
// with no tracer attached the MMU and CPU pay one untaken branch per event
// site (and the MMU keeps its fast path).
#pragma once
#include <memory>

#include "emu/io/output_file.h"
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cpu/cpu.h"
#include "emu/trace/disasm.h"
#include "emu/trace/options.h"
#include "emu/trace/record.h"
#include "mmu/mmu.h"

namespace slot::trace {

// One place a stale translation was used, for the --stats summary.
struct StaleSite {
  uint64_t page = 0;          // canonical linear address, 4 KiB-aligned
  std::string source;         // the array or PSC that supplied it
  mmu::StaleEvent first;      // the first event (first.source is not kept)
  uint64_t first_icount = 0, first_rip = 0;
  uint64_t count = 0;
};

class Tracer final : public mmu::MmuObserver, public cpu::CpuObserver {
 public:
  // `opts.categories` may be 0: then nothing is written and the tracer only
  // keeps the stale summary.
  Tracer(cpu::Cpu& cpu, mmu::Mmu& mmu, mmu::PhysMemory& mem, const TraceOptions& opts);
  ~Tracer() override;
  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;

  // Opens the output and writes the header line. Throws std::runtime_error
  // (one line) if the file cannot be created.
  void open(const std::string& model, const std::string& stale_mode);
  void attach();              // becomes the MMU's and the CPU's observer
  void detach();
  bool attached() const { return attached_; }
  // Writes the trailer line ("interrupted" when a signal ended the run) and
  // closes the output; a file is renamed into place only now (emu/io).
  // Throws std::runtime_error (one line) when the output could not be written.
  void finish(uint64_t icount, bool interrupted = false);

  // The byte cap was reached: nothing more is written. The tracer asks the
  // CPU to stop once, so the run loop can detach it (see cli_run.cpp).
  bool capped() const { return capped_; }
  uint64_t records() const { return records_; }
  uint64_t bytes() const { return bytes_; }

  static constexpr size_t kMaxStaleSites = 32;
  const std::vector<StaleSite>& stale_sites() const { return sites_; }
  uint64_t stale_events() const { return stale_events_; }
  bool stale_sites_truncated() const { return sites_dropped_ != 0; }

  // mmu::MmuObserver
  void on_tlb(const mmu::TlbEvent& e) override;
  void on_psc(const mmu::TlbEvent& e) override;
  void on_walk_step(const mmu::WalkEvent& e) override;
  void on_cr3(const mmu::Cr3Event& e) override;
  void on_stale(const mmu::StaleEvent& e) override;
  void on_fault(const mmu::FaultEvent& e) override;
  // cpu::CpuObserver
  void on_cpu_event(const cpu::CpuEvent& e) override;

 private:
  bool wants(uint32_t cat) const { return (cats_ & cat) != 0; }
  // Context of the current instruction, or false if the record is filtered
  // out by icount, CR3 or PCID.
  bool context(Context& c);
  bool address_passes(uint64_t linear) const;
  void emit();                // writes line_ (or hits the cap)
  void note_stale(const mmu::StaleEvent& e, const Context& c);

  cpu::Cpu& cpu_;
  mmu::Mmu& mmu_;
  mmu::PhysMemory& mem_;
  TraceOptions opts_;
  uint32_t cats_;
  std::unique_ptr<Formatter> fmt_;
  std::FILE* out_ = nullptr;
  std::unique_ptr<emu::OutputFile> file_;   // --trace-out FILE (all or nothing)
  std::vector<char> buf_;
  std::string line_;
  bool attached_ = false;
  bool capped_ = false;
  uint64_t records_ = 0, bytes_ = 0;

  // Delivery context: events after a CPU Exception/Interrupt event with the
  // same icount and RIP belong to the delivery.
  int deliver_vec_ = -1;
  uint64_t deliver_icount_ = 0, deliver_rip_ = 0;

  // Disassembly of the last instruction that produced a record.
  CodeCache code_;
  uint64_t insn_icount_ = ~0ull, insn_rip_ = ~0ull;
  std::string insn_text_;

  std::vector<StaleSite> sites_;
  uint64_t stale_events_ = 0;
  uint64_t sites_dropped_ = 0;  // events at sites beyond kMaxStaleSites
};

}  // namespace slot::trace
