// Plain-text renderings of MMU views, for tests, docs and the CLI's first
// traces. The emulator owns the real trace formats (docs/trace-format.md);
// these are conveniences that never change the model.
#pragma once
#include <string>

#include "mmu/stats.h"

namespace slot::mmu {

// One line per walk step plus a result line and the cache verdict, e.g.
//   PML4E[  1] @0x0000101008 = 0x0000000000102027  P W U A
std::string format_walk(const DebugWalk& w);
// One line: "PML4E @0x... = 0x...  P W U A  [psc] [+A] [+D] [fail: nx]".
std::string format_step(const WalkStep& s);

}  // namespace slot::mmu
