// Page-table builder: map, look up, unmap 4 KiB pages in a 4-level tree whose
// root is a PML4 (level 4) or a PDPT (level 3, e.g. a module's PDPT: one PML4
// slot's worth). Intermediate tables come from PtEnv::alloc_table (zeroed);
// tables are reached through PtEnv::table, so the host tests can run the same
// code on an array. SDM Vol. 3A §4.5 (4-level paging), tables 4-14..4-20.
#pragma once
#include <stdint.h>

struct PtEnv {
  uint64_t (*alloc_table)(void* ctx);          // physical address of a zeroed 4 KiB table, 0 = none
  uint64_t* (*table)(void* ctx, uint64_t pa);  // the table at physical pa, as 512 entries
  void* ctx;
};

// Flags for intermediate entries of user-reachable trees: the leaf decides
// the real rights (the effective rights are the AND / OR-of-NX over levels).
inline constexpr uint64_t PT_TABLE_USER = 0x7;  // P | W | U

constexpr unsigned pt_index(uint64_t va, int level) { return (unsigned)(va >> (12 + 9 * (level - 1))) & 511; }

// Map the 4 KiB page at va to pa with leaf flags (P is added). Fails (false)
// when a table cannot be allocated or a large page is in the way.
bool pt_map(const PtEnv& env, uint64_t root, int level, uint64_t va, uint64_t pa, uint64_t leaf_flags);
// The leaf PTE slot for va, or nullptr when an intermediate table is missing
// or a large page maps va.
uint64_t* pt_leaf(const PtEnv& env, uint64_t root, int level, uint64_t va);
// Clear the leaf PTE; returns the old entry (0 when none).
uint64_t pt_unmap(const PtEnv& env, uint64_t root, int level, uint64_t va);
// Software walk honouring 2 MiB / 1 GiB pages: physical address for va, and
// the effective rights (user: U at every level; write: W at every level);
// false when not present.
struct PtTranslation { uint64_t pa; bool user, write, nx; };
bool pt_translate(const PtEnv& env, uint64_t root, int level, uint64_t va, PtTranslation* out);
