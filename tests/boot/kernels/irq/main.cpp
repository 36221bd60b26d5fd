// irq: 8259A PIC + 8254 PIT channel 0 interrupts, HLT wake-up, EOI and ISR
// blocking, IMR masking, the STI interrupt shadow, and an IRQ taken in ring 3.
// Only timing-independent facts are printed: never tick counts or elapsed time.
#include "tests/boot/rt/rt.h"

extern "C" const char rt_kernel_name[] = "irq";

using namespace x86;
extern "C" void irq_hlt_once(), irq_sti_shadow();
extern "C" char hlt_next[], shadow_next[], irq_user_spin[];
extern "C" volatile uint8_t irq_user_flag;

static constexpr uint16_t PIC1 = 0x20, PIC2 = 0xA0;
static constexpr unsigned VEC_TIMER = 0x20;

static void pic_init() {
  // ICW1..ICW4 (8259A datasheet): edge-triggered, cascade, vectors 0x20 / 0x28.
  outb(PIC1, 0x11), outb(PIC2, 0x11);
  outb(PIC1 + 1, 0x20), outb(PIC2 + 1, 0x28);
  outb(PIC1 + 1, 0x04), outb(PIC2 + 1, 0x02);
  outb(PIC1 + 1, 0x01), outb(PIC2 + 1, 0x01);
  outb(PIC1 + 1, 0xFE), outb(PIC2 + 1, 0xFF);  // only IRQ 0
}
static uint8_t pic_irr() { return outb(PIC1, 0x0A), inb(PIC1); }  // OCW3: read IRR
static uint8_t pic_isr() { return outb(PIC1, 0x0B), inb(PIC1); }  // OCW3: read ISR
static void pit_init() {
  outb(0x43, 0x34);  // channel 0, lobyte/hibyte, mode 2 (rate generator)
  outb(0x40, 1193 & 0xFF), outb(0x40, 1193 >> 8);  // ~1 kHz
}

struct Seen { uint64_t vec, rip, cs, ss, rflags, frame, live_rflags; uint8_t isr; };
static volatile unsigned g_count;
static Seen g_first, g_last;
static bool g_eoi = true;
static bool on_timer(Frame* f) {
  Seen s = {f->vec, f->rip, f->cs, f->ss, f->rflags, (uint64_t)f, read_rflags(), pic_isr()};
  unsigned n = g_count;
  g_count = n + 1;
  if (n == 0) g_first = s;
  g_last = s;
  if (f->cs & 3) irq_user_flag = 1;
  if (g_eoi) outb(PIC1, 0x20);  // non-specific EOI
  return true;
}

// Spin (interrupts as the caller set them) until cond() holds; false on timeout.
template <class F>
static bool spin_until(F cond) {
  for (uint64_t i = 0; i < 20000000; i++) {
    if (cond()) return true;
    asm volatile("pause");
  }
  return false;
}

static void hlt_loop() {
  bool vec_ok = true, rip_ok = true, cs_ok = true, if_ok = true, isr_ok = true, live_ok = true;
  g_count = 0;
  for (unsigned n = 0; n < 5; n++) {
    irq_hlt_once();
    const Seen& s = g_last;
    vec_ok &= s.vec == VEC_TIMER, rip_ok &= s.rip == (uint64_t)hlt_next, cs_ok &= s.cs == SEL_KCODE64;
    if_ok &= (s.rflags & FL_IF) != 0, isr_ok &= s.isr == 1, live_ok &= (s.live_rflags & FL_IF) == 0;
  }
  rt_check("got at least 5 timer irqs", g_count >= 5, 1);
  rt_check("every irq: vector 0x20", vec_ok, 1);
  rt_check("every irq: saved rip = after hlt", rip_ok, 1);
  rt_check("every irq: saved cs = kernel", cs_ok, 1);
  rt_check("every irq: saved IF = 1", if_ok, 1);
  rt_check("every irq: IF = 0 in handler", live_ok, 1);
  rt_check("every irq: PIC ISR = IRQ 0 in handler", isr_ok, 1);
}

static void eoi_blocks() {
  g_eoi = false;
  g_count = 0;
  irq_hlt_once();  // taken, but not acknowledged
  rt_check("no EOI: first irq taken", g_count, 1);
  asm volatile("sti");
  bool pending = spin_until([] { return (pic_irr() & 1) != 0; });
  asm volatile("cli");
  rt_check("no EOI: next request latched in IRR", pending, 1);
  rt_check("no EOI: not delivered while ISR bit set", g_count, 1);
  rt_check("no EOI: ISR", pic_isr(), 1);
  g_eoi = true;
  outb(PIC1, 0x20);
  asm volatile("sti");
  bool delivered = spin_until([] { return g_count >= 2; });
  asm volatile("cli");
  rt_check("after EOI: pending irq delivered", delivered, 1);
}

static void sti_shadow() {
  unsigned before = g_count;
  bool pending = spin_until([] { return (pic_irr() & 1) != 0; });  // IF = 0: request waits
  rt_check("cli: request pending in IRR", pending, 1);
  rt_check("cli: not delivered", g_count == before, 1);
  g_count = 0;
  irq_sti_shadow();
  rt_check("sti shadow: irq taken", g_count >= 1, 1);
  rt_check("sti shadow: saved rip = after the instruction following sti", g_first.rip, (uint64_t)shadow_next);
}

static void imr_mask() {
  outb(PIC1 + 1, 0xFF);  // mask IRQ 0
  g_count = 0;
  asm volatile("sti");
  bool latched = spin_until([] { return (pic_irr() & 1) != 0; });
  unsigned while_masked = g_count;
  outb(PIC1 + 1, 0xFE);
  bool delivered = spin_until([] { return g_count > 0; });
  asm volatile("cli");
  rt_check("IMR masked: request latched in IRR", latched, 1);
  rt_check("IMR masked: not delivered", while_masked, 0);
  rt_check("IMR unmasked: delivered", delivered, 1);
}

alignas(16) static uint8_t g_ustack[4096];
static void ring3_irq() {
  rt_user_2m(0, true);
  irq_user_flag = 0;
  g_count = 0;
  int r = rt_run_user((uint64_t)irq_user_spin, (uint64_t)&g_ustack[4096], 0x202, 0);
  rt_expect("ring 3 spin ended by the irq handler", r, VEC_USER_EXIT, 0, RT_ANY);
  rt_check("irq in ring 3: saved cs", g_first.cs, SEL_UCODE64 | 3);
  rt_check("irq in ring 3: saved ss", g_first.ss, SEL_UDATA | 3);
  uint64_t top = rt_stack0_top();
  rt_check("irq in ring 3: frame on TSS.RSP0 stack", g_first.frame < top && g_first.frame >= top - 4096, 1);
  rt_user_2m(0, false);
}

extern "C" void kmain() {
  rt_set_handler(VEC_TIMER, on_timer);
  pic_init();
  pit_init();
  hlt_loop();
  eoi_blocks();
  sti_shadow();
  imr_mask();
  ring3_irq();
  outb(PIC1 + 1, 0xFF);
}
