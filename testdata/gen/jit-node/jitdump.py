#!/usr/bin/env python3
"""jitdump.py - looks into a jit-PID.dump (perf's jitdump format, as V8
writes it with --perf-prof) for testdata/gen/jit-node/gen.sh.

  jitdump.py stats DUMP [TIMES]   header, record counts, what the
                                  UNWINDING_INFO records hold, the Wasm
                                  code loads and the timestamp range (with
                                  TIMES, a file of `perf script -F time`
                                  lines, also the samples' range)
  jitdump.py zero DUMP OUT        a copy with the machine code of every
                                  CODE_LOAD zeroed (names, addresses, sizes,
                                  DEBUG_INFO and UNWINDING_INFO kept): the
                                  code is what makes the dump big, and the
                                  fixtures never need it
"""
import collections
import struct
import sys

NAMES = {0: 'CODE_LOAD', 1: 'CODE_MOVE', 2: 'DEBUG_INFO', 3: 'CODE_CLOSE', 4: 'UNWINDING_INFO'}


def records(d):
    off = struct.unpack_from('<I', d, 8)[0]
    while off + 16 <= len(d):
        rid, size, ts = struct.unpack_from('<IIQ', d, off)
        if size < 16 or off + size > len(d):
            break
        yield off, rid, size, ts
        off += size


def stats(path, times=None):
    d = open(path, 'rb').read()
    magic, ver, hsize, mach, _, pid, ts, flags = struct.unpack_from('<IIIIIIQQ', d, 0)
    print('header: magic %#x version %d size %d e_machine %d pid %d timestamp %d flags %#x%s' %
          (magic, ver, hsize, mach, pid, ts, flags,
           ' (ARCH_TIMESTAMP: TSC)' if flags & 1 else ' (no ARCH_TIMESTAMP: CLOCK_MONOTONIC ns)'))
    count = collections.Counter()
    unw = collections.Counter()
    wasm = []
    prev = None
    tmin = tmax = None
    loads_after_unw = 0
    tiers = collections.Counter()
    for off, rid, size, t in records(d):
        count[NAMES.get(rid, 'id %d' % rid)] += 1
        tmin = t if tmin is None else min(tmin, t)
        tmax = t if tmax is None else max(tmax, t)
        if rid == 4:
            uds, hdrs, mapped = struct.unpack_from('<QQQ', d, off + 16)
            unw['empty .eh_frame_hdr only (fde_count 0)' if uds == hdrs else 'real .eh_frame (%d bytes)' % (uds - hdrs)] += 1
        elif rid == 0:
            _, _, _, addr, csize, idx = struct.unpack_from('<IIQQQQ', d, off + 16)
            name = d[off + 56:d.index(0, off + 56)].decode('utf-8', 'replace')
            if prev == 4:
                loads_after_unw += 1
            kind = name.split(':', 1)[0] if ':' in name else 'other'
            if name.endswith(('-turbofan', '-liftoff')) and 'wasm' not in kind:
                kind = 'Wasm (JS:NAME-INDEX-TIER)'
                wasm.append((name, addr, csize, prev == 4))
            elif name.startswith('JS:'):
                kind = 'JS:' + (name[3] if len(name) > 3 and name[3] in '~^+*' else '(other)')
            tiers[kind] += 1
        prev = rid
    print('records: ' + ', '.join('%s %d' % kv for kv in sorted(count.items())))
    print('CODE_LOADs right after an UNWINDING_INFO: %d' % loads_after_unw)
    print('UNWINDING_INFO: ' + ', '.join('%s: %d' % kv for kv in unw.most_common()))
    print('CODE_LOAD names: ' + ', '.join('%s %d' % kv for kv in tiers.most_common()))
    print('Wasm code loads: %d, with UNWINDING_INFO: %d' % (len(wasm), sum(1 for w in wasm if w[3])))
    print('record timestamps: %.6f .. %.6f s' % (tmin / 1e9, tmax / 1e9))
    if times:
        ts = [float(x.strip().rstrip(':')) for x in open(times) if x.strip()]
        print('sample times (perf script): %.6f .. %.6f s' % (min(ts), max(ts)))


def zero(path, out):
    d = bytearray(open(path, 'rb').read())
    for off, rid, size, _ in list(records(d)):
        if rid == 0:
            end = d.index(0, off + 56) + 1
            csize = struct.unpack_from('<Q', d, off + 40)[0]
            assert end + csize == off + size
            d[end:off + size] = bytes(csize)
    open(out, 'wb').write(d)


if __name__ == '__main__':
    if len(sys.argv) >= 3 and sys.argv[1] == 'stats':
        stats(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    elif len(sys.argv) == 4 and sys.argv[1] == 'zero':
        zero(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
