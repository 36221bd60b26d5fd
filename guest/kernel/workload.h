#pragma once
// The workloads selected by workload= (each returns the exit status: 0 = success),
// and the helper they share: run one task to completion.
#include <stdint.h>

int run_demo();
int run_selftest();
int run_attacks();
int run_bench();
int run_chaos();  // chaos.cpp: workload=chaos seed=S (docs/reliability.md)
int run_cat();    // cat.cpp: workload=cat file=NAME -- a file from the disk: its length and CRC-32
// Create a task in `module` running op(arg), wait for it, free its slot;
// returns its exit value.
int64_t run_task(const char* name, uint32_t module, uint32_t op, uint64_t arg);
