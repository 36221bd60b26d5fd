#include "emu/trace/dump_report.h"

#include <cerrno>
#include <cinttypes>
#include <cstdarg>
#include <cstring>
#include <stdexcept>

#include "emu/io/json.h"
#include "emu/trace/options.h"
#include "emu/trace/stats_report.h"
#include "mmu/mmu.h"

#include "emu/trace/appendf.h"

namespace slot::trace {

using emu::Json;

namespace {

std::string sizes_of(uint8_t mask) {
  std::string s;
  for (unsigned i = 0; i < mmu::kNumPageSizes; ++i)
    if (mask & (1u << i)) s += std::string(s.empty() ? "" : "+") + mmu::page_size_name(mmu::PageSize(i));
  return s;
}

std::string rights(const mmu::Perms& p) {
  std::string s = p.w ? "W" : "R";
  s += p.u ? " U" : " S";
  s += p.nx ? " NX" : "   ";
  return s;
}

// A PSC entry's tag is the linear address bits above the level's reach.
uint64_t psc_linear(const mmu::TlbDumpEntry& d) {
  return canonical(d.entry.vpn << (12 + 9 * (d.psc_level - 1)));
}

// The dump entries of one array, in set/way order (dump() gives them so).
template <class F>
void each_of(const std::vector<mmu::TlbDumpEntry>& entries, const std::string& name, F f) {
  for (const mmu::TlbDumpEntry& d : entries)
    if (d.array == name) f(d);
}

size_t count_of(const std::vector<mmu::TlbDumpEntry>& entries, const std::string& name) {
  size_t n = 0;
  each_of(entries, name, [&](const mmu::TlbDumpEntry&) { ++n; });
  return n;
}

}  // namespace

std::string format_dump_text(const std::vector<mmu::TlbDumpEntry>& entries, const mmu::TlbConfig& cfg,
                             uint64_t icount, const char* when) {
  std::string o;
  add(o, "== TLB dump %s icount %" PRIu64 " (model %s) ==\n", when, icount, cfg.name.c_str());
  for (const mmu::ArrayConfig& a : cfg.arrays) {
    add(o, "%s: level %u, side %s, %u sets x %u ways, %s, %s; %zu valid\n", a.name.c_str(), a.level,
        mmu::side_name(a.side), a.sets, a.ways, mmu::policy_name(a.policy), sizes_of(a.sizes).c_str(),
        count_of(entries, a.name));
    bool head = false;
    each_of(entries, a.name, [&](const mmu::TlbDumpEntry& d) {
      if (!head) {
        add(o, "  %4s %3s %-14s %-18s %-12s %-14s %-7s %4s %1s %-7s %1s %3s\n", "set", "way", "vpn", "linear", "pfn",
            "phys", "size", "pcid", "G", "rights", "D", "age");
        head = true;
      }
      const mmu::TlbEntryView& e = d.entry;
      char size[16];
      std::snprintf(size, sizeof size, "%s%s%s", mmu::page_size_name(e.size), e.orig_size != e.size ? "/" : "",
                    e.orig_size != e.size ? mmu::page_size_name(e.orig_size) : "");
      add(o, "  %4u %3u 0x%-12" PRIx64 " 0x%016" PRIx64 " 0x%-10" PRIx64 " 0x%-12" PRIx64 " %-7s %4u %1s %-7s %1s %3" PRIu64
             "\n",
          d.set, d.way, e.vpn, canonical(e.linear()), e.pfn, e.phys(), size, unsigned(e.pcid), e.global ? "G" : "-",
          rights(e.perms).c_str(), e.perms.dirty ? "D" : "-", d.age);
    });
  }
  for (const mmu::PscConfig& p : cfg.pscs) {
    const std::string name = psc_name(p.level);
    add(o, "%s: %u sets x %u ways, %s; %zu valid\n", name.c_str(), p.sets, p.ways, mmu::policy_name(p.policy),
        count_of(entries, name));
    bool head = false;
    each_of(entries, name, [&](const mmu::TlbDumpEntry& d) {
      if (!head) {
        add(o, "  %4s %3s %-14s %-18s %-14s %4s %-7s %3s\n", "set", "way", "tag", "linear", "next table", "pcid",
            "rights", "age");
        head = true;
      }
      add(o, "  %4u %3u 0x%-12" PRIx64 " 0x%016" PRIx64 " 0x%-12" PRIx64 " %4u %-7s %3" PRIu64 "\n", d.set, d.way,
          d.entry.vpn, psc_linear(d), d.entry.pfn << 12, unsigned(d.entry.pcid), rights(d.entry.perms).c_str(), d.age);
    });
  }
  return o;
}

std::string format_dump_json(const std::vector<mmu::TlbDumpEntry>& entries, const mmu::TlbConfig& cfg,
                             uint64_t icount, const char* when) {
  std::string o;
  Json j(o);
  j.object().u("icount", icount).s("when", when).array("arrays");
  for (const mmu::ArrayConfig& a : cfg.arrays) {
    j.object().s("name", a.name).s("kind", "tlb").u("level", a.level).s("side", mmu::side_name(a.side))
        .u("sets", a.sets).u("ways", a.ways).s("policy", mmu::policy_name(a.policy)).s("sizes", sizes_of(a.sizes))
        .array("entries");
    each_of(entries, a.name, [&](const mmu::TlbDumpEntry& d) {
      const mmu::TlbEntryView& e = d.entry;
      j.object().u("set", d.set).u("way", d.way).hex("vpn", e.vpn).hex("linear", canonical(e.linear()))
          .hex("pfn", e.pfn).hex("phys", e.phys()).s("size", mmu::page_size_name(e.size))
          .s("orig_size", mmu::page_size_name(e.orig_size)).u("pcid", e.pcid).b("g", e.global).b("w", e.perms.w)
          .b("u", e.perms.u).b("nx", e.perms.nx).b("d", e.perms.dirty).u("age", d.age).end();
    });
    j.end().end();
  }
  for (const mmu::PscConfig& p : cfg.pscs) {
    const std::string name = psc_name(p.level);
    j.object().s("name", name).s("kind", "psc").u("level", p.level).u("sets", p.sets).u("ways", p.ways)
        .s("policy", mmu::policy_name(p.policy)).array("entries");
    each_of(entries, name, [&](const mmu::TlbDumpEntry& d) {
      j.object().u("set", d.set).u("way", d.way).hex("tag", d.entry.vpn).hex("linear", psc_linear(d))
          .hex("table", d.entry.pfn << 12).u("pcid", d.entry.pcid).b("w", d.entry.perms.w)
          .b("u", d.entry.perms.u).b("nx", d.entry.perms.nx).u("age", d.age).end();
    });
    j.end().end();
  }
  j.end().end();
  return o;
}

DumpWriter::DumpWriter(const std::string& path) {
  if (path.empty()) {
    f_ = stderr;
    return;
  }
  json_ = path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0;
  file_ = std::make_unique<emu::OutputFile>(path, "--tlb-dump");
  f_ = file_->get();
}

DumpWriter::~DumpWriter() {
  // Not finished (an error or an exception on the way): a file is discarded.
  if (!file_ && f_) std::fflush(f_);
}

void DumpWriter::dump(const mmu::Mmu& mmu, uint64_t icount, const char* when) {
  if (!f_) return;
  model_ = mmu.config().name;
  const std::vector<mmu::TlbDumpEntry> entries = mmu.dump();
  if (json_) {
    dumps_.push_back(format_dump_json(entries, mmu.config(), icount, when));
    return;
  }
  const std::string t = format_dump_text(entries, mmu.config(), icount, when);
  std::fwrite(t.data(), 1, t.size(), f_);
}

void DumpWriter::finish() {
  if (!f_) return;
  if (json_) {
    std::string o = "{\"format\":\"slotlab-tlb-dump\",\"version\":1,";
    Json(o).s("model", model_);
    o += ",\"dumps\":[";
    for (size_t i = 0; i < dumps_.size(); ++i) o += (i ? "," : "") + dumps_[i];
    o += "]}\n";
    std::fwrite(o.data(), 1, o.size(), f_);
  }
  f_ = nullptr;
  if (!file_) {
    std::fflush(stderr);
    return;
  }
  const std::string err = file_->commit();
  file_.reset();
  if (!err.empty()) throw std::runtime_error(err);
}

}  // namespace slot::trace
