#include "tests/ui/guest_fixture.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "ui/model/session.h"

namespace slot::ui::test {

const char* guest_image() { return SLOTLAB_GUEST_IMAGE; }
bool guest_image_exists() { return std::filesystem::exists(guest_image()); }

GuestRun::GuestRun(const std::string& cmdline) : log(std::make_shared<SerialLog>()) {
  engine::EngineConfig cfg;
  cfg.machine.cmdline = cmdline;
  e = std::make_unique<engine::Engine>(cfg);
  if (!guest_image_exists()) return;
  e->load_kernel(guest_image());
  e->set_serial_sink(std::make_unique<SerialLogSink>(log));
}

void GuestRun::until(const std::string& spec) {
  const std::string err = run_until(*e, spec);
  ASSERT_EQ(err, "") << spec;
}

Frame GuestRun::frame(Requests r) {
  r.known_events = hist.events.size();
  r.known_points = hist.points.size();
  r.known_first_open_call = hist.first_open_call;
  Frame f = gatherer.gather(*e, r);
  merge(hist, std::move(f.tail));
  f.tail = {};
  return f;
}

uint64_t GuestRun::read64(uint64_t pa) const {
  uint64_t v = 0;
  EXPECT_TRUE(e->read_phys(pa, &v, 8)) << std::hex << pa;
  return v;
}

}  // namespace slot::ui::test
