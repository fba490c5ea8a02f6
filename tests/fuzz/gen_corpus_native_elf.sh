#!/bin/sh
# gen_corpus_native_elf.sh - seeds for fuzz_native_elf: a first byte (1:
# demangle) and an ELF file. Small test fixtures as they are, and one
# shared object made here with what the loader treats specially: C++
# names (constructor aliases C1/C2 at one address), a weak and a global
# alias, a zero-size label, and symbols that nest and cross (so perf's tree
# is replayed). Needs g++. Run from anywhere: sh tests/fuzz/gen_corpus_native_elf.sh
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
seed prog 1 "$root/testdata/fold-perfdata-kinds/prog"
seed wasmedge-aot 1 "$root/testdata/wasmedge/compute.so"
seed stripped 1 "$root/testdata/native-basic/prog.stripped"
echo "seeds in $out: $(ls "$out" | wc -l)"
