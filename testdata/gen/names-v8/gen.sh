#!/bin/sh
# Records node (V8) running real Wasm with --perf-basic-prof, once with a
# module that has a name section and once with the same module stripped,
# for wasmperf-names / wasmperf-fold --wasm tests.
# Needs (Debian 12, root): clang lld llvm (llvm-objcopy) nodejs linux-perf gzip
# Writes: ../../names-v8/{kern.wasm,kern.stripped.wasm,named.perf.gz,stripped.perf.gz,
#         stripped.map}
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$here/../../names-v8
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
clang++ --target=wasm32 -O1 -nostdlib -fno-exceptions -fno-rtti -c "$here/kern.cc" -o "$work/kern.o"
# --no-demangle keeps the C++/Rust names mangled in the name section, the
# way wasmtime and wasmer users meet them.
wasm-ld --no-entry --no-demangle --allow-undefined --export=run "$work/kern.o" -o "$out/kern.wasm"
llvm-objcopy --remove-section=name "$out/kern.wasm" "$out/kern.stripped.wasm"
record() { # name module
	cd "$work"
	perf record -q -F 1999 -g -o "$work/$1.data" -- \
		node --perf-basic-prof "$here/run.js" "$2" 2000 >/dev/null
	pid=$(perf script -i "$work/$1.data" -F pid 2>/dev/null | head -1 | tr -d ' ')
	cp "/tmp/perf-$pid.map" "$work/$1.map"
	# Keep the node process only, and the samples whose stacks touch Wasm code.
	perf script -i "$work/$1.data" --comm node 2>/dev/null | gzip -9n >"$out/$1.perf.gz"
	grep -E 'wasm-function|JS:[^ ]*-[0-9]+-(liftoff|turbofan)' "$work/$1.map" >"$out/$1.map" || true
}
record named "$out/kern.wasm"
record stripped "$out/kern.stripped.wasm"
ls -la "$out"
