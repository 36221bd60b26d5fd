// The text trace: one line per record, a fixed prefix
//   ICOUNT RIP CPL CR3 PCID |
// then the record and, after " ; ", the disassembly of the instruction that
// caused it. Field meanings: docs/trace-format.md.
#include <cinttypes>
#include <cstdarg>
#include <cstdio>

#include "emu/trace/record.h"
#include "mmu/walker.h"

#include "emu/trace/appendf.h"

namespace slot::trace {

namespace {

// Rights the way describe_flags() spells entry flags: W/R, U/S, NX.
std::string rights(const mmu::Perms& p) {
  std::string s = p.w ? "W" : "R";
  s += p.u ? " U" : " S";
  if (p.nx) s += " NX";
  return s;
}

void prefix(std::string& out, const Context& c) {
  add(out, "%10" PRIu64 " %016" PRIx64 " %u %012" PRIx64 " %03x | ", c.icount, c.rip, c.cpl, c.cr3,
      unsigned(c.pcid));
  if (c.deliver >= 0) add(out, "[deliver %d] ", c.deliver);
}

void suffix(std::string& out, const Context& c) {
  if (c.insn) {
    out += " ; ";
    out += *c.insn;
  }
  out += '\n';
}

class TextFormatter final : public Formatter {
 public:
  bool wants_disassembly() const override { return true; }

  void header(std::string& out, const Header& h) override {
    out += "# slotlab-trace v1 text: ICOUNT RIP CPL CR3 PCID | RECORD ; INSTRUCTION\n# categories=";
    bool first = true;
    for (unsigned i = 0; i < 6; ++i)
      if (h.categories & (1u << i)) {
        if (!first) out += ',';
        out += category_name(Category(1u << i));
        first = false;
      }
    add(out, " tlb=%s stale=%s", h.model.c_str(), h.stale.c_str());
    const Filter& f = *h.filter;
    if (f.va) add(out, " va=0x%" PRIx64 "-0x%" PRIx64, f.va->lo, f.va->hi);
    if (f.slots) {
      out += " slots=";
      first = true;
      for (unsigned s = 0; s < 512; ++s)
        if (f.slots->test(s)) add(out, first ? "%u" : ",%u", s), first = false;
    }
    if (f.cr3) add(out, " cr3=0x%" PRIx64, *f.cr3);
    if (f.pcid) add(out, " pcid=%u", unsigned(*f.pcid));
    if (!f.icount.full()) add(out, " icount=%" PRIu64 "-%" PRIu64, f.icount.lo, f.icount.hi);
    out += '\n';
  }

  void tlb(std::string& out, const Context& c, const mmu::TlbEvent& e, bool psc) override {
    prefix(out, c);
    add(out, "%s %-10s %s", psc ? "psc" : "tlb", mmu::tlb_event_name(e.kind), e.array);
    if (e.kind == mmu::TlbEventKind::Miss) {
      add(out, " %s 0x%016" PRIx64, mmu::access_name(e.access), canonical(e.linear));
      return suffix(out, c);
    }
    add(out, " set=%u way=%u", e.set, e.way);
    if (e.kind == mmu::TlbEventKind::Hit) add(out, " %s", mmu::access_name(e.access));
    add(out, " 0x%016" PRIx64, canonical(e.linear));
    if (psc) {
      add(out, " tag=0x%" PRIx64 " -> table 0x%" PRIx64 " pcid=%u %s", e.entry.vpn, e.entry.pfn << 12,
          unsigned(e.entry.pcid), rights(e.entry.perms).c_str());
    } else {
      const mmu::TlbEntryView& v = e.entry;
      add(out, " vpn=0x%" PRIx64 " -> pfn=0x%" PRIx64 " %s", v.vpn, v.pfn, mmu::page_size_name(v.size));
      if (v.orig_size != v.size) add(out, "(of %s)", mmu::page_size_name(v.orig_size));
      add(out, " pcid=%u %s%s%s", unsigned(v.pcid), rights(v.perms).c_str(), v.perms.dirty ? " D" : "",
          v.global ? " G" : "");
    }
    if (e.kind == mmu::TlbEventKind::Invalidate) add(out, " cause=%s", mmu::inv_cause_name(e.cause));
    suffix(out, c);
  }

