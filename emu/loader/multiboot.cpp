#include "emu/loader/multiboot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "emu/loader/elf.h"

namespace slot::emu::multiboot {

namespace {

[[noreturn]] void fail(const std::string& why) { throw std::runtime_error(why); }

uint32_t rd32(std::span<const uint8_t> d, size_t off) {
  uint32_t v;
  std::memcpy(&v, d.data() + off, 4);
  return v;
}

constexpr uint64_t kPage = 4096;
constexpr uint64_t kMinRam = 2ull << 20;
constexpr uint64_t kInfoAreaEnd = kInfoAddr + 0x100;  // mmap at 0x9000, info at 0x9500, both below 0x9600
constexpr uint64_t kMaxFile = 1ull << 30;

// One piece of the kernel image: `src` bytes copied to `paddr`, then zeros up to `memsz`.
struct Piece {
  uint64_t paddr, memsz;
  std::span<const uint8_t> src;
};

bool in_ram(const mmu::PhysMemory& mem, uint64_t pa, uint64_t len) { return pa <= mem.size() && len <= mem.size() - pa; }

std::vector<Piece> aout_pieces(std::span<const uint8_t> image, const Header& h, uint32_t& entry) {
  // Spec 3.1.3: the header's own position ties file offsets to addresses.
  if (uint64_t(h.offset) + 32 > image.size()) fail("truncated (the multiboot header's address fields are cut off)");
  if (h.header_addr < h.load_addr)
    fail(fmt::format("multiboot header_addr {:#x} is below load_addr {:#x}", h.header_addr, h.load_addr));
  uint64_t delta = h.header_addr - h.load_addr;
  if (delta > h.offset)
    fail(fmt::format("multiboot load_addr {:#x} would start {:#x} bytes before the file", h.load_addr, delta - h.offset));
  uint64_t text = h.offset - delta;  // file offset loaded at load_addr
  uint64_t load_size;
  if (h.load_end_addr == 0) {
    load_size = image.size() - text;
  } else {
    if (h.load_end_addr < h.load_addr)
      fail(fmt::format("multiboot load_end_addr {:#x} is below load_addr {:#x}", h.load_end_addr, h.load_addr));
    load_size = h.load_end_addr - h.load_addr;
    if (load_size > image.size() - text)
      fail(fmt::format("truncated (load_end_addr needs {:#x} bytes from offset {:#x}, the file has {:#x})", load_size,
                       text, image.size()));
  }
  uint64_t mem_size = load_size;
  if (h.bss_end_addr != 0) {
    if (h.bss_end_addr < h.load_addr + load_size)
      fail(fmt::format("multiboot bss_end_addr {:#x} is below the end of the loaded image {:#x}", h.bss_end_addr,
                       h.load_addr + load_size));
    mem_size = h.bss_end_addr - h.load_addr;
  }
  entry = h.entry_addr;
  return {Piece{h.load_addr, mem_size, image.subspan(size_t(text), size_t(load_size))}};
}

std::vector<Piece> elf_pieces(std::span<const uint8_t> image, Format& format, uint32_t& entry) {
  elf::Image img = elf::parse(image);
  uint16_t want = img.is64 ? elf::EM_X86_64 : elf::EM_386;
  if (img.machine != want)
    fail(fmt::format("ELF{} machine {} is not {}", img.is64 ? 64 : 32, img.machine, img.is64 ? "x86-64" : "i386"));
  if (img.type != elf::ET_EXEC) fail(fmt::format("ELF type {} is not an executable (ET_EXEC)", img.type));
  if (img.entry > 0xFFFF'FFFFull)
    fail(fmt::format("ELF entry point {:#x} is above 4 GiB; a multiboot kernel starts in 32-bit mode", img.entry));
  std::vector<Piece> pieces;
  for (const elf::Segment& s : img.loads)
    if (s.memsz) pieces.push_back({s.paddr, s.memsz, image.subspan(size_t(s.offset), size_t(s.filesz))});
  if (pieces.empty()) fail("ELF has no loadable segments");
  format = img.is64 ? Format::Elf64 : Format::Elf32;
  entry = uint32_t(img.entry);
  return pieces;
}

void write_mem(mmu::PhysMemory& mem, uint64_t pa, const void* src, uint64_t len) {
  if (len) std::memcpy(mem.ptr(pa, len), src, size_t(len));
}

}  // namespace

std::optional<Header> find_header(std::span<const uint8_t> image) {
  const size_t limit = std::min<size_t>(image.size(), kSearchLimit);
  for (size_t i = 0; i + 12 <= limit; i += 4) {
    if (rd32(image, i) != kHeaderMagic) continue;
    uint32_t flags = rd32(image, i + 4), checksum = rd32(image, i + 8);
    if (uint32_t(kHeaderMagic + flags + checksum) != 0) continue;
    Header h{uint32_t(i), flags, 0, 0, 0, 0, 0};
    if (i + 32 <= image.size()) {
      h.header_addr = rd32(image, i + 12);
      h.load_addr = rd32(image, i + 16);
      h.load_end_addr = rd32(image, i + 20);
      h.bss_end_addr = rd32(image, i + 24);
      h.entry_addr = rd32(image, i + 28);
    }
    return h;
  }
  return std::nullopt;
}

std::vector<MemoryRegion> memory_map(uint64_t ram) {
  constexpr uint64_t kEbda = 0x9FC00, kHigh = 0x100000, kSeabiosHigh = 0x20000;
  std::vector<MemoryRegion> map = {
      {0, kEbda, 1},
      {kEbda, 0xA0000 - kEbda, 2},
      {0xF0000, 0x10000, 2},
  };
  if (ram > kHigh + kSeabiosHigh) {
    map.push_back({kHigh, ram - kSeabiosHigh - kHigh, 1});
    map.push_back({ram - kSeabiosHigh, kSeabiosHigh, 2});
  }
  if (ram <= 0xFFFC0000ull) map.push_back({0xFFFC0000ull, 0x40000, 2});
  map.push_back({0xFD00000000ull, 0x300000000ull, 2});
  return map;
}

BootInfo load(mmu::PhysMemory& mem, std::span<const uint8_t> image, std::string_view cmdline,
              std::span<const BootModule> modules) {
  if (mem.size() < kMinRam) fail(fmt::format("RAM of {} bytes is too small for a multiboot kernel", mem.size()));
  if (image.empty()) fail("file is empty");
  std::optional<Header> h = find_header(image);
  if (!h)
    fail(elf::is_elf(image) ? "no multiboot header in the first 8192 bytes"
                            : "not an ELF file and no multiboot header in the first 8192 bytes");
  if (h->flags & 0xFFF8)
    fail(fmt::format("multiboot header flags {:#x} ask for features this loader lacks (bits 3-15)", h->flags));

  BootInfo info{};
  std::vector<Piece> pieces;
  if (h->flags & HF_AOUT_KLUDGE) {
    info.format = Format::AoutKludge;
    pieces = aout_pieces(image, *h, info.entry);
  } else {
    if (!elf::is_elf(image)) fail("not an ELF file, and its multiboot header has no address fields (flag bit 16)");
    pieces = elf_pieces(image, info.format, info.entry);
  }

  uint64_t low = ~0ull, high = 0;
  for (const Piece& p : pieces) {
    if (!in_ram(mem, p.paddr, p.memsz))
      fail(fmt::format("segment at {:#x} (size {:#x}) lies outside RAM ({} MiB)", p.paddr, p.memsz, mem.size() >> 20));
    if (p.paddr < kInfoAreaEnd && p.paddr + p.memsz > kMmapAddr)
      fail(fmt::format("segment at {:#x} (size {:#x}) overlaps the boot information at {:#x}-{:#x}", p.paddr, p.memsz,
                       kMmapAddr, kInfoAreaEnd - 1));
    low = std::min(low, p.paddr);
    high = std::max(high, p.paddr + p.memsz);
  }
  for (const Piece& p : pieces) {
    write_mem(mem, p.paddr, p.src.data(), p.src.size());
    std::memset(mem.ptr(p.paddr, p.memsz) + p.src.size(), 0, size_t(p.memsz - p.src.size()));
  }
  info.image_start = low;
  info.image_end = high;

  // After the page-rounded kernel (QEMU's layout): the module entries, the
  // command line, the modules' strings, the boot loader name; then the
  // modules, each at a page boundary.
  std::string cmd(cmdline.substr(0, cmdline.find('\0')));
  const uint64_t mods_addr = low + ((high - low + kPage - 1) & ~(kPage - 1));
  const uint64_t cmd_addr = mods_addr + 16 * modules.size();
  uint64_t at_string = cmd_addr + cmd.size() + 1;
  std::vector<uint64_t> string_addr;
  for (const BootModule& m : modules) {
    string_addr.push_back(at_string);
    at_string += m.string.size() + 1;
  }
  const uint64_t name_addr = at_string;
  uint64_t strings_end = name_addr + std::strlen(kLoaderName) + 1;
  std::vector<uint64_t> mod_start;
  uint64_t end = strings_end;
  for (const BootModule& m : modules) {
    mod_start.push_back((end + kPage - 1) & ~(kPage - 1));
    end = mod_start.back() + m.bytes.size();
  }
  if (!in_ram(mem, mods_addr, end - mods_addr) || end > 0xFFFF'FFFFull)
    fail(fmt::format("no room after the kernel for the command line and modules at {:#x}", mods_addr));
  if (mods_addr < kInfoAreaEnd && end > kMmapAddr)
    fail(fmt::format("the command line at {:#x} would overlap the boot information at {:#x}", cmd_addr, kMmapAddr));
  write_mem(mem, cmd_addr, cmd.c_str(), cmd.size() + 1);
  write_mem(mem, name_addr, kLoaderName, std::strlen(kLoaderName) + 1);
  for (size_t i = 0; i < modules.size(); ++i) {
    const uint32_t e[4] = {uint32_t(mod_start[i]), uint32_t(mod_start[i] + modules[i].bytes.size()),
                           uint32_t(string_addr[i]), 0};
    write_mem(mem, mods_addr + 16 * i, e, sizeof e);
    write_mem(mem, string_addr[i], modules[i].string.c_str(), modules[i].string.size() + 1);
    if (!modules[i].bytes.empty()) write_mem(mem, mod_start[i], modules[i].bytes.data(), modules[i].bytes.size());
  }

  // Memory map: entries of {size = 20, base, length, type}, size not counting itself (spec 3.3).
  std::memset(mem.ptr(kMmapAddr, kInfoAreaEnd - kMmapAddr), 0, size_t(kInfoAreaEnd - kMmapAddr));
  std::vector<MemoryRegion> map = memory_map(mem.size());
  uint64_t at = kMmapAddr, mem_upper = 0;
  for (const MemoryRegion& r : map) {
    uint32_t e[6] = {20, uint32_t(r.base), uint32_t(r.base >> 32), uint32_t(r.length), uint32_t(r.length >> 32), r.type};
    write_mem(mem, at, e, sizeof e);
    at += sizeof e;
    if (r.base == 0x100000 && r.type == 1) mem_upper = r.length / 1024;
  }

  uint32_t mbi[kInfoSize / 4] = {};
  mbi[0] = IF_MEMORY | IF_BOOT_DEVICE | IF_CMDLINE | IF_MODS | IF_MMAP | IF_LOADER_NAME;
  mbi[1] = uint32_t(map[0].length / 1024);  // mem_lower: 639
  mbi[2] = uint32_t(mem_upper);
  mbi[3] = 0x8000FFFF;                       // boot_device: "BIOS drive 0x80", no partition (QEMU's value)
  mbi[4] = uint32_t(cmd_addr);               // cmdline
  mbi[5] = uint32_t(modules.size());         // mods_count
  mbi[6] = uint32_t(mods_addr);              // mods_addr (without modules: the command line's, as QEMU)
  mbi[11] = uint32_t(map.size() * 24);       // mmap_length
  mbi[12] = kMmapAddr;                       // mmap_addr
  mbi[16] = uint32_t(name_addr);             // boot_loader_name
  write_mem(mem, kInfoAddr, mbi, sizeof mbi);

  info.info_addr = kInfoAddr;
  info.cmdline_addr = uint32_t(cmd_addr);
  return info;
}

namespace {
// The whole file; missing, unreadable, a directory, or over 1 GiB:
// std::runtime_error starting with "<path>: " (`what` names the file's role).
std::vector<uint8_t> read_file(const std::string& path, const char* what) {
  std::vector<uint8_t> bytes;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) fail(path + ": is a directory, not " + what);
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) fail(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  bool ok = std::fseek(f, 0, SEEK_END) == 0;
  long size = ok ? std::ftell(f) : -1;
  if (size < 0 || std::fseek(f, 0, SEEK_SET) != 0) {
    std::fclose(f);
    fail(path + ": cannot read: not a regular file");
  }
  if (uint64_t(size) > kMaxFile) {
    std::fclose(f);
    fail(fmt::format("{}: file of {} bytes is too large for {}", path, size, what));
  }
  bytes.resize(size_t(size));
  size_t got = bytes.empty() ? 0 : std::fread(bytes.data(), 1, bytes.size(), f);
  int err = std::ferror(f) ? errno : 0;
  std::fclose(f);
  if (got != bytes.size()) fail(fmt::format("{}: read error: {}", path, err ? std::strerror(err) : "short read"));
  return bytes;
}
}  // namespace

BootInfo load_file(mmu::PhysMemory& mem, const std::string& path, std::string_view cmdline,
                   std::span<const BootModule> modules) {
  const std::vector<uint8_t> bytes = read_file(path, "a kernel image");
  try {
    return load(mem, bytes, cmdline, modules);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

std::vector<BootModule> load_modules(std::string_view initrd) {
  std::vector<BootModule> out;
  size_t start = 0;
  while (start < initrd.size()) {
    size_t comma = initrd.find(',', start);
    if (comma == std::string_view::npos) comma = initrd.size();
    const std::string item(initrd.substr(start, comma - start));
    start = comma + 1;
    const std::string file = item.substr(0, item.find(' '));
    if (file.empty()) fail(fmt::format("module \"{}\": no file name", item));
    out.push_back({item, read_file(file, "a boot module")});
  }
  return out;
}

std::string qemu_cmdline(std::string_view kernel_path, std::string_view append) {
  std::string s(kernel_path);
  s += ' ';
  s += append;
  return s;
}

}  // namespace slot::emu::multiboot
