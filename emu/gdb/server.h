// The gdb stub's transport: a TCP listener (loopback only unless asked) that
// serves one client at a time, with +/- acknowledgements, no-ack mode, and a
// watcher thread that turns Ctrl-C (0x03) into Target::interrupt() while the
// machine runs. A client that disconnects at any point leaves the machine
// paused; the next client may attach. docs/gdb.md describes the behaviour.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "emu/gdb/session.h"
#include "emu/gdb/target.h"

namespace slot::gdb {

struct Endpoint {
  std::string host;  // dotted IPv4
  uint16_t port = 0; // 0 = let the system choose
};
// "HOST:PORT", ":PORT" or "PORT" (host 127.0.0.1; "localhost" accepted).
// Throws std::runtime_error with one line for a bad value, or for a
// non-loopback host unless allow_remote: whoever reaches the port controls
// the machine and may read all of its memory.
Endpoint parse_endpoint(const std::string& spec, bool allow_remote);

struct ServerOptions {
  std::string endpoint = "127.0.0.1:1234";
  bool allow_remote = false;
  bool wait = true;  // the machine stays paused until a client attaches (--gdb-wait)
};

class Server {
 public:
  enum class Outcome : uint8_t { Disconnected, Detached, Killed };

  // Binds and listens. Throws std::runtime_error (bad endpoint, port in use).
  Server(Target& t, const ServerOptions& o);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  uint16_t port() const { return port_; }
  std::string address() const { return host_ + ":" + std::to_string(port_); }

  // Serves until a client kills the session (k) or leaves after the guest
  // exited, or, with no client attached, until the free-running guest exits.
  // Returns the process exit status: the guest's exit status once it exited,
  // else 0.
  int run();

  // Serves one accepted connection until it ends (the descriptor is closed).
  Outcome serve_client(int fd);

 private:
  Stop run_watched(int fd, bool is_listener, const std::function<Stop()>& fn);

  Target& t_;
  ServerOptions opt_;
  Session session_;
  int listen_fd_ = -1;
  std::string host_;
  uint16_t port_ = 0;
  // Per connection: bytes the watcher read while the machine ran, and
  // whether it saw the client go away.
  std::string pending_;
  bool client_gone_ = false;
  bool pre_interrupt_ = false;  // a Ctrl-C already read behind the command being run
};

}  // namespace slot::gdb
