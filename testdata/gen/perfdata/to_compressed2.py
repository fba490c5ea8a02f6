#!/usr/bin/env python3
"""to_compressed2.py IN OUT - rewrites a file-mode perf.data made with
`perf record -z` so that its PERF_RECORD_COMPRESSED (81) records become
PERF_RECORD_COMPRESSED2 (83): header, u64 data_size, payload, zero padding to
8 bytes (the layout of newer perf, research/perfdata-format.md §1.3). Each
payload is also cut in two records, which the one continuous zstd stream
allows, to exercise records that straddle COMPRESSED2 boundaries. The feature
sections move with the end of the data section; their table is updated."""
import struct
import sys

src = open(sys.argv[1], "rb").read()
magic, hsize, attr_size = struct.unpack_from("<8sQQ", src, 0)
assert magic == b"PERFILE2" and hsize == 104
data_off, data_size = struct.unpack_from("<QQ", src, 40)
features = struct.unpack_from("<4Q", src, 72)

out = bytearray()
pos, end = data_off, data_off + data_size
n81 = 0
while pos < end:
    typ, misc, size = struct.unpack_from("<IHH", src, pos)
    rec = src[pos:pos + size]
    if typ == 81:
        n81 += 1
        payload = rec[8:]
        half = len(payload) // 2
        for chunk in (payload[:half], payload[half:]):
            body = struct.pack("<Q", len(chunk)) + chunk
            body += b"\0" * (-(8 + len(body)) % 8)
            out += struct.pack("<IHH", 83, misc, 8 + len(body)) + body
    else:
        out += rec
    pos += size

nfeat = sum(bin(f).count("1") for f in features)
table_off = end
new_end = data_off + len(out)
table = []
for i in range(nfeat):
    off, size = struct.unpack_from("<QQ", src, table_off + 16 * i)
    table.append((off, size))
feat_data = bytearray()
new_table = []
base = new_end + 16 * nfeat
for off, size in table:
    new_table.append((base + len(feat_data), size))
    feat_data += src[off:off + size]

hdr = bytearray(src[:data_off])
struct.pack_into("<QQ", hdr, 40, data_off, len(out))
res = hdr + out + b"".join(struct.pack("<QQ", o, s) for o, s in new_table) + feat_data
open(sys.argv[2], "wb").write(res)
print(f"{n81} COMPRESSED records -> {2 * n81} COMPRESSED2", file=sys.stderr)
