#!/bin/sh
# cxx-names: records testdata/cxx-names, node (V8) running a C++ Wasm module
# whose name-section names carry argument lists ("app::Worker::fib(int)",
# "matmul(int)", "(anonymous namespace)::mix(unsigned int)") and Rust names
# (legacy "mycrate::work::h0123456789abcdef", v0 "mycrate::hello"), once
# with a perf map and once with a jitdump.
#
# Commands (in /tmp/wasmperf-gen/cxx-names, as root; node 20 of the machine):
#   clang++ --target=wasm32 -O1 -nostdlib -fno-exceptions -fno-rtti -c kern.cc
#   wasm-ld --no-entry --allow-undefined --export=run kern.o -o kern.wasm
#       (wasm-ld demangles into the name section by default)
#   perf record -F 999 -g -o map.data -- node --perf-basic-prof run.js kern.wasm 600
#   perf record -k mono -F 999 -g -o jit.data -- node --perf-prof run.js kern.wasm 600
#   perf script -i map.data --comm node          > map.perf   (gzip -9n)
#
# Kept in testdata/cxx-names/:
#   kern.wasm          the module
#   map.data           the --perf-basic-prof recording
#   perf-PID.map       V8's map, its Wasm lines only (JS:NAME-INDEX-TIER)
#   map.perf.gz        perf script of map.data (node only)
#   jit.data           the --perf-prof recording (-k mono)
#   jit-PID.dump.gz    V8's dump, machine code zeroed (gen/jit-node/jitdump.py)
#
# Facts (node 20.20.2 = V8 11.3, perf 6.1): V8 names Wasm code
# "JS:" + the name-section name + "-" + function index (imports counted) +
# "-" + tier, the name as stored, argument list included:
#   JS:app::Worker::fib(int)-1-turbofan, JS:matmul(int)-2-liftoff,
#   JS:(anonymous namespace)::mix(unsigned int)-6-liftoff
# so a collapser that cuts argument lists at the first '(' loses the index
# and the tier. Wrappers keep their own names: JS:wasm-to-js:i:-report-0-turbofan.
#
# Needs (Debian 12, root): clang lld nodejs linux-perf python3 gzip
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-$here/../../cxx-names}
work=/tmp/wasmperf-gen/cxx-names
ms=${1:-600}
sysctl -q kernel.perf_event_paranoid=-1 2>/dev/null || true
rm -rf "$work" && mkdir -p "$work" "$out"
cd "$work"
cp "$here/run.js" .
clang++ --target=wasm32 -O1 -nostdlib -fno-exceptions -fno-rtti -c "$here/kern.cc" -o kern.o
wasm-ld --no-entry --allow-undefined --export=run kern.o -o kern.wasm
perf record -q -F 999 -g -o map.data -- node --perf-basic-prof run.js kern.wasm "$ms" >/dev/null
pid=$(perf script -i map.data -F pid 2>/dev/null | head -1 | tr -d ' ')
grep -E 'wasm-function|JS:.*-[0-9]+-(liftoff|turbofan)$' "/tmp/perf-$pid.map" >"perf-$pid.map"
perf script -i map.data --comm node 2>/dev/null | gzip -9n >map.perf.gz
perf record -q -k mono -F 999 -g -o jit.data -- node --perf-prof run.js kern.wasm "$ms" >/dev/null
jpid=$(perf script -i jit.data -F pid 2>/dev/null | head -1 | tr -d ' ')
python3 "$here/../jit-node/jitdump.py" zero "jit-$jpid.dump" "jit-$jpid.zero"
gzip -9n <"jit-$jpid.zero" >"jit-$jpid.dump.gz"
rm -f "$out"/perf-*.map "$out"/jit-*.dump.gz
cp kern.wasm map.data "perf-$pid.map" map.perf.gz jit.data "jit-$jpid.dump.gz" "$out/"
chmod -R a+rX "$out"
du -ab "$out" | sort -k2
