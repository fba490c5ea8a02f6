#!/bin/sh
# gen_corpus_native_elf.sh - seeds for fuzz_native_elf: a first byte (1:
# demangle) and an ELF file. Small test fixtures as they are, and one
# shared object made here with what the loader treats specially: C++
# names (constructor aliases C1/C2 at one address), a weak and a global
# alias, a zero-size label, and symbols that nest and cross (so perf's tree
# is replayed); and a hostile copy of it with two symbol tables over
# overlapping string tables. Needs g++ and python3. Run from anywhere: sh tests/fuzz/gen_corpus_native_elf.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$here/corpus/native_elf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

seed() { # NAME FLAG FILE
	{ printf "\\$(printf %03o "$2")"; cat "$3"; } >"$out/$1"
}

cat >"$tmp/cls.cc" <<'CC'
namespace geo {
struct Point {
	Point(int x);
	~Point();
	int x;
};
Point::Point(int v) : x(v) {}
Point::~Point() {}
template <typename T> T twice(T v) { return v + v; }
int use() { Point p(twice(2)); return p.x + twice(3L); }
}
extern "C" int plain(int v) { return geo::use() + v; }
CC
cat >"$tmp/nest.S" <<'AS'
	.text
	.globl outer
	.type outer, @function
outer:
	nop; nop; nop; nop; nop; nop; nop; nop
	.globl inner
	.type inner, @function
inner:
	nop; nop; nop; nop
	.size inner, 4
	.globl crossing
	.type crossing, @function
crossing:
	nop; nop; nop; nop; nop; nop; nop; nop; nop; nop; nop; nop
	.size outer, 16
	.size crossing, 12
	.globl alias_global
	.type alias_global, @function
	.weak alias_weak
	.type alias_weak, @function
alias_global:
alias_weak:
label_zero:
	ret
	.size alias_global, 1
	.size alias_weak, 1
	.section .note.GNU-stack,"",@progbits
AS
g++ -O1 -shared -fPIC -fno-asynchronous-unwind-tables -o "$tmp/nested.so" "$tmp/cls.cc" "$tmp/nest.S"
seed nested-cxx 1 "$tmp/nested.so"
seed nested-cxx-mangled 0 "$tmp/nested.so"
# hostile: a second symbol table naming the same symbols in a second
# string table over the same bytes, the first one cut inside "outer"
cat >"$tmp/overlap.py" <<'PY'
import struct, sys
src, dst = sys.argv[1], sys.argv[2]
b = bytearray(open(src, 'rb').read())
assert b[:4] == b'\x7fELF' and b[4] == 2 and b[5] == 1
e_shoff, = struct.unpack_from('<Q', b, 0x28)
e_shentsize, e_shnum, e_shstrndx = struct.unpack_from('<HHH', b, 0x3a)
shdrs = [bytearray(b[e_shoff + i * e_shentsize: e_shoff + (i + 1) * e_shentsize]) for i in range(e_shnum)]
def field(h, fmt, off): return struct.unpack_from(fmt, h, off)[0]
symtab = next(i for i, h in enumerate(shdrs) if field(h, '<I', 4) == 2)   # SHT_SYMTAB
strtab = field(shdrs[symtab], '<I', 0x28)                                  # sh_link
size = field(shdrs[strtab], '<Q', 0x20)
# the first string table ends inside the name "outer" (a kept function)
str_off = field(shdrs[strtab], '<Q', 0x18)
at = bytes(b[str_off:str_off + size]).index(b'\0outer\0') + 1
struct.pack_into('<Q', shdrs[strtab], 0x20, at + 3)
# a second symbol table, same symbols, naming them in a second string table
# over the same bytes, whole
strtab2 = bytearray(shdrs[strtab]); struct.pack_into('<Q', strtab2, 0x20, size)
symtab2 = bytearray(shdrs[symtab]); struct.pack_into('<I', symtab2, 0x28, e_shnum + 1)
shdrs += [symtab2, strtab2]
body = b[:e_shoff] + b[e_shoff + e_shnum * e_shentsize:]
while len(body) % 8: body += b'\0'
new_shoff = len(body)
out = bytearray(body) + b''.join(shdrs)
struct.pack_into('<Q', out, 0x28, new_shoff)
struct.pack_into('<H', out, 0x3c, e_shnum + 2)
open(dst, 'wb').write(out)
PY
python3 "$tmp/overlap.py" "$tmp/nested.so" "$tmp/overlap.so"
seed overlapping-string-tables 1 "$tmp/overlap.so"
seed prog 1 "$root/testdata/fold-perfdata-kinds/prog"
seed wasmedge-aot 1 "$root/testdata/wasmedge/compute.so"
seed stripped 1 "$root/testdata/native-basic/prog.stripped"
echo "seeds in $out: $(ls "$out" | wc -l)"
