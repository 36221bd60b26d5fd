// smc: self-modifying code (same page, a page executed before, through an
// alias mapping of the same physical page, by REP MOVSB) and instructions that
// straddle a page boundary, including a #PF on the second page: CR2 = start of
// that page, saved RIP = start of the instruction (SDM Vol. 3A §4.7, §6.15).
#include "tests/boot/rt/rt.h"

extern "C" const char rt_kernel_name[] = "smc";

using namespace x86;
extern "C" uint32_t smc_patch_next(uint32_t imm);
extern "C" uint32_t smc_patch_loop();

static uint64_t call(uint64_t addr) { return ((uint64_t(*)())addr)(); }
static uint8_t* emit_mov_eax(uint8_t* p, uint32_t imm) {  // mov $imm, %eax; ret
  p[0] = 0xB8;
  memcpy(p + 1, &imm, 4);
  p[5] = 0xC3;
  return p;
}

static void same_page() {
  rt_check("patch next instruction's imm32 (1st run)", smc_patch_next(0x22222222), 0x22222222);
  rt_check("patch next instruction's imm32 (2nd run)", smc_patch_next(0x33333333), 0x33333333);
  rt_check("loop rewriting its own add imm8", smc_patch_loop(), 10);
}

static void written_then_executed() {
  auto* buf = (uint8_t*)rt_alloc_page();
  uint64_t at = (uint64_t)buf + 0x100;
  emit_mov_eax(buf + 0x100, 0x1234);
  rt_check("fresh code", call(at), 0x1234);
  emit_mov_eax(buf + 0x100, 0x5678);
  rt_check("same bytes rewritten after execution", call(at), 0x5678);
  static const uint8_t minus_one[] = {0x31, 0xC0, 0xFF, 0xC8, 0xC3};  // xor eax,eax; dec eax; ret
  memcpy(buf + 0x100, minus_one, sizeof minus_one);
  rt_check("different instructions at the same address", call(at), 0xFFFFFFFF);
}

// Same physical page under two linear addresses: a write through one must
// invalidate what was decoded through the other.
static void alias_mapping() {
  auto* code = (uint8_t*)rt_alloc_page();
  uint64_t alias = SLOT_SIZE;  // slot 1
  rt_map(alias, (uint64_t)code, PTE_P | PTE_W);
  emit_mov_eax(code, 0xAAAA);
  rt_check("executed at the identity address", call((uint64_t)code), 0xAAAA);
  emit_mov_eax((uint8_t*)alias, 0xBBBB);
  rt_check("rewritten through the alias, executed at identity", call((uint64_t)code), 0xBBBB);
  rt_check("executed at the alias", call(alias), 0xBBBB);
  emit_mov_eax(code, 0xCCCC);
  rt_check("rewritten at identity, executed at the alias", call(alias), 0xCCCC);
}

static void rep_movsb_code() {
  auto* buf = (uint8_t*)rt_alloc_page();
  emit_mov_eax(buf, 1);
  rt_check("before rep movsb", call((uint64_t)buf), 1);
  static const uint8_t code[] = {0xB8, 0x07, 0x00, 0x00, 0x00, 0xC3};
  uint8_t* d = buf;
  const uint8_t* s = code;
  uint64_t n = sizeof code;
  asm volatile("cld; rep movsb" : "+D"(d), "+S"(s), "+c"(n)::"memory");
  rt_check("code written by rep movsb", call((uint64_t)buf), 7);
}

// movabs $imm64, %rax; ret  (48 B8 imm64 C3: 11 bytes) placed so that the
// page boundary falls after `split` bytes.
static constexpr uint64_t IMM = 0x0123456789ABCDEFull;
static constexpr uint64_t BOUNDARY = 2 * SLOT_SIZE + 0x2000;  // slot 2
static uint64_t g_frame[2];
static uint64_t place(unsigned split, uint64_t imm) {
  uint8_t insn[11] = {0x48, 0xB8};
  memcpy(insn + 2, &imm, 8);
  insn[10] = 0xC3;
  for (unsigned i = 0; i < 11; i++) {
    uint64_t va = BOUNDARY - split + i;
    auto* f = (uint8_t*)g_frame[va >= BOUNDARY];
    f[va & 0xFFF] = insn[i];  // written through the identity map, not the test mapping
  }
  return BOUNDARY - split;
}
static void exec(void* at) { call((uint64_t)at); }

