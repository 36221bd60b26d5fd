// The TCP transport against a fake target: acknowledgements, no-ack mode,
// retransmission, Ctrl-C while running, clients that vanish mid-run, and a
// second client attaching afterwards. Port 0: the system picks a free port,
// so parallel test runs never collide.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <stdexcept>
#include <thread>

#include "emu/gdb/packet.h"
#include "emu/gdb/server.h"
#include "tests/gdb/fake_target.h"

namespace slot::gdb {
namespace {

using namespace std::chrono_literals;
using test::FakeTarget;

// A minimal client: raw bytes in and out, with a receive timeout so a
// broken stub fails the test instead of hanging it.
struct Client {
  int fd = -1;
  explicit Client(uint16_t port) {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) throw std::runtime_error("connect");
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~Client() { close(); }
  void close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  void raw(std::string_view s) { ASSERT_EQ(::send(fd, s.data(), s.size(), MSG_NOSIGNAL), ssize_t(s.size())); }
  // Reads until `want` bytes arrived or 5 s passed.
  std::string read_bytes(size_t want) {
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (out.size() < want && std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char b[4096];
      const ssize_t n = ::recv(fd, b, std::min(sizeof b, want - out.size()), 0);
      if (n <= 0) break;
      out.append(b, size_t(n));
    }
    return out;
  }
  // Reads one framed packet, returns its payload ("" + timeout -> "<timeout>").
  std::string packet() {
    std::string out;
    for (int guard = 0; guard < 100000; ++guard) {
      const std::string c = read_bytes(1);
      if (c.empty()) return "<timeout>";
      if (c == "$") break;
    }
    for (;;) {
      const std::string c = read_bytes(1);
      if (c.empty()) return "<timeout>";
      if (c == "#") break;
      out += c;
    }
    const std::string sum = read_bytes(2);
    EXPECT_EQ(sum, frame(out).substr(frame(out).size() - 2)) << "checksum of " << out;
    return out;
  }
  // Sends a packet and returns the reply (with acks, as gdb does).
  std::string ask(std::string_view payload, bool noack = false) {
    raw(frame(payload));
    if (!noack) {
      EXPECT_EQ(read_bytes(1), "+");
    }
    std::string r = packet();
    if (!noack) raw("+");
    return r;
  }
};

struct GdbServer : ::testing::Test {
  FakeTarget t;
  std::unique_ptr<Server> srv;
  std::future<int> done;
  void start(bool wait = true) {
    ServerOptions o;
    o.endpoint = "127.0.0.1:0";
    o.wait = wait;
    srv = std::make_unique<Server>(t, o);
    ASSERT_NE(srv->port(), 0);
    done = std::async(std::launch::async, [this] { return srv->run(); });
  }
  int finish() {
    if (done.wait_for(10s) != std::future_status::ready) {
      ADD_FAILURE() << "server did not finish";
      std::abort();  // a hung server thread cannot be joined
    }
    return done.get();
  }
};

TEST(GdbEndpoint, LoopbackOnlyUnlessAllowed) {
  EXPECT_EQ(parse_endpoint("127.0.0.1:1234", false).port, 1234);
  EXPECT_EQ(parse_endpoint("localhost:1", false).host, "127.0.0.1");
  EXPECT_EQ(parse_endpoint(":0", false).host, "127.0.0.1");
  EXPECT_EQ(parse_endpoint("4321", false).port, 4321);
  EXPECT_EQ(parse_endpoint("127.1.2.3:5", false).host, "127.1.2.3");
  EXPECT_THROW(parse_endpoint("0.0.0.0:1234", false), std::runtime_error);
  EXPECT_THROW(parse_endpoint("192.168.1.1:1234", false), std::runtime_error);
  EXPECT_EQ(parse_endpoint("0.0.0.0:1234", true).host, "0.0.0.0");
  EXPECT_THROW(parse_endpoint("127.0.0.1:99999", false), std::runtime_error);
  EXPECT_THROW(parse_endpoint("127.0.0.1:", false), std::runtime_error);
  EXPECT_THROW(parse_endpoint("127.0.0.1:12x", false), std::runtime_error);
  EXPECT_THROW(parse_endpoint("example.org:1", true), std::runtime_error);
}

TEST_F(GdbServer, AcksNacksAndNoAckMode) {
  start();
  Client c(srv->port());
  EXPECT_EQ(c.ask("qC"), "QC1");
  c.raw("$qC#00");                      // bad checksum: '-', the client retransmits
  EXPECT_EQ(c.read_bytes(1), "-");
  EXPECT_EQ(c.ask("qC"), "QC1");
  c.raw(frame("qfThreadInfo"));
  EXPECT_EQ(c.read_bytes(1), "+");
  EXPECT_EQ(c.packet(), "m1");
  c.raw("-");                           // we nack the reply: it comes again
  EXPECT_EQ(c.packet(), "m1");
  c.raw("+");
  EXPECT_EQ(c.ask("QStartNoAckMode"), "OK");
  EXPECT_EQ(c.ask("qC", true), "QC1");  // no '+' any more
  c.raw(frame("k"));
  EXPECT_EQ(finish(), 0);
}

TEST_F(GdbServer, OverlongPacketGetsAnErrorNotACrash) {
  start();
  Client c(srv->port());
  c.raw(frame("M1000,4000:" + std::string(2 * kPacketSize, '0')));
  EXPECT_EQ(c.read_bytes(1), "+");
  EXPECT_EQ(c.packet(), "E01");
  c.raw("+");
  EXPECT_EQ(c.ask("qC"), "QC1");
  c.raw(frame("k"));
  EXPECT_EQ(finish(), 0);
}

TEST_F(GdbServer, CtrlCInterruptsARunningContinue) {
  t.block_cont = true;
  start();
  Client c(srv->port());
  c.raw(frame("c"));
  EXPECT_EQ(c.read_bytes(1), "+");
  for (int i = 0; i < 500 && !t.running; ++i) std::this_thread::sleep_for(1ms);
  ASSERT_TRUE(t.running);
  c.raw("\x03");
  EXPECT_EQ(c.packet().substr(0, 3), "T02");
  c.raw("+");
  c.raw(frame("k"));
  EXPECT_EQ(finish(), 0);
}

TEST_F(GdbServer, CtrlCBeforeTheRunStartsIsNotLost) {
  // The ^C arrives together with the 'c' packet: the watcher sees it before
  // the target runs, and keeps interrupting until the run has ended.
  t.block_cont = true;
  start();
  Client c(srv->port());
  c.raw(frame("c") + "\x03");
  EXPECT_EQ(c.read_bytes(1), "+");
  EXPECT_EQ(c.packet().substr(0, 3), "T02");
  c.raw("+");
  c.raw(frame("k"));
  EXPECT_EQ(finish(), 0);
}

TEST_F(GdbServer, ClientVanishingMidRunLeavesMachinePausedForTheNext) {
  t.block_cont = true;
  start();
  {
    Client c(srv->port());
    EXPECT_EQ(c.ask("Z0,1000,1"), "OK");
    c.raw(frame("c"));
    EXPECT_EQ(c.read_bytes(1), "+");
    for (int i = 0; i < 500 && !t.running; ++i) std::this_thread::sleep_for(1ms);
    ASSERT_TRUE(t.running);
  }  // closed while running
  for (int i = 0; i < 500 && t.running; ++i) std::this_thread::sleep_for(1ms);
  EXPECT_FALSE(t.running);  // interrupted: the machine is paused
  Client c2(srv->port());
  EXPECT_EQ(c2.ask("?").substr(0, 3), "T05");
  EXPECT_TRUE(t.points.empty());  // the first client's breakpoint is gone
  EXPECT_EQ(c2.ask("qC"), "QC1");
  c2.raw(frame("k"));
  EXPECT_EQ(finish(), 0);
}

TEST_F(GdbServer, ClientVanishingMidPacketIsHarmless) {
  start();
  {
    Client c(srv->port());
    c.raw("$m10");  // half a packet
  }
  {
    Client c(srv->port());
    c.raw("+++garbage\x03");
  }
  Client c(srv->port());
  EXPECT_EQ(c.ask("qAttached"), "1");
  c.raw(frame("k"));
  EXPECT_EQ(finish(), 0);
}

TEST_F(GdbServer, FreeRunningMachineStopsWhenAClientArrives) {
  t.block_cont = true;
  start(/*wait=*/false);
  for (int i = 0; i < 500 && !t.running; ++i) std::this_thread::sleep_for(1ms);
  ASSERT_TRUE(t.running);
  Client c(srv->port());
  EXPECT_EQ(c.ask("?").substr(0, 3), "T05");
  EXPECT_FALSE(t.running);
  c.raw(frame("k"));
  EXPECT_EQ(finish(), 0);
}

TEST_F(GdbServer, DetachResumesAndGuestExitEndsTheServer) {
  start();
  {
    Client c(srv->port());
    t.script.push_back({StopKind::Exited, -1, 0x21, ""});  // the run after detach
    EXPECT_EQ(c.ask("D"), "OK");
  }
  EXPECT_EQ(finish(), 0x21);
  EXPECT_EQ(t.calls.back(), "cont");
}

TEST_F(GdbServer, ExitReportedToClientThenServerEndsWithGuestStatus) {
  t.script.push_back({StopKind::Exited, -1, 0x03, ""});
  start();
  Client c(srv->port());
  EXPECT_EQ(c.ask("c"), "W03");
  c.close();
  EXPECT_EQ(finish(), 3);
}

// docs/reliability.md: a client may vanish after any byte of a session -
// mid-packet, between a packet and its ack, with a long reply still being
// written (an abortive close, RST, makes that write fail) - and the stub
// serves the next client as if nothing happened.
TEST_F(GdbServer, ClientDisconnectingAfterAnyByteOfASession) {
  t.map(t.virt, 0x1000, std::string(4096, 'x'));
  start();
  std::string session;
  for (const char* p : {"qSupported:swbreak+", "?", "g", "m1000,1000", "Z0,1000,1", "s", "p10", "z0,1000,1"})
    session += frame(p) + "+";
  for (size_t cut = 0; cut <= session.size(); cut += 7) {
    Client c(srv->port());
    c.raw(std::string_view(session).substr(0, cut));
    if (cut % 2) {  // abortive close: the stub's next write fails
      const linger l{1, 0};
      ::setsockopt(c.fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
  }
  Client c(srv->port());
  EXPECT_EQ(c.ask("qAttached"), "1");
  EXPECT_EQ(c.ask("m1000,4"), "78787878");
  EXPECT_TRUE(t.points.empty());
  c.raw(frame("k"));
  EXPECT_EQ(finish(), 0);
}

}  // namespace
}  // namespace slot::gdb
