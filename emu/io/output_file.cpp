#include "emu/io/output_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace slot::emu {

namespace {
// A target that exists and is not a regular file (a device, a FIFO) is
// written in place: renaming over /dev/full would replace the device.
bool in_place(const std::string& path) {
  struct stat st;
  return path == "-" || (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode));
}
std::string temp_name(const std::string& path) {
  return path + ".tmp." + std::to_string(::getpid());
}
}  // namespace

OutputFile::OutputFile(std::string path, std::string what) : path_(std::move(path)), what_(std::move(what)) {
  in_place_ = in_place(path_);
  if (path_ == "-") {
    f_ = stdout;
    return;
  }
  if (!in_place_) tmp_ = temp_name(path_);
  f_ = std::fopen(in_place_ ? path_.c_str() : tmp_.c_str(), "wb");
  if (!f_) throw std::runtime_error(what_ + ": cannot write " + path_ + ": " + std::strerror(errno));
}

OutputFile::~OutputFile() { discard(); }

bool OutputFile::write(const std::string& s) {
  if (!f_ || failed_) return false;
  if (std::fwrite(s.data(), 1, s.size(), f_) != s.size()) failed_ = true;
  return !failed_;
}

std::string OutputFile::commit() {
  if (!f_) return what_ + ": " + path_ + " was already closed";
  int err = 0;
  if (std::fflush(f_) != 0 || std::ferror(f_) || failed_) err = errno ? errno : EIO;
  if (f_ != stdout && std::fclose(f_) != 0 && !err) err = errno ? errno : EIO;
  f_ = nullptr;
  if (!err && !in_place_ && std::rename(tmp_.c_str(), path_.c_str()) != 0) err = errno;
  if (err) {
    if (!tmp_.empty()) ::unlink(tmp_.c_str());
    tmp_.clear();
    return what_ + ": cannot write " + path_ + ": " + std::strerror(err);
  }
  tmp_.clear();
  return "";
}

void OutputFile::discard() {
  if (f_ && f_ != stdout) std::fclose(f_);
  f_ = nullptr;
  if (!tmp_.empty()) ::unlink(tmp_.c_str());
  tmp_.clear();
}

std::string check_output_path(const std::string& path) {
  if (path.empty() || in_place(path)) return "";
  const std::string tmp = temp_name(path);
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) return "cannot write " + path + ": " + std::strerror(errno);
  std::fclose(f);
  ::unlink(tmp.c_str());
  return "";
}

}  // namespace slot::emu
