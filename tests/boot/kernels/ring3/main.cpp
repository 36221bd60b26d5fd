// ring3: entering ring 3 with IRETQ, leaving it with SYSCALL/SYSRET (SDM Vol.
// 3A §5.8.8) and through interrupt gates (§6.12.1: stack switch to TSS.RSP0,
// SS = NULL), gate DPL checks, #GP on privileged instructions at CPL 3
// (§5.9), and I/O permission by IOPL and the TSS I/O bitmap (Vol. 1 §19.5).
#include "tests/boot/rt/rt.h"

extern "C" const char rt_kernel_name[] = "ring3";

using namespace x86;
extern "C" char u_ident[], u_syscall[], u_syscall_at[], u_syscall_ret[], u_int80[], u_int80_ret[], u_int81[],
    u_int81_at[], u_popf[], u_io_rw[], u_io_rw_at[], u_io_word[], u_io_word_at[], u_io_imm[], u_io_imm_at[],
    syscall_entry[];
extern "C" uint64_t u_out[8], sc_gs0, sc_rcx, sc_r11, sc_rflags, sc_cs, sc_ss;
#define PRIV(n) extern "C" char n[], n##_at[];
PRIV(u_hlt) PRIV(u_cli) PRIV(u_sti) PRIV(u_mov_cr3) PRIV(u_mov_dr7) PRIV(u_rdmsr) PRIV(u_wrmsr) PRIV(u_lgdt)
PRIV(u_lidt) PRIV(u_ltr) PRIV(u_invlpg) PRIV(u_clts) PRIV(u_wbinvd) PRIV(u_swapgs) PRIV(u_sysret)
PRIV(u_syscall_ud) PRIV(u_sysexit) PRIV(u_sgdt) PRIV(u_sidt) PRIV(u_sldt) PRIV(u_str) PRIV(u_smsw)
PRIV(u_sysenter)
#undef PRIV
extern "C" char u_sysenter_ret[], sysenter_entry[];
extern "C" uint64_t se_cs, se_ss, se_rsp, se_rflags;

static uint64_t R(const void* p) { return (uint64_t)p; }
alignas(16) static uint8_t g_ustack[4096];
#define USTACK R(&g_ustack[4096])  // not a global: no constructors run in this kernel
static int user(char* fn, uint64_t rflags = 2, uint64_t arg = 0) { return rt_run_user(R(fn), USTACK, rflags, arg); }

static void enter_ring3() {
  rt_expect("iretq to ring 3", user(u_ident), VEC_USER_EXIT, 0, RT_ANY);
  rt_check("ring 3: cs", rt_fault.rax & 0xFFFF, SEL_UCODE64 | 3);
  rt_check("ring 3: ss", rt_fault.rax >> 16 & 0xFFFF, SEL_UDATA | 3);
  rt_check("ring 3: rflags", rt_fault.rax >> 32, 2);
  rt_check("exit gate: saved cs", rt_fault.cs, SEL_UCODE64 | 3);
  rt_check("exit gate: saved ss", rt_fault.ss, SEL_UDATA | 3);
  rt_check("exit gate: saved rsp", rt_fault.rsp, USTACK);
}

// Per-CPU block that SWAPGS makes reachable: {marker, saved user rsp, kernel stack top}.
alignas(16) static uint8_t g_kstack[4096];
static uint64_t g_percpu[3] = {0x9E5CA11ED, 0, 0};

