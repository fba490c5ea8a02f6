#!/bin/sh
# one-letter: a process whose comm is a single letter ("t"), for the
# perf script header parsing (the comm field is as short as it gets).
#
# What it records: the c-fp program (../c-fp/prog.c + anon.cpp, same build)
# copied to /tmp/t and run from there, so its comm is "t":
#   cp c-fp /tmp/t
#   perf record -F 2000 -g -o one-letter.data -- /tmp/t 15
#   perf script -i one-letter.data | gzip -9n > one-letter.perf.gz
#
# Writes: testdata/fixtures/one-letter.perf.gz
# Needs (Debian 12, root): gcc g++ linux-perf gzip
# Regenerate: sh testdata/gen/one-letter/gen.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$here/../c-fp
out=$here/../../fixtures
work=/tmp/wasmperf-gen/one-letter
rm -rf "$work"
mkdir -p "$work" "$out"
sysctl -q kernel.perf_event_paranoid=-1 2>/dev/null || true
sysctl -q kernel.kptr_restrict=0 2>/dev/null || true
cd "$work"
gcc -O1 -fno-omit-frame-pointer -g -c "$src/prog.c" -o prog.o
g++ -O1 -fno-omit-frame-pointer -g -c "$src/anon.cpp" -o anon.o
g++ -O1 -fno-omit-frame-pointer -g prog.o anon.o -o c-fp
cp c-fp /tmp/t
perf record -q -F 2000 -g -o one-letter.data -- /tmp/t 15 >/dev/null
rm -f /tmp/t
perf script -i one-letter.data 2>/dev/null | gzip -9n >"$out/one-letter.perf.gz"
echo "samples: $(gzip -dc "$out/one-letter.perf.gz" | grep -c '^t ')"
ls -la "$out/one-letter.perf.gz"
