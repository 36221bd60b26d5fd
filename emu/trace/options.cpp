#include "emu/trace/options.h"

#include <stdexcept>

namespace slot::trace {

namespace {
constexpr const char* kNames[] = {"tlb", "walk", "cr3", "invlpg", "pf", "stale"};

[[noreturn]] void bad(const std::string& option, const std::string& text, const char* what) {
  throw std::invalid_argument(option + ": '" + text + "' " + what);
}

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// Digits of one number; false if anything else is there or it overflows.
bool number(const std::string& s, uint64_t& out) {
  std::string t = trim(s);
  unsigned base = 10;
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) base = 16, t = t.substr(2);
  if (t.empty()) return false;
  uint64_t v = 0;
  bool any = false;
  for (char ch : t) {
    if (ch == '_' || ch == '\'') continue;
    unsigned d;
    if (ch >= '0' && ch <= '9') d = unsigned(ch - '0');
    else if (base == 16 && ch >= 'a' && ch <= 'f') d = unsigned(ch - 'a' + 10);
    else if (base == 16 && ch >= 'A' && ch <= 'F') d = unsigned(ch - 'A' + 10);
    else return false;
    if (v > (~0ull - d) / base) return false;
    v = v * base + d;
    any = true;
  }
  out = v;
  return any;
}
}  // namespace

const char* category_name(Category c) {
  for (unsigned i = 0; i < 6; ++i)
    if (c == (1u << i)) return kNames[i];
  return "?";
}

uint32_t parse_categories(const std::string& text) {
  uint32_t mask = 0;
  size_t pos = 0;
  for (;;) {
    const size_t comma = text.find(',', pos);
    const std::string item = trim(text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
    bool known = false;
    if (item == "all") mask |= kCatAll, known = true;
    for (unsigned i = 0; i < 6 && !known; ++i)
      if (item == kNames[i]) mask |= 1u << i, known = true;
    if (!known)
      bad("--trace", item, "is not a category (tlb, walk, cr3, invlpg, pf, stale, all; comma separated)");
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return mask;
}

Format parse_format(const std::string& text) {
  if (text == "text") return Format::Text;
  if (text == "jsonl") return Format::Jsonl;
  bad("--trace-format", text, "is not a format (text or jsonl)");
}

uint64_t parse_number(const std::string& option, const std::string& text) {
  uint64_t v = 0;
  if (!number(text, v)) bad(option, text, "is not a number (decimal, or hex with 0x)");
  return v;
}

uint64_t parse_size(const std::string& option, const std::string& text) {
  std::string t = trim(text);
  unsigned shift = 0;
  if (!t.empty()) {
    switch (t.back()) {
      case 'k': case 'K': shift = 10; break;
      case 'm': case 'M': shift = 20; break;
      case 'g': case 'G': shift = 30; break;
    }
    if (shift) t.pop_back();
  }
  uint64_t v = 0;
  if (!number(t, v) || (shift && v > (~0ull >> shift)))
    bad(option, text, "is not a byte count (a number with an optional K, M or G suffix)");
  return v << shift;
}

Range parse_range(const std::string& option, const std::string& text) {
  const std::string t = trim(text);
  // A leading "0x" may contain no '-', so the first '-' separates the bounds.
  const size_t dash = t.find('-');
  Range r;
  if (dash == std::string::npos) {
    if (!number(t, r.lo)) bad(option, text, "is not a range (LO-HI, LO-, -HI or N; decimal or 0x hex)");
    r.hi = r.lo;
    return r;
  }
  const std::string lo = t.substr(0, dash), hi = t.substr(dash + 1);
  if ((lo.empty() && hi.empty()) || (!lo.empty() && !number(lo, r.lo)) || (!hi.empty() && !number(hi, r.hi)))
    bad(option, text, "is not a range (LO-HI, LO-, -HI or N; decimal or 0x hex)");
  if (r.lo > r.hi) bad(option, text, "is an empty range (LO is above HI)");
  return r;
}

std::bitset<512> parse_slots(const std::string& option, const std::string& text) {
  std::bitset<512> set;
  size_t pos = 0;
  for (;;) {
    const size_t comma = text.find(',', pos);
    const std::string item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    Range r;
    try {
      r = parse_range(option, item);
    } catch (const std::invalid_argument&) {
      bad(option, text, "is not a PML4 slot list (numbers 0-511, N or N-M, comma separated)");
    }
    if (r.hi > 511) bad(option, text, "names a PML4 slot above 511");
    for (uint64_t s = r.lo; s <= r.hi; ++s) set.set(size_t(s));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return set;
}

TraceOptions parse_trace_args(const TraceArgs& a) {
  TraceOptions o;
  if (!a.trace.empty()) o.categories = parse_categories(a.trace);
  o.out = a.out;
  if (!a.format.empty()) o.format = parse_format(a.format);
  else if (o.out.size() >= 6 && o.out.compare(o.out.size() - 6, 6, ".jsonl") == 0) o.format = Format::Jsonl;
  if (!a.max_bytes.empty()) o.max_bytes = parse_size("--trace-max-bytes", a.max_bytes);
  if (!a.va.empty()) o.filter.va = parse_range("--trace-va", a.va);
  if (!a.cr3.empty()) o.filter.cr3 = parse_number("--trace-cr3", a.cr3) & 0x000F'FFFF'FFFF'F000ull;
  if (!a.pcid.empty()) {
    const uint64_t p = parse_number("--trace-pcid", a.pcid);
    if (p > 0xFFF) bad("--trace-pcid", a.pcid, "is not a PCID (0-4095)");
    o.filter.pcid = uint16_t(p);
  }
  if (!a.icount.empty()) o.filter.icount = parse_range("--trace-icount", a.icount);
  for (const std::string& s : a.slots) {
    const std::bitset<512> b = parse_slots("--trace-slot", s);
    o.filter.slots = o.filter.slots ? (*o.filter.slots | b) : b;
  }
  const bool filtered = o.filter.va || o.filter.slots || o.filter.cr3 || o.filter.pcid || !o.filter.icount.full();
  if (!o.categories && (filtered || !a.out.empty() || !a.format.empty()))
    throw std::invalid_argument("--trace-out, --trace-format and the --trace-* filters need --trace CATEGORIES");
  return o;
}

}  // namespace slot::trace
