#!/bin/sh
# node-wasm: node (V8) running real WebAssembly, profiled with perf and V8's
# perf map. This is the bundled real profile that .ci/demo renders.
#
# What it records: kern.c (fib, matmul, quicksort+partition, fnv1a+mix,
# sieve (also calls mix), a bytecode interpreter interp+eval_op, memset, and
# an import env.progress called back into JS) compiled to wasm32 with its
# name section, driven by run.js (plus some JSON/regex JS) for 3 seconds:
#   clang --target=wasm32 -O2 -nostdlib -Wl,--no-entry -Wl,--export-all -o kern.wasm kern.c
#   perf record -F 4999 -g -e cpu-clock -o node-wasm.data -- \
#       node --perf-basic-prof --interpreted-frames-native-stack run.js kern.wasm 3
#   perf script -i node-wasm.data | gzip -9n > node-wasm.perf.gz
# V8 writes /tmp/perf-PID.map while it runs; perf script reads it to name
# the JIT frames (JS:fib-3-turbofan, JS:run_fib-13-liftoff; without a name
# section JS:wasm-function[3]-3-turbofan), so the
# script keeps a copy and puts it back right before `perf script`.
#
# A second, 1-second recording runs the same module without its name
# section (V8 then names the code JS:wasm-function[N]-N-TIER), for the name
# translation: node-wasm-stripped.perf.gz + node-wasm.kern.wasm.
#
# Writes (in testdata/fixtures/):
#   node-wasm.perf.gz         perf script text, all threads of node
#   node-wasm.perf-PID.map    V8's perf map of that run (PID = node's pid)
#   node-wasm-stripped.perf.gz, node-wasm-stripped.perf-PID.map  (stripped run)
#   node-wasm.kern.wasm       the module, with its name section
#   node-wasm.kern.stripped.wasm  the same without the name section
#
# Needs (Debian 12, root): clang lld llvm nodejs linux-perf gzip
#   apt-get install -y clang lld llvm nodejs linux-perf gzip
#   (node 20 was used; Debian's node 18 spells JIT frames Function:... )
# Regenerate: sh testdata/gen/node-wasm/gen.sh [seconds]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$here/../../fixtures
secs=${1:-3}
work=/tmp/wasmperf-gen/node-wasm
rm -rf "$work"
mkdir -p "$work" "$out"
sysctl -q kernel.perf_event_paranoid=-1 2>/dev/null || true
sysctl -q kernel.kptr_restrict=0 2>/dev/null || true
cd "$work"
clang --target=wasm32 -O2 -nostdlib -Wl,--no-entry -Wl,--export-all -o kern.wasm "$here/kern.c"
llvm-objcopy --remove-section=name kern.wasm kern.stripped.wasm 2>/dev/null ||
	llvm-objcopy-14 --remove-section=name kern.wasm kern.stripped.wasm
cp "$here/run.js" run.js
record() { # name module seconds
	perf record -q -F 4999 -g -e cpu-clock -o "$1.data" -- \
		node --perf-basic-prof --interpreted-frames-native-stack run.js "$2" "$3" >/dev/null
	pid=$(perf script -i "$1.data" -F pid 2>/dev/null | head -1 | tr -d ' ')
	cp "/tmp/perf-$pid.map" "$1.perf-$pid.map"
	rm -f "$out/$1".perf-*.map
	cp "$1.perf-$pid.map" "$out/$1.perf-$pid.map"
	cp "$1.perf-$pid.map" "/tmp/perf-$pid.map"   # another process may have removed it
	perf script -i "$1.data" 2>/dev/null | gzip -9n >"$out/$1.perf.gz"
	echo "$1: pid $pid, samples $(gzip -dc "$out/$1.perf.gz" | grep -c ' cpu-clock')"
}
record node-wasm kern.wasm "$secs"
record node-wasm-stripped kern.stripped.wasm 1
cp kern.wasm "$out/node-wasm.kern.wasm"
cp kern.stripped.wasm "$out/node-wasm.kern.stripped.wasm"
ls -la "$out"/node-wasm*
