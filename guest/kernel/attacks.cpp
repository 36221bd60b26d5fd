// workload=attacks: each attack runs in a fresh task whose home module (app)
// plays the victim and calls the hostile module (evil). Contained = the
// victim saw the error the kernel promises, the kernel's canary is intact,
// and the kernel is still here to print the line.
#include "guest/include/attacks.h"
#include "guest/include/slotlab_abi.h"
#include "guest/kernel/config.h"
#include "guest/kernel/kprintf.h"
#include "guest/kernel/workload.h"

namespace {
struct Attack {
  unsigned id;
  const char* name;
  const char* what;
};
constexpr Attack kAttacks[] = {
#define SLOTLAB_ATTACK_ROW(n, name, what) {n, #name, what},
    SLOTLAB_ATTACKS(SLOTLAB_ATTACK_ROW)
#undef SLOTLAB_ATTACK_ROW
};
constexpr uint32_t kCanary = 0x1BADB002;  // the multiboot magic at ATK_KERNEL_TARGET
}  // namespace

int run_attacks() {
  if (g_cfg.mode == Mode::Monolithic) {
    kprintf("ATTACKS skipped: mode=monolithic has no isolation to attack\n");
    return 0;
  }
  int breaches = 0;
  auto* canary = (volatile uint32_t*)ATK_KERNEL_TARGET;
  for (const Attack& a : kAttacks) {
    int64_t v = run_task(a.name, abi::M_APP, abi::APP_PROBE, a.id);
    if (*canary != kCanary) {
      kprintf("ATTACK %s: BREACH kernel memory changed\n", a.name);
      *canary = kCanary;
      ++breaches;
    } else if (v != 0) {
      kprintf("ATTACK %s: BREACH %s (victim saw %ld)\n", a.name, a.what, v);
      ++breaches;
    } else {
      kprintf("ATTACK %s: contained\n", a.name);
    }
  }
  kprintf("ATTACKS total=%u breaches=%d\n", (unsigned)(sizeof kAttacks / sizeof kAttacks[0]), breaches);
  return breaches ? 1 : 0;
}
