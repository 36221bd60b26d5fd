#include "tests/cpu/host_exec.h"

#include <asm/prctl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <utility>
#include <vector>

namespace slot::cputest {
namespace {

constexpr size_t kReserve = 1 << 20;       // PROT_NONE guard around the pages we use
constexpr size_t kCodeOffset = 512 * 1024;
// Offsets inside the code page.
constexpr unsigned kInsnAt = 0x0C0, kEpiA = 0x100, kEpiB = 0x120, kEpi = 0x140, kLanding = 0x300;
constexpr unsigned kProlog32 = 0x400, kEpiA32 = 0x500, kEpiB32 = 0x520;  // compatibility-mode variant
constexpr unsigned kSavedRsp = 0xF00, kStatePtr = 0xF08, kTmpRdi = 0xF10, kTmpRsp = 0xF18, kMarker = 0xF20;
constexpr unsigned kFarInsn = 0xF30, kFarEpi = 0xF38;  // m16:32 far pointers
// Linux's flat user segments (arch/x86/include/asm/segment.h): __USER32_CS, __USER_DS.
constexpr uint16_t kUser32Cs = 0x23, kUserDs = 0x2B;
uint16_t g_cs64 = 0x33;

// The one live instance (signal handlers need it).
HostExec* g_exec = nullptr;
volatile sig_atomic_t g_signal = 0;
struct sigaction g_old[32];
constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP};

class Emitter {
 public:
  Emitter(uint8_t* page, unsigned at) : page_(page), pos_(at) {}
  void b(std::initializer_list<uint8_t> bytes) { for (uint8_t x : bytes) page_[pos_++] = x; }
  void d32(uint32_t v) { for (int k = 0; k < 4; ++k) page_[pos_++] = uint8_t(v >> (8 * k)); }
  // op r64, [rip + slot] / op [rip + slot], r64 (opcode 8B load, 89 store)
  void rip_rel(uint8_t opcode, unsigned reg, unsigned slot) {
    b({uint8_t(0x48 | (reg >= 8 ? 4 : 0)), opcode, uint8_t(((reg & 7) << 3) | 5)});
    d32(uint32_t(int32_t(slot) - int32_t(pos_ + 4)));
  }
  // op r64, [rdi + disp32] / op [rdi + disp32], r64
  void rdi_rel(uint8_t opcode, unsigned reg, unsigned disp) {
    b({uint8_t(0x48 | (reg >= 8 ? 4 : 0)), opcode, uint8_t(0x80 | ((reg & 7) << 3) | 7)});
    d32(disp);
  }
  void jmp(unsigned target) {
    b({0xE9});
    d32(uint32_t(int32_t(target) - int32_t(pos_ + 4)));
  }
  unsigned pos() const { return pos_; }

 private:
  uint8_t* page_;
  unsigned pos_;
};

void on_signal(int sig, siginfo_t*, void* ctx) {
  auto* uc = static_cast<ucontext_t*>(ctx);
  greg_t* g = uc->uc_mcontext.gregs;
  const uint64_t pc = uint64_t(g[REG_RIP]);
  if (!g_exec || pc - g_exec->code_page() >= 4096 || pc >= g_exec->code_page() + kEpiA) {  // not ours: crash normally
    signal(sig, SIG_DFL);
    return;
  }
  auto* page = reinterpret_cast<uint8_t*>(g_exec->code_page());
  RegFile* rf;
  std::memcpy(&rf, page + kStatePtr, sizeof rf);
  static constexpr int kMap[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
                                   REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};
  for (int k = 0; k < 16; ++k) rf->gpr[k] = uint64_t(g[kMap[k]]);
  rf->rflags = uint64_t(g[REG_EFL]);
  rf->outcome = kFaulted;
  g_signal = sig;
  g[REG_RIP] = greg_t(g_exec->code_page() + kLanding);
  // A fault in compatibility mode: come back to the landing in 64-bit mode.
  g[REG_CSGSFS] = greg_t((uint64_t(g[REG_CSGSFS]) & ~0xFFFFull) | g_cs64);
  // The kernel cannot return to user mode with a non-canonical RSP (the test's
  // RSP may be anything): resume on the host stack right away.
  uint64_t host_rsp;
  std::memcpy(&host_rsp, page + kSavedRsp, sizeof host_rsp);
  g[REG_RSP] = greg_t(host_rsp);
}

}  // namespace