static void syscall_sysret() {
  g_percpu[2] = R(&g_kstack[4096]);
  wrmsr(MSR_KERNEL_GS_BASE, R(g_percpu));
  wrmsr(MSR_GS_BASE, 0);
  wrmsr(MSR_LSTAR, R(syscall_entry));
  wrmsr(MSR_STAR, (uint64_t)SEL_UCODE32 << 48 | (uint64_t)SEL_KCODE64 << 32);
  wrmsr(MSR_FMASK, FL_IF | FL_TF | FL_DF | FL_AC);
  wrmsr(MSR_EFER, rdmsr(MSR_EFER) & ~EFER_SCE);
  rt_expect("syscall with EFER.SCE=0 -> #UD", user(u_syscall_ud), VEC_UD, 0, R(u_syscall_ud_at));
  wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
  rt_expect("syscall + sysretq round trip", user(u_syscall), VEC_USER_EXIT, 0, RT_ANY);
  rt_check("syscall: rax incremented in ring 0", rt_fault.rax, 0x1235);
  rt_check("syscall: rcx = return rip", sc_rcx, R(u_syscall_ret));
  rt_check("syscall: r11 = rflags (CF, DF set)", sc_r11, 0x403);
  rt_check("syscall: ring-0 rflags = r11 & ~FMASK", sc_rflags, 0x3);
  rt_check("syscall: cs = STAR[47:32]", sc_cs, SEL_KCODE64);
  rt_check("syscall: ss = STAR[47:32] + 8", sc_ss, SEL_KDATA);
  rt_check("syscall: swapgs reaches KERNEL_GS_BASE", sc_gs0, g_percpu[0]);
  rt_check("sysret: rflags = r11", u_out[0], 0x403);
  rt_check("sysret: cs = STAR[63:48] + 16 | 3", u_out[1], SEL_UCODE64 | 3);
  rt_check("sysret: ss = STAR[63:48] + 8 | 3", u_out[2], SEL_UDATA | 3);
  rt_check("sysret: user rsp kept", u_out[3], USTACK);
  rt_check("after swapgs pair: GS_BASE", rdmsr(MSR_GS_BASE), 0);
  rt_check("after swapgs pair: KERNEL_GS_BASE", rdmsr(MSR_KERNEL_GS_BASE), R(g_percpu));
}

static Frame g_seen;
static uint64_t g_frame_addr, g_handler_ss;
static bool on_int80(Frame* f) {
  g_seen = *f;
  g_frame_addr = R(f);
  asm volatile("mov %%ss, %0" : "=r"(g_handler_ss));
  f->rax = 0x8080;
  return true;
}

static void interrupt_gates() {
  rt_set_gate(0x80, 3, 0, 0xE, true);
  rt_set_handler(0x80, on_int80);
  rt_expect("int $0x80 (DPL 3 gate) and iretq back", user(u_int80), VEC_USER_EXIT, 0, RT_ANY);
  rt_check("int $0x80: handler's rax reaches ring 3", rt_fault.rax, 0x8080);
  rt_check("int $0x80: saved rip", g_seen.rip, R(u_int80_ret));
  rt_check("int $0x80: saved cs", g_seen.cs, SEL_UCODE64 | 3);
  rt_check("int $0x80: saved ss", g_seen.ss, SEL_UDATA | 3);
  rt_check("int $0x80: saved rsp", g_seen.rsp, u_out[3]);
  uint64_t top = rt_stack0_top();
  rt_check("int $0x80: frame on TSS.RSP0 stack", g_frame_addr < top && g_frame_addr >= top - 4096, 1);
  rt_check("int $0x80: SS in handler is NULL", g_handler_ss, 0);
  rt_check("iretq back: cs", u_out[1], SEL_UCODE64 | 3);
  rt_check("iretq back: ss", u_out[2], SEL_UDATA | 3);
  // DPL 0 gate from CPL 3: #GP(vector*8 + 2), IDT bit set (SDM Vol. 3A §6.12.1.1).
  rt_expect("int $0x81 (DPL 0 gate) -> #GP(0x81*8+2)", user(u_int81), VEC_GP, 0x81 * 8 + 2, R(u_int81_at));
}

