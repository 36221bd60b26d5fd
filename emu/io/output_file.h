// Files SlotLab writes (traces, dumps, statistics, exports, screenshots,
// serial output) are written all or nothing: into a temporary file beside
// the target, every write and the close checked, renamed over the target only
// when all went well. A full disk, a missing directory or a write error is
// reported with the path and the reason, and leaves no partial file where the
// user asked for one (the old file, if any, stays). Devices and pipes
// (/dev/full, /dev/stdout, a FIFO) are written in place, since there is
// nothing to rename, and their errors are reported the same way.
#pragma once
#include <cstdio>
#include <string>

namespace slot::emu {

class OutputFile {
 public:
  // `what` names the option in messages ("--trace-out"). "-" means standard
  // output. Throws std::runtime_error with one line when it cannot be created.
  OutputFile(std::string path, std::string what);
  ~OutputFile();   // not committed: the temporary file is removed
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  std::FILE* get() const { return f_; }
  const std::string& path() const { return path_; }
  bool write(const std::string& s);   // false after any failed write
  // Flushes, checks, closes and renames; "" or why not (then nothing is left
  // at the target that was not there before).
  std::string commit();
  void discard();

 private:
  std::string path_, what_, tmp_;
  std::FILE* f_ = nullptr;
  bool in_place_ = false, failed_ = false;
};

// Before a run: "" when `path` could be written (its directory exists and
// takes a new file; "-" and devices are fine), else the reason, so that a
// long run does not end in "cannot write".
std::string check_output_path(const std::string& path);

}  // namespace slot::emu
