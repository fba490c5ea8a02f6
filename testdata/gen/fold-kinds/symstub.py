#!/usr/bin/env python3
"""symstub.py ELF ADDRS > NAMES

Which .symtab symbols of ELF a symbol-only stub must keep so that perf 6.1's
rules (as symbolizer/native_symtab.c follows them) name every address of
ADDRS (one hex address a line, as `perf script` prints them for the file:
map-relative file offsets) exactly as the whole table does:
  - every symbol perf loads (STT_FUNC/GNU_IFUNC/OBJECT with a section,
    STT_NOTYPE labels in an allocated "text" section, not hidden/internal,
    never SHN_ABS) that contains an address, with its ends fixed as perf
    fixes them (a zero-size symbol ends where the next one starts);
  - closed under: every symbol at the same start (perf keeps one of them by
    comparing them all), and for a zero-size symbol every symbol at the next
    start (which gives its end), and every loaded symbol of a kept name
    (objcopy --keep-symbols works by name).
Prints the kept names (raw, mangled), for objcopy --keep-symbols."""
import bisect
import struct
import sys


def read_elf(path):
    data = open(path, 'rb').read()
    if data[:4] != b'\x7fELF' or data[4] != 2 or data[5] != 1:
        sys.exit('symstub: %s: not a little-endian ELF64 file' % path)
    (e_phoff, e_shoff) = struct.unpack_from('<QQ', data, 0x20)
    (e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx) = struct.unpack_from('<HHHHH', data, 0x36)
    loads = []
    for i in range(e_phnum):
        p_type, _, p_offset, p_vaddr, _, _, p_memsz, _ = struct.unpack_from(
            '<IIQQQQQQ', data, e_phoff + i * e_phentsize)
        if p_type == 1:
            loads.append((p_vaddr, p_memsz, p_offset))
    secs = []
    for i in range(e_shnum):
        (name, typ, flags, addr, off, size, link, _, _, entsize) = struct.unpack_from(
            '<IIQQQQIIQQ', data, e_shoff + i * e_shentsize)
        secs.append(dict(name=name, type=typ, flags=flags, addr=addr, off=off, size=size,
                         link=link, entsize=entsize))
    shstr = secs[e_shstrndx]

    def cstr(off):
        return data[off:data.index(b'\0', off)].decode('latin-1')
    for s in secs:
        s['sname'] = cstr(shstr['off'] + s['name'])
    return data, loads, secs, cstr


def load_symbols(path):
    """The symbols perf 6.1 loads from path's .symtab, in table order:
    dicts with start (a file offset, as perf adjusts them), size, bind and
    name."""
    data, loads, secs, cstr = read_elf(path)
    symtab = [s for s in secs if s['type'] == 2]
    if not symtab:
        sys.exit('symstub: %s: no .symtab' % path)
    st = symtab[0]
    strtab = secs[st['link']]
    syms = []
    for i in range(st['size'] // st['entsize']):
        name, info, other, shndx, value, size = struct.unpack_from(
            '<IBBHQQ', data, st['off'] + i * st['entsize'])
        if name == 0:
            continue
        typ, vis = info & 15, other & 3
        if shndx == 0 or shndx >= 0xff00:
            continue
        sec = secs[shndx]
        if not sec['flags'] & 2:  # SHF_ALLOC
            continue
        if typ == 0:
            if vis in (1, 2) or 'text' not in sec['sname']:
                continue
        elif typ not in (1, 2, 10):
            continue
        start = value
        for (va, memsz, off) in loads:
            if va <= value < va + memsz:
                start = value - va + off
                break
        else:
            if sec['type'] != 8:
                start = value - sec['addr'] + sec['off']
        syms.append(dict(start=start, size=size, bind=info >> 4,
                         name=cstr(strtab['off'] + name)))
    return syms


def main():
    elf, addr_file = sys.argv[1], sys.argv[2]
    syms = [(s['start'], i, s['size'], s['name']) for i, s in enumerate(load_symbols(elf))]
    syms.sort()
    starts = [s[0] for s in syms]
    ends = [s[0] + s[2] for s in syms]
    for i in range(len(syms) - 1):
        if ends[i] == starts[i]:
            ends[i] = starts[i + 1]
    if ends[-1] == starts[-1]:
        ends[-1] = (starts[-1] + 4095) // 4096 * 4096 + 4096
    by_name = {}
    for i, s in enumerate(syms):
        by_name.setdefault(s[3], []).append(i)

    keep = set()
    for line in open(addr_file):
        line = line.strip()
        if not line:
            continue
        a = int(line, 16)
        j = bisect.bisect_right(starts, a)
        for k in range(j - 1, max(j - 5000, 0) - 1, -1):
            if a < ends[k] or a == starts[k]:
                keep.add(k)
    todo = list(keep)
    while todo:
        k = todo.pop()
        group = []
        lo = bisect.bisect_left(starts, starts[k])
        hi = bisect.bisect_right(starts, starts[k])
        group.extend(range(lo, hi))
        if syms[k][2] == 0 and hi < len(syms):
            group.extend(range(hi, bisect.bisect_right(starts, starts[hi])))
        group.extend(by_name[syms[k][3]])
        for g in group:
            if g not in keep:
                keep.add(g)
                todo.append(g)
    for name in sorted({syms[k][3] for k in keep}):
        print(name)
    print('symstub: %d of %d symbols kept' % (len(keep), len(syms)), file=sys.stderr)


if __name__ == '__main__':
    main()
