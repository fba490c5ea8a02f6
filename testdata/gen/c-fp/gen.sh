#!/bin/sh
# c-fp: a small native C/C++ program profiled with frame-pointer call graphs.
#
# What it records: prog.c + anon.cpp (hot leaves matmul/mix/crunch, recursion
# in fib, mix() called from two callers hash_block and sort_and_sum, qsort's
# callback cmp_int from libc, "(anonymous namespace)::crunch" and
# "Acc<int>::add" from C++, a nanosleep per round for kernel frames), built
# with -O1 -fno-omit-frame-pointer -g, run for about one second under
#   perf record -F 2000 -g -o c-fp.perf.data -- ./c-fp 120
# and turned into text with
#   perf script -i c-fp.perf.data | gzip -9n > c-fp.perf.gz
#
# Writes (in testdata/fixtures/):
#   c-fp.perf.gz      perf script text (default fields)
#   c-fp.perf.data    the recording itself (for perf.data readers)
#   c-fp.bin          the exact binary that was profiled (build-id in
#                     c-fp.buildid; recorded path /tmp/wasmperf-gen/c-fp/c-fp)
#
# Needs (Debian 12, root): gcc g++ linux-perf gzip
#   apt-get install -y gcc g++ linux-perf gzip
# Regenerate: sh testdata/gen/c-fp/gen.sh   (bytes differ every time; the
# shape of the profile does not)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$here/../../fixtures
work=/tmp/wasmperf-gen/c-fp          # fixed path: it is recorded in perf.data
rm -rf "$work"
mkdir -p "$work" "$out"
sysctl -q kernel.perf_event_paranoid=-1 2>/dev/null || true
sysctl -q kernel.kptr_restrict=0 2>/dev/null || true
cd "$work"
gcc -O1 -fno-omit-frame-pointer -g -c "$here/prog.c" -o prog.o
g++ -O1 -fno-omit-frame-pointer -g -c "$here/anon.cpp" -o anon.o
g++ -O1 -fno-omit-frame-pointer -g prog.o anon.o -o c-fp
perf record -q -F 2000 -g -o c-fp.perf.data -- ./c-fp 120 >/dev/null
perf script -i c-fp.perf.data 2>/dev/null | gzip -9n >"$out/c-fp.perf.gz"
cp c-fp.perf.data "$out/c-fp.perf.data"
chmod 644 "$out/c-fp.perf.data"
cp c-fp "$out/c-fp.bin"
perf buildid-list -i c-fp.perf.data 2>/dev/null >"$out/c-fp.buildid"
echo "samples: $(perf script -i c-fp.perf.data -F ip 2>/dev/null | awk 'NF==0{n++} END{print n+0}')"
ls -la "$out"/c-fp.*
