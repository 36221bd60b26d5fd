#include "app/bench/file_copies.h"

#include <fmt/format.h>
#include <unistd.h>

#include <stdexcept>

namespace slot::bench {

FileCopies::FileCopies(const std::vector<std::string>& files, unsigned k) {
  for (const std::string& f : files) {
    files_.emplace_back();
    if (k <= 1) {
      files_.back().push_back(f);
      continue;
    }
    const std::filesystem::path src(f);
    for (unsigned c = 1; c <= k; ++c) {
      const std::filesystem::path dst =
          src.parent_path() / fmt::format(".{}.bench-copy-{}-{}", src.filename().string(), getpid(), c);
      std::error_code ec;
      std::filesystem::copy_file(src, dst, std::filesystem::copy_options::overwrite_existing, ec);
      if (!ec) made_.push_back(dst);
      if (!ec) std::filesystem::permissions(dst, std::filesystem::status(src).permissions(), ec);
      if (ec) {
        remove_made();  // (a constructor that throws runs no destructor)
        throw std::runtime_error(fmt::format("cannot copy {} to {}: {}", f, dst.string(), ec.message()));
      }
      files_.back().push_back(dst.string());
    }
  }
}

FileCopies::~FileCopies() { remove_made(); }

void FileCopies::remove_made() {
  std::error_code ec;
  for (const auto& f : made_) std::filesystem::remove(f, ec);
  made_.clear();
}

}  // namespace slot::bench
