// SYS_mem(op, va, npages): a module maps and unmaps pages of its own module
// area, or moves its heap's break (slotlab_abi.h, MemOp). The pages land in the module's page tables, so
// every task running the module sees them; unmapping is the design's real
// bill: each task that ran the module may hold the translation under its own
// PCID (flush=pcid: one PCID per (task, module)), so before a frame is freed
// the kernel INVLPGs it here and marks every other such PCID to be flushed at
// its next CR3 load (SDM Vol. 3A §4.10.4.1: INVLPG acts on the current PCID
// only; §4.10.1: a CR3 load with bit 63 clear flushes that PCID). Without
// PCIDs every CR3 load flushes the module's (non-global) entries anyway.
#include "guest/kernel/blkdev.h"
#include "guest/kernel/kprintf.h"
#include "guest/kernel/memlayout.h"
#include "guest/kernel/module.h"
#include "guest/kernel/pagetable.h"
#include "guest/kernel/syscall.h"
#include "guest/kernel/task.h"
#include "guest/kernel/vm.h"
#include "guest/kernel/x86.h"
#include "mmu/arch.h"

using namespace layout;

namespace {
constexpr uint64_t kDynBytes = abi::MEM_DYN_PAGES * 4096ull;

// Map n zeroed pages at va, inside the area [area, + area_pages) (the SYS_mem
// area or the break's).
int64_t map(Module& m, uint64_t va, uint64_t n, uint64_t area, uint32_t area_pages) {
  for (uint64_t i = 0; i < n; ++i) {
    const uint64_t* pte = pt_leaf(g_pt, m.pdpt, 3, va + i * 4096);
    if (pte && (*pte & x86::PTE_P)) return abi::E_INVAL;
  }
  // flush=invlpg walks the module's ranges: the area joins them once.
  if (!module_add_range(m, area, area_pages)) return abi::E_INVAL;
  for (uint64_t i = 0; i < n; ++i)
    if (!pt_map(g_pt, m.pdpt, 3, va + i * 4096, alloc_zeroed_page(), x86::PTE_W | x86::PTE_NX | x86::PTE_U))
      panic("SYS_mem: map failed");
  m.tlb_entries += (uint32_t)n;
  return 0;
}

// Whether a call that has not returned still reaches the frame: through a
// callee's buffer window (or the caller's page behind a bounce frame, copied
// back on return), an IPC request whose reply copies back into it, or the
// disk's transfer in flight. Freeing it then would hand a live mapping (or a
// DMA target) to whoever gets the frame next.
bool window_has(const CallFrame& c, uint64_t frame) {
  for (const BufferWindow& w : c.buf) {
    if (!w.len) continue;
    for (uint32_t p = 0; p < w.npages; ++p)
      if ((w.ptes[p] & x86::PTE_ADDR) == frame) return true;
    if ((w.orig_first && (w.orig_first & x86::PTE_ADDR) == frame) || (w.orig_last && (w.orig_last & x86::PTE_ADDR) == frame))
      return true;
  }
  return false;
}
bool frame_in_use(uint64_t frame) {
  for (Task& t : g_tasks) {
    if (t.state == TaskState::Free) continue;
    for (unsigned d = 1; d <= t.calls.depth(); ++d)
      if (window_has(*t.calls.frame_for(d), frame)) return true;
    if (t.is_server && t.busy && window_has(t.ipc_req, frame)) return true;
  }
  return blkdev_dma_target(frame);
}

int64_t unmap(Task* self, Module& m, uint64_t va, uint64_t n) {
  for (uint64_t i = 0; i < n; ++i) {
    const uint64_t* pte = pt_leaf(g_pt, m.pdpt, 3, va + i * 4096);
    if (pte && (*pte & x86::PTE_P) && frame_in_use(*pte & x86::PTE_ADDR)) return abi::E_BUSY;
  }
  uint64_t frames[abi::MEM_DYN_PAGES];
  int64_t marked = 0;
  const unsigned nf = module_unmap(self, m, va, n, frames, &marked);
  if (!nf) return abi::E_INVAL;
  for (unsigned i = 0; i < nf; ++i) free_page(frames[i]);  // only now: no translation to them survives
  return marked;
}
}  // namespace

unsigned module_unmap(Task* self, Module& m, uint64_t va, uint64_t n, uint64_t* frames, int64_t* marked) {
  unsigned nf = 0;
  for (uint64_t i = 0; i < n; ++i) {
    const uint64_t old = pt_unmap(g_pt, m.pdpt, 3, va + i * 4096);
    if (!(old & x86::PTE_P)) continue;
    frames[nf++] = old & x86::PTE_ADDR;
    cpu::invlpg(va + i * 4096);  // this address space (its PCID)
  }
  m.tlb_entries -= nf;
  *marked = 0;
  if (!nf) return 0;
  for (Task& t : g_tasks) {
    if (t.state == TaskState::Free || &t == self || !t.pcid_cr3[m.info.id]) continue;
    t.pcid_cr3[m.info.id] = 0;  // the next load of that PCID flushes it
    t.pcid_fresh[m.info.id] = 1;
    ++*marked;
  }
  return nf;
}

namespace {
// The heap break (MEM_BRK): the pages between the end of the pre-mapped heap
// and the break are mapped; growing and shrinking are MEM_MAP and MEM_UNMAP
// on that range, so a shrink pays the same invalidation bill.
int64_t brk(Task* t, Module& m, uint64_t want) {
  const uint64_t lo = module_base(m.info.id) + MOD_HEAP + m.info.heap_pages * 4096ull;
  const uint64_t cur = lo + m.brk_pages * 4096ull, hi = lo + abi::MEM_BRK_PAGES * 4096ull;
  if (want == 0) return (int64_t)cur;
  // (a heap so big that the break would reach the SYS_mem area has none)
  if ((want & 0xFFF) || want < lo || want > hi || hi > module_base(m.info.id) + abi::MOD_DYN) return abi::E_INVAL;
  if (want > cur) {
    if (const int64_t r = map(m, cur, (want - cur) / 4096, lo, abi::MEM_BRK_PAGES); r < 0) return r;
  } else if (want < cur) {
    if (const int64_t r = unmap(t, m, want, (cur - want) / 4096); r < 0) return r;
  }
  m.brk_pages = (uint32_t)((want - lo) / 4096);
  return (int64_t)want;
}
}  // namespace

void sys_mem(Task* t, TrapFrame* f) {
  const uint32_t id = module_of(f->rip);
  Module* m = module_get(id);
  if (m && f->rdi == abi::MEM_BRK) return void(f->rax = (uint64_t)brk(t, *m, f->rsi));
  const uint64_t va = f->rsi, n = f->rdx, lo = module_base(id) + abi::MOD_DYN;
  if (!m || n == 0 || n > abi::MEM_DYN_PAGES || (va & 0xFFF) || va < lo || va - lo > kDynBytes - n * 4096)
    return void(f->rax = (uint64_t)abi::E_INVAL);
  switch (f->rdi) {
    case abi::MEM_MAP: f->rax = (uint64_t)map(*m, va, n, lo, abi::MEM_DYN_PAGES); return;
    case abi::MEM_UNMAP: f->rax = (uint64_t)unmap(t, *m, va, n); return;
  }
  f->rax = (uint64_t)abi::E_INVAL;
}