static void privileged() {
  struct { const char* name; char *fn, *at; } cases[] = {
      {"ring 3: hlt -> #GP(0)", u_hlt, u_hlt_at},
      {"ring 3: cli, IOPL 0 -> #GP(0)", u_cli, u_cli_at},
      {"ring 3: sti, IOPL 0 -> #GP(0)", u_sti, u_sti_at},
      {"ring 3: mov cr3 -> #GP(0)", u_mov_cr3, u_mov_cr3_at},
      {"ring 3: mov dr7 -> #GP(0)", u_mov_dr7, u_mov_dr7_at},
      {"ring 3: rdmsr -> #GP(0)", u_rdmsr, u_rdmsr_at},
      {"ring 3: wrmsr -> #GP(0)", u_wrmsr, u_wrmsr_at},
      {"ring 3: lgdt -> #GP(0)", u_lgdt, u_lgdt_at},
      {"ring 3: lidt -> #GP(0)", u_lidt, u_lidt_at},
      {"ring 3: ltr -> #GP(0)", u_ltr, u_ltr_at},
      {"ring 3: invlpg -> #GP(0)", u_invlpg, u_invlpg_at},
      {"ring 3: clts -> #GP(0)", u_clts, u_clts_at},
      {"ring 3: wbinvd -> #GP(0)", u_wbinvd, u_wbinvd_at},
      {"ring 3: swapgs -> #GP(0)", u_swapgs, u_swapgs_at},
      {"ring 3: sysretq -> #GP(0)", u_sysret, u_sysret_at},
      {"ring 3: in al,0x80, IOPL 0, bitmap denies -> #GP(0)", u_io_imm, u_io_imm_at},
  };
  for (auto& c : cases) rt_expect(c.name, user(c.fn), VEC_GP, 0, R(c.at));
  rt_expect("ring 3: cli with IOPL 3", user(u_cli, 0x3002), VEC_USER_EXIT, 0, RT_ANY);
  rt_expect("ring 3: popf IF|IOPL3 at IOPL 0", user(u_popf), VEC_USER_EXIT, 0, RT_ANY);
  rt_check("ring 3: popf kept IF = 0 and IOPL = 0", rt_fault.rax & (FL_IF | FL_IOPL), 0);
}

// SYSENTER/SYSEXIT (SDM Vol. 2B). An Intel CPU runs both in 64-bit mode; AMD's
// manual makes them #UD in long mode, and QEMU's `max` CPU says AuthenticAMD.
// Each CPU is held to its own vendor's rule here; the Intel path in detail
// (segments, stacks, REX.W) is tested against the SDM in
// tests/cpu/unit_system_test.cpp (SystemTest.Sysenter*, Sysexit*).
static void sysenter_sysexit() {
  const bool intel = cpuid(0).b == 0x756E6547;
  rt_check("cpuid.1 edx: SEP", (cpuid(1).d >> 11) & 1, 1);
  wrmsr(MSR_SYSENTER_CS, SEL_KCODE64);
  wrmsr(MSR_SYSENTER_ESP, R(&g_kstack[4096]));
  wrmsr(MSR_SYSENTER_EIP, R(sysenter_entry));
  int caught = user(u_sysenter, 0x202);
  bool ok = intel ? caught && rt_fault.vec == VEC_USER_EXIT && se_cs == SEL_KCODE64 && se_ss == SEL_KCODE64 + 8 &&
                        se_rsp == R(&g_kstack[4096]) && !(se_rflags & FL_IF) && rt_fault.rax == 0x5F &&
                        u_out[1] == ((SEL_KCODE64 + 32) | 3) && u_out[2] == ((SEL_KCODE64 + 40) | 3) &&
                        u_out[3] == USTACK
                  : caught && rt_fault.vec == VEC_UD;
  rt_check("sysenter + sysexitq in 64-bit mode, as the vendor documents them", ok, 1);
  caught = user(u_sysexit);
  rt_check("sysexitq at CPL 3: #GP(0) (Intel) or #UD (AMD)",
           caught && rt_fault.vec == (intel ? VEC_GP : VEC_UD) && rt_fault.rip == R(u_sysexit_at), 1);
  wrmsr(MSR_SYSENTER_CS, 0);
  caught = user(u_sysenter);
  rt_check("sysenter with SYSENTER_CS = 0: #GP(0) (Intel) or #UD (AMD)",
           caught && rt_fault.vec == (intel ? VEC_GP : VEC_UD) && rt_fault.rip == R(u_sysenter_at), 1);
}

