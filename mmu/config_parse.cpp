// The TLB description format (docs/mmu.md, "Custom description files"):
// one directive per line, '#' starts a comment.
//   name   TEXT
//   model  none                      functional only, no TLB model
//   seed   N                         for policy=random
//   array  NAME level=1|2 side=I|D|U sizes=4K[,2M][,1G]
//          (entries=N | sets=N) ways=N|full [policy=lru|plru|random]
//   psc    pml4|pdpt|pd entries=N [ways=N|full] [policy=...]
//   cost   KEY=VALUE ...             base_cpi l1_hit l2_hit walk mem_ref cr3_load invlpg
// Every error is one line "FILE:LINE: message".
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "mmu/config.h"

namespace slot::mmu {

namespace {

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw std::runtime_error(where + ": " + what);
}

unsigned to_uint(const std::string& where, const std::string& key, const std::string& v) {
  char* end = nullptr;
  unsigned long n = std::strtoul(v.c_str(), &end, 0);
  // The whole value must be the number: a NUL inside it would end the C string early.
  if (v.empty() || end != v.c_str() + v.size() || n > 1u << 20) fail(where, "bad number '" + v + "' for " + key);
  return unsigned(n);
}

double to_double(const std::string& where, const std::string& key, const std::string& v) {
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (v.empty() || end != v.c_str() + v.size() || !(d >= 0 && d <= 1e12)) fail(where, "bad value '" + v + "' for " + key);
  return d;
}

Policy to_policy(const std::string& where, const std::string& v) {
  if (v == "lru") return Policy::Lru;
  if (v == "plru" || v == "tree-plru") return Policy::Plru;
  if (v == "random") return Policy::Random;
  fail(where, "unknown policy '" + v + "' (lru, plru, random)");
}

uint8_t to_sizes(const std::string& where, const std::string& v) {
  uint8_t m = 0;
  std::stringstream ss(v);
  std::string s;
  while (std::getline(ss, s, ',')) {
    if (s == "4K" || s == "4k") m |= size_bit(PageSize::K4);
    else if (s == "2M" || s == "2m") m |= size_bit(PageSize::M2);
    else if (s == "1G" || s == "1g") m |= size_bit(PageSize::G1);
    else fail(where, "unknown page size '" + s + "' (4K, 2M, 1G)");
  }
  return m;
}

// key=value words after the directive's fixed words.
std::map<std::string, std::string> keyvals(const std::string& where, std::istringstream& in,
                                           const std::set<std::string>& allowed) {
  std::map<std::string, std::string> kv;
  std::string w;
  while (in >> w) {
    auto eq = w.find('=');
    if (eq == std::string::npos) fail(where, "expected key=value, got '" + w + "'");
    std::string k = w.substr(0, eq);
    if (!allowed.count(k)) fail(where, "unknown key '" + k + "'");
    if (kv.count(k)) fail(where, "key '" + k + "' given twice");
    kv[k] = w.substr(eq + 1);
  }
  return kv;
}

// entries/sets/ways -> sets and ways.
void geometry(const std::string& where, const std::map<std::string, std::string>& kv,
              unsigned& sets, unsigned& ways, bool need) {
  const bool has_e = kv.count("entries"), has_s = kv.count("sets");
  if (has_e && has_s) fail(where, "give entries= or sets=, not both");
  if (!has_e && !has_s) {
    if (need) fail(where, "missing entries= (or sets=)");
    return;
  }
  const bool full = kv.count("ways") && kv.at("ways") == "full";
  if (!kv.count("ways") && has_s) fail(where, "missing ways=");
  if (has_e) {
    unsigned e = to_uint(where, "entries", kv.at("entries"));
    ways = (full || !kv.count("ways")) ? e : to_uint(where, "ways", kv.at("ways"));
    // entries=0 is a disabled paging-structure cache (what format_config writes for one).
    if (e != 0 && (ways == 0 || e % ways)) fail(where, "entries must be a multiple of ways");
    sets = ways ? e / ways : 1;
  } else {
    sets = to_uint(where, "sets", kv.at("sets"));
    if (full) fail(where, "ways=full needs entries=");
    ways = to_uint(where, "ways", kv.at("ways"));
  }
}

}  // namespace

void validate_config(const TlbConfig& c, const std::string& where) {
  if (!c.modelled) return;
  std::set<std::string> names;
  bool have[3] = {};
  for (const ArrayConfig& a : c.arrays) {
    const std::string w = where + " (array " + a.name + ")";
    if (!names.insert(a.name).second) fail(w, "duplicate array name");
    if (a.level != 1 && a.level != 2) fail(w, "level must be 1 or 2");
    if (!a.sizes) fail(w, "no page sizes");
    if (a.ways == 0 || a.ways > 64) fail(w, "ways must be 1..64");
    if (a.sets == 0 || (a.sets & (a.sets - 1))) fail(w, "the number of sets must be a power of two");
    if (a.level == 1) {
      if (a.side != Side::Data) have[0] = true;
      if (a.side != Side::Instr) have[1] = true;
    } else {
      have[2] = true;
    }
  }
  for (const PscConfig& p : c.pscs) {
    if (p.level < 2 || p.level > 4) fail(where, "psc level must be pml4, pdpt or pd");
    if (p.ways > 64) fail(where, "psc ways must be at most 64");
    if (p.sets == 0 || (p.sets & (p.sets - 1))) fail(where, "psc sets must be a power of two");
  }
  std::set<unsigned> lv;
  for (const PscConfig& p : c.pscs)
    if (!lv.insert(p.level).second) fail(where, "two paging-structure caches for one level");
  (void)have;
}

