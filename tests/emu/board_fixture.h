// A Board on its own clock, for device tests: run_to() fires every device
// event up to an instruction count, as the machine's run loop would.
#pragma once
#include <gtest/gtest.h>

#include <cstdint>

#include "emu/devices/board.h"

namespace slot::emu {

struct BoardTest : ::testing::Test {
  uint64_t icount = 0;
  Board board;
  void SetUp() override {
    board.bind_icount(&icount);
    board.reset();
  }
  void run_to(uint64_t limit) {
    while (board.next_deadline(icount) <= limit) {
      icount = board.next_deadline(icount);
      board.advance(icount);
    }
    icount = limit;
    board.advance(icount);
  }
};

}  // namespace slot::emu
