#!/usr/bin/env python3
"""funcoff.py ELF REGEX - the file offset of the one function of ELF's
.symtab whose demangled name (with its parameter list) matches REGEX
(Python re.search; `[clone .cold]` parts are never matched), for
`perf probe -x ELF NAME=0xOFFSET`: C++ functions have no name perf probe
accepts, and their %return cannot be put on a local symbol by name.
Prints `0xOFFSET MANGLED_NAME`; exits 1 unless exactly one address matches."""
import re
import struct
import subprocess
import sys

elf, pattern = sys.argv[1], re.compile(sys.argv[2])
# nm -p keeps the table order, so the demangled and raw lists line up
raw = subprocess.run(['nm', '-p', '--defined-only', elf], capture_output=True,
                     text=True, check=True).stdout.splitlines()
dem = subprocess.run(['nm', '-p', '-C', '--defined-only', elf], capture_output=True,
                     text=True, check=True).stdout.splitlines()
assert len(raw) == len(dem)
hits = {}
for r, d in zip(raw, dem):
    addr, kind, name = d.split(' ', 2)
    if kind not in 'tTwW' or '[clone' in name or not pattern.search(name):
        continue
    hits.setdefault(int(addr, 16), r.split(' ', 2)[2])
if len(hits) != 1:
    sys.exit('funcoff: %s: %d functions match %s: %s' % (elf, len(hits), sys.argv[2],
             ' '.join(sorted(hits.values()))))
vaddr, name = next(iter(hits.items()))
data = open(elf, 'rb').read()
phoff, = struct.unpack_from('<Q', data, 0x20)
phentsize, phnum = struct.unpack_from('<HH', data, 0x36)
for i in range(phnum):
    p_type, _, p_offset, p_vaddr, _, _, p_memsz, _ = struct.unpack_from(
        '<IIQQQQQQ', data, phoff + i * phentsize)
    if p_type == 1 and p_vaddr <= vaddr < p_vaddr + p_memsz:
        print('0x%x %s' % (vaddr - p_vaddr + p_offset, name))
        break
else:
    sys.exit('funcoff: %s: 0x%x is in no PT_LOAD segment' % (elf, vaddr))
