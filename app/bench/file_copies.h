// Copies of program files to run measurements from. On this kind of host a
// program's speed on a memory-heavy loop depends on where the page cache put
// its file's pages (up to a third between byte-identical copies, the same in
// every run; docs/performance.md, "A program's speed here depends on where
// its file lies"), so a measurement that runs one file measures that
// placement too. Copies spread it: each is a new file with new pages.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace slot::bench {

class FileCopies {
 public:
  // `k` copies of each file, made beside it (its sibling files stay
  // reachable) under a hidden name unique to this process; k <= 1 uses the
  // files themselves. Throws std::runtime_error when a copy cannot be made.
  FileCopies(const std::vector<std::string>& files, unsigned k);
  ~FileCopies();  // removes the copies
  FileCopies(const FileCopies&) = delete;
  FileCopies& operator=(const FileCopies&) = delete;
  // Copy `k` (0-based) of file `i`.
  const std::string& file(unsigned i, unsigned k) const { return files_[i][k % files_[i].size()]; }
  unsigned copies() const { return files_.empty() ? 0 : unsigned(files_[0].size()); }

 private:
  void remove_made();
  std::vector<std::vector<std::string>> files_;
  std::vector<std::filesystem::path> made_;
};

}  // namespace slot::bench
