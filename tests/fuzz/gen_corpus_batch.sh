#!/bin/sh
# gen_corpus_batch.sh - seeds for fuzz_batch_record: the record.tsv files a
# real wasmperf batch writes for testdata/batch-matrix (its eight real runs,
# named by --layout, Wasm names translated: hot functions and phases), one
# run that failed (a perf.data cut at 3000 bytes) and one from folded
# stacks (no phases), copied to corpus/batch_record/rec-RUN.tsv.
#
#   tests/fuzz/gen_corpus_batch.sh BUILD_DIR
set -eu
[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
td=$here/../../testdata
batch=$(cd "$1" && pwd)/tools/wasmperf-batch
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
for d in "$td"/batch-matrix/*/; do
	run=$(basename "$d")
	[ -f "$d/perf.data.gz" ] || continue
	mkdir -p "$t/in/$run"
	for f in "$d"/*.gz; do gzip -dc "$f" >"$t/in/$run/$(basename "$f" .gz)"; done
done
mkdir "$t/in/node-v8--broken"
head -c 3000 "$t/in/node-v8--trees/perf.data" >"$t/in/node-v8--broken/perf.data"
cp "$td/names-wamr-aot-compute/out.folded" "$t/in/folded--compute.folded"
"$batch" -q -j 2 --layout '{runtime}--{bench}' \
	--wasm compute="$td/names-wamr-aot-compute/compute.wasm" \
	--wasm trees="$td/names-wamr-aot-trees/trees.wasm" -o "$t/out" "$t"/in/* || true
mkdir -p "$here/corpus/batch_record"
for r in "$t"/out/runs/*/record.tsv; do
	run=$(basename "$(dirname "$r")")
	# the temporary directory out of the input paths
	sed "s|$t/in/|in/|g" "$r" >"$here/corpus/batch_record/rec-$run.tsv"
done
ls "$here/corpus/batch_record"
