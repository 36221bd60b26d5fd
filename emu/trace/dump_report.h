// `--tlb-dump-at N` and `--tlb-dump FILE`: the contents of every TLB array
// and paging-structure cache -- set, way, VPN, PFN, page size, PCID, G,
// rights, age -- as text, or as one JSON document when FILE ends in .json
// (docs/trace-format.md, "TLB dumps").
#pragma once
#include <memory>

#include "emu/io/output_file.h"
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "mmu/config.h"
#include "mmu/stats.h"

namespace slot::mmu { class Mmu; }

namespace slot::trace {

// One dump, as text (all arrays, empty ones included).
std::string format_dump_text(const std::vector<mmu::TlbDumpEntry>& entries, const mmu::TlbConfig& cfg,
                             uint64_t icount, const char* when);
// One dump as a JSON object ({"icount":..,"when":..,"arrays":[..]}).
std::string format_dump_json(const std::vector<mmu::TlbDumpEntry>& entries, const mmu::TlbConfig& cfg,
                             uint64_t icount, const char* when);

// Collects dumps for one destination: text is written as it comes, JSON is
// written as one document {"format":"slotlab-tlb-dump",...,"dumps":[...]} by
// finish(). An empty path means standard error (text).
class DumpWriter {
 public:
  explicit DumpWriter(const std::string& path);  // throws std::runtime_error
  ~DumpWriter();
  DumpWriter(const DumpWriter&) = delete;
  DumpWriter& operator=(const DumpWriter&) = delete;
  void dump(const mmu::Mmu& mmu, uint64_t icount, const char* when);  // when: "at" or "exit"
  void finish();
  bool json() const { return json_; }

 private:
  std::FILE* f_ = nullptr;
  std::unique_ptr<emu::OutputFile> file_;   // --tlb-dump FILE (all or nothing)
  bool json_ = false;
  std::string model_;
  std::vector<std::string> dumps_;
};

}  // namespace slot::trace
