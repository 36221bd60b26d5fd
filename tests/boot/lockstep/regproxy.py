"""A gdb-remote proxy in front of a QEMU stub, for testing lockstep.py itself.

It plays a stub without a target description that switches register sets the
way a multiboot kernel switches modes: 'g' replies use gdb's i386 layout while
EFER.LMA = 0 and the amd64 layout afterwards ('P'/'G' writes are translated
back). With `corrupt_at=K` it flips bit 0 of RAX in the registers it reports
after the K-th single step, so lockstep must report a divergence at step K.
"""
import socket
import threading

from gdbremote import AMD64, CANON, I386, Gdb, Layout

LMA = 1 << 10


class ServerSide(Gdb):
    """The packet layer of Gdb on an accepted socket (acks on, no handshake)."""

    def __init__(self, sock):  # pylint: disable=super-init-not-called
        self.sock, self.buf, self.noack, self.layout, self.features = sock, b"", False, None, {}


class RegProxy(threading.Thread):
    def __init__(self, upstream_port, corrupt_at=None):
        super().__init__(daemon=True)
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        self.upstream_port, self.corrupt_at = upstream_port, corrupt_at
        self.steps, self.layouts_served = 0, set()
        self.current = Layout.fixed(I386)
        self.error = None

    def run(self):
        try:
            up = Gdb("127.0.0.1", self.upstream_port)
            up.handshake()
            conn, _ = self.listener.accept()
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            client = ServerSide(conn)
            while True:
                pkt = client.recv()
                if pkt == "k":
                    up.kill()
                    conn.close()
                    return
                client.send(self.handle(up, pkt))
        except Exception as e:  # reported by the test
            self.error = e

    def handle(self, up, pkt):
        if pkt.startswith("qSupported"):
            return "PacketSize=4000;hwbreak+"
        if pkt.startswith("qXfer") or pkt.startswith("QStartNoAckMode"):
            return ""
        if pkt == "g":
            values, _, _ = up.read_registers()
            self.current = Layout.fixed(AMD64 if values.get("efer", 0) & LMA else I386)
            self.layouts_served.add("amd64" if self.current.wide else "i386")
            if self.corrupt_at is not None and self.steps == self.corrupt_at:
                values["rax"] ^= 1
            out = bytearray()
            for _, name, size, _ in self.current.regs:
                out += (values.get(CANON.get(name, name), 0) & ((1 << 8 * size) - 1)).to_bytes(size, "little")
            return out.hex()
        if pkt.startswith("P"):
            num, data = pkt[1:].split("=")
            _, name, _, _ = self.current.regs[int(num, 16)]
            up.write_registers({CANON.get(name, name): int.from_bytes(bytes.fromhex(data), "little")})
            return "OK"
        if pkt.startswith("G"):
            raw = bytes.fromhex(pkt[1:])
            up.write_registers({CANON.get(n, n): int.from_bytes(raw[o:o + s], "little")
                                for _, n, s, o in self.current.regs if n in CANON or n.startswith("r")})
            return "OK"
        if pkt == "s":
            self.steps += 1
        return up.request(pkt)
