#include "emu/gdb/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <vector>

#include "emu/gdb/packet.h"

namespace slot::gdb {

namespace {

// Sends all bytes; false if the client is gone (never SIGPIPE).
bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(size_t(n));
  }
  return true;
}

}  // namespace

Endpoint parse_endpoint(const std::string& spec, bool allow_remote) {
  Endpoint e;
  const size_t colon = spec.rfind(':');
  std::string host = colon == std::string::npos ? "" : spec.substr(0, colon);
  const std::string port = colon == std::string::npos ? spec : spec.substr(colon + 1);
  if (host.empty() || host == "localhost") host = "127.0.0.1";
  char* end = nullptr;
  const unsigned long p = port.empty() ? 70000 : std::strtoul(port.c_str(), &end, 10);
  if (p > 65535 || (end && *end)) throw std::runtime_error("--gdb " + spec + ": want HOST:PORT with a port 0-65535");
  in_addr a{};
  if (inet_pton(AF_INET, host.c_str(), &a) != 1)
    throw std::runtime_error("--gdb " + spec + ": host must be an IPv4 address (e.g. 127.0.0.1)");
  const bool loopback = (ntohl(a.s_addr) >> 24) == 127;
  if (!loopback && !allow_remote)
    throw std::runtime_error("--gdb " + spec + ": refusing a non-loopback address (whoever reaches it controls "
                             "the machine); add --gdb-allow-remote to do it anyway");
  e.host = host;
  e.port = uint16_t(p);
  return e;
}

Server::Server(Target& t, const ServerOptions& o) : t_(t), opt_(o), session_(t) {
  const Endpoint e = parse_endpoint(o.endpoint, o.allow_remote);
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error(std::string("gdb stub: socket: ") + std::strerror(errno));
  const int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(e.port);
  inet_pton(AF_INET, e.host.c_str(), &sa.sin_addr);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(listen_fd_, 4) != 0) {
    const std::string why = std::strerror(errno);
    ::close(listen_fd_);
    throw std::runtime_error("gdb stub: cannot listen on " + e.host + ":" + std::to_string(e.port) + ": " + why);
  }
  socklen_t len = sizeof sa;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&sa), &len);
  host_ = e.host;
  port_ = ntohs(sa.sin_port);
  session_.set_runner([](const std::function<Stop()>& fn) { return fn(); });
}

Server::~Server() {
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

// Runs fn on this thread while a watcher thread polls `fd`: on Ctrl-C, on a
// lost client or (for the listener) on a client arriving it interrupts the
// target, and repeats that every 20 ms until fn returns, so an interrupt
// that lands just before the run starts is not lost. Other bytes the client
// sends meanwhile are kept in pending_ for the packet loop.
Stop Server::run_watched(int fd, bool is_listener, const std::function<Stop()>& fn) {
  int wake[2];
  if (::pipe2(wake, O_CLOEXEC) != 0) return fn();
  std::string got;
  bool gone = false;
  std::thread watcher([&] {
    pollfd fds[2] = {{fd, POLLIN, 0}, {wake[0], POLLIN, 0}};
    bool interrupting = !is_listener && pre_interrupt_;
    if (interrupting) t_.interrupt();
    for (;;) {
      const int r = ::poll(fds, 2, interrupting ? 20 : -1);
      if (r < 0 && errno != EINTR) break;
      if (fds[1].revents) break;
      if (interrupting) {
        t_.interrupt();
        if (r <= 0) continue;
      }
      if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      if (is_listener) {
        interrupting = true;
        fds[0].fd = -1;  // accept() happens after the run
        t_.interrupt();
        continue;
      }
      char buf[4096];
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        gone = true;
        interrupting = true;
        fds[0].fd = -1;
        t_.interrupt();
        continue;
      }
      for (ssize_t i = 0; i < n; ++i) {
        if (buf[i] == '\x03') {
          interrupting = true;
          t_.interrupt();
        } else {
          got += buf[i];
        }
      }
    }
  });
  Stop s = fn();
  const char x = 'x';
  while (::write(wake[1], &x, 1) < 0 && errno == EINTR) {
  }
  watcher.join();
  ::close(wake[0]);
  ::close(wake[1]);
  pending_ += got;
  client_gone_ = client_gone_ || gone;
  return s;
}

Server::Outcome Server::serve_client(int fd) {
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  session_.new_client();
  session_.set_runner([this, fd](const std::function<Stop()>& fn) { return run_watched(fd, false, fn); });
  pending_.clear();
  client_gone_ = false;
  PacketParser parser(kPacketSize);
  std::vector<PacketParser::Item> items;
  std::string last_sent;
  Outcome outcome = Outcome::Disconnected;
  bool done = false;
  auto send = [&](std::string_view bytes) {
    if (!send_all(fd, bytes)) client_gone_ = true;
  };
  while (!done && !client_gone_) {
    if (pending_.empty()) {
      char buf[4096];
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      pending_.assign(buf, size_t(n));
    }
    const std::string input = std::move(pending_);
    pending_.clear();
    items.clear();
    parser.feed(input, items);
    for (PacketParser::Item& it : items) {
      if (done || client_gone_) break;
      switch (it.kind) {
        case PacketParser::Item::Ack:
        case PacketParser::Item::Interrupt:  // the machine is already stopped
          break;
        case PacketParser::Item::Nack:
          if (!last_sent.empty()) send(last_sent);
          break;
        case PacketParser::Item::BadChecksum:
          if (!session_.noack()) send("-");
          break;
        case PacketParser::Item::TooLong:
          if (!session_.noack()) send("+");
          last_sent = frame("E01");
          send(last_sent);
          break;
        case PacketParser::Item::Packet: {
          if (!session_.noack()) send("+");
          // A Ctrl-C that came in the same read as a run command (after it) is for that run.
          pre_interrupt_ = false;
          for (const PacketParser::Item* j = &it + 1; j != items.data() + items.size(); ++j)
            pre_interrupt_ = pre_interrupt_ || j->kind == PacketParser::Item::Interrupt;
          const Session::Result r = session_.handle(it.payload);
          for (const std::string& p : r.packets) {
            last_sent = frame(p);
            send(last_sent);
          }
          if (r.after == Session::Result::After::Kill) outcome = Outcome::Killed, done = true;
          if (r.after == Session::Result::After::Detach) outcome = Outcome::Detached, done = true;
          break;
        }
      }
    }
  }
  session_.set_runner([](const std::function<Stop()>& fn) { return fn(); });
  ::close(fd);
  return outcome;
}

int Server::run() {
  bool running = !opt_.wait;
  for (;;) {
    if (running) {
      // Free-running with nobody attached: a client arriving stops the machine (as QEMU's -gdb does).
      const Stop s = run_watched(listen_fd_, true, [this] { return t_.cont(); });
      if (s.kind == StopKind::Exited) return int(s.status & 0xFF);
      if (s.kind == StopKind::Shutdown) {
        std::fprintf(stderr, "slotlab: machine shut down: %s\n", s.message.c_str());
        return 0;
      }
      running = false;
    }
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      throw std::runtime_error(std::string("gdb stub: accept: ") + std::strerror(errno));
    }
    const Outcome o = serve_client(fd);
    const int status = session_.exited() ? int(session_.exit_status() & 0xFF) : 0;
    if (o == Outcome::Killed || session_.exited()) return status;
    if (o == Outcome::Detached) {
      // gdb removed its points before detaching; the machine runs on (as QEMU does).
      session_.new_client();
      running = true;
    }
  }
}

}  // namespace slot::gdb
