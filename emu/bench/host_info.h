// Small facts both benchmark reports print: the host's CPU model, the
// source tree's git state, numbers with thousands separators.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace slot::bench {

std::string first_line(const std::string& s);
std::string host_model();                             // /proc/cpuinfo "model name"
std::string git(const std::vector<std::string>& args);  // git -C <source dir> ARGS; "" on failure
std::string grouped(uint64_t v);                      // 123456789 -> "123,456,789"

}  // namespace slot::bench
