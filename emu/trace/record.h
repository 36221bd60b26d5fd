// The trace record formats (docs/trace-format.md): every record is one line,
// the MMU or CPU event plus the context the MMU does not know -- instruction
// count, RIP of the instruction that caused it, CPL, CR3, PCID -- and, in the
// text form, that instruction's disassembly. A Formatter turns one record
// into one line; the Tracer decides which records exist and where they go.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "emu/trace/options.h"
#include "mmu/events.h"

namespace slot::trace {

// The machine state a record is stamped with.
struct Context {
  uint64_t icount = 0;   // instructions retired before the causing one
  uint64_t rip = 0;      // the causing instruction (Cpu::insn_rip)
  unsigned cpl = 0;      // at the moment of the event
  uint64_t cr3 = 0;      // current CR3 (after the write, for cr3 records)
  uint16_t pcid = 0;     // current PCID (0 with CR4.PCIDE=0)
  int deliver = -1;      // vector being delivered, if the event is part of delivery
  const std::string* insn = nullptr;  // disassembly (text form only)
};

struct Header {
  uint32_t categories = 0;
  std::string model;     // TLB preset or file name
  std::string stale;     // off | detect | flush-on-write
  const Filter* filter = nullptr;
};

struct Trailer {
  uint64_t icount = 0;
  uint64_t records = 0;  // records written
  uint64_t bytes = 0;    // bytes written before this line
  bool truncated = false;
  uint64_t max_bytes = 0;
  bool interrupted = false;   // SIGINT/SIGTERM ended the run: the trace is complete up to here
};

class Formatter {
 public:
  virtual ~Formatter() = default;
  virtual bool wants_disassembly() const = 0;
  // Each appends exactly one line (with its '\n') to `out`.
  virtual void header(std::string& out, const Header& h) = 0;
  virtual void tlb(std::string& out, const Context& c, const mmu::TlbEvent& e, bool psc) = 0;
  virtual void walk(std::string& out, const Context& c, const mmu::WalkEvent& e) = 0;
  virtual void cr3(std::string& out, const Context& c, const mmu::Cr3Event& e) = 0;
  virtual void invlpg(std::string& out, const Context& c, uint64_t linear) = 0;
  virtual void invpcid(std::string& out, const Context& c, unsigned type, uint64_t pcid) = 0;
  virtual void fault(std::string& out, const Context& c, const mmu::FaultEvent& e) = 0;
  virtual void stale(std::string& out, const Context& c, const mmu::StaleEvent& e) = 0;
  virtual void trailer(std::string& out, const Trailer& t) = 0;
};

std::unique_ptr<Formatter> make_text_formatter();
std::unique_ptr<Formatter> make_jsonl_formatter();

}  // namespace slot::trace
