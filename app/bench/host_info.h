// Small facts both benchmark reports print: the host's CPU model, the
// source tree's git state, numbers with thousands separators.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace slot::bench {

std::string first_line(const std::string& s);
std::string host_model();                             // /proc/cpuinfo "model name"
std::string loadavg();  // "0.91 0.84 1.11": the 1-, 5- and 15-minute load averages (how busy the host was)
std::string git(const std::vector<std::string>& args);  // git -C <source dir> ARGS; "" on failure
// "abc1234", "abc1234 + uncommitted changes" or "unknown". The report's own
// outputs (docs/results.md, docs/img) do not count as changes: `bench all`
// writes the emulator section before it measures the design.
std::string source_commit();
std::string grouped(uint64_t v);                      // 123456789 -> "123,456,789"

}  // namespace slot::bench