HostExec::HostExec() {
  void* p = mmap(nullptr, kReserve, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
  if (p == MAP_FAILED) throw std::runtime_error("mmap(MAP_32BIT) failed");
  base_ = static_cast<uint8_t*>(p);
  code_ = reinterpret_cast<uint64_t>(base_ + kCodeOffset);
  if (mprotect(base_ + kCodeOffset, 4096, PROT_READ | PROT_WRITE | PROT_EXEC) != 0 ||
      mprotect(base_ + kCodeOffset + 4096, kDataSize, PROT_READ | PROT_WRITE) != 0)
    throw std::runtime_error("mprotect failed");
  syscall(SYS_arch_prctl, ARCH_GET_FS, &fs_base_);
  syscall(SYS_arch_prctl, ARCH_GET_GS, &gs_base_);
  build_stub();

  const size_t alt = 1 << 16;
  altstack_ = std::malloc(alt);
  stack_t ss{};
  ss.ss_sp = altstack_;
  ss.ss_size = alt;
  sigaltstack(&ss, nullptr);
  g_exec = this;
  struct sigaction sa{};
  sa.sa_sigaction = on_signal;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  for (int s : kSignals) sigaction(s, &sa, &g_old[s]);
}

HostExec::~HostExec() {
  for (int s : kSignals) sigaction(s, &g_old[s], nullptr);
  stack_t ss{};
  ss.ss_flags = SS_DISABLE;
  sigaltstack(&ss, nullptr);
  std::free(altstack_);
  g_exec = nullptr;
  munmap(base_, kReserve);
}

uint64_t HostExec::insn_va() const { return code_ + kInsnAt; }

bool HostExec::has_compat_segment() {
  uint32_t sel = kUser32Cs, ar = 0;
  uint8_t ok = 0;
  asm volatile("lar %2, %0\n\tsetz %1" : "=r"(ar), "=q"(ok) : "r"(sel) : "cc");
  // Present (bit 15), code (bit 11), D=1 (bit 22), L=0 (bit 21).
  return ok && (ar & 0x8000) && (ar & 0x800) && (ar & 0x400000) && !(ar & 0x200000);
}

void HostExec::build_stub() {
  auto* page = reinterpret_cast<uint8_t*>(code_);
  std::memset(page, 0xCC, 4096);
  // Prologue (entered with rdi = RegFile*): save callee-saved registers and
  // the host RSP, load RFLAGS (popfq, while the host stack is still ours),
  // then the 16 GPRs with MOVs, which leave the flags alone; RDI last.
  Emitter e(page, 0);
  e.b({0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57});  // push rbx rbp r12-r15
  e.rip_rel(0x89, 4, kSavedRsp);                                     // mov [saved_rsp], rsp
  e.rip_rel(0x89, 7, kStatePtr);                                     // mov [state_ptr], rdi
  e.b({0xFF, 0xB7, 0x80, 0x00, 0x00, 0x00, 0x9D});                   // push qword [rdi+128]; popfq
  for (unsigned r = 0; r < 16; ++r)
    if (r != 7) e.rdi_rel(0x8B, r, 8 * r);
  e.rdi_rel(0x8B, 7, 56);
  if (e.pos() > kInsnAt) throw std::runtime_error("stub prologue too long");
  while (e.pos() < kInsnAt) e.b({0x90});
  // The compatibility-mode prologue: DS/ES = __USER_DS (a null DS faults in
  // compatibility mode), the same loads, then JMP FAR m16:32 into 32-bit
  // code. Neither MOVs nor the far jump touch the flags or the stack.
  asm volatile("mov %%cs, %0" : "=r"(g_cs64));
  Emitter c(page, kProlog32);
  c.b({0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57});
  c.rip_rel(0x89, 4, kSavedRsp);
  c.rip_rel(0x89, 7, kStatePtr);
  c.b({0xB8, uint8_t(kUserDs), 0, 0, 0, 0x8E, 0xD8, 0x8E, 0xC0});   // mov eax, DS; mov ds, eax; mov es, eax
  c.b({0xFF, 0xB7, 0x80, 0x00, 0x00, 0x00, 0x9D});
  for (unsigned r = 0; r < 16; ++r)
    if (r != 7) c.rdi_rel(0x8B, r, 8 * r);
  c.rdi_rel(0x8B, 7, 56);
  c.b({0xFF, 0x2D});                                                 // jmp far [rip + far_insn]
  c.d32(uint32_t(int32_t(kFarInsn) - int32_t(c.pos() + 4)));
  const uint32_t insn32 = uint32_t(code_ + kInsnAt), epi32 = uint32_t(code_ + kEpi);
  std::memcpy(page + kFarInsn, &insn32, 4);
  std::memcpy(page + kFarInsn + 4, &kUser32Cs, 2);
  std::memcpy(page + kFarEpi, &epi32, 4);
  std::memcpy(page + kFarEpi + 4, &g_cs64, 2);
  // 32-bit exits: MOV BYTE [abs32], marker; JMP FAR [abs32] back to the 64-bit epilogue.
  for (auto [at, marker] : {std::pair{kEpiA32, kFellThrough}, std::pair{kEpiB32, kTaken}}) {
    Emitter x32(page, at);
    x32.b({0xC6, 0x05});
    x32.d32(uint32_t(code_ + kMarker));
    x32.b({uint8_t(marker), 0xFF, 0x2D});
    x32.d32(uint32_t(code_ + kFarEpi));
  }
  // Exits: EpiA = fell through, EpiB = branch taken; both record a marker
  // with MOV (flags untouched) and continue into the common epilogue.
  Emitter a(page, kEpiA);
  a.b({0xC6, 0x05});
  a.d32(uint32_t(int32_t(kMarker) - int32_t(a.pos() + 5)));
  a.b({uint8_t(kFellThrough)});
  a.jmp(kEpi);
  Emitter t(page, kEpiB);
  t.b({0xC6, 0x05});
  t.d32(uint32_t(int32_t(kMarker) - int32_t(t.pos() + 5)));
  t.b({uint8_t(kTaken)});
  t.jmp(kEpi);
  // Epilogue: park RSP and RDI, switch to the host stack, PUSHFQ first
  // (nothing before it touches the flags), then store everything.
  Emitter x(page, kEpi);
  x.rip_rel(0x89, 4, kTmpRsp);
  x.rip_rel(0x8B, 4, kSavedRsp);
  x.b({0x9C});
  x.rip_rel(0x89, 7, kTmpRdi);
  x.rip_rel(0x8B, 7, kStatePtr);
  for (unsigned r = 0; r < 16; ++r)
    if (r != 4 && r != 7) x.rdi_rel(0x89, r, 8 * r);
  x.rip_rel(0x8B, 0, kTmpRdi);
  x.rdi_rel(0x89, 0, 56);
  x.rip_rel(0x8B, 0, kTmpRsp);
  x.rdi_rel(0x89, 0, 32);
  x.b({0x58});                                      // pop rax (the flags)
  x.rdi_rel(0x89, 0, 128);
  x.b({0x0F, 0xB6, 0x05});                          // movzx eax, byte [marker]
  x.d32(uint32_t(int32_t(kMarker) - int32_t(x.pos() + 4)));
  x.rdi_rel(0x89, 0, 136);
  x.b({0x31, 0xC0, 0x8E, 0xD8, 0x8E, 0xC0});        // DS = ES = 0, as 64-bit Linux has them
  x.b({0x68, 0x02, 0x02, 0x00, 0x00, 0x9D});        // push 0x202; popfq (DF=0 for C++)
  x.b({0x41, 0x5F, 0x41, 0x5E, 0x41, 0x5D, 0x41, 0x5C, 0x5D, 0x5B, 0xC3});
  if (x.pos() > kLanding) throw std::runtime_error("stub epilogue too long");
  // Landing after a fault: the handler already filled the RegFile.
  Emitter l(page, kLanding);
  l.rip_rel(0x8B, 4, kSavedRsp);
  l.b({0x31, 0xC0, 0x8E, 0xD8, 0x8E, 0xC0});
  l.b({0x68, 0x02, 0x02, 0x00, 0x00, 0x9D});
  l.b({0x41, 0x5F, 0x41, 0x5E, 0x41, 0x5D, 0x41, 0x5C, 0x5D, 0x5B, 0xC3});
}

int HostExec::run(const uint8_t* insn, unsigned len, RegFile& rf, bool compat) {
  auto* page = reinterpret_cast<uint8_t*>(code_);
  std::memcpy(page + kInsnAt, insn, len);
  Emitter e(page, kInsnAt + len);
  e.jmp(compat ? kEpiA32 : kEpiA);  // fall-through exit; a taken branch lands kTakenOffset past the end
  e.jmp(compat ? kEpiB32 : kEpiB);
  g_signal = 0;
  reinterpret_cast<void (*)(RegFile*)>(code_ + (compat ? kProlog32 : 0))(&rf);
  return g_signal;
}

}  // namespace slot::cputest