static bool g_map_on_fault;
static unsigned g_fault_count;
static bool map_second(Frame*) {
  if (!g_map_on_fault || read_cr2() != BOUNDARY) return false;
  g_fault_count++;
  rt_map(BOUNDARY, g_frame[1], PTE_P | PTE_W);
  return true;  // the fetch restarts from the first byte of the instruction
}

static void straddle() {
  g_frame[0] = (uint64_t)rt_alloc_page();
  g_frame[1] = (uint64_t)rt_alloc_page();
  rt_map(BOUNDARY - 0x1000, g_frame[0], PTE_P | PTE_W);
  rt_map(BOUNDARY, g_frame[1], PTE_P | PTE_W);
  bool all = true;
  for (unsigned split = 1; split <= 10; split++) {
    uint64_t at = place(split, IMM ^ split);
    all &= call(at) == (IMM ^ split);
  }
  rt_check("movabs straddling the boundary at every split 1..10", all, 1);

  uint64_t at = place(6, IMM);
  rt_check("straddling movabs", call(at), IMM);
  place(6, ~IMM);  // the imm bytes in the second page change
  rt_check("imm rewritten in the second page", call(at), ~IMM);

  rt_map(BOUNDARY, 0, 0);
  rt_expect_pf("second page not present, NXE=0", rt_try(exec, (void*)at), 0, BOUNDARY, at);
  wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
  rt_expect_pf("second page not present, NXE=1", rt_try(exec, (void*)at), PF_I, BOUNDARY, at);
  rt_map(BOUNDARY, g_frame[1], PTE_P | PTE_W | PTE_NX);
  rt_expect_pf("second page NX", rt_try(exec, (void*)at), PF_P | PF_I, BOUNDARY, at);
  at = place(1, IMM);  // only the opcode's first byte in the first page
  rt_expect_pf("second page NX, split after 1 byte", rt_try(exec, (void*)at), PF_P | PF_I, BOUNDARY, at);
  at = place(11, IMM);  // wholly in the first page: the NX page is never touched
  rt_check("instruction ending at the boundary runs", call(at), IMM);

  rt_map(BOUNDARY, 0, 0);
  at = place(4, 0x4444);
  g_map_on_fault = true;
  rt_set_handler(VEC_PF, map_second);
  uint64_t r = call(at);
  rt_set_handler(VEC_PF, nullptr);
  g_map_on_fault = false;
  rt_check("fault on second page, handler maps it, restarted: rax", r, 0x4444);
  rt_check("fault on second page: handler calls", g_fault_count, 1);
}

// An 8-byte load across the boundary whose second page is absent: CR2 is the
// first byte of the absent page (as QEMU and Bochs report it).
static uint64_t g_load;
static void load8(void* p) { g_load = *(volatile uint64_t*)p; }
static void straddling_data() {
  rt_map(BOUNDARY, 0, 0);
  rt_expect_pf("8-byte load straddling into absent page", rt_try(load8, (void*)(BOUNDARY - 3)), 0, BOUNDARY,
               RT_ANY);
  rt_map(BOUNDARY, g_frame[1], PTE_P | PTE_W);
  *(uint64_t*)(g_frame[0] + 0xFF8) = 0x1111111111111111ull;
  *(uint64_t*)g_frame[1] = 0x2222222222222222ull;
  load8((void*)(BOUNDARY - 3));
  rt_check("8-byte load straddling two pages", g_load, 0x2222222222111111ull);
}

extern "C" void kmain() {
  same_page();
  written_then_executed();
  alias_mapping();
  rep_movsb_code();
  straddle();
  straddling_data();
}
