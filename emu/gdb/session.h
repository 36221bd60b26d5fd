// One gdb client's conversation with a Target: turns request payloads into
// reply payloads (no sockets here; server.h moves the bytes). Commands and
// replies follow the gdb manual, "Remote Protocol" > "Packets", "Stop Reply
// Packets", "General Query Packets", "Target Description Format", plus
// QEMU's Qqemu.PhyMemMode (its gdbstub's physical-memory switch).
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "emu/gdb/target.h"

namespace slot::gdb {

inline constexpr size_t kPacketSize = 0x4000;  // advertised PacketSize: the largest payload either side sends

class Session {
 public:
  // Wraps every command that runs the machine, so the server can watch the
  // socket for Ctrl-C while it runs. The default calls fn directly.
  using Runner = std::function<Stop(const std::function<Stop()>& fn)>;

  struct Result {
    std::vector<std::string> packets;  // payloads to send in order (already escaped where binary)
    enum class After : uint8_t { Reply, Detach, Kill } after = After::Reply;
  };

  explicit Session(Target& t);
  void set_runner(Runner r) { runner_ = std::move(r); }

  Result handle(std::string_view payload);

  // A new client: forgets the previous client's options and removes the
  // stop points it left behind (an abrupt disconnect cannot remove them).
  void new_client();
  // The stop that the next '?' reports (the machine was stopped by someone
  // other than this client, e.g. when a free-running machine is attached).
  void set_initial_stop(const Stop& s);

  bool noack() const { return noack_; }
  bool exited() const { return exited_; }
  uint32_t exit_status() const { return exit_status_; }
  bool phys_mode() const { return phys_; }

 private:
  using Key = std::tuple<PointType, uint64_t, uint64_t>;

  Result one(std::string reply) { Result r; r.packets.push_back(std::move(reply)); return r; }
  Result run(const std::function<Stop()>& fn);
  std::vector<std::string> stop_packets(const Stop& s);
  std::string t05(const std::string& reason, int signal = 5);

  Result q_supported(std::string_view args);
  Result q_xfer(std::string_view args);
  Result q_rcmd(std::string_view hex);
  Result read_memory(std::string_view args);
  Result write_memory(std::string_view args, bool binary);
  Result point(bool insert, std::string_view args);
  Result v_cont(std::string_view args);
  Result resume(char action, std::string_view addr);

  Target& t_;
  Runner runner_;
  bool noack_ = false, phys_ = false;
  bool client_swbreak_ = false, client_hwbreak_ = false;
  bool exited_ = false;
  uint32_t exit_status_ = 0;
  Stop last_stop_;                      // what '?' answers (rendered with the registers of then)
  std::map<Key, int> points_;           // inserted by the current client
  std::map<int, Key> by_id_;
};

}  // namespace slot::gdb