  void walk(std::string& out, const Context& c, const mmu::WalkEvent& e) override {
    const mmu::WalkStep& s = e.step;
    char flags[64];
    mmu::describe_flags(s.raw, s.level, flags, sizeof flags);
    prefix(out, c);
    add(out, "walk %-5s 0x%016" PRIx64 " %-5s[%3u] @0x%010" PRIx64 " = 0x%016" PRIx64 " %s%s%s%s%s%s",
        mmu::access_name(e.access), canonical(e.linear), mmu::level_name(s.level),
        unsigned((s.entry_pa & 0xFFF) >> 3), s.entry_pa, s.raw, flags, s.from_psc ? " [from PSC]" : "",
        s.set_a ? " [+A]" : "", s.set_d ? " [+D]" : "", s.failed != mmu::Check::None ? " [fail: " : "",
        s.failed != mmu::Check::None ? mmu::check_name(s.failed) : "");
    if (s.failed != mmu::Check::None) out += ']';
    suffix(out, c);
  }

  void cr3(std::string& out, const Context& c, const mmu::Cr3Event& e) override {
    prefix(out, c);
    add(out, "cr3 0x%" PRIx64 " -> 0x%" PRIx64 " pcid=%u%s tlb_flushed=%u psc_flushed=%u", e.old_cr3,
        e.new_cr3, unsigned(e.pcid), e.noflush ? " noflush" : "", e.tlb_flushed, e.psc_flushed);
    suffix(out, c);
  }

  void invlpg(std::string& out, const Context& c, uint64_t linear) override {
    prefix(out, c);
    add(out, "invlpg 0x%016" PRIx64, canonical(linear));
    suffix(out, c);
  }

  void invpcid(std::string& out, const Context& c, unsigned type, uint64_t pcid) override {
    prefix(out, c);
    add(out, "invpcid type=%u pcid=%" PRIu64, type, pcid);
    suffix(out, c);
  }

  void fault(std::string& out, const Context& c, const mmu::FaultEvent& e) override {
    prefix(out, c);
    add(out, "pf %-5s 0x%016" PRIx64 " error=0x%x check=%s%s", mmu::access_name(e.access), canonical(e.linear),
        e.error_code, mmu::check_name(e.failed), e.from_tlb ? " (rights from TLB)" : "");
    suffix(out, c);
  }

  void stale(std::string& out, const Context& c, const mmu::StaleEvent& e) override {
    prefix(out, c);
    add(out, "STALE %-5s 0x%016" PRIx64 " slot=%u from %s: cached 0x%" PRIx64 " %s %s", mmu::access_name(e.access),
        canonical(e.linear), pml4_slot(e.linear), e.source, e.cached_pa, mmu::page_size_name(e.cached_size),
        rights(e.cached_perms).c_str());
    if (e.current_ok)
      add(out, ", memory 0x%" PRIx64 " %s %s", e.current_pa, mmu::page_size_name(e.current_size),
          rights(e.current_perms).c_str());
    else
      out += ", memory: not mapped";
    if (e.changed_level)
      add(out, "; changed %s @0x%" PRIx64 " 0x%016" PRIx64 " -> 0x%016" PRIx64, mmu::level_name(e.changed_level),
          e.changed_pa, e.old_value, e.new_value);
    suffix(out, c);
  }

  void trailer(std::string& out, const Trailer& t) override {
    add(out, "# end icount=%" PRIu64 " records=%" PRIu64 " bytes=%" PRIu64, t.icount, t.records, t.bytes);
    if (t.truncated) add(out, " truncated: --trace-max-bytes %" PRIu64 " reached", t.max_bytes);
    if (t.interrupted) add(out, " interrupted");
    out += '\n';
  }
};

}  // namespace

std::unique_ptr<Formatter> make_text_formatter() { return std::make_unique<TextFormatter>(); }

}  // namespace slot::trace
