// paging: #PF error codes and CR2 (SDM Vol. 3A §4.7), permission rules across
// levels (§4.6: R/W and U/S are ANDed over all levels; NX is ORed), CR0.WP,
// EFER.NXE, SMEP/SMAP, reserved bits, Accessed/Dirty (§4.8), INVLPG and other
// invalidations (§4.10.4), 2 MiB and 1 GiB pages, and a fault that restarts.
// Tests live in PML4 slot 1 and up, outside the runtime's identity map.
#include "tests/boot/rt/rt.h"

extern "C" const char rt_kernel_name[] = "paging";

extern "C" void pg_read(void*), pg_write(void*), pg_exec(void*), pg_read_stac(void*);
extern "C" char pg_read_at[], pg_write_at[], user_read[], user_read_at[], user_write[], user_write_at[],
    user_exec[];
extern "C" uint64_t pg_value;

using namespace x86;
static constexpr uint64_t BASE = SLOT_SIZE;  // slot 1
static constexpr uint64_t P = PTE_P, W = PTE_W, U = PTE_U, PS = PTE_PS, NX = PTE_NX;
static constexpr uint64_t A = PTE_A, D = PTE_D;
static uint64_t va(unsigned pd_index, unsigned page = 0) { return BASE + pd_index * PAGE_2M + page * PAGE_SIZE; }
static uint64_t R(const void* p) { return (uint64_t)p; }

static int rd(uint64_t v) { return rt_try(pg_read, (void*)v); }
static int wr(uint64_t v) { return rt_try(pg_write, (void*)v); }
static int ex(uint64_t v) { return rt_try(pg_exec, (void*)v); }
alignas(16) static uint8_t g_user_stack[4096];
static int user(char* fn, uint64_t v) { return rt_run_user(R(fn), R(&g_user_stack[4096]), 2, v); }

static uint64_t frame(uint64_t fill) {
  auto* f = (uint64_t*)rt_alloc_page();
  for (int i = 0; i < 512; i++) f[i] = fill;
  return R(f);
}
static uint64_t code_frame() {  // mov $42, %eax; ret
  static const uint8_t code[] = {0xB8, 0x2A, 0x00, 0x00, 0x00, 0xC3};
  auto* f = (uint8_t*)rt_alloc_page();
  memcpy(f, code, sizeof code);
  return R(f);
}
static void set_cr0(uint64_t bit, bool on) { write_cr0(on ? read_cr0() | bit : read_cr0() & ~bit); }
static void set_cr4(uint64_t bit, bool on) { write_cr4(on ? read_cr4() | bit : read_cr4() & ~bit); }
static void set_nxe(bool on) {
  uint64_t e = rdmsr(MSR_EFER);
  wrmsr(MSR_EFER, on ? e | EFER_NXE : e & ~EFER_NXE);
}

static void not_present() {
  uint64_t v = va(0, 0);
  rt_map(v, 0, 0);
  rt_expect_pf("read, PTE not present", rd(v), 0, v, R(pg_read_at));
  rt_expect_pf("write, PTE not present", wr(v), PF_W, v, R(pg_write_at));
  rt_expect_pf("read, PDE not present", rd(va(1) + 8), 0, va(1) + 8, R(pg_read_at));
  uint64_t far = 3 * SLOT_SIZE + 0x12345;  // CR2 keeps the byte offset
  rt_expect_pf("read, PML4E not present", rd(far), 0, far, R(pg_read_at));
}

static void write_protect() {
  uint64_t f = frame(0), v = va(0, 1);
  rt_map(v, f, P);
  set_cr0(CR0_WP, false);
  rt_expect("CR0.WP=0: ring-0 write to read-only page", wr(v), RT_NONE, 0, 0);
  rt_check("CR0.WP=0: value written", *(uint64_t*)f, 0x5A5A);
  set_cr0(CR0_WP, true);
  rt_expect_pf("CR0.WP=1: ring-0 write to read-only page", wr(v), P | PF_W, v, R(pg_write_at));
  uint64_t v2 = va(2, 0);
  rt_map(v2, f, P | W);
  *rt_pte(v2, 2) &= ~W;  // writable PTE under a read-only PDE
  invlpg((void*)v2);
  rt_expect("read through read-only PDE", rd(v2), RT_NONE, 0, 0);
  rt_expect_pf("CR0.WP=1: write through read-only PDE", wr(v2), P | PF_W, v2, R(pg_write_at));
}

