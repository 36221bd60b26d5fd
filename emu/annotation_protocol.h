// The annotation-port protocol: how a guest describes itself (task and module
// names, cross-module calls and returns) to the emulator, without any
// emulator-specific instruction. Shared by the guest kernel (guest/) and the
// emulator (emu/), so the two cannot disagree. Freestanding: only <stdint.h>.
//
// Wire format (docs/annotation.md has an example of every record):
//   The guest writes 32-bit values with `outl` to ANN_PORT. A record is one
//   header dword followed by `len` payload dwords:
//     header = ANN_MAGIC | type << 8 | len << 16      (len = payload dwords)
//   64-bit values are two dwords, low first. Strings are packed 4 bytes per
//   dword, little-endian (first character in bits 7:0), NUL-padded to a whole
//   dword; a string always runs to the end of its record.
//   A reader that sees an unknown type skips `len` dwords. A dword whose low
//   byte is not ANN_MAGIC where a header is expected is dropped (resync).
//   QEMU's default pc machine has nothing at ANN_PORT, so the writes vanish
//   there and the guest behaves identically.
#pragma once
#include <stdint.h>

namespace ann {

inline constexpr uint16_t ANN_PORT = 0x5A10;  // one 32-bit port; unassigned on QEMU pc
inline constexpr uint32_t ANN_MAGIC = 0xA5;
inline constexpr uint32_t ANN_MAX_PAYLOAD = 64;  // dwords; longer records are split by nobody: keep them short

enum Type : uint8_t {
  // payload: cr3 lo, cr3 hi, task id, module id (or ANN_NONE), name...
  // Names one address space: the CR3 value (PCID bits included) the kernel
  // loads for this task while `module id` is mapped in the module slot.
  // In flush=pcid there is one per (task, module) pair; otherwise one per task.
  ANN_ADDRESS_SPACE = 1,
  // payload: module id, pdpt lo, pdpt hi, base lo, base hi, symtab lo, symtab hi,
  //          symtab bytes, strtab lo, strtab hi, strtab bytes, name...
  // pdpt = physical address of the module's PDPT (what the module-slot PML4E
  // points to). base = virtual load base. symtab/strtab = physical address and
  // size of the module's ELF .symtab/.strtab (0 if stripped); st_value in it
  // are virtual addresses in the module area.
  ANN_MODULE = 2,
  // payload: task id, home module id, parent task id (ANN_NONE for none), name...
  ANN_TASK_CREATE = 3,
  // payload: task id, caller module, callee module, operation, depth (of the
  //          callee, caller is depth-1), buffer count n, then n times:
  //          caller addr lo, caller addr hi, window addr lo, window addr hi, length
  // Emitted after validation, just before the callee is entered. A buffer that
  // needed no window has window addr == caller addr.
  ANN_CALL = 4,
  // payload: task id, status lo, status hi (int64: >= 0 result, < 0 error),
  //          depth (of the callee that returned), callee module, caller module
  // Emitted after the caller's mappings are restored, before it resumes.
  ANN_RETURN = 5,
  // payload: free text (a phase marker, e.g. "bench size=64 depth=2").
  ANN_MARK = 6,
  // payload: task id, exit value lo, exit value hi
  ANN_TASK_EXIT = 7,
  // payload: module id, operation, name...
  // The name the module gives operation `op` (e.g. fs op 0 = "FS_READ"),
  // announced after its ANN_MODULE; unnamed operations are shown as numbers.
  ANN_OP_NAME = 8,
};

inline constexpr uint32_t ANN_NONE = 0xFFFFFFFFu;

constexpr uint32_t header(Type type, uint32_t len) {
  return ANN_MAGIC | (uint32_t)type << 8 | (len & 0xFFFF) << 16;
}
constexpr uint32_t header_magic(uint32_t h) { return h & 0xFF; }
constexpr uint32_t header_type(uint32_t h) { return (h >> 8) & 0xFF; }
constexpr uint32_t header_len(uint32_t h) { return h >> 16; }

// Number of dwords a NUL-padded string of `n` characters occupies.
constexpr uint32_t string_dwords(uint32_t n) { return n / 4 + 1; }

}  // namespace ann
