// printf-style append to a std::string, shared by the text writers of traces,
// dumps and statistics. One line of output stays under 512 bytes by design;
// a longer one is cut rather than overflowing.
#pragma once
#include <cstdarg>
#include <cstdio>
#include <string>

namespace slot::trace {

inline void add(std::string& out, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
inline void add(std::string& out, const char* fmt, ...) {
  char b[512];
  va_list ap;
  va_start(ap, fmt);
  const int n = std::vsnprintf(b, sizeof b, fmt, ap);
  va_end(ap);
  if (n > 0) out.append(b, size_t(n) < sizeof b ? size_t(n) : sizeof b - 1);
}

}  // namespace slot::trace
