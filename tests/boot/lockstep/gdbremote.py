"""Minimal GDB remote serial protocol client for x86 targets (standard library only).

Speaks the packet layer ($data#cs with +/- acks, optional no-ack mode,
run-length decoding), reads the register layout from the target description
(qXfer:features:read, following xi:include) or, when the stub offers none,
infers it from the size of each 'g' reply: the amd64 layout (>= 164 bytes) or
the i386 layout (>= 64 bytes). A multiboot kernel starts in 32-bit protected
mode and switches to long mode, so a stub may change register sets mid-run;
without a target description the layout is re-inferred on every read.

Register values are returned under canonical 64-bit names (eax -> rax,
eip -> rip, eflags -> rflags) together with the width the stub reported.
"""
import socket
import time
import xml.etree.ElementTree as ET

GPR64 = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
         "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"]
CANON = {"eax": "rax", "ebx": "rbx", "ecx": "rcx", "edx": "rdx", "esi": "rsi", "edi": "rdi",
         "ebp": "rbp", "esp": "rsp", "eip": "rip", "eflags": "rflags"}
SEGS = ["cs", "ss", "ds", "es", "fs", "gs"]
# gdb's fixed layouts when no target description is offered: (name, bytes).
AMD64 = [(r, 8) for r in GPR64] + [("rip", 8), ("eflags", 4)] + [(s, 4) for s in SEGS]
I386 = [(r, 4) for r in ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "eip", "eflags"]] + \
       [(s, 4) for s in SEGS]


class GdbError(Exception):
    pass


class Layout:
    """Registers of one 'g' packet: list of (regnum, name, bytes, offset)."""

    def __init__(self, regs):
        self.regs, off = [], 0
        for num, name, size in regs:
            self.regs.append((num, name, size, off))
            off += size
        self.size = off
        self.by_name = {CANON.get(n, n): (num, n, size, o) for num, n, size, o in self.regs}

    @property
    def wide(self):
        return self.by_name.get("rip", (0, "", 8, 0))[2] == 8

    @staticmethod
    def fixed(table):
        return Layout([(i, n, s) for i, (n, s) in enumerate(table)])


