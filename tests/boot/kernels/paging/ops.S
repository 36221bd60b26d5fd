/* Memory-access probes for the `paging` kernel. Each *_at label marks the
 * access that may fault: a #PF is a fault, so the saved RIP must point there. */
#include "tests/boot/rt/layout.h"
    .text
    .code64
#define FN(n) .globl n; n:

FN(pg_read)                     /* rdi = address */
FN(pg_read_at)
    mov (%rdi), %rax
    mov %rax, pg_value(%rip)
    ret

FN(pg_write)                    /* rdi = address; writes 0x5A5A */
FN(pg_write_at)
    movq $0x5A5A, (%rdi)
    ret

FN(pg_exec)                     /* rdi = code address; the fetch faults at the target */
    call *%rdi
    mov %rax, pg_value(%rip)
    ret

FN(pg_read_stac)                /* read with RFLAGS.AC = 1 (SMAP override) */
    stac
    mov (%rdi), %rax
    clac
    mov %rax, pg_value(%rip)
    ret

/* Ring-3 probes: entered by rt_run_user with rdi = address; leave with int $VEC_USER_EXIT. */
FN(user_read)
FN(user_read_at)
    mov (%rdi), %rax
    int $VEC_USER_EXIT
FN(user_write)
FN(user_write_at)
    movq $0x77, (%rdi)
    int $VEC_USER_EXIT
FN(user_exec)
    call *%rdi
    int $VEC_USER_EXIT

    .data
    .globl pg_value
    .align 8
pg_value: .quad 0
