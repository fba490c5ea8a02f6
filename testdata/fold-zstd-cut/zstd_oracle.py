#!/usr/bin/env python3
# zstd_oracle.py FILE BYTES: how many SAMPLE records can be recovered from the
# first BYTES bytes of the file-mode perf.data FILE, worked out without
# wasmperf: plain records wholly present, and the records that `zstd -dc`
# inflates whole from the COMPRESSED/COMPRESSED2 payload bytes present (the
# payloads of a file are one zstd stream; zstd decodes whole blocks only).
import struct, subprocess, sys

whole = open(sys.argv[1], 'rb').read()
b = whole[:int(sys.argv[2])]
doff, dsz = struct.unpack_from('<QQ', whole, 40)
p, end, stream, plain = doff, min(doff + dsz, len(b)), b'', 0
while p + 8 <= end:
    rtype, _, size = struct.unpack_from('<IHH', b, p)
    if rtype in (81, 83):  # COMPRESSED, COMPRESSED2 (u64 data_size first)
        hdr = 16 if rtype == 83 else 8
        n = struct.unpack_from('<Q', b, p + 8)[0] if rtype == 83 else size - hdr
        if p + hdr <= end:
            stream += b[p + hdr:min(p + hdr + n, end)]
    elif rtype == 9 and p + size <= end:
        plain += 1
    p += size
out = subprocess.run(['zstd', '-dcq'], input=stream, capture_output=True).stdout if stream else b''
q = inner = 0
while q + 8 <= len(out):
    rtype, _, size = struct.unpack_from('<IHH', out, q)
    if size < 8 or q + size > len(out):
        break
    inner += rtype == 9
    q += size
print(plain + inner)