class Gdb:
    def __init__(self, host, port, timeout=10.0, connect_wait=10.0):
        deadline = time.time() + connect_wait
        while True:
            try:
                self.sock = socket.create_connection((host, port), timeout=timeout)
                break
            except OSError:
                if time.time() > deadline:
                    raise GdbError(f"cannot connect to gdb stub at {host}:{port}")
                time.sleep(0.05)
        self.sock.settimeout(timeout)
        # One small packet per round trip: without TCP_NODELAY, Nagle + delayed ACK add ~40 ms each.
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.noack = False
        self.layout = None      # from the target description, if any
        self.features = {}

    # ---- packet layer ----
    def _byte(self):
        while not self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise GdbError("connection closed by the stub")
            self.buf += chunk
        b, self.buf = self.buf[:1], self.buf[1:]
        return b

    def send(self, data):
        raw = data.encode("latin-1")
        pkt = b"$" + raw + b"#%02x" % (sum(raw) & 0xFF)
        for _ in range(10):
            self.sock.sendall(pkt)
            if self.noack:
                return
            c = self._byte()
            while c not in (b"+", b"-"):
                c = self._byte()
            if c == b"+":
                return
        raise GdbError("stub keeps rejecting packet " + data[:40])

    def recv(self):
        while self._byte() != b"$":
            pass
        body = bytearray()
        while True:
            c = self._byte()
            if c == b"#":
                break
            body += c
        csum = int((self._byte() + self._byte()).decode(), 16)
        if sum(body) & 0xFF != csum:
            if not self.noack:
                self.sock.sendall(b"-")
            return self.recv()
        if not self.noack:
            self.sock.sendall(b"+")
        return self._unrle(bytes(body)).decode("latin-1")

    @staticmethod
    def _unrle(body):
        out, i = bytearray(), 0
        while i < len(body):
            if body[i:i + 1] == b"*" and out:
                out += out[-1:] * (body[i + 1] - 29)
                i += 2
            else:
                out.append(body[i])
                i += 1
        return bytes(out)

    def request(self, data):
        self.send(data)
        return self.recv()

    # ---- session ----
    def handshake(self):
        reply = self.request("qSupported:multiprocess-;swbreak+;hwbreak+;xmlRegisters=i386")
        for item in reply.split(";"):
            if item.endswith("+"):
                self.features[item[:-1]] = True
            elif "=" in item:
                k, v = item.split("=", 1)
                self.features[k] = v
        if self.features.get("QStartNoAckMode") and self.request("QStartNoAckMode") == "OK":
            self.noack = True
        if self.features.get("qXfer:features:read"):
            self.layout = self._read_description()
        self.request("?")

    def _xfer(self, annex):
        data, off = "", 0
        while True:
            r = self.request(f"qXfer:features:read:{annex}:{off:x},800")
            if not r or r[0] not in "ml":
                raise GdbError(f"qXfer {annex} failed: {r[:40]!r}")
            chunk = self._unescape(r[1:])
            data += chunk
            off += len(chunk)
            if r[0] == "l":
                return data

    @staticmethod
    def _unescape(s):
        out, i = [], 0
        while i < len(s):
            if s[i] == "}":
                out.append(chr(ord(s[i + 1]) ^ 0x20))
                i += 2
            else:
                out.append(s[i])
                i += 1
        return "".join(out)

    def _read_description(self):
        regs, nextnum = [], [0]

        def walk(annex):
            # QEMU writes <xi:include> without declaring the xi namespace.
            root = ET.fromstring(self._xfer(annex).replace("xi:include", "include"))
            for el in root.iter():
                tag = el.tag.split("}")[-1]
                if tag == "include":
                    walk(el.get("href"))
                elif tag == "reg":
                    num = int(el.get("regnum", nextnum[0]))
                    regs.append((num, el.get("name"), int(el.get("bitsize")) // 8))
                    nextnum[0] = num + 1
        walk("target.xml")
        regs.sort(key=lambda r: r[0])
        return Layout(regs) if regs else None

    # ---- registers ----
    def read_registers(self):
        """Returns (values by canonical name, layout used)."""
        reply = self.request("g")
        if not reply or reply[0] == "E":
            raise GdbError(f"'g' failed: {reply[:20]!r}")
        raw = bytes.fromhex(reply.replace("x", "0"))
        layout = self.layout
        if layout is None or layout.size > len(raw):
            layout = Layout.fixed(AMD64 if len(raw) >= 164 else I386)
        if layout.size > len(raw):
            raise GdbError(f"'g' reply of {len(raw)} bytes fits no x86 layout")
        values = {}
        for _, name, size, off in layout.regs:
            values[CANON.get(name, name)] = int.from_bytes(raw[off:off + size], "little")
        return values, layout, raw

    def write_registers(self, updates):
        """Writes {canonical name: value}: 'P' per register, else one 'G'."""
        values, layout, raw = self.read_registers()
        ok = True
        for name, value in updates.items():
            if name not in layout.by_name:
                continue
            num, _, size, _ = layout.by_name[name]
            data = (value & ((1 << 8 * size) - 1)).to_bytes(size, "little").hex()
            if self.request(f"P{num:x}={data}") != "OK":
                ok = False
                break
        if ok:
            return
        buf = bytearray(raw)
        for name, value in updates.items():
            if name in layout.by_name:
                _, _, size, off = layout.by_name[name]
                buf[off:off + size] = (value & ((1 << 8 * size) - 1)).to_bytes(size, "little")
        if self.request("G" + buf.hex()) != "OK":
            raise GdbError("stub accepts neither 'P' nor 'G'")

    def read_memory(self, addr, length):
        r = self.request(f"m{addr:x},{length:x}")
        return bytes.fromhex(r) if r and r[0] != "E" else b""

    # ---- execution ----
    def step(self):
        return self.request("s")

    def run_to(self, addr, timeout):
        """Continue until `addr` (hardware breakpoint, else software). Returns the stop reply."""
        kind = None
        for z in ("1", "0"):
            if self.request(f"Z{z},{addr:x},1") == "OK":
                kind = z
                break
        if kind is None:
            raise GdbError("stub supports no breakpoints")
        old = self.sock.gettimeout()
        self.sock.settimeout(timeout)
        try:
            reply = self.request("c")
        finally:
            self.sock.settimeout(old)
        self.request(f"z{kind},{addr:x},1")
        return reply

    def kill(self):
        try:
            self.send("k")
        except (OSError, GdbError):
            pass
        self.sock.close()
