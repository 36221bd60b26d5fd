// The last ring-3 fault, for the self-tests and attacks to inspect.
#pragma once
#include <stdint.h>

struct FaultRecord {
  uint64_t vector, error, cr2, rip;
  uint32_t module, task;
  uint64_t count;
};
extern FaultRecord g_last_fault;
