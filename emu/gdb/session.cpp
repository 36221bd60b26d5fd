#include "emu/gdb/session.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <optional>

#include "emu/gdb/packet.h"
#include "emu/gdb/regs.h"

namespace slot::gdb {

namespace {

// Error numbers follow errno, as gdbserver's do; gdb only shows them.
const std::string kBad = "E01";      // malformed packet
const std::string kFault = "E0e";    // EFAULT: memory not accessible
const std::string kInval = "E16";    // EINVAL: refused (read-only register, unsupported point)
const std::string kEmpty;            // "not supported"

bool starts(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// "a,b" -> (a, b) in hex.
std::optional<std::pair<uint64_t, uint64_t>> two_hex(std::string_view s) {
  const size_t comma = s.find(',');
  if (comma == std::string_view::npos) return std::nullopt;
  const auto a = parse_hex(s.substr(0, comma)), b = parse_hex(s.substr(comma + 1));
  if (!a || !b) return std::nullopt;
  return std::make_pair(*a, *b);
}

std::string hex2(unsigned v) {
  char b[3];
  std::snprintf(b, sizeof b, "%02x", v & 0xFF);
  return b;
}

// Only one thread exists: ids 1, 0 ("any") and -1 ("all") name it.
bool our_thread(std::string_view tid) {
  if (starts(tid, "p")) {  // multiprocess form pPID.TID
    const size_t dot = tid.find('.');
    tid = dot == std::string_view::npos ? std::string_view("-1") : tid.substr(dot + 1);
  }
  if (tid == "-1" || tid == "0") return true;
  const auto v = parse_hex(tid);
  return v && *v == 1;
}

}  // namespace

Session::Session(Target& t) : t_(t), runner_([](const std::function<Stop()>& fn) { return fn(); }) {}

void Session::new_client() {
  noack_ = false;
  phys_ = false;
  client_swbreak_ = client_hwbreak_ = false;
  for (const auto& [key, id] : points_) t_.remove_point(id);
  points_.clear();
  by_id_.clear();
  if (!exited_) last_stop_ = Stop{};
}

void Session::set_initial_stop(const Stop& s) { last_stop_ = s; }

std::string Session::t05(const std::string& reason, int signal) {
  // Expedite rbp, rsp and rip (regnums 6, 7, 0x10): gdb needs them at once.
  const cpu::CpuState s = t_.regs();
  std::string r = "T";
  r += hex2(unsigned(signal));
  r += reason;
  r += "thread:1;06:";
  r += encode_reg(s, 6);
  r += ";07:";
  r += encode_reg(s, 7);
  r += ";10:";
  r += encode_reg(s, 16);
  r += ';';
  return r;
}

std::vector<std::string> Session::stop_packets(const Stop& s) {
  switch (s.kind) {
    case StopKind::Exited:
      exited_ = true;
      exit_status_ = s.status;
      return {std::string("W").append(hex2(s.status))};
    case StopKind::Shutdown:
      // Like QEMU with -no-reboot: the machine is gone; say why on the console first.
      exited_ = true;
      exit_status_ = 0;
      return {std::string("O").append(to_hex("slotlab: machine shut down: " + s.message + "\n")), "W00"};
    case StopKind::Interrupt: return {t05("", 2)};
    case StopKind::HistoryStart: return {t05("replaylog:begin;")};
    case StopKind::Point: {
      const auto it = by_id_.find(s.point);
      if (it == by_id_.end()) return {t05("")};
      const auto& [type, addr, len] = it->second;
      switch (type) {
        case PointType::Software: return {t05(client_swbreak_ ? "swbreak:;" : "")};
        case PointType::Hardware: return {t05(client_hwbreak_ ? "hwbreak:;" : "")};
        case PointType::Write: {
          char b[32];
          std::snprintf(b, sizeof b, "watch:%llx;", (unsigned long long)addr);
          return {t05(b)};
        }
      }
      return {t05("")};
    }
    case StopKind::Step:
    case StopKind::Other: break;
  }
  return {t05("")};
}

Session::Result Session::run(const std::function<Stop()>& fn) {
  Result r;
  if (!exited_) last_stop_ = runner_(fn);  // once exited nothing runs: report the exit again
  r.packets = stop_packets(last_stop_);
  return r;
}

Session::Result Session::handle(std::string_view p) {
  if (p.empty()) return one(kEmpty);
  const char c = p[0];
  const std::string_view rest = p.substr(1);
  switch (c) {
    case '?': { Result r; r.packets = stop_packets(last_stop_); return r; }
    case 'g': return one(encode_regs(t_.regs()));
    case 'G': {
      cpu::CpuState s = t_.regs();
      if (rest.size() % 2) return one(kBad);
      if (!decode_regs(s, rest)) return one(kInval);
      return one(t_.set_regs(s) ? "OK" : kInval);
    }
    case 'p': {
      const auto n = parse_hex(rest);
      if (!n) return one(kBad);
      if (*n >= reg_count()) return one(kInval);
      return one(encode_reg(t_.regs(), *n));
    }
    case 'P': {
      const size_t eq = rest.find('=');
      const auto n = eq == std::string_view::npos ? std::nullopt : parse_hex(rest.substr(0, eq));
      if (!n) return one(kBad);
      cpu::CpuState s = t_.regs();
      if (*n >= reg_count() || !decode_reg(s, *n, rest.substr(eq + 1))) return one(kInval);
      return one(t_.set_regs(s) ? "OK" : kInval);
    }
    case 'm': return read_memory(rest);
    case 'M': return write_memory(rest, false);
    case 'X': return write_memory(rest, true);
    case 'Z': return point(true, rest);
    case 'z': return point(false, rest);
    case 's': case 'c': return resume(c, rest);
    case 'S': case 'C': {
      // "C sig[;addr]": signals cannot be delivered to a machine; resume as s/c.
      const size_t semi = rest.find(';');
      if (!parse_hex(rest.substr(0, semi))) return one(kBad);
      return resume(char(c - 'A' + 'a'), semi == std::string_view::npos ? "" : rest.substr(semi + 1));
    }
    case 'b':
      if (rest == "s") return run([this] { return t_.reverse_step(); });
      if (rest == "c") return run([this] { return t_.reverse_cont(); });
      return one(kEmpty);
    case 'H': return one(rest.size() >= 2 && our_thread(rest.substr(1)) ? "OK" : kBad);
    case 'T': return one(our_thread(rest) ? "OK" : kBad);
    case 'k': { Result r; r.after = Result::After::Kill; return r; }
    case 'D': { Result r = one("OK"); r.after = Result::After::Detach; return r; }
    case 'v':
      if (starts(p, "vCont?")) return one("vCont;c;C;s;S");
      if (starts(p, "vCont;")) return v_cont(p.substr(6));
      if (starts(p, "vKill")) { Result r = one("OK"); r.after = Result::After::Kill; return r; }
      return one(kEmpty);
    case 'q':
      if (starts(p, "qSupported")) return q_supported(p.substr(10));
      if (starts(p, "qXfer:features:read:")) return q_xfer(p.substr(20));
      if (p == "qAttached" || starts(p, "qAttached:")) return one("1");  // attached to an existing machine: k leaves it to us
      if (p == "qC") return one("QC1");
      if (p == "qfThreadInfo") return one("m1");
      if (p == "qsThreadInfo") return one("l");
      if (starts(p, "qRcmd,")) return q_rcmd(p.substr(6));
      if (p == "qqemu.PhyMemMode") return one(phys_ ? "1" : "0");
      if (starts(p, "qSymbol")) return one("OK");
      return one(kEmpty);
    case 'Q':
      if (p == "QStartNoAckMode") { noack_ = true; return one("OK"); }
      if (starts(p, "Qqemu.PhyMemMode:")) {
        const std::string_view v = p.substr(17);
        if (v != "0" && v != "1") return one(kBad);
        phys_ = v == "1";
        return one("OK");
      }
      return one(kEmpty);
    default: return one(kEmpty);
  }
}

Session::Result Session::resume(char action, std::string_view addr) {
  if (!addr.empty()) {  // "c addr": resume at addr
    const auto a = parse_hex(addr);
    if (!a) return one(kBad);
    cpu::CpuState s = t_.regs();
    s.rip = code64(s) ? *a : *a & 0xFFFFFFFFu;
    if (!t_.set_regs(s)) return one(kInval);
  }
  if (action == 's') return run([this] { return t_.step(); });
  return run([this] { return t_.cont(); });
}

Session::Result Session::v_cont(std::string_view args) {
  // "s:1;c": the first action that applies to our thread wins.
  while (!args.empty()) {
    const size_t semi = args.find(';');
    std::string_view act = args.substr(0, semi);
    args = semi == std::string_view::npos ? std::string_view() : args.substr(semi + 1);
    const size_t colon = act.find(':');
    if (colon != std::string_view::npos) {
      if (!our_thread(act.substr(colon + 1))) continue;
      act = act.substr(0, colon);
    }
    if (act.empty()) return one(kBad);
    const char a = act[0];
    if ((a == 'C' || a == 'S') && !parse_hex(act.substr(1))) return one(kBad);
    if ((a == 'c' || a == 's') && act.size() != 1) return one(kBad);
    if (a == 's' || a == 'S') return resume('s', "");
    if (a == 'c' || a == 'C') return resume('c', "");
    return one(kBad);
  }
  return one(kBad);
}

Session::Result Session::q_supported(std::string_view args) {
  // The client's features follow a ':' separated by ';' ("swbreak+;hwbreak+;...").
  if (starts(args, ":")) args.remove_prefix(1);
  while (!args.empty()) {
    const size_t semi = args.find(';');
    const std::string_view f = args.substr(0, semi);
    if (f == "swbreak+") client_swbreak_ = true;
    if (f == "hwbreak+") client_hwbreak_ = true;
    if (semi == std::string_view::npos) break;
    args.remove_prefix(semi + 1);
  }
  char size[16];
  std::snprintf(size, sizeof size, "%zx", kPacketSize);
  return one(std::string("PacketSize=") + size +
             ";qXfer:features:read+;QStartNoAckMode+;swbreak+;hwbreak+;ReverseStep+;ReverseContinue+;vContSupported+");
}

Session::Result Session::q_xfer(std::string_view args) {
  // "ANNEX:offset,length"
  const size_t colon = args.find(':');
  if (colon == std::string_view::npos) return one(kBad);
  const auto range = two_hex(args.substr(colon + 1));
  if (!range) return one(kBad);
  const auto doc = target_description(args.substr(0, colon));
  if (!doc) return one("E00");  // unknown annex
  const auto [off, len] = *range;
  if (off >= doc->size()) return one("l");
  size_t n = size_t(std::min<uint64_t>(len, doc->size() - off));
  std::string body;
  for (;;) {  // escaping may grow the chunk: shrink until it fits a packet
    body = escape_binary(std::string_view(*doc).substr(size_t(off), n));
    if (body.size() + 1 <= kPacketSize || n <= 1) break;
    n /= 2;
  }
  return one((off + n >= doc->size() ? "l" : "m") + body);
}

Session::Result Session::q_rcmd(std::string_view hex) {
  const auto cmd = from_hex(hex);
  if (!cmd) return one(kBad);
  std::string text;
  try {
    text = t_.monitor(*cmd);
  } catch (const std::exception& e) {
    text = std::string("error: ") + e.what() + "\n";
  }
  Result r;
  // Console output goes in 'O' packets, each within the packet size; then OK.
  const size_t chunk = kPacketSize / 2 - 8;
  for (size_t i = 0; i < text.size(); i += chunk) r.packets.push_back(std::string("O").append(to_hex(text.substr(i, chunk))));
  r.packets.push_back("OK");
  return r;
}

Session::Result Session::read_memory(std::string_view args) {
  const auto range = two_hex(args);
  if (!range) return one(kBad);
  // A reply may be shorter than asked (gdb manual, 'm'): clamp to the packet size.
  const size_t n = size_t(std::min<uint64_t>(range->second, kPacketSize / 2 - 8));
  std::string buf(n, '\0');
  const size_t got = t_.read(range->first, phys_, buf.data(), n);
  if (got == 0 && n != 0) return one(kFault);
  return one(to_hex(buf.data(), got));
}

Session::Result Session::write_memory(std::string_view args, bool binary) {
  const size_t colon = args.find(':');
  if (colon == std::string_view::npos) return one(kBad);
  const auto range = two_hex(args.substr(0, colon));
  if (!range) return one(kBad);
  const auto data = binary ? unescape_binary(args.substr(colon + 1)) : from_hex(args.substr(colon + 1));
  if (!data || data->size() != range->second) return one(kBad);
  if (data->empty()) return one("OK");  // gdb probes X support with a zero-length write
  const size_t done = t_.write(range->first, phys_, data->data(), data->size());
  return one(done == data->size() ? "OK" : kFault);
}

Session::Result Session::point(bool insert, std::string_view args) {
  // "type,addr,kind[;cond...]": conditions are not offered in qSupported.
  args = args.substr(0, args.find(';'));
  if (args.size() < 2 || args[1] != ',') return one(kBad);
  const auto range = two_hex(args.substr(2));
  if (!range) return one(kBad);
  PointType type;
  switch (args[0]) {
    case '0': type = PointType::Software; break;
    case '1': type = PointType::Hardware; break;
    case '2': type = PointType::Write; break;
    case '3': case '4': return one(kEmpty);  // read / access watchpoints: the engine watches writes only
    default: return one(kBad);
  }
  const uint64_t len = type == PointType::Write ? range->second : 1;
  if (type == PointType::Write && (len == 0 || len > 4096)) return one(kInval);
  const Key key{type, range->first, len};
  const auto it = points_.find(key);
  if (insert) {
    if (it != points_.end()) return one("OK");  // inserting twice is harmless (gdb manual, Z packets)
    const int id = t_.add_point(type, range->first, len);
    if (id < 0) return one(kInval);
    points_[key] = id;
    by_id_[id] = key;
    return one("OK");
  }
  if (it != points_.end()) {
    t_.remove_point(it->second);
    by_id_.erase(it->second);
    points_.erase(it);
  }
  return one("OK");
}

}  // namespace slot::gdb
