#!/bin/sh
# batch.sh - wasmperf-batch on the 8 runs of testdata/batch-matrix: wall
# time with -j 1 and -j 2 (the issue's target: -j 2 <= 0.65 of -j 1 on 2
# idle cores) and a second run with nothing changed (target: < 1/10 of the
# first). usage: bench/batch.sh BUILD_DIR [ROUNDS]; run it on a quiet machine.
set -eu
bin=$(cd "$1/tools" && pwd)
rounds=${2:-3}
top=$(cd "$(dirname "$0")/.." && pwd)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
for d in "$top"/testdata/batch-matrix/*--*/; do
	run=$(basename "$d")
	mkdir -p "$t/in/$run"
	for f in "$d"*.gz; do gzip -dc "$f" >"$t/in/$run/$(basename "$f" .gz)"; done
done
wasm="--wasm compute=$top/testdata/names-wamr-aot-compute/compute.wasm --wasm trees=$top/testdata/names-wamr-aot-trees/trees.wasm"
now() { date +%s.%N; }
for r in $(seq "$rounds"); do
	for j in 1 2; do
		rm -rf "$t/out"
		a=$(now)
		"$bin/wasmperf-batch" -q -j $j --layout '{runtime}--{bench}' $wasm -o "$t/out" "$t"/in/*/
		b=$(now)
		"$bin/wasmperf-batch" -q -j $j --layout '{runtime}--{bench}' $wasm -o "$t/out" "$t"/in/*/
		c=$(now)
		echo "round $r -j $j: first $(echo "$b - $a" | bc) s, second $(echo "$c - $b" | bc) s"
	done
done
echo "load: $(cat /proc/loadavg)"
