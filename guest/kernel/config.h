// Kernel command line: workload=, mode=, flush= (multiboot cmdline).
#pragma once
#include <stdint.h>

enum class Mode { ModArea, Monolithic, Ipc };
enum class Flush { Cr3, Invlpg, Pcid, None };
enum class Workload { Demo, Selftest, Attacks, Bench, Chaos, Cat };

struct Config {
  Mode mode = Mode::ModArea;
  Flush flush = Flush::Cr3;
  Workload workload = Workload::Demo;
  bool bounce_edges = true;  // partial edge pages of buffers are copied, not mapped (bounce=none maps them whole)
  bool fastpath = true;       // fastpath=0: every call and return takes the general path (fastpath.cpp)
  bool call_records = true;   // annotate=0: no annotation records per call and return (marks stay)
  // flush=invlpg: a module that can occupy more TLB entries than this is
  // flushed whole (CR3 reload) instead of page by page. 33 is Linux's
  // tlb_single_page_flush_ceiling; invlpg_max=N sets it (0-100000).
  unsigned invlpg_max = 33;
  const char* cmdline = nullptr;  // the whole line: workloads read their own options (bench.cpp)
};
extern Config g_cfg;

// Parses "key=value" words; unknown words are ignored, bad values return false
// and leave the default (the message names the word).
bool parse_cmdline(const char* s, Config* out, const char** bad_word);
const char* mode_name(Mode m);
const char* flush_name(Flush f);
const char* workload_name(Workload w);
// The value of `key=` in the command line (nullptr if absent); *len = its length.
const char* cmdline_option(const char* key, unsigned* len);
// `key=` as a decimal number in [0, max] into *out (left alone when absent);
// false when present but not such a number.
bool cmdline_number(const char* key, uint64_t max, uint64_t* out);
