#!/usr/bin/env python3
"""bad_dumps.py GOOD.dump OUTDIR: odd and malformed jitdumps made from a real
little-endian one (testdata/jitdump-emit/jit-PID.dump, made by gen.sh), for
testdata/jitdump-bad. GOOD must start with a DEBUG_INFO, then CODE_LOADs.

Valid, the same records as GOOD:
  swapped.dump     every field in the other byte order (a big-endian writer)
  bigheader.dump   header total_size 48: 8 extra header bytes to skip
  unknown.dump     a record of unknown id 9 (24 bytes) before the first load
Cut (the records before it, then a warning):
  cut.dump         ends 30 bytes into the second CODE_LOAD
  cutprefix.dump   ends 10 bytes into the prefix of the second CODE_LOAD
Damaged (an error naming the record's offset):
  magic.dump       wrong magic ("ELF!")
  version.dump     header version 7
  hdrsize.dump     header total_size 24 (< 40)
  tiny.dump        the first record's size (8) is smaller than its prefix
  huge.dump        the first record claims 0xfffffff0 bytes (> the 1 GiB cap)
  shortload.dump   a CODE_LOAD of 36 bytes: 20 of its 40 bytes of fields
  noname.dump      a CODE_LOAD whose name has no NUL before the record ends
  codesize.dump    a CODE_LOAD whose code_size (2^40) runs past the record
  debug.dump       the DEBUG_INFO claims 2^40 entries
  debugname.dump   the DEBUG_INFO's last file name loses its NUL
  unwind.dump      an UNWINDING_INFO whose unwind_data_size (4096) exceeds it
"""
import struct, sys

def records(data, end='<'):
    off = struct.unpack_from(end + 'I', data, 8)[0]
    while off + 16 <= len(data):
        rid, size, ts = struct.unpack_from(end + 'IIQ', data, off)
        yield off, rid, size, ts
        off += size

def swap_fields(out, data, p, fmt):
    struct.pack_into('>' + fmt, out, p, *struct.unpack_from('<' + fmt, data, p))
    return p + struct.calcsize('<' + fmt)

def swap(data):
    """The same dump as a big-endian host writes it: every field swapped."""
    out = bytearray(data)
    swap_fields(out, data, 0, 'IIIIIIQQ')
    for off, rid, size, ts in records(data):
        p = swap_fields(out, data, off, 'IIQ')
        if rid == 0:
            swap_fields(out, data, p, 'IIQQQQ')
        elif rid == 1:
            swap_fields(out, data, p, 'IIQQQQQ')
        elif rid == 2:
            n = struct.unpack_from('<Q', data, p + 8)[0]
            p = swap_fields(out, data, p, 'QQ')
            for _ in range(n):
                p = swap_fields(out, data, p, 'QII')
                p = data.index(0, p) + 1
        elif rid == 4:
            swap_fields(out, data, p, 'QQQ')
    return bytes(out)

def main():
    good, outdir = sys.argv[1], sys.argv[2]
    data = open(good, 'rb').read()
    recs = list(records(data))
    assert recs[0][1] == 2 and recs[1][1] == 0, 'GOOD must start with DEBUG_INFO, CODE_LOAD'
    def w(name, b):
        with open(f'{outdir}/{name}', 'wb') as f:
            f.write(b)
    first = recs[0][0]                           # the DEBUG_INFO
    loads = [r for r in recs if r[1] == 0]
    load, load2 = loads[0][0], loads[1][0]
    lsize = loads[0][2]

    w('swapped.dump', swap(data))
    w('bigheader.dump', data[:8] + struct.pack('<I', 48) + data[12:40] + b'\xee' * 8 + data[40:])
    unk = struct.pack('<IIQ', 9, 24, 0) + b'\x5a' * 8
    w('unknown.dump', data[:load] + unk + data[load:])

    w('cut.dump', data[:load2 + 30])
    w('cutprefix.dump', data[:load2 + 10])

    w('magic.dump', b'ELF!' + data[4:])
    w('version.dump', data[:4] + struct.pack('<I', 7) + data[8:])
    w('hdrsize.dump', data[:8] + struct.pack('<I', 24) + data[12:])
    w('tiny.dump', data[:first + 4] + struct.pack('<I', 8) + data[first + 8:])
    w('huge.dump', data[:first + 4] + struct.pack('<I', 0xfffffff0) + data[first + 8:])

    short = bytearray(data[load:load + 36])
    struct.pack_into('<I', short, 4, 36)
    w('shortload.dump', data[:load] + bytes(short) + data[load + lsize:])

    rec = bytearray(data[load:load + lsize])
    nul = rec.index(0, 16 + 40)
    noname = rec[:nul]                           # the record ends inside the name
    struct.pack_into('<I', noname, 4, len(noname))
    w('noname.dump', data[:load] + bytes(noname) + data[load + lsize:])

    big = bytearray(rec)
    struct.pack_into('<Q', big, 16 + 24, 1 << 40)
    w('codesize.dump', data[:load] + bytes(big) + data[load + lsize:])

    dbg = bytearray(data)
    struct.pack_into('<Q', dbg, first + 16 + 8, 1 << 40)
    w('debug.dump', bytes(dbg))
    dsize = recs[0][2]
    dbg = bytearray(data[first:first + dsize])
    assert dbg[-1] == 0
    dbg[-1] = ord('x')                           # the last file name loses its NUL
    w('debugname.dump', data[:first] + bytes(dbg) + data[first + dsize:])

    uw = struct.pack('<IIQQQQ', 4, 16 + 24 + 24, 0, 4096, 20, 4096) + b'\x00' * 24
    w('unwind.dump', data[:load] + uw + data[load:])

main()
