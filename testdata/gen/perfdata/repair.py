#!/usr/bin/env python3
"""repair.py IN OUT - makes a copy of an interrupted recording (data.size 0
in the header) that perf itself can read: data.size set to the complete
records before the end of the file, feature bits cleared. The facts perf
prints for the copy are what the reader must deliver from the original."""
import struct
import sys

src = open(sys.argv[1], "rb").read()
assert src[:8] == b"PERFILE2"
data_off, data_size = struct.unpack_from("<QQ", src, 40)
assert data_size == 0
pos = data_off
while pos + 8 <= len(src):
    size = struct.unpack_from("<H", src, pos + 6)[0]
    if size < 8 or pos + size > len(src):
        break
    pos += size
out = bytearray(src[:pos])
struct.pack_into("<QQ", out, 40, data_off, pos - data_off)
struct.pack_into("<4Q", out, 72, 0, 0, 0, 0)
open(sys.argv[2], "wb").write(out)
print(f"complete records: {pos - data_off} of {len(src) - data_off} bytes", file=sys.stderr)