TlbConfig parse_config_text(const std::string& text, const std::string& filename) {
  TlbConfig c;
  c.name = filename;
  std::istringstream lines(text);
  std::string line;
  unsigned n = 0;
  bool any = false;
  while (std::getline(lines, line)) {
    ++n;
    const std::string where = filename + ":" + std::to_string(n);
    if (auto h = line.find('#'); h != std::string::npos) line.resize(h);
    std::istringstream in(line);
    std::string dir;
    if (!(in >> dir)) continue;
    any = true;
    if (dir == "name") {
      if (!(in >> c.name)) fail(where, "name needs a value");
    } else if (dir == "model") {
      std::string v;
      in >> v;
      if (v != "none") fail(where, "model takes only 'none'");
      c.modelled = false;
    } else if (dir == "seed") {
      std::string v;
      in >> v;
      char* end = nullptr;
      c.seed = std::strtoull(v.c_str(), &end, 0);
      if (v.empty() || *end) fail(where, "bad seed '" + v + "'");
    } else if (dir == "array") {
      ArrayConfig a;
      if (!(in >> a.name) || a.name.find('=') != std::string::npos) fail(where, "array needs a name");
      auto kv = keyvals(where, in, {"level", "side", "sizes", "entries", "sets", "ways", "policy"});
      for (const char* k : {"level", "side", "sizes"})
        if (!kv.count(k)) fail(where, std::string("missing ") + k + "=");
      a.level = to_uint(where, "level", kv["level"]);
      if (a.level != 1 && a.level != 2) fail(where, "level must be 1 or 2");
      const std::string& s = kv["side"];
      if (s == "I" || s == "i") a.side = Side::Instr;
      else if (s == "D" || s == "d") a.side = Side::Data;
      else if (s == "U" || s == "u") a.side = Side::Unified;
      else fail(where, "side must be I, D or U");
      a.sizes = to_sizes(where, kv["sizes"]);
      geometry(where, kv, a.sets, a.ways, true);
      if (kv.count("policy")) a.policy = to_policy(where, kv["policy"]);
      if (a.ways == 0 || a.ways > 64) fail(where, "ways must be 1..64");
      if (a.sets == 0 || (a.sets & (a.sets - 1))) fail(where, "the number of sets must be a power of two");
      for (const ArrayConfig& b : c.arrays)
        if (b.name == a.name) fail(where, "duplicate array name '" + a.name + "'");
      c.arrays.push_back(a);
    } else if (dir == "psc") {
      PscConfig p;
      std::string lvl;
      in >> lvl;
      if (lvl == "pml4") p.level = 4;
      else if (lvl == "pdpt") p.level = 3;
      else if (lvl == "pd") p.level = 2;
      else fail(where, "psc level must be pml4, pdpt or pd");
      auto kv = keyvals(where, in, {"entries", "sets", "ways", "policy"});
      geometry(where, kv, p.sets, p.ways, true);
      if (kv.count("policy")) p.policy = to_policy(where, kv["policy"]);
      if (p.ways > 64) fail(where, "ways must be at most 64");
      if (p.sets == 0 || (p.sets & (p.sets - 1))) fail(where, "the number of sets must be a power of two");
      for (const PscConfig& q : c.pscs)
        if (q.level == p.level) fail(where, "second psc for " + lvl);
      c.pscs.push_back(p);
    } else if (dir == "cost") {
      std::set<std::string> names;
      for (const CostField& f : cost_fields()) names.insert(f.name);
      auto kv = keyvals(where, in, names);
      if (kv.empty()) fail(where, "cost needs key=value pairs");
      for (auto& [k, v] : kv)
        for (const CostField& f : cost_fields())
          if (k == f.name) c.cost.*f.field = to_double(where, k, v);
    } else {
      fail(where, "unknown directive '" + dir + "' (name, model, seed, array, psc, cost)");
    }
  }
  if (!any) fail(filename + ":1", "empty TLB description");
  if (c.modelled && c.arrays.empty()) fail(filename + ":" + std::to_string(n), "no array lines (or 'model none')");
  validate_config(c, filename);
  return c;
}

TlbConfig parse_config_file(const std::string& path) {
  std::ifstream f(path);
  if (!f) {
    std::string names;
    for (const std::string& p : preset_names()) names += (names.empty() ? "" : ", ") + p;
    throw std::runtime_error(path + ": not a TLB preset (" + names + ") and not a readable file");
  }
  std::stringstream ss;
  ss << f.rdbuf();
  return parse_config_text(ss.str(), path);
}

std::string format_config(const TlbConfig& c) {
  std::ostringstream o;
  o << "name " << c.name << "\n";
  if (!c.modelled) { o << "model none\n"; return o.str(); }
  o << "seed " << c.seed << "\n";
  for (const ArrayConfig& a : c.arrays) {
    o << "array " << a.name << " level=" << a.level << " side=" << side_name(a.side) << " sizes=";
    bool first = true;
    for (unsigned s = 0; s < kNumPageSizes; ++s)
      if (a.sizes & size_bit(PageSize(s))) {
        o << (first ? "" : ",") << page_size_name(PageSize(s));
        first = false;
      }
    o << " entries=" << a.entries() << " ways=" << a.ways << " policy=" << policy_name(a.policy) << "\n";
  }
  for (const PscConfig& p : c.pscs)
    o << "psc " << (p.level == 4 ? "pml4" : p.level == 3 ? "pdpt" : "pd") << " entries=" << p.entries()
      << " ways=" << p.ways << " policy=" << policy_name(p.policy) << "\n";
  o << "cost";
  for (const CostField& f : cost_fields()) o << " " << f.name << "=" << c.cost.*f.field;
  o << "\n";
  return o.str();
}

}  // namespace slot::mmu
