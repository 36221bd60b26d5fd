#include "guest/kernel/config.h"

Config g_cfg;

namespace {
bool word_is(const char* w, unsigned n, const char* lit) {
  unsigned i = 0;
  for (; i < n && lit[i] && w[i] == lit[i]; ++i) {
  }
  return i == n && lit[i] == 0;
}
template <typename E, unsigned N>
bool pick(const char* v, unsigned n, const char* const (&names)[N], E* out) {
  for (unsigned i = 0; i < N; ++i)
    if (word_is(v, n, names[i])) {
      *out = (E)i;
      return true;
    }
  return false;
}
constexpr const char* kModes[] = {"modarea", "monolithic", "ipc"};
constexpr const char* kFlushes[] = {"cr3", "invlpg", "pcid", "none"};
constexpr const char* kWorkloads[] = {"demo", "selftest", "attacks", "bench", "chaos", "cat"};
constexpr const char* kBounces[] = {"none", "edges"};
constexpr const char* kOnOff[] = {"0", "1"};
}  // namespace

const char* mode_name(Mode m) { return kModes[(int)m]; }
const char* flush_name(Flush f) { return kFlushes[(int)f]; }
const char* workload_name(Workload w) { return kWorkloads[(int)w]; }

const char* cmdline_option(const char* key, unsigned* len) {
  const char* s = g_cfg.cmdline;
  unsigned kn = 0;
  while (key[kn]) ++kn;
  while (s && *s) {
    while (*s == ' ') ++s;
    const char* w = s;
    while (*s && *s != ' ') ++s;
    unsigned i = 0;
    while (i < kn && w + i < s && w[i] == key[i]) ++i;
    if (i == kn && w + kn < s && w[kn] == '=') {
      *len = (unsigned)(s - w - kn - 1);
      return w + kn + 1;
    }
  }
  return nullptr;
}

bool cmdline_number(const char* key, uint64_t max, uint64_t* out) {
  unsigned n = 0;
  const char* v = cmdline_option(key, &n);
  if (!v) return true;
  uint64_t x = 0;
  for (unsigned i = 0; i < n; ++i) {
    if (v[i] < '0' || v[i] > '9' || x > (max - (uint64_t)(v[i] - '0')) / 10) return false;
    x = x * 10 + (uint64_t)(v[i] - '0');
  }
  if (n == 0) return false;
  *out = x;
  return true;
}

bool parse_cmdline(const char* s, Config* out, const char** bad_word) {
  bool ok = true;
  // A copy: the boot loader's line lies in memory the frame allocator hands
  // out later, so workloads that read their own options must not keep `s`.
  static char copy[512];
  unsigned len = 0;
  for (; s && s[len] && len + 1 < sizeof copy; ++len) copy[len] = s[len];
  copy[len] = 0;
  out->cmdline = copy;
  while (s && *s) {
    while (*s == ' ') ++s;
    const char* w = s;
    while (*s && *s != ' ') ++s;
    unsigned n = (unsigned)(s - w);
    unsigned eq = 0;
    while (eq < n && w[eq] != '=') ++eq;
    if (eq == n) continue;
    const char* v = w + eq + 1;
    unsigned vn = n - eq - 1;
    bool good = true;
    if (word_is(w, eq, "mode")) good = pick(v, vn, kModes, &out->mode);
    else if (word_is(w, eq, "flush")) good = pick(v, vn, kFlushes, &out->flush);
    else if (word_is(w, eq, "workload")) good = pick(v, vn, kWorkloads, &out->workload);
    else if (word_is(w, eq, "bounce")) {
      int b = 0;
      good = pick(v, vn, kBounces, &b);
      if (good) out->bounce_edges = b == 1;
    }
    else if (word_is(w, eq, "fastpath")) {
      int f = 1;
      good = pick(v, vn, kOnOff, &f);
      if (good) out->fastpath = f == 1;
    }
    else if (word_is(w, eq, "annotate")) {
      int a = 1;
      good = pick(v, vn, kOnOff, &a);
      if (good) out->call_records = a == 1;
    }
    else if (word_is(w, eq, "invlpg_max")) {
      unsigned x = 0, i = 0;
      for (; i < vn && v[i] >= '0' && v[i] <= '9' && x <= 100000; ++i) x = x * 10 + (unsigned)(v[i] - '0');
      good = vn && i == vn && x <= 100000;
      if (good) out->invlpg_max = x;
    }
    if (!good) {
      ok = false;
      if (bad_word) *bad_word = w;
    }
  }
  return ok;
}
