// The boot manifest (guest/manifest.txt): the policy the kernel takes every
// module's rights from -- which modules it may call, its I/O ports, its
// device -- instead of the module's own .modinfo. Pure parsing, no kernel
// state: the host tests run it too (tests/guest/manifest_test.cpp).
#pragma once
#include <stdint.h>

// shm=NAME:PAGES:rw|ro -- a named shared-memory segment the module may map.
struct ShmGrant {
  uint64_t name = 0;  // abi::shm_name
  uint32_t pages = 0;
  bool write = false;
};
inline constexpr unsigned kMaxShmGrants = 4;

struct Grant {
  bool listed = false;    // the manifest has a line for the module
  uint32_t calls = 0;     // bit i: may call module i
  uint16_t port_first = 0, port_count = 0;
  uint32_t flags = 0;     // abi::MODF_*
  ShmGrant shm[kMaxShmGrants];
  unsigned nshm = 0;
  const char* problem = nullptr;  // a word of the line that was not understood or not allowed: dropped
};

// Module id by name (0 if none); the kernel passes its loaded modules.
using ModuleIdOf = uint32_t (*)(const char* name, unsigned len);

// What `manifest` (NUL-terminated text) grants the module called `name`.
Grant manifest_grant(const char* manifest, const char* name, ModuleIdOf id_of);

// Ports no line may grant: the kernel's own devices.
bool manifest_port_reserved(uint32_t first, uint32_t last);
