// libFuzzer target: the trace option and filter parsers (emu/trace/options.h,
// docs/trace-format.md "Options"). Input: NUL-separated fields given to
// --trace, --trace-format, --trace-va, --trace-cr3, --trace-pcid,
// --trace-icount, --trace-max-bytes and two --trace-slot values. Contract:
// the only exception is std::invalid_argument (the CLI's one-line exit 2);
// anything else escapes and libFuzzer reports it. A parsed range is never
// empty.
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "emu/trace/options.h"

using namespace slot;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string f[9];
  unsigned n = 0;
  for (size_t k = 0; k < size && n < 9; ++k) {
    if (data[k] == 0) { ++n; continue; }
    f[n] += char(data[k]);
  }
  trace::TraceArgs a;
  a.trace = f[0].empty() ? "all" : f[0];
  a.format = f[1];
  a.va = f[2];
  a.cr3 = f[3];
  a.pcid = f[4];
  a.icount = f[5];
  a.max_bytes = f[6];
  if (!f[7].empty()) a.slots.push_back(f[7]);
  if (!f[8].empty()) a.slots.push_back(f[8]);
  try {
    const auto o = trace::parse_trace_args(a);
    if (o.filter.icount.lo > o.filter.icount.hi) std::abort();
    if (o.filter.va && o.filter.va->lo > o.filter.va->hi) std::abort();
  } catch (const std::invalid_argument&) {}
  // Each parser on its own (field k goes to parser k mod 4; exceptions are
  // slow under ASan, so one parser per field).
  for (unsigned k = 0; k < 9; ++k) {
    if (f[k].empty()) continue;
    try {
      switch (k % 4) {
        case 0: (void)trace::parse_range("--x", f[k]); break;
        case 1: (void)trace::parse_size("--x", f[k]); break;
        case 2: (void)trace::parse_slots("--x", f[k]); break;
        default: (void)trace::parse_categories(f[k]); break;
      }
    } catch (const std::invalid_argument&) {}
  }
  return 0;
}
