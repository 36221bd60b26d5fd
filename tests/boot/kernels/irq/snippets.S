/* Timing-independent interrupt snippets for the `irq` kernel. */
#include "tests/boot/rt/layout.h"
    .text
    .code64
#define FN(n) .globl n; n:

/* void irq_hlt_once(): sti; hlt; cli. STI's shadow covers HLT, so an IRQ
 * pending at STI is taken only once HLT has begun: the saved RIP is hlt_next. */
FN(irq_hlt_once)
    sti
    hlt
FN(hlt_next)
    cli
    ret

/* void irq_sti_shadow(): with an IRQ already pending, STI delays it until the
 * instruction after STI has completed (SDM Vol. 2 "STI"): saved RIP = shadow_next. */
FN(irq_sti_shadow)
    sti
    nop
FN(shadow_next)
    nop
    nop
    cli
    ret

/* Ring 3: spin with IF=1 until the IRQ handler sets irq_user_flag. */
FN(irq_user_spin)
1:  cmpb $0, irq_user_flag(%rip)
    je 1b
    int $VEC_USER_EXIT

    .data
    .globl irq_user_flag
irq_user_flag: .byte 0
