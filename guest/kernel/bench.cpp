// workload=bench: the configured mode and flush variant, swept over buffer
// size, call depth and the callee's working set. Only the ticks_per_call
// field depends on time (RDTSC: instruction count under slotlab, real time
// under QEMU).
//
// Options (all optional; without them the fixed sweep of docs/guest.md runs):
//   sizes=0,64,4096  depths=1,2,3  ws=1,16,128,512   the sweep (cross product)
//   calls=N          calls per measured run (default 64, at least 3; 0 = boot only, nothing measured)
//   clients=1,2,4    client tasks (1-8) that yield after every call, so they
//                    interleave call by call (without it: one task, no yield);
//                    a list sweeps them like the other lists
//   pages=2m         the bench modules' 512-page heaps mapped as one 2 MiB page each
//   probe=1          at the end, the read_caller_module attack once (a stale-TLB leak probe)
//   unmap=1          b1 maps, writes and unmaps a page of its own area on every
//                    call (SYS_mem): what dynamic module memory costs each variant
// For `slotlab bench design` each point is bracketed by annotation marks
// (docs/annotation.md): "bench point ...", then per run "bench run calls=N"
// ... "bench end"; a warm-up run of 2 calls and the measured run make the
// per-call figures a difference of two runs, free of task start and exit.
#include "guest/include/attacks.h"
#include "guest/include/slotlab_abi.h"
#include "guest/kernel/annotate.h"
#include "guest/kernel/config.h"
#include "guest/kernel/kprintf.h"
#include "guest/kernel/module.h"
#include "guest/kernel/task.h"
#include "guest/kernel/vm.h"
#include "guest/kernel/workload.h"
#include "guest/kernel/x86.h"
#include "mmu/arch.h"

namespace {

constexpr unsigned kMaxList = 16;
constexpr unsigned kMaxClients = 8;
struct List {
  uint64_t v[kMaxList];
  unsigned n = 0;
};

// "a,b,c" of decimal numbers in [lo, hi]; false on anything else.
bool parse_list(const char* key, uint64_t lo, uint64_t hi, List* out) {
  unsigned n = 0;
  const char* v = cmdline_option(key, &n);
  if (!v) return true;
  List l{};
  unsigned i = 0;
  while (i < n) {
    uint64_t x = 0;
    unsigned digits = 0;
    for (; i < n && v[i] >= '0' && v[i] <= '9' && digits < 12; ++i, ++digits) x = x * 10 + (uint64_t)(v[i] - '0');
    if (!digits || x < lo || x > hi || l.n == kMaxList || (i < n && v[i] != ',')) return false;
    l.v[l.n++] = x;
    if (i < n) ++i;
  }
  if (!l.n) return false;
  *out = l;
  return true;
}

// Mark text builder (the kernel has no snprintf).
struct Text {
  char b[120];
  unsigned n = 0;
  Text& s(const char* t) {
    while (*t && n < sizeof b - 1) b[n++] = *t++;
    b[n] = 0;
    return *this;
  }
  Text& u(uint64_t x) {
    char d[24];
    int k = 0;
    do d[k++] = (char)('0' + x % 10); while ((x /= 10) && k < 24);
    while (k && n < sizeof b - 1) b[n++] = d[--k];
    b[n] = 0;
    return *this;
  }
};

// A physically contiguous, 2 MiB-aligned 2 MiB frame from the page
// allocator (next-fit, so consecutive allocations are consecutive frames;
// frames skipped to reach the alignment stay allocated).
uint64_t alloc_2m() {
  for (unsigned tries = 0; tries < 4096; ++tries) {
    uint64_t pa = g_pmm.alloc();
    if (!pa) return 0;
    if (pa & (x86::PAGE_2M - 1)) continue;
    unsigned i = 1;
    for (; i < 512 && g_pmm.alloc() == pa + i * 4096ull; ++i) {
    }
    if (i == 512) return pa;
  }
  return 0;
}

// pages=2m: the bench module's heap (512 pages at base + MOD_HEAP, one page
// table's worth) becomes one 2 MiB page with the same contents and rights.
bool heap_to_2m(uint32_t id) {
  Module* m = module_get(id);
  if (!m || m->info.heap_pages != 512) return false;
  uint64_t va = layout::module_base(id) + layout::MOD_HEAP;
  uint64_t& pde = phys_ptr<uint64_t>(m->pd)[pt_index(va, 2)];
  if (!(pde & x86::PTE_P) || (pde & x86::PTE_PS)) return false;
  uint64_t big = alloc_2m();
  if (!big) return false;
  const uint64_t* pt = phys_ptr<uint64_t>(pde & x86::PTE_ADDR);
  for (unsigned p = 0; p < 512; ++p)
    if (pt[p] & x86::PTE_P) memcpy(phys_ptr<uint8_t>(big + p * 4096ull), phys_ptr<uint8_t>(pt[p] & x86::PTE_ADDR), 4096);
  pde = big | x86::PTE_P | x86::PTE_W | x86::PTE_U | x86::PTE_PS | x86::PTE_NX;
  m->tlb_entries -= 511;  // 512 small pages became one large one
  cpu::write_cr3(cpu::read_cr3());  // init's view; every task's CR3 load comes later
  return true;
}

// One run: `clients` tasks of app, each making `calls` calls (yielding after
// each when `yield_each`); returns the first client's ticks or an error.
int64_t run_clients(uint64_t size, uint64_t depth, uint64_t ws, uint64_t calls, unsigned clients, bool yield_each) {
  uint64_t arg = abi::bench_arg(size, depth, ws, calls | (yield_each ? abi::BENCH_YIELD : 0));
  Task* t[kMaxClients] = {};
  // No timer during a run (PIC IRQ0 masked): a tick landing in one run and
  // not the other would swamp a difference of a few hundred instructions.
  // Nothing here needs preemption: the clients yield, mode=ipc hands off.
  cpu::outb(0x21, 0xFF);
  for (unsigned c = 0; c < clients; ++c) t[c] = task_create("bench", abi::M_APP, abi::APP_BENCH, arg);
  int64_t result = 0;
  for (unsigned c = 0; c < clients; ++c) {
    task_wait(t[c]);
    int64_t v = t[c]->exit_value;
    t[c]->state = TaskState::Free;  // its frames stay allocated (see docs/guest.md)
    if (c == 0 || (v < 0 && result >= 0)) result = v;
  }
  cpu::outb(0x21, 0xFE);  // IRQ0 again (as desc.cpp set it)
  return result;
}

int64_t measured_run(uint64_t size, uint64_t depth, uint64_t ws, uint64_t calls, unsigned clients, bool yield_each) {
  annotate_mark(Text().s("bench run calls=").u(calls).b);
  int64_t ticks = run_clients(size, depth, ws, calls, clients, yield_each);
  annotate_mark("bench end");
  return ticks;
}

}  // namespace

