// The real guest (build/guest/slotlab-guest.elf, workload=demo) on the
// debugger engine, and Frames gathered from it the way the GUI gathers them
// (ui/model/gather.h), for the view-model tests.
#pragma once
#include <memory>
#include <string>

#include "emu/engine/engine.h"
#include "ui/model/console_vm.h"
#include "ui/model/gather.h"

namespace slot::ui::test {

struct GuestRun {
  std::unique_ptr<engine::Engine> e;
  std::shared_ptr<SerialLog> log;
  History hist;
  Gatherer gatherer;

  // A fresh engine with the guest loaded (GTEST_SKIP if the image is missing).
  explicit GuestRun(const std::string& cmdline = "workload=demo");
  // `spec` as `slotlab debug --until` takes it; fails the test on error.
  void until(const std::string& spec);
  // A frame for `r` (history merged into `hist`).
  Frame frame(Requests r = {});
  uint64_t read64(uint64_t pa) const;
};

bool guest_image_exists();
const char* guest_image();

}  // namespace slot::ui::test
