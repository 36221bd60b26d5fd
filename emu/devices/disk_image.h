// A raw disk image file behind a block device (virtio-blk): 512-byte
// sectors, the file's size rounded up to whole sectors (the tail of a
// partial last sector reads as zeros, as in QEMU's raw format).
//
// Writes go to the file at once (a restart sees them) and into an in-memory
// copy of every sector written since the machine started; the first write to
// a sector also keeps what the file held before. Reads prefer the copy, then
// the kept original, then the file. A snapshot carries the copy: restoring a
// snapshot (or stepping back in time) gives the guest the disk as it was
// then, although the file keeps the newest data. A flush is fdatasync.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "emu/serialize.h"

namespace slot::emu {

class DiskImage {
 public:
  static constexpr unsigned kSector = 512;
  // Opens `path` for reading and writing, or read-only if `read_only` or the
  // file is not writable. Throws std::runtime_error with one line if it
  // cannot be opened or is not a regular file.
  static std::unique_ptr<DiskImage> open(const std::string& path, bool read_only = false);
  ~DiskImage();
  DiskImage(const DiskImage&) = delete;
  DiskImage& operator=(const DiskImage&) = delete;

  const std::string& path() const { return path_; }
  uint64_t sectors() const { return sectors_; }
  bool read_only() const { return read_only_; }
  // One sector; false on a host I/O error or a sector beyond the end.
  bool read(uint64_t sector, uint8_t* out);
  bool write(uint64_t sector, const uint8_t* in);
  bool flush();
  uint64_t sectors_written() const { return written_.size(); }

  void serialize(Serializer& s);

 private:
  DiskImage(std::string path, int fd, uint64_t sectors, bool read_only)
      : path_(std::move(path)), fd_(fd), sectors_(sectors), read_only_(read_only) {}
  std::string path_;
  int fd_;
  uint64_t sectors_;
  bool read_only_;
  bool read_file(uint64_t sector, uint8_t* out);
  std::map<uint64_t, std::array<uint8_t, kSector>> written_;   // in snapshots
  std::map<uint64_t, std::array<uint8_t, kSector>> original_;  // the file's bytes before our first write
};

}  // namespace slot::emu