static void user_access() {
  rt_user_2m(0, true);  // runtime code, data and stacks become reachable from ring 3
  uint64_t f = frame(0x1111), sv = va(0, 2), uv = va(0, 3), np = va(0, 4);
  rt_map(sv, f, P | W);
  rt_map(uv, f, P | U);
  rt_map(np, 0, 0);
  rt_expect_pf("user read of supervisor page", user(user_read, sv), P | PF_U, sv, R(user_read_at));
  rt_check("user fault: saved cs", rt_fault.cs, SEL_UCODE64 | 3);
  rt_expect_pf("user write to supervisor page", user(user_write, sv), P | PF_W | PF_U, sv, R(user_write_at));
  rt_expect("user read of user page", user(user_read, uv), VEC_USER_EXIT, 0, RT_ANY);
  rt_check("user read value", rt_fault.rax, 0x1111);
  rt_expect_pf("user write to read-only user page", user(user_write, uv), P | PF_W | PF_U, uv,
               R(user_write_at));
  rt_expect_pf("user read, not present", user(user_read, np), PF_U, np, R(user_read_at));
  uint64_t v3 = va(3, 0);
  rt_map(v3, f, P | W | U);
  *rt_pte(v3, 2) &= ~U;  // user PTE under a supervisor PDE
  invlpg((void*)v3);
  rt_expect_pf("user read, PTE U=1 under PDE U=0", user(user_read, v3), P | PF_U, v3, R(user_read_at));
  rt_expect_pf("CR0.WP=1: ring-0 write to read-only user page", wr(uv), P | PF_W, uv, R(pg_write_at));
  set_cr0(CR0_WP, false);
  rt_expect("CR0.WP=0: ring-0 write to read-only user page", wr(uv), RT_NONE, 0, 0);
  set_cr0(CR0_WP, true);
  rt_user_2m(0, false);
}

static void no_execute() {
  uint64_t c = code_frame(), x = va(0, 5), np = va(0, 6), xd = va(0, 7);
  rt_map(x, c, P);
  rt_map(np, 0, 0);
  set_nxe(false);
  rt_expect("fetch from executable page", ex(x), RT_NONE, 0, 0);
  rt_check("code ran: eax", pg_value, 42);
  // I/D is set only if EFER.NXE or CR4.SMEP is 1 (SDM Vol. 3A §4.7).
  rt_expect_pf("NXE=0: fetch, not present (I/D=0)", ex(np), 0, np, np);
  rt_map(xd, c, P | NX);  // with NXE=0 bit 63 is reserved
  rt_expect_pf("NXE=0: read, PTE bit 63 set -> RSVD", rd(xd), P | PF_RSVD, xd, R(pg_read_at));
  rt_expect_pf("NXE=0: fetch, PTE bit 63 set -> RSVD", ex(xd), P | PF_RSVD, xd, xd);
  set_nxe(true);
  rt_expect_pf("NXE=1: fetch, not present", ex(np), PF_I, np, np);
  rt_expect_pf("NXE=1: fetch from NX page", ex(xd), P | PF_I, xd, xd);
  rt_expect("NXE=1: read from NX page", rd(xd), RT_NONE, 0, 0);
  uint64_t v4 = va(4, 0);
  rt_map(v4, c, P);
  *rt_pte(v4, 2) |= NX;  // NX in the PDE covers the executable PTE
  invlpg((void*)v4);
  rt_expect_pf("NXE=1: fetch, NX in PDE only", ex(v4), P | PF_I, v4, v4);

  rt_user_2m(0, true);
  uint64_t ux = va(0, 8), uxd = va(0, 9);
  rt_map(ux, c, P | U);
  rt_map(uxd, c, P | U | NX);
  rt_expect("user fetch from user page", user(user_exec, ux), VEC_USER_EXIT, 0, RT_ANY);
  rt_check("user code ran: eax", rt_fault.rax, 42);
  rt_expect_pf("user fetch from NX user page", user(user_exec, uxd), P | PF_U | PF_I, uxd, uxd);
  rt_expect_pf("user fetch from supervisor page", user(user_exec, x), P | PF_U | PF_I, x, x);
  rt_user_2m(0, false);
}

