// The machine: RAM, MMU, CPU and the PC board wired together, plus the run
// loop that drives the CPU from one device deadline to the next. It is the
// only owner of a running machine; the debugger engine wraps it.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cpu/cpu.h"
#include "emu/devices/board.h"
#include "emu/loader/multiboot.h"
#include "mmu/mmu.h"
#include "mmu/phys.h"

namespace slot::emu {

struct MachineConfig {
  uint64_t ram_mib = 256;
  // RAM is one range from 0 and must end below the memory-mapped devices at
  // 0xE0000000 (QEMU's pc machine would move the rest above 4 GiB).
  static constexpr uint64_t kMaxRamMib = 3584;
  unsigned cpus = 1;  // --smp: 1 (fw_cfg and the MADT report one CPU)
  std::string tlb = "skylake";  // preset name or description file
  std::string cmdline;          // multiboot command line
  // A reset request or a triple fault restarts the machine and boots the
  // kernel again, as QEMU does without -no-reboot; false: the run stops there,
  // as QEMU with -no-reboot. An ACPI power-off always stops.
  bool reboot = false;
  // Every instruction through Cpu::step (no runs on one code page): the
  // per-instruction path the fast one must be indistinguishable from.
  bool one_insn_per_run = false;
  // --disk: a raw image behind a virtio-blk PCI function (board.h); empty: none.
  std::string disk;
  bool disk_read_only = false;
  uint64_t disk_latency_us = 10;  // a request's notify-to-completion time, in guest time
  // --initrd: multiboot modules, QEMU's -initrd syntax ("FILE ARGS,FILE2");
  // read when the kernel is loaded, kept for a reboot. Empty: none.
  std::string initrd;
};

enum class RunExit : uint8_t {
  DebugExit,    // the guest wrote isa-debug-exit: exit_status() is the process status
  InsnLimit,    // the instruction budget ran out
  Shutdown,     // triple fault, a reset request or an unsupported feature: shutdown_report()
  Stopped,      // request_stop() from the debugger
};

class Machine final : public cpu::Platform {
 public:
  explicit Machine(const MachineConfig& cfg);
  ~Machine() override;
  Machine(const Machine&) = delete;
  Machine& operator=(const Machine&) = delete;

  // Loads a multiboot-1 kernel and sets the entry state the spec defines.
  // Throws std::runtime_error with one line on bad input.
  void load_kernel(const std::string& path);
  unsigned reboots() const { return reboots_; }  // restarts so far (MachineConfig::reboot)

  // Runs until the guest exits, `max_icount` is reached, or a stop.
  RunExit run(uint64_t max_icount);
  void request_stop() { cpu_->request_stop(); }

  uint32_t exit_status() const { return board_.exit_status(); }
  const std::string& shutdown_report() const;
  uint64_t icount() const { return cpu_->icount(); }

  cpu::Cpu& cpu() { return *cpu_; }
  mmu::Mmu& mmu() { return *mmu_; }
  mmu::PhysMemory& mem() { return mem_; }
  Board& board() { return board_; }
  const MachineConfig& config() const { return cfg_; }

  // Extra listeners for physical writes to flagged pages (debugger watches).
  void add_write_listener(std::function<void(mmu::PhysAddr, unsigned)> f) { listeners_.push_back(std::move(f)); }

  // cpu::Platform
  uint32_t io_in(uint16_t port, unsigned size) override;
  void io_out(uint16_t port, unsigned size, uint32_t value) override;
  uint8_t intr_ack() override { return board_.intr_ack(); }
  uint64_t mmio_read(uint64_t pa, unsigned size) override;
  void mmio_write(uint64_t pa, unsigned size, uint64_t value) override;
  bool msr_read(uint32_t msr, uint64_t& value) override { return board_.msr_read(msr, value); }
  bool msr_write(uint32_t msr, uint64_t value) override;

 private:
  MachineConfig cfg_;
  mmu::PhysMemory mem_;
  std::unique_ptr<mmu::Mmu> mmu_;
  Board board_;
  std::unique_ptr<cpu::Cpu> cpu_;
  std::vector<std::function<void(mmu::PhysAddr, unsigned)>> listeners_;
  mutable std::string reset_report_;
  std::string kernel_path_;
  std::vector<multiboot::BootModule> modules_;
  unsigned reboots_ = 0;
  void after_device_access();
  void boot(bool keep_time);
  bool reboot_requested() const;
};

}  // namespace slot::emu
