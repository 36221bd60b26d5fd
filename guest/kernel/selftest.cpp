// workload=selftest: one line per check. Each check compares what the
// system did against a rule stated independently (the SDM, the disk's
// content, the design's promises), never against the code's own output.
#include "emu/annotation_protocol.h"
#include "guest/include/attacks.h"
#include "guest/include/disk.h"
#include "guest/include/slotlab_abi.h"
#include "guest/kernel/config.h"
#include "guest/kernel/cpufeat.h"
#include "guest/kernel/fault.h"
#include "guest/kernel/kprintf.h"
#include "guest/kernel/module.h"
#include "guest/kernel/pagetable.h"
#include "guest/kernel/task.h"
#include "guest/kernel/vm.h"
#include "guest/kernel/workload.h"
#include "guest/kernel/x86.h"
#include "guest/kernel/xcall.h"
#include "mmu/arch.h"

using namespace layout;

namespace {
char g_why[96];
const char* why(const char* what, int64_t got) {
  // "what (got N)"
  unsigned n = 0;
  for (; what[n] && n < 60; ++n) g_why[n] = what[n];
  const char* mid = " (got ";
  for (unsigned i = 0; mid[i]; ++i) g_why[n++] = mid[i];
  if (got < 0) g_why[n++] = '-', got = -got;
  char d[24];
  int k = 0;
  do d[k++] = (char)('0' + got % 10), got /= 10;
  while (got);
  while (k) g_why[n++] = d[--k];
  g_why[n++] = ')';
  g_why[n] = 0;
  return g_why;
}
const char* expect(int64_t got, int64_t want, const char* what) { return got == want ? nullptr : why(what, got); }
int64_t app_self(abi::SelfTest t) { return run_task("selftest", abi::M_APP, abi::APP_SELF, t); }
uint32_t fnv(const uint8_t* p, uint64_t n) {
  uint32_t h = disk::FNV_INIT;
  for (uint64_t i = 0; i < n; ++i) h = disk::fnv1a(h, p[i]);
  return h;
}

const char* t_long_mode() {
  // SDM Vol. 3A §9.8.5: IA-32e mode active = EFER.LMA with CR0.PG and CR4.PAE.
  bool ok = (cpu::rdmsr(x86::MSR_EFER) & x86::EFER_LMA) && (cpu::read_cr0() & x86::CR0_PG) && (cpu::read_cr4() & x86::CR4_PAE);
  return ok ? nullptr : "not in IA-32e mode";
}
const char* t_kernel_global() {
  if (!(cpu::read_cr4() & x86::CR4_PGE)) return "CR4.PGE clear";
  PtTranslation tr;
  uint64_t root = cpu::read_cr3() & x86::PTE_ADDR;
  if (!pt_translate(g_pt, root, 4, (uint64_t)&t_kernel_global, &tr) || tr.user) return "kernel text not supervisor-only";
  uint64_t pdpte = phys_ptr(phys_ptr(root)[SLOT_KERNEL] & x86::PTE_ADDR)[510];
  uint64_t pde = phys_ptr(pdpte & x86::PTE_ADDR)[pt_index((uint64_t)&t_kernel_global, 2)];
  return (pde & x86::PTE_G) && (pde & x86::PTE_PS) ? nullptr : "kernel 2 MiB page not global";
}
const char* t_pmm() {
  uint64_t before = g_pmm.free_count();
  uint64_t a = g_pmm.alloc(), b = g_pmm.alloc();
  if (!a || !b || a == b || (a | b) & 0xFFF) return "bad frames";
  if (g_pmm.free_count() != before - 2) return "free count";
  if (!g_pmm.free(a) || !g_pmm.free(b) || g_pmm.free(a)) return "free/double free";
  return g_pmm.free_count() == before ? nullptr : "free count after free";
}
const char* t_pml4_layout() {
  Task* t = task_create("layout", abi::M_APP, abi::APP_NOP, 1);
  uint64_t pml4 = t->pml4 ? t->pml4 : t->pcid_pml4[abi::M_APP];
  const uint64_t* e = phys_ptr(pml4);
  const char* r = nullptr;
  uint64_t want_slot1 = g_cfg.mode == Mode::Monolithic ? monolithic_pdpt() : module_get(abi::M_APP)->pdpt;
  if (e[SLOT_NULL]) r = "slot 0 (null guard) mapped";
  else if ((e[SLOT_MODULE] & x86::PTE_ADDR) != want_slot1) r = "slot 1 is not the module's PDPT";
  else if ((e[SLOT_PRIVATE] & x86::PTE_ADDR) != t->private_pdpt) r = "slot 2 is not the task's private PDPT";
  else if (e[SLOT_KERNEL] & x86::PTE_U) r = "kernel slot user-accessible";
  for (unsigned s = 3; s < 511 && !r; ++s)
    if (e[s]) r = "a slot between 3 and 510 is mapped";
  task_wait(t);
  t->state = TaskState::Free;
  return r;
}
const char* t_module_tables() {
  for (uint32_t id = 1; id <= abi::M_B3; ++id) {
    Module* m = module_get(id);
    if (!m) return why("module missing", id);
    const uint64_t* pdpt = phys_ptr(m->pdpt);
    for (unsigned i = 0; i < 512; ++i)
      if ((i == id) != bool(pdpt[i] & x86::PTE_P)) return why("PDPT entries beyond the module's own GiB", id);
    PtTranslation tr;
    if (!pt_translate(g_pt, m->pdpt, 3, m->entry, &tr) || !tr.user || tr.write || tr.nx) return why("code not user r-x", id);
    uint64_t* pte = pt_leaf(g_pt, m->pdpt, 3, m->entry);
    if (*pte & x86::PTE_G) return why("user page marked global", id);
  }
  return nullptr;
}
const char* t_ring3_io() {
  // CPL 3 > IOPL 0 and no bitmap grant: IN faults with #GP (SDM Vol. 1 §19.5).
  uint64_t before = g_last_fault.count;
  int64_t r = app_self(abi::ST_PORT_DIRECT);
  if (r != abi::E_FAULT || g_last_fault.count != before + 1 || g_last_fault.vector != x86::VEC_GP) return why("app's IN did not #GP", r);
  int64_t lsr = app_self(abi::ST_PORT_DRIVER);
  return lsr >= 0 && lsr <= 0xFF ? nullptr : why("cons could not read its granted port", lsr);
}
const char* t_nocopy() {
  int64_t r = app_self(abi::ST_NOCOPY);
  if (r != 1) return why("app did not see fs's writes", r);
  LastCall c = g_last_buffer_call;
  uint64_t app_pte = *pt_leaf(g_pt, module_get(abi::M_APP)->pdpt, 3, c.caller_va);
  if ((app_pte & x86::PTE_ADDR) != (c.window_pte & x86::PTE_ADDR)) return "window maps a different frame (a copy?)";
  if (!in_private_area(c.window_va)) return "window not in the task-private area";
  uint64_t* w = pt_leaf(g_pt, g_tasks[c.task].private_pdpt, 3, c.window_va);
  return w && (*w & x86::PTE_P) ? "window still mapped after return" : nullptr;
}
// Two tasks in `module` at once, op(arg_a) and op(arg_b), run to the end;
// their exit values.
struct Pair {
  int64_t a, b;
};
Pair run_two(const char* name_a, const char* name_b, uint32_t module, uint32_t op, uint64_t arg_a, uint64_t arg_b) {
  Task* a = task_create(name_a, module, op, arg_a);
  Task* b = task_create(name_b, module, op, arg_b);
  task_wait(a);
  task_wait(b);
  const Pair r{a->exit_value, b->exit_value};
  a->state = b->state = TaskState::Free;
  return r;
}
const char* t_two_tasks_lock() {
  int64_t before = run_task("count", abi::M_FS, abi::FS_COUNT, 0);
  run_two("inc-a", "inc-b", abi::M_FS, abi::FS_INC, 300, 300);
  return expect(run_task("count", abi::M_FS, abi::FS_COUNT, 0) - before, 600, "lost updates");
}
const char* t_preemption() {
  // The spinner never yields: the setter runs only if the timer preempts it.
  const Pair r = run_two("spinner", "setter", abi::M_APP, abi::APP_SPIN, 0, 1);
  return r.a == 1 && r.b == 1 ? nullptr : "spinner or setter failed";
}
// Dynamic module memory (SYS_mem): a page one task maps is seen by another
// task running the same module; after the unmap that task faults, even with
// flush=pcid, where its PCID cached the translation (app.cpp dyn()).
const char* t_dynamic_unmap() {
  const Pair r = run_two("dyn-a", "dyn-b", abi::M_APP, abi::APP_DYN, 1, 2);
  if (r.a < 0) return why("map/unmap", r.a);
  if (!(r.a >> 32)) return "the other task did not see the mapped page";
  if (r.b != abi::E_FAULT) return why("a stale translation survived the unmap: read", r.b);
  const bool pcids = g_cfg.flush == Flush::Pcid && g_cfg.mode != Mode::Monolithic && cpu_has_pcid();
  return pcids == ((r.a & 0xFFFFFFFF) >= 1) ? nullptr : why("PCIDs marked for a flush", r.a & 0xFFFFFFFF);
}
// The heap break (SYS_mem MEM_BRK): app grows, writes, shrinks and regrows it
// (app.cpp heap_break); afterwards another task sees the same break and faults
// just above it, and the kernel finds no page mapped there.
const char* t_heap_break() {
  if (const int64_t r = run_task("brk", abi::M_APP, abi::APP_BRK, 1); r != 1) return why("grow/shrink", r);
  if (const int64_t r = run_task("brk-after", abi::M_APP, abi::APP_BRK, 2); r != abi::E_FAULT)
    return why("the page above the break: read", r);
  const Module* m = module_get(abi::M_APP);
  PtTranslation tr{};
  const uint64_t above = layout::module_base(abi::M_APP) + layout::MOD_HEAP + m->info.heap_pages * 4096ull;
  if (m->brk_pages != 0 || pt_translate(g_pt, m->pdpt, 3, above, &tr)) return "the break's pages are still mapped";
  return nullptr;
}
// Module locks sleep in a queue: a wait with a timeout ends with E_TIMEOUT
// while the owner keeps the lock; an owner that dies hands it to its waiter.
const char* t_lock_wait() {
  const Pair timed = run_two("hold", "wait", abi::M_FS, abi::FS_LOCKTEST, 1, 2);
  if (timed.a != 1 || timed.b != abi::E_TIMEOUT) return why("timed wait (holder, waiter)", timed.a == 1 ? timed.b : timed.a);
  const Pair death = run_two("die", "heir", abi::M_FS, abi::FS_LOCKTEST, 3, 4);
  if (death.a != abi::E_FAULT) return why("the owner did not die", death.a);
  return expect(death.b, 1, "the waiter did not get the dead owner's lock");
}
const char* t_vga() {
  run_task("vga", abi::M_APP, abi::APP_DEMO, 0);
  const auto* vga = phys_ptr<const uint16_t>(0xB8000);
  const char* want = "SlotLab demo";
  for (unsigned cell = 0; cell < 80 * 25; ++cell) {
    unsigned k = 0;
    while (want[k] && cell + k < 80 * 25 && (char)vga[cell + k] == want[k]) ++k;
    if (!want[k]) return nullptr;
  }
  return "text not in the VGA buffer";
}
// app writes a VGA cell through the page cons lent it (at depth 0, or at
// depth 2 for ST_MMAP_DEEP); the kernel finds the value in VGA memory.
const char* mmap_vga(abi::SelfTest which) {
  auto* cell = phys_ptr<volatile uint16_t>(0xB8000 + abi::ST_VGA_CELL);
  const uint16_t before = *cell;
  *cell = 0;
  const int64_t r = app_self(which);
  const uint16_t seen = *cell;
  *cell = before;
  if (r != 1) return why("app through cons's lent VGA page", r);
  return seen == abi::ST_VGA_VALUE ? nullptr : "the VGA cell does not hold what app wrote through the lent page";
}
const char* t_mmap_device() { return mmap_vga(abi::ST_MMAP_DEVICE); }
const char* t_flush_mode() {
  bool pcide = cpu::read_cr4() & x86::CR4_PCIDE;
  bool want = g_cfg.flush == Flush::Pcid && (cpu::cpuid(1).c >> 17 & 1);  // CPUID.01H:ECX.PCID
  return pcide == want ? nullptr : "CR4.PCIDE does not match flush= and CPUID";
}
const char* t_annotation() {
  // The header layout of docs/annotation.md, spelled out byte by byte.
  uint32_t h = ann::header(ann::ANN_CALL, 11);
  return h == (0xA5u | 4u << 8 | 11u << 16) && ann::string_dwords(4) == 2 && ann::string_dwords(3) == 1 ? nullptr : "header";
}
const char* t_cmdline() {
  Config c;
  if (!parse_cmdline("slotlab-guest.elf workload=attacks mode=ipc flush=pcid", &c, nullptr)) return "rejected a good line";
  if (c.workload != Workload::Attacks || c.mode != Mode::Ipc || c.flush != Flush::Pcid) return "wrong values";
  return parse_cmdline("flush=bogus", &c, nullptr) ? "accepted flush=bogus" : nullptr;
}

// Which modes a check applies to: isolation checks mean nothing in
// mode=monolithic (no boundaries), a few module-area specifics not in ipc.
enum : unsigned { M_AREA = 1, M_MONO = 2, M_IPC = 4, ALL = 7, ISOLATED = M_AREA | M_IPC };
// Page granularity: fs peeks at the 8 bytes just before an 8-byte buffer.
const char* t_buffer_edges() {
  int64_t v = app_self(abi::ST_EDGE_PEEK);
  constexpr int64_t kCallerBytes = (int64_t)0xEEEEEEEEEEEEEEEEull;
  if (g_cfg.mode == Mode::Ipc) return v != kCallerBytes ? nullptr : "a message copy exposed the caller's bytes";
  if (g_cfg.bounce_edges) return expect(v, 0, "bounce=edges still exposes the caller's bytes");
  return expect(v, kCallerBytes, "bounce=none: the mapped page should show its neighbours");
}

struct Check {
  const char* name;
  const char* (*run)();
  unsigned modes = ALL;
};
constexpr Check kChecks[] = {
    {"long_mode", t_long_mode},
    {"kernel_global_pages", t_kernel_global},
    {"page_allocator", t_pmm},
    {"pml4_layout", t_pml4_layout},
    {"module_page_tables", t_module_tables},
    {"cmdline", t_cmdline},
    {"annotation_header", t_annotation},
    {"flush_mode", t_flush_mode},
    {"ring3_syscall", [] { return expect(run_task("nop", abi::M_APP, abi::APP_NOP, 41), 42, "APP_NOP(41)"); }},
    {"bad_syscall", [] { return expect(app_self(abi::ST_BAD_SYSCALL), abi::E_NOSYS, "unknown syscall"); }},
    {"io_ports_follow_module", t_ring3_io, ISOLATED},
    {"call_buffer_no_copy", t_nocopy, M_AREA},
    {"stack_buffer_passed_alone", [] { return expect(app_self(abi::ST_STACK_BUFFER), 1, "stack buffer"); }, ISOLATED},
    {"rights_follow_module", [] { return expect(app_self(abi::ST_RIGHTS), 1, "app->blk / app->fs->blk"); }, ISOLATED},
    {"chain_read_chunks", [] {
       return expect(app_self(abi::ST_READ_CHUNKS), fnv((const uint8_t*)disk::kLorem, sizeof disk::kLorem - 1), "lorem.txt hash");
     }},
    {"chain_read_64k_forwarded", [] {
       uint32_t h = disk::FNV_INIT;
       for (uint32_t i = 0; i < disk::kPatternSize; ++i) h = disk::fnv1a(h, disk::pattern_byte(i));
       return expect(app_self(abi::ST_READ_BIG), h, "pattern.bin hash");
     }},
    {"callback_a_b_a", [] { return expect(app_self(abi::ST_CALLBACK), 42, "app->fs->app"); }},
    {"ipc_buffer_copied_back", [] { return expect(app_self(abi::ST_NOCOPY), 1, "fs's writes after the reply"); }, M_IPC},
    {"ipc_reentry_refused", [] { return expect(run_task("recurse", abi::M_APP, abi::APP_RECURSE, 0), abi::E_BUSY, "app->app"); }, M_IPC},
    {"depth_limit", [] { return expect(run_task("recurse", abi::M_APP, abi::APP_RECURSE, 0), MAX_DEPTH - 1, "deepest depth"); }, M_AREA},
    {"fault_unwinds_releases_lock", [] { return expect(app_self(abi::ST_FAULT_LOCK), 1, "fs after a fault"); }, ISOLATED},
    {"timeout_unwinds", [] { return expect(app_self(abi::ST_TIMEOUT), 1, "E_TIMEOUT then a call"); }, ISOLATED},
    // After the slot switch the callee must not reach the caller's module
    // through stale translations (fails with flush=none on a real TLB).
    {"caller_module_unreachable", [] {
       return expect(run_task("probe", abi::M_APP, abi::APP_PROBE, ATK_read_caller_module), 0, "callee read the caller's page");
     }, ISOLATED},
    {"buffer_edges", t_buffer_edges, ISOLATED},
    {"preemption", t_preemption},
    {"two_tasks_one_module_lock", t_two_tasks_lock},
    {"vga_device_memory", t_vga},
    {"dynamic_memory_unmap", t_dynamic_unmap},
    {"heap_break", t_heap_break},
    {"lock_wait_timeout_and_owner_death", t_lock_wait},
    // Named shared segments (SYS_shm): app and fs, each granted "demo" by the
    // boot manifest, map it in their own module areas and see each other's writes.
    {"shared_segment", [] { return expect(app_self(abi::ST_SHM), 1, "app and fs through segment demo"); }},
    // mmap: fs lends app its notice page (SYS_mmap), app unmaps it, fs lends it again.
    {"mmap_lent_page", [] { return expect(app_self(abi::ST_MMAP), 1, "fs's lent page"); }},
    // mmap of device memory: cons lends the VGA page; what app wrote through it is in VGA memory.
    {"mmap_device_memory", t_mmap_device},
    // ... and to a caller deeper in the chain, in its own depth's area (app at depth 2,
    // while app at depth 0 holds a page of its own). mode=ipc lends only to client
    // tasks: a server thread's call has no depth of its own to tie the pages to.
    {"mmap_lent_at_depth_2", [] { return mmap_vga(abi::ST_MMAP_DEEP); }, M_AREA},
    {"mmap_refused_to_server_thread", [] { return expect(app_self(abi::ST_MMAP_DEEP), abi::E_DEPTH, "cons lending to app's server thread"); }, M_IPC},
};
}  // namespace

int run_selftest() {
  int failed = 0;
  unsigned mode = g_cfg.mode == Mode::ModArea ? M_AREA : g_cfg.mode == Mode::Monolithic ? M_MONO : M_IPC;
  unsigned total = 0;
  for (const Check& c : kChecks) {
    if (!(c.modes & mode)) continue;
    ++total;
    const char* r = c.run();
    if (r) {
      kprintf("SELFTEST %s: FAIL %s\n", c.name, r);
      ++failed;
    } else {
      kprintf("SELFTEST %s: ok\n", c.name);
    }
  }
  kprintf("SELFTESTS total=%u failed=%d\n", total, failed);
  return failed ? 1 : 0;
}
