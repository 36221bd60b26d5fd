#include "guest/kernel/manifest.h"

#include "guest/include/slotlab_abi.h"

namespace {
struct Range {
  uint32_t first, last;
};
// The 8259s, the 8254, port B, CMOS/NMI mask, the ELCR, PCI configuration, isa-debug-exit.
constexpr Range kReserved[] = {{0x20, 0x21}, {0xA0, 0xA1}, {0x40, 0x43}, {0x61, 0x61}, {0x70, 0x71},
                               {0x4D0, 0x4D1}, {0xCF8, 0xCFF}, {0xF4, 0xF7}};

bool same(const char* a, unsigned n, const char* b) {
  unsigned i = 0;
  while (i < n && b[i] && a[i] == b[i]) ++i;
  return i == n && !b[i];
}

// A number in decimal or 0x-hex in [p, end); false on anything else.
bool number(const char* p, const char* end, uint32_t* out) {
  uint32_t v = 0, base = 10;
  if (end - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) p += 2, base = 16;
  if (p == end) return false;
  for (; p < end; ++p) {
    uint32_t d;
    if (*p >= '0' && *p <= '9') d = (uint32_t)(*p - '0');
    else if (base == 16 && *p >= 'a' && *p <= 'f') d = (uint32_t)(*p - 'a' + 10);
    else if (base == 16 && *p >= 'A' && *p <= 'F') d = (uint32_t)(*p - 'A' + 10);
    else return false;
    if (v > 0xFFFF) return false;
    v = v * base + d;
  }
  *out = v;
  return true;
}

// One word of a line ("calls=..", "ports=..", "device=.."); false: not understood or not allowed.
bool apply_word(const char* w, const char* end, ModuleIdOf id_of, Grant* g) {
  const char* eq = w;
  while (eq < end && *eq != '=') ++eq;
  if (eq == end) return false;
  const char* v = eq + 1;
  const unsigned kn = (unsigned)(eq - w);
  if (same(w, kn, "calls")) {
    for (const char* p = v; p < end;) {
      const char* q = p;
      while (q < end && *q != ',') ++q;
      const uint32_t id = id_of(p, (unsigned)(q - p));
      if (id == 0 || id >= 32) return false;
      g->calls |= 1u << id;
      p = q < end ? q + 1 : q;
    }
    return true;
  }
  if (same(w, kn, "ports")) {
    const char* dash = v;
    while (dash < end && *dash != '-') ++dash;
    uint32_t first = 0, last = 0;
    if (dash == end || !number(v, dash, &first) || !number(dash + 1, end, &last) || last < first || last > 0xFFFF)
      return false;
    if (manifest_port_reserved(first, last)) return false;
    g->port_first = (uint16_t)first, g->port_count = (uint16_t)(last - first + 1);
    return true;
  }
  if (same(w, kn, "shm")) {  // NAME:PAGES:rw|ro[,...]
    for (const char* p = v; p < end;) {
      const char* q = p;
      while (q < end && *q != ',') ++q;
      const char* c1 = p;
      while (c1 < q && *c1 != ':') ++c1;
      const char* c2 = c1 < q ? c1 + 1 : q;
      while (c2 < q && *c2 != ':') ++c2;
      uint32_t pages = 0;
      const unsigned rn = c2 < q ? (unsigned)(q - c2 - 1) : 0;
      const bool rw = same(c2 + 1, rn, "rw"), ro = same(c2 + 1, rn, "ro");
      if (c1 == p || c1 - p > 8 || c2 == q || !number(c1 + 1, c2, &pages) || pages == 0 ||
          pages > abi::SHM_MAX_PAGES || !(rw || ro) || g->nshm == kMaxShmGrants)
        return false;
      ShmGrant& s = g->shm[g->nshm++];
      for (unsigned i = 0; p + i < c1; ++i) s.name |= (uint64_t)(uint8_t)p[i] << (8 * i);
      s.pages = pages, s.write = rw;
      p = q < end ? q + 1 : q;
    }
    return true;
  }
  if (same(w, kn, "device")) {
    const unsigned vn = (unsigned)(end - v);
    if (same(v, vn, "vga")) return g->flags |= abi::MODF_VGA, true;
    if (same(v, vn, "virtio-blk")) return g->flags |= abi::MODF_VIRTIO_BLK, true;
    return false;
  }
  return false;
}
}  // namespace

bool manifest_port_reserved(uint32_t first, uint32_t last) {
  for (const Range& r : kReserved)
    if (first <= r.last && last >= r.first) return true;
  return false;
}

Grant manifest_grant(const char* manifest, const char* name, ModuleIdOf id_of) {
  Grant g;
  for (const char* s = manifest; s && *s;) {
    const char* eol = s;
    while (*eol && *eol != '\n') ++eol;
    const char* p = s;
    while (p < eol && (*p == ' ' || *p == '\t')) ++p;
    const char* w = p;
    while (p < eol && *p != ' ' && *p != '\t' && *p != '#') ++p;
    if (w < p && *w != '#' && same(w, (unsigned)(p - w), name)) {
      g.listed = true;
      while (p < eol && *p != '#') {
        while (p < eol && (*p == ' ' || *p == '\t')) ++p;
        const char* word = p;
        while (p < eol && *p != ' ' && *p != '\t' && *p != '#') ++p;
        if (word < p && !apply_word(word, p, id_of, &g)) g.problem = word;
      }
      return g;
    }
    s = *eol ? eol + 1 : eol;
  }
  return g;
}
