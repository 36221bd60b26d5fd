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
constexpr const char* kWorkloads[] = {"demo", "selftest", "attacks", "bench", "chaos"};
constexpr const char* kBounces[] = {"none", "edges"};
}  // namespace

const char* mode_name(Mode m) { return kModes[(int)m]; }
const char* flush_name(Flush f) { return kFlushes[(int)f]; }
const char* workload_name(Workload w) { return kWorkloads[(int)w]; }

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
    if (!good) {
      ok = false;
      if (bad_word) *bad_word = w;
    }
  }
  return ok;
}
