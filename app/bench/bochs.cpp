// Bochs as the third engine of `slotlab bench emulator` (Debian's bochs 2.7):
// the multiboot image on a GRUB rescue ISO, COM1 to a file, and the run ended
// at the kernel's last serial line, since Bochs has no isa-debug-exit.
// Debian's build has no "nogui" display (rfb with timeout=0 starts at once)
// and its internal debugger compiled in (-q -rc FILE with "c" continues);
// long mode needs a 64-bit CPU model.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "app/bench/runner.h"

namespace slot::bench {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

std::string read_all(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// True when `text` holds a complete line that starts with `prefix`.
bool has_line(const std::string& text, const std::string& prefix) {
  for (size_t at = 0; at < text.size();) {
    const size_t nl = text.find('\n', at);
    if (nl == std::string::npos) return false;
    if (text.compare(at, prefix.size(), prefix) == 0) return true;
    at = nl + 1;
  }
  return false;
}

constexpr const char* kBochsrc =
    "megs: 256\n"
    "cpu: model=corei7_sandy_bridge_2600k, ips=100000000\n"
    "romimage: file=/usr/share/bochs/BIOS-bochs-latest\n"
    "vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest\n"
    "ata0-master: type=cdrom, path=boot.iso, status=inserted\n"
    "boot: cdrom\n"
    "com1: enabled=1, mode=file, dev=serial.txt\n"
    "display_library: rfb, options=\"timeout=0\"\n"
    "log: /dev/null\n"
    "panic: action=fatal\n"
    "error: action=report\n"
    "info: action=ignore\n"
    "debug: action=ignore\n"
    "clock: sync=none\n";

}  // namespace

std::string find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string d; std::getline(dirs, d, ':');) {
    const std::string p = (d.empty() ? "." : d) + "/" + name;
    if (access(p.c_str(), X_OK) == 0) return p;
  }
  return "";
}

RunResult run_bochs(const Tools& t, const std::string& image, const std::string& cmdline,
                    const std::string& last_line) {
  RunResult r;
  r.status = kNoExitStatus;
  char tmpl[] = "/tmp/slotlab-bochs-XXXXXX";
  const char* dir = mkdtemp(tmpl);
  if (!dir) {
    r.error = "cannot create a temporary directory";
    return r;
  }
  const std::string d = dir;
  try {
    fs::create_directories(d + "/iso/boot/grub");
    fs::copy_file(image, d + "/iso/boot/kernel.elf");
    std::ofstream(d + "/iso/boot/grub/grub.cfg")
        << "set timeout=0\nset default=0\nmenuentry \"slotlab\" {\n  multiboot /boot/kernel.elf " << cmdline
        << "\n  boot\n}\n";
    const RunResult iso = run_process({t.grub_mkrescue, "-o", d + "/boot.iso", d + "/iso"}, 120);
    if (iso.status != 0) throw std::runtime_error("grub-mkrescue failed: " + iso.errors.substr(0, 200));
    std::ofstream(d + "/bochsrc") << kBochsrc;
    std::ofstream(d + "/cont.rc") << "c\n";
    const std::string serial = d + "/serial.txt";
    const auto t0 = Clock::now();
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      if (chdir(d.c_str()) != 0) _exit(126);
      const int devnull = open("/dev/null", O_RDWR);
      if (devnull >= 0) dup2(devnull, 0), dup2(devnull, 1), dup2(devnull, 2);
      // Debian's Bochs 2.7 aborts at start-up ("buffer overflow detected")
      // under a UTF-8 locale such as LANG=C.UTF-8: run it in the C locale.
      setenv("LC_ALL", "C", 1);
      setenv("LANG", "C", 1);
      execl(t.bochs.c_str(), t.bochs.c_str(), "-q", "-f", "bochsrc", "-rc", "cont.rc", static_cast<char*>(nullptr));
      _exit(127);
    }
    // Poll COM1's file for the last line; the child's exit (a crash, a
    // Bochs panic) ends the wait too.
    bool done = false, exited = false;
    while (!done && !exited) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      done = has_line(read_all(serial), last_line);
      int ws = 0;
      exited = !done && waitpid(pid, &ws, WNOHANG) == pid;
      if (std::chrono::duration<double>(Clock::now() - t0).count() > t.timeout_s) break;
    }
    r.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
    if (!exited) {
      kill(pid, SIGKILL);
      int ws = 0;
      waitpid(pid, &ws, 0);
    }
    r.transcript = read_all(serial);
    if (!done) r.error = exited ? "Bochs exited before the last line" : "no last line within the time limit";
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  std::error_code ec;
  fs::remove_all(d, ec);
  return r;
}

}  // namespace slot::bench
