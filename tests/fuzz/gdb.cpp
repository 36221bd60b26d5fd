// libFuzzer target: the gdb remote protocol (emu/gdb/): the byte-level
// PacketParser, then every packet it yields handled by a Session against the
// fake target of the protocol tests. Input: byte 0 picks the chunk size the
// stream is fed in (1-16 bytes: packets split at any point), the rest is
// what a client sends. Replies must be framed payloads within PacketSize.
#include <cstdio>
#include <cstdlib>

#include "emu/gdb/packet.h"
#include "emu/gdb/session.h"
#include "tests/gdb/fake_target.h"

using namespace slot;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t chunk = (data[0] & 15) + 1;
  gdb::test::FakeTarget t;
  t.map(t.virt, 0x1000, std::string(64, '\x90'));
  t.map(t.phys, 0x2000, std::string(64, '\xcc'));
  gdb::Session session(t);
  gdb::PacketParser parser(gdb::kPacketSize);
  std::vector<gdb::PacketParser::Item> items;
  const std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  for (size_t off = 0; off < in.size(); off += chunk) {
    items.clear();
    parser.feed(in.substr(off, chunk), items);
    for (const auto& it : items) {
      if (it.kind != gdb::PacketParser::Item::Packet) continue;
      if (it.payload.size() > gdb::kPacketSize) std::abort();
      const auto r = session.handle(it.payload);
      for (const auto& p : r.packets)
        if (p.size() > gdb::kPacketSize) { std::fprintf(stderr, "reply of %zu bytes\n", p.size()); std::abort(); }
      if (r.after == gdb::Session::Result::After::Kill) return 0;
      if (r.after == gdb::Session::Result::After::Detach) session.new_client();
    }
  }
  return 0;
}