// UMIP (CR4 bit 11, CPUID.7:ECX[2]): the descriptor-table and machine-status
// stores fault at CPL 3 (SDM Vol. 3A §2.5).
static void umip() {
  const bool has = (cpuid(7).c >> 2) & 1;
  rt_check("cpuid.7 ecx: UMIP", has, 1);
  if (!has) return;
  struct { const char* name; char *fn, *at; } cases[] = {
      {"UMIP: sgdt at CPL 3 -> #GP(0)", u_sgdt, u_sgdt_at}, {"UMIP: sidt at CPL 3 -> #GP(0)", u_sidt, u_sidt_at},
      {"UMIP: sldt at CPL 3 -> #GP(0)", u_sldt, u_sldt_at}, {"UMIP: str at CPL 3 -> #GP(0)", u_str, u_str_at},
      {"UMIP: smsw at CPL 3 -> #GP(0)", u_smsw, u_smsw_at},
  };
  rt_expect("no UMIP: sgdt at CPL 3 runs", user(u_sgdt), VEC_USER_EXIT, 0, RT_ANY);
  write_cr4(read_cr4() | (1u << 11));
  for (auto& c : cases) rt_expect(c.name, user(c.fn), VEC_GP, 0, R(c.at));
  uint8_t gdtr[10];
  asm volatile("sgdt %0" : "=m"(gdtr));
  rt_check("UMIP: sgdt at CPL 0 still runs", gdtr[0] | gdtr[1] << 8, SEL_FREE + 8 * GDT_FREE_SLOTS - 1);
  write_cr4(read_cr4() & ~(1ull << 11));
}

static void io_permission() {
  constexpr uint16_t SCR = 0x3FF;
  rt_expect("IOPL 3: out/in 0x3FF", user(u_io_rw, 0x3002, 0xA5), VEC_USER_EXIT, 0, RT_ANY);
  rt_check("IOPL 3: scratch register read back", rt_fault.rax, 0xA5);
  rt_expect("IOPL 0, bitmap denies 0x3FF", user(u_io_rw, 2, 0x5A), VEC_GP, 0, R(u_io_rw_at));
  rt_tss.iomap[SCR / 8] &= (uint8_t)~(1u << (SCR % 8));
  rt_expect("IOPL 0, bitmap allows 0x3FF", user(u_io_rw, 2, 0x3C), VEC_USER_EXIT, 0, RT_ANY);
  rt_check("IOPL 0, bitmap: scratch register read back", rt_fault.rax, 0x3C);
  rt_expect("IOPL 0: 16-bit in at 0x3FF, bit for 0x400 set", user(u_io_word), VEC_GP, 0, R(u_io_word_at));
  // The CPU reads two bitmap bytes (Vol. 1 §19.5.2): both must lie within the TSS limit.
  uint32_t byte = rt_tss.iomap_base + SCR / 8;
  rt_load_tr(byte + 1);
  rt_expect("TSS limit covers both bitmap bytes", user(u_io_rw, 2, 0x11), VEC_USER_EXIT, 0, RT_ANY);
  rt_load_tr(byte);
  rt_expect("TSS limit ends at the port's byte -> #GP(0)", user(u_io_rw, 2, 0x22), VEC_GP, 0, R(u_io_rw_at));
  rt_load_tr(sizeof(Tss) - 1);
  rt_tss.iomap[SCR / 8] |= (uint8_t)(1u << (SCR % 8));
}

extern "C" void kmain() {
  rt_user_2m(0, true);  // the kernel image (code, data, stacks) is reachable from ring 3
  enter_ring3();
  syscall_sysret();
  interrupt_gates();
  privileged();
  io_permission();
  sysenter_sysexit();
  umip();
  rt_user_2m(0, false);
}
