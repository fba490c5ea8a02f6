#!/bin/sh
# srcline-plt: `perf script -F+srcline` text whose source lines include the
# "MODULE[HEXOFFSET]" form perf prints for PLT entries (e.g. "prog[1040]"
# under "strlen@plt+0x0 (/tmp/wasmperf-gen/srcline-plt/prog)") and ":0"
# (under ld.so's _start), beside "file.c:12" and "[kernel.kallsyms][ADDR]".
#
# What it records: prog.c, built without builtins so strlen and abs go
# through the PLT:
#   gcc -O1 -g -fno-omit-frame-pointer -fno-builtin -o prog prog.c
#   perf record -g -F 2000 -o perf.data ./prog
#   perf script -F+srcline -i perf.data | gzip -9n > input.perf.gz
#
# Writes: testdata/fold-srcline-plt/input.perf.gz (then refresh the case's
# expectations: WASMPERF_UPDATE=1 ctest -R fold-srcline-plt)
# Needs (Debian 12, root): gcc linux-perf gzip
# Regenerate: sh testdata/gen/srcline-plt/gen.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$here/../../fold-srcline-plt
work=/tmp/wasmperf-gen/srcline-plt
rm -rf "$work"
mkdir -p "$work" "$out"
cd "$work"
gcc -O1 -g -fno-omit-frame-pointer -fno-builtin -o prog "$here/prog.c"
perf record -q -g -F 2000 -o perf.data ./prog
perf script -F+srcline -i perf.data 2>/dev/null >out.perf
grep -qE '^ +prog\[[0-9a-f]+\]$' out.perf || { echo "no PLT srcline in the recording: run again" >&2; exit 1; }
gzip -9n <out.perf >"$out/input.perf.gz"
echo "$out/input.perf.gz: $(wc -l <out.perf) lines, $(grep -cE '^ +prog\[[0-9a-f]+\]$' out.perf) PLT srclines"
