#include "emu/devices/disk_image.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace slot::emu {

std::unique_ptr<DiskImage> DiskImage::open(const std::string& path, bool read_only) {
  int fd = read_only ? -1 : ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0 && (read_only || errno == EACCES || errno == EROFS)) {
    read_only = true;
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  }
  if (fd < 0) throw std::runtime_error("cannot open disk image " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw std::runtime_error("disk image " + path + " is not a regular file");
  }
  const uint64_t sectors = (uint64_t(st.st_size) + kSector - 1) / kSector;
  return std::unique_ptr<DiskImage>(new DiskImage(path, fd, sectors, read_only));
}

DiskImage::~DiskImage() { ::close(fd_); }

bool DiskImage::read(uint64_t sector, uint8_t* out) {
  if (sector >= sectors_) return false;
  for (auto* m : {&written_, &original_})
    if (auto it = m->find(sector); it != m->end()) {
      std::memcpy(out, it->second.data(), kSector);
      return true;
    }
  return read_file(sector, out);
}

bool DiskImage::read_file(uint64_t sector, uint8_t* out) {
  uint64_t done = 0;
  while (done < kSector) {
    const ssize_t n = pread(fd_, out + done, kSector - done, off_t(sector * kSector + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) break;  // end of file: the rest of a partial last sector is zeros
    done += uint64_t(n);
  }
  std::memset(out + done, 0, kSector - done);
  return true;
}

bool DiskImage::write(uint64_t sector, const uint8_t* in) {
  if (sector >= sectors_ || read_only_) return false;
  if (!original_.count(sector) && !read_file(sector, original_[sector].data())) return original_.erase(sector), false;
  std::memcpy(written_[sector].data(), in, kSector);
  uint64_t done = 0;
  while (done < kSector) {
    const ssize_t n = pwrite(fd_, in + done, kSector - done, off_t(sector * kSector + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += uint64_t(n);
  }
  return true;
}

bool DiskImage::flush() { return read_only_ || fdatasync(fd_) == 0; }

// The sectors written so far, as (sector, bytes) pairs.
void DiskImage::serialize(Serializer& s) {
  s.tag("disk");
  uint64_t n = written_.size();
  s.io(n);
  if (!s.loading()) {
    for (auto& [sector, data] : written_) {
      uint64_t at = sector;
      s.io(at), s.io(data);
    }
    return;
  }
  std::map<uint64_t, std::array<uint8_t, kSector>> loaded;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t at = 0;
    std::array<uint8_t, kSector> data{};
    s.io(at), s.io(data);
    if (at >= sectors_) throw std::runtime_error("snapshot: disk sector beyond the image");
    loaded[at] = data;
  }
  written_ = std::move(loaded);
}

}  // namespace slot::emu
