#include "guest/kernel/annotate.h"

#include "emu/annotation_protocol.h"
#include "guest/kernel/callstack.h"
#include "guest/kernel/config.h"
#include "guest/kernel/kprintf.h"
#include "guest/kernel/module.h"
#include "guest/kernel/x86.h"

namespace {
void put(uint32_t v) { cpu::outl(ann::ANN_PORT, v); }
void put64(uint64_t v) { put((uint32_t)v); put((uint32_t)(v >> 32)); }
uint32_t str_len(const char* s, uint32_t max) {
  uint32_t n = 0;
  while (n < max && s[n]) ++n;
  return n;
}
// Packs s (n characters) little-endian, NUL-padded to whole dwords.
void put_string(const char* s, uint32_t n) {
  for (uint32_t i = 0; i < ann::string_dwords(n); ++i) {
    uint32_t w = 0;
    for (uint32_t b = 0; b < 4; ++b) {
      uint32_t k = i * 4 + b;
      if (k < n) w |= (uint32_t)(uint8_t)s[k] << (8 * b);
    }
    put(w);
  }
}
constexpr uint32_t kMaxName = 4 * 32 - 1;
}  // namespace

void annotate_module(const Module& m, const char* opnames, uint32_t opnames_bytes) {
  uint32_t n = str_len(m.info.name, sizeof m.info.name);
  put(ann::header(ann::ANN_MODULE, 11 + ann::string_dwords(n)));
  put(m.info.id);
  put64(m.pdpt);
  put64(layout::module_base(m.info.id));
  put64(m.symtab_pa);
  put((uint32_t)m.symtab_size);
  put64(m.strtab_pa);
  put((uint32_t)m.strtab_size);
  put_string(m.info.name, n);
  // One ANN_OP_NAME per named operation, so the debugger names calls as the
  // module does (fs.FS_READ).
  const char* s = opnames;
  const char* end = opnames + opnames_bytes;
  for (uint32_t op = 0; s && s < end && op < m.info.nops; ++op) {
    uint32_t len = str_len(s, (uint32_t)(end - s));
    if (len > kMaxName) len = kMaxName;
    put(ann::header(ann::ANN_OP_NAME, 2 + ann::string_dwords(len)));
    put(m.info.id);
    put(op);
    put_string(s, len);
    s += str_len(s, (uint32_t)(end - s)) + 1;
  }
}

void annotate_address_space(uint64_t cr3, uint32_t task, uint32_t module, const char* name) {
  uint32_t n = str_len(name, kMaxName);
  put(ann::header(ann::ANN_ADDRESS_SPACE, 4 + ann::string_dwords(n)));
  put64(cr3);
  put(task);
  put(module);
  put_string(name, n);
}

void annotate_task_create(uint32_t task, uint32_t home_module, uint32_t parent, const char* name) {
  uint32_t n = str_len(name, kMaxName);
  put(ann::header(ann::ANN_TASK_CREATE, 3 + ann::string_dwords(n)));
  put(task);
  put(home_module);
  put(parent);
  put_string(name, n);
}

void annotate_task_exit(uint32_t task, int64_t value) {
  put(ann::header(ann::ANN_TASK_EXIT, 3));
  put(task);
  put64((uint64_t)value);
}

void annotate_call(uint32_t task, uint32_t caller, uint32_t callee, uint32_t op, uint32_t depth,
                   const BufferWindow* bufs, unsigned nbuf) {
  if (!g_cfg.call_records) return;
  put(ann::header(ann::ANN_CALL, 6 + 5 * nbuf));
  put(task);
  put(caller);
  put(callee);
  put(op);
  put(depth);
  put(nbuf);
  for (unsigned i = 0; i < nbuf; ++i) {
    put64(bufs[i].caller_va);
    put64(bufs[i].window_va);
    put((uint32_t)bufs[i].len);
  }
}


void annotate_return(uint32_t task, int64_t status, uint32_t depth, uint32_t callee, uint32_t caller) {
  if (!g_cfg.call_records) return;
  put(ann::header(ann::ANN_RETURN, 6));
  put(task);
  put64((uint64_t)status);
  put(depth);
  put(callee);
  put(caller);
}

void annotate_mark(const char* text) {
  uint32_t n = str_len(text, kMaxName);
  put(ann::header(ann::ANN_MARK, ann::string_dwords(n)));
  put_string(text, n);
}