static void reserved_bits() {
  // A 2 MiB PDE has bits 20:13 reserved (SDM Vol. 3A table 4-18): set bit 13.
  uint64_t v = va(5) + 0x3008;
  *rt_pte(v, 2) = 0 | P | W | PS | 1ull << 13;
  invlpg((void*)v);
  rt_expect_pf("read, 2M PDE reserved bit 13 -> RSVD", rd(v), P | PF_RSVD, v, R(pg_read_at));
  rt_expect_pf("write, 2M PDE reserved bit 13 -> RSVD", wr(v), P | PF_W | PF_RSVD, v, R(pg_write_at));
  rt_expect_pf("fetch, 2M PDE reserved bit 13 -> RSVD", ex(v), P | PF_RSVD | PF_I, v, v);
  // PML4E bit 7 (PS) is reserved (table 4-15).
  uint64_t s = 4 * SLOT_SIZE;
  rt_map(s, frame(0), P | W);
  *rt_pte(s, 4) |= PS;
  invlpg((void*)s);
  rt_expect_pf("read, PML4E bit 7 set -> RSVD", rd(s), P | PF_RSVD, s, R(pg_read_at));
}

static void accessed_dirty() {
  uint64_t f = frame(0x3333), v = va(6, 0);
  rt_map(v, f, P | W);
  uint64_t *pte = rt_pte(v, 1), *pde = rt_pte(v, 2), *pdpte = rt_pte(v, 3), *pml4e = rt_pte(v, 4);
  *pde &= ~A, *pdpte &= ~A, *pml4e &= ~A;
  invlpg((void*)v);  // also drops paging-structure-cache entries (§4.10.4.1)
  rt_expect("read", rd(v), RT_NONE, 0, 0);
  rt_check("after read: PTE A|D", *pte & (A | D), A);
  rt_check("after read: PDE A", *pde & A, A);
  rt_check("after read: PDPTE A", *pdpte & A, A);
  rt_check("after read: PML4E A", *pml4e & A, A);
  rt_expect("write after read (TLB entry was filled by a read)", wr(v), RT_NONE, 0, 0);
  rt_check("after write: PTE A|D", *pte & (A | D), A | D);
  *pte &= ~(A | D);
  invlpg((void*)v);
  rt_expect("write, fresh entry", wr(v), RT_NONE, 0, 0);
  rt_check("after first write: PTE A|D", *pte & (A | D), A | D);
  uint64_t big = va(7);
  *rt_pte(big, 2) = 0x200000 | P | W | PS;
  invlpg((void*)big);
  rt_expect("read 2M page", rd(big), RT_NONE, 0, 0);
  rt_check("after read: 2M PDE A|D", *rt_pte(big, 2) & (A | D), A);
  rt_expect("write 2M page", wr(big + 0x100000), RT_NONE, 0, 0);
  rt_check("after write: 2M PDE A|D", *rt_pte(big, 2) & (A | D), A | D);
}

static void invalidation() {
  uint64_t f1 = frame(0x1111), f2 = frame(0x2222), v = va(8, 0);
  rt_map(v, f1, P | W);
  rd(v);
  rt_check("mapped to frame 1", pg_value, 0x1111);
  *rt_pte(v, 1) = f2 | P | W;
  invlpg((void*)v);
  rd(v);
  rt_check("remap + INVLPG: frame 2", pg_value, 0x2222);
  *rt_pte(v, 1) = f1 | P | W;
  write_cr3(read_cr3());
  rd(v);
  rt_check("remap + MOV CR3: frame 1", pg_value, 0x1111);
  set_cr4(CR4_PGE, true);
  *rt_pte(v, 1) = f2 | P | W | PTE_G;
  invlpg((void*)v);  // INVLPG drops global entries too
  rd(v);
  rt_check("global page: frame 2", pg_value, 0x2222);
  *rt_pte(v, 1) = f1 | P | W | PTE_G;
  set_cr4(CR4_PGE, false);  // toggling PGE flushes global entries
  set_cr4(CR4_PGE, true);
  rd(v);
  rt_check("global remap + CR4.PGE toggle: frame 1", pg_value, 0x1111);
  set_cr4(CR4_PGE, false);
  *rt_pte(v, 1) = 0;
  invlpg((void*)v);
  rt_expect_pf("unmapped + INVLPG: read faults", rd(v), 0, v, R(pg_read_at));
}

