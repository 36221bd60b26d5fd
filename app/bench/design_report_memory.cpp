// Two sections of the design report about memory: a buffer's partial pages
// bounced (the kernel's default) or mapped whole (bounce=none), and what
// dynamic module memory costs each kernel -- the callee maps, writes and
// unmaps a page of its own area on every call, and the unmap must reach every
// address space that may cache the page (guest/kernel/sys_mem.cpp).
#include <cmath>

#include "app/bench/design_report.h"

namespace slot::bench {

namespace {

struct Pair {
  const BootResult *ba = nullptr, *bb = nullptr;
  const Point *a = nullptr, *b = nullptr;
  bool ok() const { return a && b; }
  double cycles_a() const { return cycles_per_call(*a, ba->cost); }
  double cycles_b() const { return cycles_per_call(*b, bb->cost); }
};
Pair pair(const DesignRun& r, const std::string& sa, const std::string& sb, const std::string& v, uint64_t size,
          uint64_t ws, uint64_t clients) {
  Pair p;
  p.ba = find_boot(r, sa, v), p.bb = find_boot(r, sb, v);
  p.a = p.ba ? find_point(*p.ba, size, 1, ws, clients) : nullptr;
  p.b = p.bb ? find_point(*p.bb, size, 1, ws, clients) : nullptr;
  return p;
}

std::string signed_num(double v) {
  std::string out(v > 0 ? "+" : "");
  return out += num(v);
}
std::string percent(double a, double b) {
  return b > 0 ? signed_num(std::round(1000 * (a - b) / b) / 10) + " %" : "-";
}

// CR3 loads per call that flush (bit 63 clear, or no PCIDs).
double flushing(const PerCall& p) {
  return p.calls > 0 ? double(p.total.cr3_loads - p.total.cr3_noflush) / p.calls : NAN;
}

// The unmap sweep's client counts, as run.
std::vector<uint64_t> unmap_clients(const DesignRun& r) {
  std::vector<uint64_t> out;
  for (const BootResult& b : r.boots)
    if (b.sweep == "unmap" && b.ok) {
      for (const Point& p : b.points) out.push_back(p.clients);
      break;
    }
  return out;
}

}  // namespace

void bounce_table(std::ostringstream& o, const DesignRun& r) {
  const BootResult* any = find_boot(r, "size-whole", "modarea/cr3");
  if (!any) return;
  o << "### Partial pages: bounced (the default) or mapped whole\n\nThe bench's buffer starts 64 bytes into a "
       "page, so its first (and last) page is shared with the caller's other data. By default the kernel copies "
       "the buffer's bytes of such a page into a fresh zeroed frame and maps that instead (copied back on return "
       "unless the buffer is an input); `bounce=none` maps the caller's page whole, and the callee can read and "
       "write the caller's bytes beside the buffer (the attacks `read_beside_buffer` and `write_beside_buffer` "
       "breach exactly then). Modelled cycles per call, bounced / whole, and what bouncing adds.\n\n| kernel |";
  for (const Point& p : any->points) o << " " << p.size << " B |";
  o << "\n|---|";
  for (size_t i = 0; i < any->points.size(); ++i) o << "---|";
  o << "\n";
  for (const Variant& v : design_variants()) {
    if (v.mode != "modarea" || !find_boot(r, "size-whole", v.id())) continue;
    o << "| " << title(v.id()) << " |";
    for (const Point& q : any->points) {
      const Pair p = pair(r, "size", "size-whole", v.id(), q.size, 16, 1);
      o << " " << (p.ok() ? num(p.cycles_a()) + " / " + num(p.cycles_b()) + " (" +
                                percent(p.cycles_a(), p.cycles_b()) + ")"
                          : "-")
        << " |";
    }
    o << "\n";
  }
  o << "\n";
}

void unmap_table(std::ostringstream& o, const DesignRun& r) {
  const std::vector<uint64_t> clients = unmap_clients(r);
  if (clients.empty()) return;
  o << "### Unmapping module memory\n\nThe callee (b1, working set 16 pages) maps a page of its own module area, "
       "writes it and unmaps it on every call (`unmap=1`, `SYS_mem`), against the same call without it (the "
       "client sweep's points). The page lands in the module's own page tables, shared by every task running "
       "it, so the unmap must reach every address space that may cache it: the kernel INVLPGs it in the current "
       "one and, with PCIDs, marks every other task's PCID for that module to be flushed at its next CR3 load — "
       "the other clients then walk the callee's working set again. Per call, differences from the plain "
       "call.\n\n| kernel | clients | cycles, plain | with map+unmap | Δ cycles | Δ instructions | Δ in the kernel "
       "| Δ L1 TLB misses | Δ walks | Δ flushing CR3 loads | Δ INVLPG |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const Variant& v : design_variants())
    for (uint64_t c : clients) {
      const Pair p = pair(r, "unmap", "clients", v.id(), 64, 16, c);
      if (!p.ok()) continue;
      const PerCall &a = p.a->pc, &b = p.b->pc;
      o << "| " << title(v.id()) << " | " << c << " | " << num(p.cycles_b()) << " | " << num(p.cycles_a()) << " | "
        << signed_num(p.cycles_a() - p.cycles_b()) << " | " << signed_num(a.insns - b.insns) << " | "
        << signed_num(a.kernel_insns - b.kernel_insns) << " | " << signed_num(a.l1_misses - b.l1_misses) << " | "
        << signed_num(a.walks - b.walks) << " | " << signed_num(flushing(a) - flushing(b)) << " | "
        << signed_num(a.invlpg - b.invlpg) << " |\n";
    }
  o << "\n";
}

void memory_verdict(std::ostringstream& o, const DesignRun& r) {
  // The smallest buffer measured, and 4 KiB (two partial pages, as the buffer starts 64 bytes in).
  uint64_t small = 0;
  if (const BootResult* w = find_boot(r, "size-whole", "modarea/pcid"))
    for (const Point& p : w->points)
      if (p.size && (!small || p.size < small)) small = p.size;
  const Pair bs = pair(r, "size", "size-whole", "modarea/pcid", small, 16, 1);
  const Pair b4k = pair(r, "size", "size-whole", "modarea/pcid", 4096, 16, 1);
  if (small && bs.ok()) {
    o << "- **Partial pages bounced by default.** With PCIDs a " << small << "-byte buffer costs "
      << num(bs.cycles_a()) << " cycles bounced against " << num(bs.cycles_b()) << " mapped whole ("
      << percent(bs.cycles_a(), bs.cycles_b()) << ")";
    if (b4k.ok() && small != 4096)
      o << ", a 4 KiB buffer across two pages " << num(b4k.cycles_a()) << " against " << num(b4k.cycles_b()) << " ("
        << percent(b4k.cycles_a(), b4k.cycles_b()) << ")";
    o << ": the price of not showing the callee the caller's bytes beside the buffer (partial-pages table).\n";
  }
  const std::vector<uint64_t> clients = unmap_clients(r);
  if (clients.empty()) return;
  const uint64_t most = clients.back();
  std::string parts;
  for (const char* v : {"modarea/pcid", "modarea/cr3", "modarea/invlpg", "ipc/pcid", "ipc/cr3", "monolithic/cr3"}) {
    const Pair p = pair(r, "unmap", "clients", v, 64, 16, most);
    if (!p.ok()) continue;
    std::ostringstream part;
    part << (parts.empty() ? "" : ", ") << title(v) << " " << signed_num(p.cycles_a() - p.cycles_b()) << " ("
         << signed_num(p.a->pc.walks - p.b->pc.walks) << " walks)";
    parts += part.str();
  }
  const Pair one = pair(r, "unmap", "clients", "modarea/pcid", 64, 16, clients.front());
  const Pair many = pair(r, "unmap", "clients", "modarea/pcid", 64, 16, most);
  if (parts.empty()) return;
  o << "- **Dynamic module memory has a bill.** Mapping, writing and unmapping one page of the callee's area per "
       "call, with " << most << " client tasks, adds per call: " << parts << ".";
  if (one.ok() && many.ok())
    o << " With PCIDs the extra walks grow with the clients that share the module (" << clients.front()
      << " client: " << signed_num(one.a->pc.walks - one.b->pc.walks) << ", " << most << ": "
      << signed_num(many.a->pc.walks - many.b->pc.walks)
      << "): each unmap costs every other task's (task, module) tag its cached working set — the per-PCID "
         "invalidation the design owes and the discussion does not mention.";
  o << " (Unmapping table.)\n";
}

}  // namespace slot::bench
