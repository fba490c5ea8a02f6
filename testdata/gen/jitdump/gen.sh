#!/bin/sh
# jitdump: records testdata/jitdump-emit with jitemit.c (a tiny JIT writing a
# real jitdump: two loads, a CODE_MOVE, a reused address, see jitemit.c) and
# makes the malformed dumps of testdata/jitdump-bad (bad_dumps.py).
#   gcc -O1 -g -fno-omit-frame-pointer -o jitemit jitemit.c
#   perf record -k mono -e cpu-clock:u -g -F 999 -o perf.data ./jitemit 150
#   perf inject --jit -i perf.data -o perf.jit.data
#   perf script -i perf.jit.data -F comm,pid,tid,time,ip,sym,symoff,dso | gzip -9n > inject.txt.gz
# and the same without -k mono (nomono.data; perf inject refuses it:
# "jitted code must be sampled with perf record -k 1").
# Facts (perf 6.1): perf inject turns each CODE_LOAD into an MMAP2 of
# jitted-PID-N.so at the load's time, and CODE_MOVE into an MMAP2 of the
# moved code at its new address (the old address keeps its map); the reused
# address shows each load's name at its own time. The work directory is a
# fixed path: it is recorded in perf.data (the marker mmap names the dump).
# Needs (Debian 12, root): gcc linux-perf python3
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$here/../../jitdump-emit
bad=$here/../../jitdump-bad
work=/tmp/wasmperf-gen/jitdump
rm -rf "$work" && mkdir -p "$work" "$out" "$bad"
cd "$work"
gcc -O1 -g -fno-omit-frame-pointer -o jitemit "$here/jitemit.c"
perf record -q -k mono -e cpu-clock:u -g -F 999 -o perf.data ./jitemit 150 >/dev/null
perf inject --jit -i perf.data -o perf.jit.data
perf script -i perf.jit.data -F comm,pid,tid,time,ip,sym,symoff,dso 2>/dev/null | gzip -9n >inject.txt.gz
perf buildid-list -i perf.data >buildids.txt
mkdir nomono && cd nomono
perf record -q -e cpu-clock:u -g -F 999 -o ../nomono.data ../jitemit 150 >/dev/null
cd ..
rm -f "$out"/jit-*.dump "$out"/nomono-jit-*.dump
cp perf.data nomono.data jitemit inject.txt.gz buildids.txt "$out/"
cp jit-*.dump "$out/"
for d in nomono/jit-*.dump; do cp "$d" "$out/nomono-$(basename "$d")"; done
python3 "$here/bad_dumps.py" "$(ls jit-*.dump)" "$bad"
ls -la "$out" "$bad"
