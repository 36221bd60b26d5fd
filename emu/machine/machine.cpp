#include "emu/machine/machine.h"

#include <algorithm>
#include <stdexcept>
#include <string_view>

#include "cpu/cpuid.h"
#include "emu/loader/acpi_tables.h"
#include "emu/loader/multiboot.h"

namespace slot::emu {

namespace {
BoardConfig board_config(const MachineConfig& cfg) {
  BoardConfig b;
  b.ram_bytes = cfg.ram_mib << 20;
  b.disk = cfg.disk;
  b.disk_read_only = cfg.disk_read_only;
  b.disk_latency_ns = cfg.disk_latency_us * 1000;
  return b;
}
}  // namespace

Machine::Machine(const MachineConfig& cfg)
    : cfg_(cfg),
      mem_(cfg.ram_mib << 20),
      mmu_(std::make_unique<mmu::Mmu>(mem_, cfg.tlb)),
      board_(board_config(cfg)) {
  cpu_ = std::make_unique<cpu::Cpu>(*mmu_, mem_, *this);
  cpu_->set_page_runs(!cfg.one_insn_per_run);
  board_.bind_icount(cpu_->icount_ptr());
  board_.set_intr_listener([this](bool level) { cpu_->set_intr_line(level); });
  board_.set_nmi_listener([this] { cpu_->raise_nmi(); });
  // One fan-out for writes to flagged pages: cached code, then the MMU's
  // page-table watch, then any debugger listeners.
  mem_.set_write_listener([this](mmu::PhysAddr pa, unsigned len) {
    cpu_->invalidate_code(pa, len);
    mmu_->on_phys_write(pa, len);
    for (auto& f : listeners_) f(pa, len);
  });
  // The bus masters' view of RAM: writes notify like any other write (cached
  // code, page-table watch, debugger listeners), page by page.
  Dma dma;
  dma.read = [this](uint64_t pa, uint8_t* data, uint64_t n) { return mem_.read_bytes(pa, data, n); };
  dma.write = [this](uint64_t pa, const uint8_t* data, uint64_t n) { return mem_.write_bytes(pa, data, n); };
  board_.set_dma(dma);
  // The ACPI tables as QEMU offers them to firmware (what install() links).
  const acpi::Build tables = acpi::build();
  board_.fw_cfg().add_file(acpi::kTablesFile, tables.tables);
  board_.fw_cfg().add_file(acpi::kRsdpFile, tables.rsdp);
  board_.fw_cfg().add_file(acpi::kLoaderFile, acpi::loader_script(tables));
  board_.reset();
}

Machine::~Machine() = default;

const std::string& Machine::shutdown_report() const {
  if (board_.reset_requested()) {
    const std::string how = board_.reset_reason();
    reset_report_ = board_.powered_off() ? "powered off through " + how
                                              : "reset requested through " + how +
                                                    " (the machine stops, as QEMU with -no-reboot)";
    return reset_report_;
  }
  return cpu_->shutdown_report();
}

void Machine::load_kernel(const std::string& path) {
  kernel_path_ = path;
  modules_ = multiboot::load_modules(cfg_.initrd);
  boot(false);
}

// The firmware's work before the kernel's first instruction: the kernel
// image and the multiboot information, the ACPI tables, the CPU in the
// multiboot entry state. A reboot does it again with time going on (QEMU's
// firmware reloads the same image; RAM is not cleared).
void Machine::boot(bool keep_time) {
  const std::string& path = kernel_path_;
  // The command line is "<kernel path> <cmdline>", as QEMU's -kernel/-append.
  const multiboot::BootInfo e =
      multiboot::load_file(mem_, path, multiboot::qemu_cmdline(path, cfg_.cmdline), modules_);
  acpi::install(mem_);  // the firmware's tables, as SeaBIOS leaves them
  cpu::Cpu& c = *cpu_;
  if (keep_time) c.reset_keep_time();
  else c.reset();
  // Multiboot-1 machine state (spec §3.2): protected mode, paging off, flat
  // 4 GiB segments, interrupts off. Selectors as QEMU's multiboot ROM uses.
  c.s.cr0 = multiboot::kEntryCr0;
  c.set_seg_raw(cpu::CS, multiboot::kEntryCs, 0, 0xFFFFFFFF, 0xC9B);
  for (unsigned sr : {cpu::DS, cpu::ES, cpu::FS, cpu::GS, cpu::SS})
    c.set_seg_raw(sr, multiboot::kEntryDs, 0, 0xFFFFFFFF, 0xC93);
  c.s.gpr[cpu::RAX] = multiboot::kBootMagic;
  c.s.gpr[cpu::RSP] = 0x6F08;  // where QEMU's option ROM leaves it (the spec says: undefined)
  c.s.idtr = cpu::TableReg{0, 0x3FF};
  c.s.gpr[cpu::RBX] = e.info_addr;
  c.s.rip = e.entry;
  c.set_rflags(multiboot::kEntryEflags);
  // The MTRRs as SeaBIOS programs them for QEMU's pc (read back at a kernel's
  // entry, tests/boot/kernels/msr): write-back by default, the VGA window
  // uncached, the BIOS area write-protected, and one variable range that
  // makes the top of the 4 GiB space (the PCI hole) uncached.
  c.s.mtrr_def_type = 0xC06;
  c.s.mtrr_fixed[0] = c.s.mtrr_fixed[1] = 0x0606060606060606ull;
  c.s.mtrr_fixed[2] = 0;
  for (unsigned i = 3; i < 11; ++i) c.s.mtrr_fixed[i] = 0x0505050505050505ull;
  uint64_t hole = 1ull << 31;
  while (hole > (1ull << 32) - mem_.size()) hole >>= 1;
  c.s.mtrr_var[0] = (1ull << 32) - hole;                                    // type UC
  c.s.mtrr_var[1] = ((~(hole - 1)) & ((1ull << cpu::kPhysAddrBits) - 1)) | 0x800;  // valid
  c.sync_mmu();
}

// A device access may reprogram a timer (the PIT, the RTC, the APIC timer's
// initial count, TSC_DEADLINE) or stop the machine (isa-debug-exit, a reset):
// the CPU stops at the new deadline instead of the one its run() started with.
void Machine::after_device_access() {
  if (board_.exit_requested() || board_.reset_requested()) cpu_->request_stop();
  cpu_->shorten_run(board_.next_deadline(cpu_->icount()));
}

uint32_t Machine::io_in(uint16_t port, unsigned size) {
  const uint32_t v = board_.io_in(port, size);
  after_device_access();
  return v;
}

void Machine::io_out(uint16_t port, unsigned size, uint32_t value) {
  board_.io_out(port, size, value);
  after_device_access();
}

uint64_t Machine::mmio_read(uint64_t pa, unsigned size) {
  const uint64_t v = board_.mmio_read(pa, size);
  after_device_access();
  return v;
}

void Machine::mmio_write(uint64_t pa, unsigned size, uint64_t value) {
  board_.mmio_write(pa, size, value);
  after_device_access();
}

bool Machine::msr_write(uint32_t msr, uint64_t value) {
  const bool ok = board_.msr_write(msr, value);
  after_device_access();
  return ok;
}

// With MachineConfig::reboot, a reset request or a triple fault restarts the
// machine; an ACPI power-off and a feature we do not emulate stop it.
bool Machine::reboot_requested() const {
  if (!cfg_.reboot || kernel_path_.empty()) return false;
  if (board_.reset_requested()) return !board_.powered_off();
  return cpu_->triple_faulted();
}

RunExit Machine::run(uint64_t max_icount) {
  for (;;) {
    if (board_.exit_requested()) {
      board_.flush();
      return RunExit::DebugExit;
    }
    const uint64_t now = cpu_->icount();
    if (now >= max_icount) return RunExit::InsnLimit;
    board_.advance(now);
    const uint64_t until = std::min(max_icount, std::max(now + 1, board_.next_deadline(now)));
    const cpu::StopReason r = cpu_->run(until);
    board_.advance(cpu_->icount());
    if (r == cpu::StopReason::TripleFault || board_.reset_requested()) {
      if (reboot_requested()) {
        board_.system_reset();
        boot(true);
        ++reboots_;
        continue;
      }
      board_.flush();
      return RunExit::Shutdown;
    }
    if (r == cpu::StopReason::Request && !board_.exit_requested()) return RunExit::Stopped;
  }
}

}  // namespace slot::emu
