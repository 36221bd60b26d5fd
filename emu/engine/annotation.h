// The emulator side of the annotation port (docs/annotation.md): a device on
// ANN_PORT that turns the guest's dword stream into typed records. The parser
// never throws and never stops the machine: an unknown type is skipped by its
// length, a dword without the magic where a header is expected is dropped
// (resynchronisation), a record too short for its fields is reported; each
// problem becomes one `Bad` record that the engine logs as an event.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "emu/annotation_protocol.h"
#include "emu/devices/device.h"

namespace slot::engine {

struct AnnRecord {
  enum Kind : uint8_t { AddressSpace, Module, TaskCreate, Call, Return, Mark, TaskExit, OpName, Bad } kind = Bad;
  uint64_t cr3 = 0;                       // AddressSpace
  uint32_t task = ann::ANN_NONE, module = ann::ANN_NONE;   // AddressSpace, TaskCreate (home), Return (callee)
  uint32_t parent = ann::ANN_NONE;        // TaskCreate
  uint64_t pdpt = 0, base = 0, symtab = 0, symtab_bytes = 0, strtab = 0, strtab_bytes = 0;  // Module
  uint32_t caller = ann::ANN_NONE, callee = ann::ANN_NONE, op = 0, depth = 0;  // Call, Return, OpName (op)
  struct Buf { uint64_t caller_addr, window_addr; uint32_t len; };
  std::vector<Buf> buffers;               // Call
  int64_t value = 0;                      // Return status, TaskExit value
  std::string text;                       // names, Mark text, Bad: why
  uint32_t raw = 0;                       // Bad: the offending header or dword
};

// Stream state is a plain copyable value, so snapshots can hold it (a snapshot
// may fall between two dwords of one record).
class AnnParser {
 public:
  // Feeds one dword; returns true and fills `out` when a record is complete
  // (or a problem was found).
  bool feed(uint32_t dword, AnnRecord& out);
  bool idle() const { return !in_record_; }

 private:
  bool in_record_ = false;
  uint32_t header_ = 0;
  std::vector<uint32_t> payload_;
};

// Decodes one complete record (type + payload); exposed for tests.
AnnRecord decode_record(uint32_t type, const std::vector<uint32_t>& payload);

// The port device. Writes of other sizes than 4 and reads are not part of the
// protocol: writes are reported as Bad, reads return all-ones (as an unassigned
// port would).
class AnnotationPort final : public emu::Device {
 public:
  explicit AnnotationPort(std::function<void(uint32_t dword, unsigned size)> sink) : sink_(std::move(sink)) {}
  const char* name() const override { return "annotation"; }
  void reset() override {}
  uint32_t io_read(uint16_t, unsigned size) override { return emu::all_ones(size); }
  void io_write(uint16_t port, unsigned size, uint32_t value) override;
  void serialize(emu::Serializer&) override {}  // stream state lives in the engine's snapshot
  std::string dump() const override { return "annotation port 0x5a10\n"; }

 private:
  std::function<void(uint32_t, unsigned)> sink_;
};

}  // namespace slot::engine
