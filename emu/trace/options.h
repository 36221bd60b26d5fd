// What `slotlab run --trace ...` asks for: categories, output format and
// size cap, and the record filters (docs/trace-format.md, "Filters"). The
// parsers take the option text as typed and throw std::invalid_argument with
// one line naming the option, so the CLI can print it and exit 2.
#pragma once
#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace slot::trace {

// Record categories (--trace LIST). One bit each.
enum Category : uint32_t {
  kCatTlb = 1u << 0,     // TLB and paging-structure-cache hit/miss/fill/evict/invalidate
  kCatWalk = 1u << 1,    // every paging entry a walk consults
  kCatCr3 = 1u << 2,     // MOV to CR3
  kCatInvlpg = 1u << 3,  // INVLPG and INVPCID instructions
  kCatPf = 1u << 4,      // translation faults (#PF causes)
  kCatStale = 1u << 5,   // stale translation used (--tlb-stale=detect)
  kCatAll = (1u << 6) - 1,
};
const char* category_name(Category c);

enum class Format : uint8_t { Text, Jsonl };

// An inclusive range [lo, hi].
struct Range {
  uint64_t lo = 0, hi = ~0ull;
  bool contains(uint64_t v) const { return v >= lo && v <= hi; }
  bool full() const { return lo == 0 && hi == ~0ull; }
};

// A record passes when every filter that applies to it passes. The address
// filters (va, slots) apply only to records that carry a linear address;
// cr3/pcid/icount apply to every record (docs/trace-format.md).
struct Filter {
  std::optional<Range> va;          // canonical linear address
  std::optional<std::bitset<512>> slots;  // PML4 slot = bits 47:39
  std::optional<uint64_t> cr3;      // page-table base (bits 51:12) of the current CR3
  std::optional<uint16_t> pcid;
  Range icount;
};

struct TraceOptions {
  uint32_t categories = 0;          // 0 = tracing off
  Format format = Format::Text;
  std::string out;                  // "" = standard error, "-" = standard output
  uint64_t max_bytes = 1ull << 30;
  Filter filter;
};

// "tlb,walk,cr3,invlpg,pf,stale" or "all".
uint32_t parse_categories(const std::string& text);
// "text" or "jsonl".
Format parse_format(const std::string& text);
// A number: decimal, or hex with 0x; '_' and '\'' may separate digits.
// `option` names the option in the error message.
uint64_t parse_number(const std::string& option, const std::string& text);
// A byte count with an optional K, M or G suffix (powers of 1024).
uint64_t parse_size(const std::string& option, const std::string& text);
// "LO-HI", "LO-" or "-HI" (inclusive), or a single number N (= N-N).
Range parse_range(const std::string& option, const std::string& text);
// PML4 slots: numbers 0..511, each "N" or "N-M", comma separated.
std::bitset<512> parse_slots(const std::string& option, const std::string& text);

// The whole set, as the CLI holds it (empty string = option not given).
struct TraceArgs {
  std::string trace, out, format, va, cr3, pcid, icount, max_bytes;
  std::vector<std::string> slots;
};
TraceOptions parse_trace_args(const TraceArgs& a);

// Canonical form of a 48-bit linear address (bits 63:48 copy bit 47).
inline uint64_t canonical(uint64_t linear) {
  return uint64_t(int64_t(linear << 16) >> 16);
}
inline unsigned pml4_slot(uint64_t linear) { return unsigned(linear >> 39) & 511; }

}  // namespace slot::trace
