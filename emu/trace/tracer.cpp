#include "emu/trace/tracer.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "mmu/arch.h"

namespace slot::trace {

Tracer::Tracer(cpu::Cpu& cpu, mmu::Mmu& mmu, mmu::PhysMemory& mem, const TraceOptions& opts)
    : cpu_(cpu), mmu_(mmu), mem_(mem), opts_(opts), cats_(opts.categories),
      fmt_(opts.format == Format::Jsonl ? make_jsonl_formatter() : make_text_formatter()) {}

Tracer::~Tracer() {
  detach();
  if (out_ && !file_) std::fflush(out_);
  // An unfinished file trace is discarded (OutputFile's destructor).
}

void Tracer::open(const std::string& model, const std::string& stale_mode) {
  if (!cats_) return;
  if (opts_.out.empty()) {
    out_ = stderr;
  } else if (opts_.out == "-") {
    out_ = stdout;
  } else {
    file_ = std::make_unique<emu::OutputFile>(opts_.out, "--trace-out");
    out_ = file_->get();
    buf_.resize(1 << 20);
    std::setvbuf(out_, buf_.data(), _IOFBF, buf_.size());
  }
  Header h;
  h.categories = cats_;
  h.model = model;
  h.stale = stale_mode;
  h.filter = &opts_.filter;
  line_.clear();
  fmt_->header(line_, h);
  std::fwrite(line_.data(), 1, line_.size(), out_);
  bytes_ += line_.size();
}

void Tracer::attach() {
  if (attached_) return;
  mmu_.set_observer(this);
  cpu_.set_observer(this);
  attached_ = true;
}

void Tracer::detach() {
  if (!attached_) return;
  mmu_.set_observer(nullptr);
  cpu_.set_observer(nullptr);
  attached_ = false;
}

void Tracer::finish(uint64_t icount, bool interrupted) {
  if (!out_) return;
  Trailer t;
  t.icount = icount;
  t.records = records_;
  t.bytes = bytes_;
  t.truncated = capped_;
  t.max_bytes = opts_.max_bytes;
  t.interrupted = interrupted;
  line_.clear();
  fmt_->trailer(line_, t);
  std::fwrite(line_.data(), 1, line_.size(), out_);
  out_ = nullptr;
  if (!file_) return;
  const std::string err = file_->commit();
  file_.reset();
  if (!err.empty()) throw std::runtime_error(err);
}

bool Tracer::context(Context& c) {
  c.icount = cpu_.icount();
  if (!opts_.filter.icount.contains(c.icount)) return false;
  c.cr3 = mmu_.mode().cr3;
  c.pcid = mmu_.current_pcid();
  if (opts_.filter.cr3 && (c.cr3 & x86::PHYS_ADDR_MASK) != *opts_.filter.cr3) return false;
  if (opts_.filter.pcid && c.pcid != *opts_.filter.pcid) return false;
  c.rip = cpu_.insn_rip;
  c.cpl = cpu_.s.cpl();
  if (deliver_vec_ >= 0 && c.icount == deliver_icount_ && c.rip == deliver_rip_) c.deliver = deliver_vec_;
  if (fmt_->wants_disassembly()) {
    if (c.icount != insn_icount_ || c.rip != insn_rip_) {
      const bool m64 = cpu_.mode64();
      const uint64_t linear = m64 ? c.rip : uint32_t(cpu_.s.seg[cpu::CS].base + c.rip);
      const cpu::CodeSize cs = cpu_.code_size();
      const unsigned bits = cs == cpu::CodeSize::Bits64 ? 64 : cs == cpu::CodeSize::Bits32 ? 32 : 16;
      insn_text_ = code_.lookup(mmu_, mem_, linear, c.cpl, bits, c.rip);
      insn_icount_ = c.icount;
      insn_rip_ = c.rip;
    }
    c.insn = &insn_text_;
  }
  return true;
}

bool Tracer::address_passes(uint64_t linear) const {
  const uint64_t la = canonical(linear);
  if (opts_.filter.va && !opts_.filter.va->contains(la)) return false;
  if (opts_.filter.slots && !opts_.filter.slots->test(pml4_slot(la))) return false;
  return true;
}

void Tracer::emit() {
  if (capped_) return;
  if (bytes_ + line_.size() > opts_.max_bytes) {
    capped_ = true;
    cats_ = 0;
    std::fprintf(stderr, "slotlab: trace stopped at %llu bytes (--trace-max-bytes %llu); the run goes on untraced\n",
                 (unsigned long long)bytes_, (unsigned long long)opts_.max_bytes);
    cpu_.request_stop();  // let the run loop detach us at the next instruction boundary
    return;
  }
  std::fwrite(line_.data(), 1, line_.size(), out_);
  bytes_ += line_.size();
  ++records_;
}

void Tracer::on_tlb(const mmu::TlbEvent& e) {
  if (!wants(kCatTlb) || !address_passes(e.linear)) return;
  Context c;
  if (!context(c)) return;
  line_.clear();
  fmt_->tlb(line_, c, e, false);
  emit();
}

void Tracer::on_psc(const mmu::TlbEvent& e) {
  if (!wants(kCatTlb) || !address_passes(e.linear)) return;
  Context c;
  if (!context(c)) return;
  line_.clear();
  fmt_->tlb(line_, c, e, true);
  emit();
}

void Tracer::on_walk_step(const mmu::WalkEvent& e) {
  if (!wants(kCatWalk) || !address_passes(e.linear)) return;
  Context c;
  if (!context(c)) return;
  line_.clear();
  fmt_->walk(line_, c, e);
  emit();
}

void Tracer::on_cr3(const mmu::Cr3Event& e) {
  if (!wants(kCatCr3)) return;
  Context c;
  if (!context(c)) return;
  line_.clear();
  fmt_->cr3(line_, c, e);
  emit();
}

void Tracer::on_fault(const mmu::FaultEvent& e) {
  if (!wants(kCatPf) || !address_passes(e.linear)) return;
  Context c;
  if (!context(c)) return;
  line_.clear();
  fmt_->fault(line_, c, e);
  emit();
}

void Tracer::on_stale(const mmu::StaleEvent& e) {
  // The summary counts every stale event, whatever the trace filters say.
  Context all;
  all.icount = cpu_.icount();
  all.rip = cpu_.insn_rip;
  note_stale(e, all);
  if (!wants(kCatStale) || !address_passes(e.linear)) return;
  Context c;
  if (!context(c)) return;
  line_.clear();
  fmt_->stale(line_, c, e);
  emit();
}

void Tracer::on_cpu_event(const cpu::CpuEvent& e) {
  switch (e.kind) {
    case cpu::CpuEventKind::Exception:
    case cpu::CpuEventKind::Interrupt:
      deliver_vec_ = e.vector;
      deliver_icount_ = cpu_.icount();
      deliver_rip_ = cpu_.insn_rip;
      return;
    case cpu::CpuEventKind::Invlpg: {
      if (!wants(kCatInvlpg) || !address_passes(e.a)) return;
      Context c;
      if (!context(c)) return;
      line_.clear();
      fmt_->invlpg(line_, c, e.a);
      emit();
      return;
    }
    case cpu::CpuEventKind::Invpcid: {
      if (!wants(kCatInvlpg)) return;
      Context c;
      if (!context(c)) return;
      line_.clear();
      fmt_->invpcid(line_, c, unsigned(e.a), e.b);
      emit();
      return;
    }
    default: return;
  }
}

void Tracer::note_stale(const mmu::StaleEvent& e, const Context& c) {
  ++stale_events_;
  const uint64_t page = canonical(e.linear) & ~0xFFFull;
  for (StaleSite& s : sites_)
    if (s.page == page && s.source == e.source && s.first.changed_pa == e.changed_pa) {
      ++s.count;
      return;
    }
  if (sites_.size() >= kMaxStaleSites) {
    ++sites_dropped_;
    return;
  }
  StaleSite s;
  s.page = page;
  s.source = e.source;
  s.first = e;
  s.first.source = "";
  s.first_icount = c.icount;
  s.first_rip = c.rip;
  s.count = 1;
  sites_.push_back(std::move(s));
}

}  // namespace slot::trace