// A fault restarts the instruction: the handler maps the page and returns.
static uint64_t g_demand_va, g_demand_frame;
static unsigned g_demand_hits;
static bool demand_pf(Frame* f) {
  if (read_cr2() != g_demand_va || g_demand_hits++) return false;
  *rt_pte(g_demand_va, 1) = g_demand_frame | P | W;
  (void)f;
  return true;  // no INVLPG needed: not-present entries are never cached (§4.10.2.3)
}
static void demand_paging() {
  g_demand_va = va(9, 3) + 0x10;
  g_demand_frame = frame(0x4444);
  rt_set_handler(VEC_PF, demand_pf);
  rt_expect("read of unmapped page, handler maps it", rd(g_demand_va), RT_NONE, 0, 0);
  rt_set_handler(VEC_PF, nullptr);
  rt_check("faulting read restarted: value", pg_value, 0x4444);
  rt_check("handler calls", g_demand_hits, 1);
}

static void smep_smap() {
  CpuidRegs r = cpuid(7, 0);
  rt_check("CPUID.7.EBX SMEP, SMAP advertised", (r.b >> 7 & 1) << 4 | (r.b >> 20 & 1), 0x11);
  uint64_t c = code_frame(), uv = va(10, 0);
  rt_map(uv, c, P | W | U);
  if (r.b & 1 << 7) {
    set_cr4(CR4_SMEP, true);
    rt_expect_pf("SMEP: ring-0 fetch from user page", ex(uv), P | PF_I, uv, uv);
    rt_expect("SMEP: ring-0 read of user page", rd(uv), RT_NONE, 0, 0);
    set_cr4(CR4_SMEP, false);
  }
  if (r.b & 1 << 20) {
    set_cr4(CR4_SMAP, true);
    rt_expect_pf("SMAP: ring-0 read of user page, AC=0", rd(uv), P, uv, R(pg_read_at));
    rt_expect_pf("SMAP: ring-0 write to user page, AC=0", wr(uv), P | PF_W, uv, R(pg_write_at));
    rt_expect("SMAP: ring-0 read of user page, AC=1", rt_try(pg_read_stac, (void*)uv), RT_NONE, 0, 0);
    rt_expect("SMAP: ring-0 fetch from user page", ex(uv), RT_NONE, 0, 0);
    set_cr4(CR4_SMAP, false);
  }
}

static const uint64_t g_marker = 0x600DF00DCAFEBEEFull;
static void large_pages() {
  uint64_t v = va(11);
  *rt_pte(v, 2) = 0 | P | PS;  // alias of physical 0..2 MiB, read-only
  invlpg((void*)v);
  rd(v + R(&g_marker));
  rt_check("2M page alias of the kernel: marker", pg_value, g_marker);
  rt_expect_pf("write to read-only 2M page", wr(v + 0x1238), P | PF_W, v + 0x1238, R(pg_write_at));
  bool gb = cpuid(0x80000001).d >> 26 & 1;
  rt_check("CPUID.80000001.EDX 1 GiB pages advertised", gb, 1);
  if (gb) {
    uint64_t g = BASE + PAGE_1G;
    *rt_pte(g, 3) = 0 | P | W | PS;
    invlpg((void*)g);
    rd(g + R(&g_marker));
    rt_check("1G page alias of the kernel: marker", pg_value, g_marker);
  }
}

extern "C" void kmain() {
  not_present();
  write_protect();
  user_access();
  no_execute();
  reserved_bits();
  accessed_dirty();
  invalidation();
  demand_paging();
  smep_smap();
  large_pages();
}
