# disk_expect.py ORIG NAME AT BYTES SEED OUT: what `workload=cat file=NAME
# write=BYTES at=AT seed=SEED` must leave on the ustar image ORIG. Writes the
# expected image to OUT and prints the expected CAT line (computed here from
# Python's tarfile and zlib, not by the guest).
import sys, tarfile, zlib
orig, name, at, n, seed, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
img = bytearray(open(orig, "rb").read())
with tarfile.open(orig) as t:
    m = t.getmember(name)
start, size = m.offset_data, m.size
for i in range(min(n, max(0, size - at))):  # abi::cat_pattern
    img[start + at + i] = (seed * 31 + i * 7 + (i >> 9)) & 0xFF
open(out, "wb").write(img)
data = bytes(img[start:start + size])
print("CAT file=%s bytes=%d crc32=%08x" % (name, size, zlib.crc32(data)))
