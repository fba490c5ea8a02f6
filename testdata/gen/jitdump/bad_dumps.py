#!/usr/bin/env python3
"""bad_dumps.py GOOD.dump OUTDIR: malformed jitdumps made from a real one.

  swapped.dump     the same records in the other byte order (valid)
  cut.dump         cut in the middle of the second record (a warning)
  magic.dump       wrong magic
  version.dump     header version 7
  tiny.dump        a record whose size (8) is smaller than its prefix
  huge.dump        a record claiming 0xfffffff0 bytes
  noname.dump      a CODE_LOAD whose name has no NUL before the record ends
  codesize.dump    a CODE_LOAD whose code_size runs past the record
  debug.dump       a DEBUG_INFO claiming 2^40 entries
"""
import struct, sys

def records(data, end='<'):
    off = 40
    while off + 16 <= len(data):
        rid, size, ts = struct.unpack_from(end + 'IIQ', data, off)
        yield off, rid, size, ts
        off += size

def swap(data):
    out = bytearray(data)
    h = struct.unpack_from('<IIIIIIQQ', data, 0)
    struct.pack_into('>IIIIIIQQ', out, 0, *h)
    for off, rid, size, ts in records(data):
        struct.pack_into('>IIQ', out, off, rid, size, ts)
        p = off + 16
        if rid == 0:
            f = struct.unpack_from('<IIQQQQ', data, p)
            struct.pack_into('>IIQQQQ', out, p, *f)
        elif rid == 1:
            f = struct.unpack_from('<IIQQQQQ', data, p)
            struct.pack_into('>IIQQQQQ', out, p, *f)
    return bytes(out)

def main():
    good, outdir = sys.argv[1], sys.argv[2]
    data = open(good, 'rb').read()
    recs = list(records(data))
    w = lambda name, b: open(f'{outdir}/{name}', 'wb').write(b)
    w('swapped.dump', swap(data))
    second = recs[1][0]
    w('cut.dump', data[:second + 30])
    w('magic.dump', b'ELF!' + data[4:])
    w('version.dump', data[:4] + struct.pack('<I', 7) + data[8:])
    first = recs[0][0]
    w('tiny.dump', data[:first + 4] + struct.pack('<I', 8) + data[first + 8:])
    w('huge.dump', data[:first + 4] + struct.pack('<I', 0xfffffff0) + data[first + 8:])
    load = next(r for r in recs if r[1] == 0)
    off, _, size, _ = load
    rec = bytearray(data[off:off + size])
    name_at = 16 + 40
    nul = rec.index(0, name_at)
    short = rec[:nul]  # the record ends inside the name
    struct.pack_into('<I', short, 4, len(short))
    w('noname.dump', data[:off] + bytes(short))
    big = bytearray(rec)
    struct.pack_into('<Q', big, 16 + 24, 1 << 40)
    w('codesize.dump', data[:off] + bytes(big) + data[off + size:])
    dbg = struct.pack('<IIQQQ', 2, 16 + 16, 0, 0, 1 << 40)
    w('debug.dump', data[:40] + dbg + data[40:])

main()
