// JSON Lines: one JSON object per record, fields in docs/trace-format.md.
// Addresses and raw entries are "0x..." strings; counts are numbers.
#include "emu/io/json.h"
#include "emu/trace/record.h"
#include "mmu/walker.h"

namespace slot::trace {

using emu::Json;

namespace {

void perms(Json& j, const mmu::Perms& p) {
  j.b("w", p.w).b("u", p.u).b("nx", p.nx);
}

Json& begin(Json& j, const char* type, const Context& c) {
  j.object().s("type", type).u("icount", c.icount).hex("rip", c.rip).u("cpl", c.cpl).hex("cr3", c.cr3)
      .u("pcid", c.pcid);
  if (c.deliver >= 0) j.u("deliver", unsigned(c.deliver));
  return j;
}

class JsonlFormatter final : public Formatter {
 public:
  bool wants_disassembly() const override { return false; }

  void header(std::string& out, const Header& h) override {
    Json j(out);
    j.object().s("type", "header").s("format", "slotlab-trace").u("version", 1);
    j.array("categories");
    for (unsigned i = 0; i < 6; ++i)
      if (h.categories & (1u << i)) j.s(nullptr, category_name(Category(1u << i)));
    j.end();
    j.s("tlb", h.model).s("stale", h.stale);
    j.object("filter");
    const Filter& f = *h.filter;
    if (f.va) j.object("va").hex("lo", f.va->lo).hex("hi", f.va->hi).end();
    if (f.slots) {
      j.array("slots");
      for (unsigned s = 0; s < 512; ++s)
        if (f.slots->test(s)) j.u(nullptr, s);
      j.end();
    }
    if (f.cr3) j.hex("cr3", *f.cr3);
    if (f.pcid) j.u("pcid", *f.pcid);
    if (!f.icount.full()) j.object("icount").u("lo", f.icount.lo).u("hi", f.icount.hi).end();
    j.end().end();
    out += '\n';
  }

  void tlb(std::string& out, const Context& c, const mmu::TlbEvent& e, bool psc) override {
    Json j(out);
    begin(j, psc ? "psc" : "tlb", c).s("event", mmu::tlb_event_name(e.kind)).s("array", e.array);
    const bool lookup = e.kind == mmu::TlbEventKind::Hit || e.kind == mmu::TlbEventKind::Miss;
    j.hex("linear", canonical(e.linear));
    if (lookup) j.s("access", mmu::access_name(e.access));
    if (e.kind != mmu::TlbEventKind::Miss) {
      j.u("set", e.set).u("way", e.way);
      j.object("entry");
      if (psc) {
        j.hex("tag", e.entry.vpn).hex("table", e.entry.pfn << 12).u("pcid", e.entry.pcid);
      } else {
        j.hex("vpn", e.entry.vpn).hex("pfn", e.entry.pfn).s("size", mmu::page_size_name(e.entry.size))
            .s("orig_size", mmu::page_size_name(e.entry.orig_size)).u("pcid", e.entry.pcid)
            .b("g", e.entry.global);
      }
      perms(j, e.entry.perms);
      if (!psc) j.b("d", e.entry.perms.dirty);
      j.end();
    }
    if (e.kind == mmu::TlbEventKind::Invalidate) j.s("cause", mmu::inv_cause_name(e.cause));
    j.end();
    out += '\n';
  }

  void walk(std::string& out, const Context& c, const mmu::WalkEvent& e) override {
    const mmu::WalkStep& s = e.step;
    char flags[64];
    mmu::describe_flags(s.raw, s.level, flags, sizeof flags);
    Json j(out);
    begin(j, "walk", c).hex("linear", canonical(e.linear)).s("access", mmu::access_name(e.access))
        .u("level", s.level).s("entry", mmu::level_name(s.level)).u("index", (s.entry_pa & 0xFFF) >> 3)
        .hex("entry_pa", s.entry_pa).hex("raw", s.raw).s("flags", flags).b("from_psc", s.from_psc)
        .b("leaf", s.leaf).b("set_a", s.set_a).b("set_d", s.set_d).s("check", mmu::check_name(s.failed));
    j.end();
    out += '\n';
  }

  void cr3(std::string& out, const Context& c, const mmu::Cr3Event& e) override {
    Json j(out);
    begin(j, "cr3", c).hex("old", e.old_cr3).hex("new", e.new_cr3).u("new_pcid", e.pcid)
        .b("noflush", e.noflush).u("tlb_flushed", e.tlb_flushed).u("psc_flushed", e.psc_flushed);
    j.end();
    out += '\n';
  }

  void invlpg(std::string& out, const Context& c, uint64_t linear) override {
    Json j(out);
    begin(j, "invlpg", c).hex("linear", canonical(linear)).end();
    out += '\n';
  }

  void invpcid(std::string& out, const Context& c, unsigned type, uint64_t pcid) override {
    Json j(out);
    begin(j, "invpcid", c).u("invpcid_type", type).u("target_pcid", pcid).end();
    out += '\n';
  }

  void fault(std::string& out, const Context& c, const mmu::FaultEvent& e) override {
    Json j(out);
    begin(j, "pf", c).hex("linear", canonical(e.linear)).s("access", mmu::access_name(e.access))
        .hex("error_code", e.error_code).s("check", mmu::check_name(e.failed)).b("from_tlb", e.from_tlb);
    j.end();
    out += '\n';
  }

  void stale(std::string& out, const Context& c, const mmu::StaleEvent& e) override {
    Json j(out);
    begin(j, "stale", c).hex("linear", canonical(e.linear)).u("slot", pml4_slot(e.linear))
        .s("access", mmu::access_name(e.access)).s("source", e.source);
    j.object("cached").hex("pa", e.cached_pa).s("size", mmu::page_size_name(e.cached_size));
    perms(j, e.cached_perms);
    j.end();
    j.object("current").b("ok", e.current_ok);
    if (e.current_ok) {
      j.hex("pa", e.current_pa).s("size", mmu::page_size_name(e.current_size));
      perms(j, e.current_perms);
    }
    j.end();
    if (e.changed_level) {
      j.object("changed").u("level", e.changed_level).s("entry", mmu::level_name(e.changed_level))
          .hex("pa", e.changed_pa).hex("old", e.old_value).hex("new", e.new_value).end();
    } else {
      j.null("changed");
    }
    j.end();
    out += '\n';
  }

  void trailer(std::string& out, const Trailer& t) override {
    Json j(out);
    j.object().s("type", "end").u("icount", t.icount).u("records", t.records).u("bytes", t.bytes)
        .b("truncated", t.truncated);
    if (t.truncated) j.u("max_bytes", t.max_bytes);
    if (t.interrupted) j.b("interrupted", true);
    j.end();
    out += '\n';
  }
};

}  // namespace

std::unique_ptr<Formatter> make_jsonl_formatter() { return std::make_unique<JsonlFormatter>(); }

}  // namespace slot::trace