int run_bench() {
  List sizes{{0, 64, 4096, 65536}, 4}, depths{{1, 2, 3}, 3}, wss{{1, 16, 128, 512}, 4}, calls_l{{64}, 1};
  List clients_l{{1}, 1}, probe_l{{0}, 1}, unmap_l{{0}, 1};
  unsigned pn = 0;
  const char* pages = cmdline_option("pages", &pn);
  const bool big = pages && pn == 2 && pages[0] == '2' && pages[1] == 'm';
  bool ok = parse_list("sizes", 0, layout::MAX_BUFFER, &sizes) && parse_list("depths", 1, 3, &depths) &&
            parse_list("ws", 1, 512, &wss) && parse_list("calls", 0, 100000, &calls_l) &&
            parse_list("clients", 1, kMaxClients, &clients_l) && parse_list("probe", 0, 1, &probe_l) && parse_list("unmap", 0, 1, &unmap_l) &&
            (!pages || big || (pn == 2 && pages[0] == '4' && pages[1] == 'k'));
  if (!ok) {
    kprintf("ERROR bad bench option (sizes= depths= ws= calls= clients= pages=4k|2m probe=0|1 unmap=0|1)\n");
    return 2;
  }
  const uint64_t kCalls = calls_l.v[0];
  if (kCalls == 0) {  // an idle run: boot and set-up only (the emulator bench subtracts it)
    kprintf("bench: calls=0, nothing measured\n");
    return 0;
  }
  if (kCalls < 3) {
    kprintf("ERROR bad bench option (calls= is 0 or at least 3)\n");
    return 2;
  }
  unsigned np = 0;
  const bool yield_each = cmdline_option("clients", &np) != nullptr;
  if (big)
    for (uint32_t id = abi::M_B1; id <= abi::M_B3; ++id)
      if (!heap_to_2m(id)) {
        kprintf("ERROR pages=2m: cannot remap the heap of module %u\n", id);
        return 2;
      }
  // Once per boot: whatever the first call creates (mode=ipc: the server threads).
  run_clients(0, 3, 1, 2, 1, false);
  int failures = 0;
  for (unsigned ci = 0; ci < clients_l.n; ++ci)
    for (unsigned si = 0; si < sizes.n; ++si)
      for (unsigned di = 0; di < depths.n; ++di)
        for (unsigned wi = 0; wi < wss.n; ++wi) {
          const uint64_t size = sizes.v[si], depth = depths.v[di];
          const uint64_t ws = wss.v[wi] | (unmap_l.v[0] ? abi::BENCH_UNMAP : 0);
          const unsigned clients = (unsigned)clients_l.v[ci];
        annotate_mark(Text().s("bench point size=").u(size).s(" depth=").u(depth).s(" ws=").u(wss.v[wi]).s(" clients=")
                          .u(clients).s(big ? " pages=2m" : " pages=4k").b);
        measured_run(size, depth, ws, 2, clients, yield_each);  // warm-up, and the subtrahend
        int64_t ticks = measured_run(size, depth, ws, kCalls, clients, yield_each);
        kprintf("RESULT mode=%s flush=%s size=%lu depth=%lu ws=%lu calls=%lu", mode_name(g_cfg.mode),
                flush_name(g_cfg.flush), size, depth, wss.v[wi], kCalls);
        if (yield_each) kprintf(" clients=%u", clients);
        if (unmap_l.v[0]) kprintf(" unmap=1");
        if (ticks < 0) {
          kprintf(" FAIL %ld\n", ticks);
          ++failures;
          continue;
        }
        kprintf(" ticks_per_call=%lu\n", (uint64_t)ticks / kCalls);
      }
  if (probe_l.v[0] && g_cfg.mode != Mode::Monolithic) {
    // The victim touches its secret, then the callee reads it at the caller's
    // address: only a stale translation can serve that read (flush=none).
    annotate_mark("bench probe begin");
    int64_t v = run_task("bench-probe", abi::M_APP, abi::APP_PROBE, ATK_read_caller_module);
    annotate_mark("bench probe end");
    kprintf("PROBE read_caller_module: %s\n", v == 0 ? "contained" : "leaked");
  }
  return failures ? 1 : 0;
}
