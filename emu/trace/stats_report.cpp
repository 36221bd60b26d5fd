#include "emu/trace/stats_report.h"

#include <cinttypes>
#include <cstdarg>
#include <cstdio>

#include "emu/io/json.h"

#include "emu/trace/appendf.h"

namespace slot::trace {

using emu::Json;

namespace {

double mips(const StatsInput& in) {
  return in.host_seconds > 0 ? double(in.instructions) / in.host_seconds / 1e6 : 0.0;
}

std::string sizes_of(uint8_t mask) {
  std::string s;
  for (unsigned i = 0; i < mmu::kNumPageSizes; ++i)
    if (mask & (1u << i)) s += std::string(s.empty() ? "" : "+") + mmu::page_size_name(mmu::PageSize(i));
  return s;
}

// "cr3=12 invlpg=3", causes with a non-zero count, evictions excluded.
std::string causes(const std::array<uint64_t, mmu::kNumInvCauses>& inv) {
  std::string s;
  for (unsigned c = 1; c < mmu::kNumInvCauses; ++c)
    if (inv[c]) add(s, "%s%s=%" PRIu64, s.empty() ? "" : " ", mmu::inv_cause_name(mmu::InvCause(c)), inv[c]);
  return s.empty() ? "-" : s;
}

void counters_row(std::string& out, const mmu::SpaceCounters& c, bool with_l1) {
  if (with_l1) add(out, " %12" PRIu64 " %12" PRIu64, c.translations, c.l1_hits);
  add(out, " %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %9" PRIu64 " %7" PRIu64
           " %6" PRIu64 " %11" PRIu64 "\n",
      c.l1_misses, c.l2_hits, c.l2_misses, c.walks, c.walk_refs, c.psc_hits, c.faults, c.stale, c.invalidated);
}

void counters_json(Json& j, const mmu::SpaceCounters& c, bool with_l1) {
  if (with_l1) j.u("translations", c.translations).u("l1_hits", c.l1_hits);
  j.u("l1_misses", c.l1_misses).u("l2_hits", c.l2_hits).u("l2_misses", c.l2_misses).u("walks", c.walks)
      .u("walk_refs", c.walk_refs).u("psc_hits", c.psc_hits).u("faults", c.faults).u("stale", c.stale)
      .u("invalidated", c.invalidated);
}

void invalidations_json(Json& j, const std::array<uint64_t, mmu::kNumInvCauses>& inv) {
  j.object("invalidations");
  for (unsigned c = 1; c < mmu::kNumInvCauses; ++c) j.u(mmu::inv_cause_name(mmu::InvCause(c)), inv[c]);
  j.end();
}

struct Term {
  const char* name;
  const char* what;
  double count, latency, cycles;
};

std::vector<Term> cost_terms(const StatsInput& in) {
  const mmu::MmuStats& s = *in.stats;
  const mmu::CostConfig& l = in.config->cost;
  return {
      {"instructions", "instructions x base CPI", double(in.instructions), l.base_cpi, in.cost.instructions},
      {"l1", "L1 TLB hits", double(s.l1_hits), l.l1_hit, in.cost.l1},
      {"l2", "STLB lookups (L1 misses)", double(s.l1_misses), l.l2_hit, in.cost.l2},
      {"walks", "page walks", double(s.walks), l.walk, in.cost.walks},
      {"mem_refs", "walk memory references", double(s.walk_refs), l.mem_ref, in.cost.mem_refs},
      {"cr3", "CR3 loads that flush", double(s.cr3_loads - s.cr3_noflush), l.cr3_load,
       double(s.cr3_loads - s.cr3_noflush) * l.cr3_load},
      {"cr3_noflush", "CR3 loads, bit 63 set", double(s.cr3_noflush), l.cr3_noflush, double(s.cr3_noflush) * l.cr3_noflush},
      {"invlpg", "INVLPG", double(s.invlpg), l.invlpg, double(s.invlpg) * l.invlpg},
      {"invpcid", "INVPCID", double(s.invpcid), l.invpcid, double(s.invpcid) * l.invpcid},
      {"syscall", "SYSCALL", double(in.ops.syscall), l.syscall, double(in.ops.syscall) * l.syscall},
      {"sysret", "SYSRET", double(in.ops.sysret), l.sysret, double(in.ops.sysret) * l.sysret},
      {"iret", "IRET", double(in.ops.iret), l.iret, double(in.ops.iret) * l.iret},
      {"wrmsr", "WRMSR", double(in.ops.wrmsr), l.wrmsr, double(in.ops.wrmsr) * l.wrmsr},
      {"port_io", "port I/O (IN/OUT/INS/OUTS)", double(in.ops.port_io), l.port_io, double(in.ops.port_io) * l.port_io},
      {"string_start", "REP MOVS/STOS steps", double(in.ops.string_steps), l.string_start,
       double(in.ops.string_steps) * l.string_start},
      {"string_bytes", "REP MOVS/STOS bytes", double(in.ops.string_bytes), l.string_bw > 0 ? 1 / l.string_bw : 0,
       l.string_bw > 0 ? double(in.ops.string_bytes) / l.string_bw : 0},
  };
}

constexpr const char* kCycleNote =
    "modelled cycles are a model, not a measurement: latencies from the TLB description times the exact counts";

}  // namespace

const char* psc_name(unsigned level) {
  return level == 4 ? "PML4E-cache" : level == 3 ? "PDPTE-cache" : level == 2 ? "PDE-cache" : "?-cache";
}

std::string format_stats_text(const StatsInput& in) {
  const mmu::MmuStats& s = *in.stats;
  const mmu::TlbConfig& cfg = *in.config;
  std::string o;
  o += "== slotlab statistics ==\n";
  add(o, "instructions executed %" PRIu64 "   host time %.3f s   host speed %.2f MIPS%s\n", in.instructions,
      in.host_seconds, mips(in), in.observed ? " (slowed by tracing or stale detection)" : "");
  add(o, "TLB model %s%s   stale translations: %s\n", s.model.c_str(), cfg.modelled ? "" : " (functional only)",
      in.stale_mode.c_str());
  add(o, "translations %" PRIu64 "   L1 hits %" PRIu64 "   L1 misses %" PRIu64 "   L2 hits %" PRIu64
         "   L2 misses %" PRIu64 "\n",
      s.translations, s.l1_hits, s.l1_misses, s.l2_hits, s.l2_misses);
  add(o, "page walks %" PRIu64 "   walk memory refs %" PRIu64 "   A/D writes %" PRIu64 "   faults %" PRIu64
         " (spurious %" PRIu64 ")   stale %" PRIu64 "\n",
      s.walks, s.walk_refs, s.ad_writes, s.faults, s.spurious_faults, s.stale);
  add(o, "CR3 loads %" PRIu64 " (no-flush %" PRIu64 ")   INVLPG %" PRIu64 "   INVPCID %" PRIu64 "\n", s.cr3_loads,
      s.cr3_noflush, s.invlpg, s.invpcid);

  add(o, "\n%-16s %3s %4s %-19s %12s %10s %10s %10s %9s  %s\n", "TLB array", "lvl", "side", "geometry", "hits",
      "misses", "fills", "evictions", "d-rewalks", "invalidations by cause");
  for (size_t i = 0; i < s.arrays.size(); ++i) {
    const mmu::ArrayStats& a = s.arrays[i];
    const mmu::ArrayConfig& c = cfg.arrays[i];
    char geo[40];
    std::snprintf(geo, sizeof geo, "%ux%u %s %s", c.sets, c.ways, mmu::policy_name(c.policy), sizes_of(c.sizes).c_str());
    add(o, "%-16s %3u %4s %-19s %12" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %9" PRIu64 "  %s\n",
        a.name.c_str(), a.level, mmu::side_name(a.side), geo, a.hits, a.misses, a.fills, a.evictions,
        a.dirty_rewalks, causes(a.invalidations).c_str());
  }
  if (!s.pscs.empty()) {
    add(o, "\n%-16s %-18s %12s %10s %10s %10s  %s\n", "PS cache", "geometry", "hits", "misses", "fills",
        "evictions", "invalidations by cause");
    for (size_t i = 0; i < s.pscs.size(); ++i) {
      const mmu::PscStats& p = s.pscs[i];
      const mmu::PscConfig& c = cfg.pscs[i];
      char geo[40];
      std::snprintf(geo, sizeof geo, "%ux%u %s", c.sets, c.ways, mmu::policy_name(c.policy));
      add(o, "%-16s %-18s %12" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10" PRIu64 "  %s\n", psc_name(p.level), geo,
          p.hits, p.misses, p.fills, p.evictions, causes(p.invalidations).c_str());
    }
  }

  const char* cols = " %10s %10s %10s %10s %10s %9s %7s %6s %11s\n";
  add(o, "\nAddress spaces (CR3 page-table base, PCID)\n%-14s %4s %6s %12s %12s", "cr3 base", "pcid", "loads",
      "translations", "L1 hits");
  add(o, cols, "L1 misses", "L2 hits", "L2 misses", "walks", "walk refs", "PSC hits", "faults", "stale",
      "invalidated");
  for (const mmu::SpaceStats& sp : s.spaces) {
    add(o, "0x%012" PRIx64 " %4u %6" PRIu64, sp.pml4_base, unsigned(sp.pcid), sp.cr3_loads);
    counters_row(o, sp.c, true);
  }
  add(o, "\nPML4 slots (L1 hits are not attributed to slots)\n%-6s", "slot");
  add(o, cols, "L1 misses", "L2 hits", "L2 misses", "walks", "walk refs", "PSC hits", "faults", "stale",
      "invalidated");
  for (const mmu::SlotStats& sl : s.slots) {
    add(o, "%-6u", sl.slot);
    counters_row(o, sl.c, false);
  }

  add(o, "\nModelled cycles (%s)\n", kCycleNote);
  for (const Term& t : cost_terms(in))
    add(o, "  %-28s %14.0f x %6.2f = %16.1f\n", t.what, t.count, t.latency, t.cycles);
  const double total = in.cost.total();
  add(o, "  %-28s %33.1f cycles (%.3f per instruction)\n", "total", total,
      in.instructions ? total / double(in.instructions) : 0.0);

  add(o, "\nStale translations used: %" PRIu64, s.stale);
  if (in.stale_mode != "detect") o += " (detection off: use --tlb-stale=detect)\n";
  else o += "\n";
  if (in.stale_sites) {
    for (const StaleSite& st : *in.stale_sites) {
      add(o, "  0x%016" PRIx64 " slot %3u  %-12s x%-6" PRIu64 " first at icount %" PRIu64 " rip 0x%" PRIx64
             ": cached 0x%" PRIx64,
          st.page, unsigned(st.page >> 39) & 511, st.source.c_str(), st.count, st.first_icount, st.first_rip,
          st.first.cached_pa);
      if (st.first.current_ok) add(o, ", memory 0x%" PRIx64, st.first.current_pa);
      else o += ", memory: not mapped";
      if (st.first.changed_level)
        add(o, "; %s @0x%" PRIx64 " changed", mmu::level_name(st.first.changed_level), st.first.changed_pa);
      o += '\n';
    }
    if (in.stale_sites_truncated) o += "  (more sites not listed)\n";
  }
  return o;
}

std::string format_stats_json(const StatsInput& in) {
  const mmu::MmuStats& s = *in.stats;
  const mmu::TlbConfig& cfg = *in.config;
  std::string o;
  Json j(o);
  j.object().s("format", "slotlab-stats").u("version", 1);
  j.s("model", s.model).b("modelled", cfg.modelled).s("stale_mode", in.stale_mode);
  j.object("run").u("instructions", in.instructions).d("host_seconds", in.host_seconds).d("host_mips", mips(in))
      .b("observed", in.observed).end();
  j.object("totals").u("translations", s.translations).u("l1_hits", s.l1_hits).u("l1_misses", s.l1_misses)
      .u("l2_hits", s.l2_hits).u("l2_misses", s.l2_misses).u("walks", s.walks).u("walk_refs", s.walk_refs)
      .u("ad_writes", s.ad_writes).u("faults", s.faults).u("spurious_faults", s.spurious_faults)
      .u("stale", s.stale).u("cr3_loads", s.cr3_loads).u("cr3_noflush", s.cr3_noflush).u("invlpg", s.invlpg)
      .u("invpcid", s.invpcid).end();
  j.array("arrays");
  for (size_t i = 0; i < s.arrays.size(); ++i) {
    const mmu::ArrayStats& a = s.arrays[i];
    const mmu::ArrayConfig& c = cfg.arrays[i];
    j.object().s("name", a.name).u("level", a.level).s("side", mmu::side_name(a.side)).u("sets", c.sets)
        .u("ways", c.ways).s("policy", mmu::policy_name(c.policy)).s("sizes", sizes_of(c.sizes))
        .u("hits", a.hits).u("misses", a.misses).u("fills", a.fills).u("evictions", a.evictions)
        .u("dirty_rewalks", a.dirty_rewalks);
    invalidations_json(j, a.invalidations);
    j.end();
  }
  j.end().array("pscs");
  for (size_t i = 0; i < s.pscs.size(); ++i) {
    const mmu::PscStats& p = s.pscs[i];
    const mmu::PscConfig& c = cfg.pscs[i];
    j.object().s("name", psc_name(p.level)).u("level", p.level).u("sets", c.sets).u("ways", c.ways)
        .s("policy", mmu::policy_name(c.policy)).u("hits", p.hits).u("misses", p.misses).u("fills", p.fills)
        .u("evictions", p.evictions);
    invalidations_json(j, p.invalidations);
    j.end();
  }
  j.end().array("spaces");
  for (const mmu::SpaceStats& sp : s.spaces) {
    j.object().hex("pml4_base", sp.pml4_base).u("pcid", sp.pcid).u("cr3_loads", sp.cr3_loads);
    counters_json(j, sp.c, true);
    j.end();
  }
  j.end().array("slots");
  for (const mmu::SlotStats& sl : s.slots) {
    j.object().u("slot", sl.slot);
    counters_json(j, sl.c, false);
    j.end();
  }
  j.end().object("cost").s("note", kCycleNote);
  j.object("terms");
  for (const Term& t : cost_terms(in)) j.object(t.name).d("count", t.count).d("latency", t.latency).d("cycles", t.cycles).end();
  j.end().d("total_cycles", in.cost.total())
      .d("cycles_per_instruction", in.instructions ? in.cost.total() / double(in.instructions) : 0.0).end();
  j.object("stale").s("mode", in.stale_mode).u("count", s.stale);
  if (in.stale_sites) {
    j.u("events_seen", in.stale_events).array("sites");
    for (const StaleSite& st : *in.stale_sites) {
      j.object().hex("page", st.page).u("slot", unsigned(st.page >> 39) & 511).s("source", st.source)
          .u("count", st.count).u("first_icount", st.first_icount).hex("first_rip", st.first_rip)
          .hex("cached_pa", st.first.cached_pa).b("current_ok", st.first.current_ok);
      if (st.first.current_ok) j.hex("current_pa", st.first.current_pa);
      if (st.first.changed_level)
        j.object("changed").u("level", st.first.changed_level).s("entry", mmu::level_name(st.first.changed_level))
            .hex("pa", st.first.changed_pa).hex("old", st.first.old_value).hex("new", st.first.new_value).end();
      j.end();
    }
    j.end().b("sites_truncated", in.stale_sites_truncated);
  }
  j.end().end();
  o += '\n';
  return o;
}

}  // namespace slot::trace
