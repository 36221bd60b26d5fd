#include "guest/kernel/pagetable.h"

#include "mmu/arch.h"

namespace {
// Walk from `level` down to the page table (level 1), creating tables when
// `create`. Returns the level-1 table or nullptr.
uint64_t* walk_to_pt(const PtEnv& env, uint64_t root, int level, uint64_t va, bool create) {
  uint64_t* t = env.table(env.ctx, root);
  for (int l = level; l > 1; --l) {
    uint64_t& e = t[pt_index(va, l)];
    if (!(e & x86::PTE_P)) {
      if (!create) return nullptr;
      uint64_t pa = env.alloc_table(env.ctx);
      if (!pa) return nullptr;
      e = pa | PT_TABLE_USER;
    } else if (e & x86::PTE_PS) {
      return nullptr;  // a large page maps this range
    }
    t = env.table(env.ctx, e & x86::PTE_ADDR);
  }
  return t;
}
}  // namespace

bool pt_map(const PtEnv& env, uint64_t root, int level, uint64_t va, uint64_t pa, uint64_t leaf_flags) {
  uint64_t* pt = walk_to_pt(env, root, level, va, true);
  if (!pt) return false;
  pt[pt_index(va, 1)] = (pa & x86::PTE_ADDR) | leaf_flags | x86::PTE_P;
  return true;
}

uint64_t* pt_leaf(const PtEnv& env, uint64_t root, int level, uint64_t va) {
  uint64_t* pt = walk_to_pt(env, root, level, va, false);
  return pt ? &pt[pt_index(va, 1)] : nullptr;
}

uint64_t pt_unmap(const PtEnv& env, uint64_t root, int level, uint64_t va) {
  uint64_t* e = pt_leaf(env, root, level, va);
  if (!e) return 0;
  uint64_t old = *e;
  *e = 0;
  return old;
}

bool pt_translate(const PtEnv& env, uint64_t root, int level, uint64_t va, PtTranslation* out) {
  uint64_t* t = env.table(env.ctx, root);
  bool user = true, write = true, nx = false;
  for (int l = level; l >= 1; --l) {
    uint64_t e = t[pt_index(va, l)];
    if (!(e & x86::PTE_P)) return false;
    user = user && (e & x86::PTE_U);
    write = write && (e & x86::PTE_W);
    nx = nx || (e & x86::PTE_NX);
    if (l == 1 || ((l == 2 || l == 3) && (e & x86::PTE_PS))) {
      uint64_t page = l == 1 ? x86::PAGE_SIZE : l == 2 ? x86::PAGE_2M : x86::PAGE_1G;
      uint64_t base = l == 1 ? (e & x86::PTE_ADDR) : (e & x86::PTE_ADDR & ~(page - 1));
      *out = {base | (va & (page - 1)), user, write, nx};
      return true;
    }
    t = env.table(env.ctx, e & x86::PTE_ADDR);
  }
  return false;
}
