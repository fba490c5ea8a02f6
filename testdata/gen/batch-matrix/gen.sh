#!/bin/sh
# gen.sh - testdata/batch-matrix/ from ../shared/phases/matrix/ (run from the
# top of the tree): the eight real runs (compute and trees on wamr-aot,
# wamr-jit, wamr-interp and node-v8, recorded with
#   perf record -k mono -F 999 -g -e cpu-clock -o perf.data -- /usr/bin/time -v -o time.txt RUNTIME ...
# as each run's commands.sh says), each as RUN/perf.data.gz with its perf
# map or jitdump beside it (gzipped too; the case unpacks them), and the
# expected results computed independently by the matrix's compare.py:
# expected-comparison.tsv (per run: pid, perf_exec_exit_ns, samples) and
# expected-comparison.txt (WarpDiff's distances and deviations). The Wasm
# modules are those of testdata/names-wamr-aot-{compute,trees}/ (the same
# bytes as ../shared/wamr/wasm/). About 320 KB in all.
set -eu
src=${1:-../shared/phases/matrix}
out=testdata/batch-matrix
[ -f "$src/expected-comparison.tsv" ] || { echo "gen.sh: no $src/expected-comparison.tsv" >&2; exit 1; }
mkdir -p "$out"
for d in "$src"/*--*/; do
	run=$(basename "$d")
	mkdir -p "$out/$run"
	for f in "$d"perf.data "$d"perf-*.map "$d"jit-*.dump; do
		[ -f "$f" ] || continue
		gzip -9nc "$f" >"$out/$run/$(basename "$f").gz"
	done
	cp "$d/commands.sh" "$out/$run/commands.sh"
done
cp "$src/expected-comparison.tsv" "$src/expected-comparison.txt" "$out/"
