#include "emu/engine/annotation.h"

#include <cstdio>

namespace slot::engine {

namespace {

AnnRecord bad(std::string why, uint32_t raw) {
  AnnRecord r;
  r.kind = AnnRecord::Bad;
  r.text = std::move(why);
  r.raw = raw;
  return r;
}

uint64_t u64(const std::vector<uint32_t>& p, size_t i) { return uint64_t(p[i]) | uint64_t(p[i + 1]) << 32; }

// A string runs from dword `from` to the end of the record: 4 characters per
// dword, first character in bits 7:0, at least one NUL (docs/annotation.md).
bool unpack_string(const std::vector<uint32_t>& p, size_t from, std::string& out) {
  out.clear();
  for (size_t i = from; i < p.size(); ++i)
    for (unsigned b = 0; b < 4; ++b) {
      const char c = char(p[i] >> (8 * b));
      if (c == 0) return true;
      out.push_back(c);
    }
  return false;
}

const char* type_name(uint32_t t) {
  static const char* const n[] = {"?", "ADDRESS_SPACE", "MODULE", "TASK_CREATE", "CALL", "RETURN", "MARK", "TASK_EXIT", "OP_NAME"};
  return t < 9 ? n[t] : "?";
}

}  // namespace

AnnRecord decode_record(uint32_t type, const std::vector<uint32_t>& p) {
  const uint32_t header = ann::header(ann::Type(type), uint32_t(p.size()));
  char why[96];
  auto need = [&](size_t fixed, bool has_string) -> bool {
    const size_t min = fixed + (has_string ? 1 : 0);
    return has_string ? p.size() >= min : p.size() == min;
  };
  auto short_record = [&](size_t want) {
    std::snprintf(why, sizeof why, "%s record with %zu payload dwords (needs %zu)", type_name(type), p.size(), want);
    return bad(why, header);
  };
  AnnRecord r;
  switch (type) {
    case ann::ANN_ADDRESS_SPACE:
      if (!need(4, true)) return short_record(5);
      r.kind = AnnRecord::AddressSpace;
      r.cr3 = u64(p, 0), r.task = p[2], r.module = p[3];
      if (!unpack_string(p, 4, r.text)) return bad("ADDRESS_SPACE name without NUL", header);
      return r;
    case ann::ANN_MODULE:
      if (!need(11, true)) return short_record(12);
      r.kind = AnnRecord::Module;
      r.module = p[0], r.pdpt = u64(p, 1), r.base = u64(p, 3);
      r.symtab = u64(p, 5), r.symtab_bytes = p[7], r.strtab = u64(p, 8), r.strtab_bytes = p[10];
      if (!unpack_string(p, 11, r.text)) return bad("MODULE name without NUL", header);
      return r;
    case ann::ANN_TASK_CREATE:
      if (!need(3, true)) return short_record(4);
      r.kind = AnnRecord::TaskCreate;
      r.task = p[0], r.module = p[1], r.parent = p[2];
      if (!unpack_string(p, 3, r.text)) return bad("TASK_CREATE name without NUL", header);
      return r;
    case ann::ANN_CALL: {
      if (p.size() < 6) return short_record(6);
      const size_t n = p[5];
      if (p.size() != 6 + 5 * n) return short_record(6 + 5 * n);
      r.kind = AnnRecord::Call;
      r.task = p[0], r.caller = p[1], r.callee = p[2], r.op = p[3], r.depth = p[4];
      for (size_t i = 0; i < n; ++i) {
        const size_t b = 6 + 5 * i;
        r.buffers.push_back({u64(p, b), u64(p, b + 2), p[b + 4]});
      }
      return r;
    }
    case ann::ANN_RETURN:
      if (!need(6, false)) return short_record(6);
      r.kind = AnnRecord::Return;
      r.task = p[0], r.value = int64_t(u64(p, 1)), r.depth = p[3], r.callee = p[4], r.caller = p[5];
      return r;
    case ann::ANN_MARK:
      if (p.empty()) return short_record(1);
      r.kind = AnnRecord::Mark;
      if (!unpack_string(p, 0, r.text)) return bad("MARK text without NUL", header);
      return r;
    case ann::ANN_TASK_EXIT:
      if (!need(3, false)) return short_record(3);
      r.kind = AnnRecord::TaskExit;
      r.task = p[0], r.value = int64_t(u64(p, 1));
      return r;
    case ann::ANN_OP_NAME:
      if (!need(2, true)) return short_record(3);
      r.kind = AnnRecord::OpName;
      r.module = p[0], r.op = p[1];
      if (!unpack_string(p, 2, r.text)) return bad("OP_NAME name without NUL", header);
      return r;
    default:
      std::snprintf(why, sizeof why, "unknown record type %u skipped (%zu payload dwords)", type, p.size());
      return bad(why, header);
  }
}

bool AnnParser::feed(uint32_t dword, AnnRecord& out) {
  char why[96];
  if (!in_record_) {
    if (ann::header_magic(dword) != ann::ANN_MAGIC) {
      std::snprintf(why, sizeof why, "dword %#x without the 0xA5 magic dropped (resync)", dword);
      out = bad(why, dword);
      return true;
    }
    const uint32_t len = ann::header_len(dword);
    if (len > ann::ANN_MAX_PAYLOAD) {
      // A corrupt header must not swallow the records that follow it.
      std::snprintf(why, sizeof why, "header %#x announces %u payload dwords (max %u): dropped", dword, len,
                    ann::ANN_MAX_PAYLOAD);
      out = bad(why, dword);
      return true;
    }
    header_ = dword;
    payload_.clear();
    in_record_ = true;
  } else {
    payload_.push_back(dword);
  }
  if (payload_.size() < ann::header_len(header_)) return false;
  in_record_ = false;
  out = decode_record(ann::header_type(header_), payload_);
  return true;
}

void AnnotationPort::io_write(uint16_t port, unsigned size, uint32_t value) {
  // Only `outl` to ANN_PORT itself is protocol; the sink reports anything else.
  sink_(value, port == ann::ANN_PORT ? size : 0);
}

}  // namespace slot::engine
