#!/bin/sh
# Runs wasmperf-batch on three runs of testdata/batch-matrix and a folded
# input whose benchmark and Wasm function names are hostile HTML, then opens
# OUT/index.html in headless Chromium (cdp_batch.js): no console error,
# every link resolves to a file in OUT, a click on a column head sorts the
# rows, the hostile names stay text. See README.md (same environment and
# skipping rules as test_svg_chromium.sh).
# Exit: 0 pass, 1 fail, 77 skipped (no Chromium, no Node.js, no wasmperf-batch).
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=${WASMPERF_SRC:-$here/../..}
skip() { echo "SKIP: $*"; exit 77; }

chromium=${CHROMIUM:-}
if [ -z "$chromium" ]; then
	for c in chromium chromium-browser; do
		if command -v "$c" >/dev/null 2>&1; then chromium=$(command -v "$c"); break; fi
	done
fi
[ -n "$chromium" ] && [ -x "$chromium" ] ||
	skip "Chromium not found (apt-get install -y chromium, or set CHROMIUM=/path/to/chromium)"
node=${NODE:-$(command -v node 2>/dev/null)}
[ -n "$node" ] && [ -x "$node" ] || skip "Node.js not found (needed to drive Chromium)"
"$node" -e 'process.exit(parseInt(process.versions.node) >= 16 ? 0 : 1)' ||
	skip "Node.js $("$node" --version) is too old (need >= 16)"
batch=${WASMPERF_BIN:-}/wasmperf-batch
[ -n "${WASMPERF_BIN:-}" ] && [ -x "$batch" ] || skip "wasmperf-batch not built ($batch); set WASMPERF_BIN"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/wasmperf-batch-browser.XXXXXX") || exit 1
pgid_file=$tmp/chromium.pgid
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	if [ -s "$pgid_file" ]; then kill -KILL -- "-$(cat "$pgid_file")" 2>/dev/null; fi
	if [ "${KEEP_TMP:-0}" = 1 ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

m=$src/testdata/batch-matrix
for run in wamr-aot--compute wamr-aot--trees node-v8--compute; do
	mkdir -p "$tmp/in/$run"
	for f in "$m/$run"/*.gz; do gzip -dc "$f" >"$tmp/in/$run/$(basename "$f" .gz)"; done
done
# A benchmark named like markup, and a Wasm function too.
evil_bench='<img src=x onerror=window.__pwned=1>&"q"'
evil_fn='<script>window.__pwned=2</script>'
printf 'main;[Wasm] %s 10\nmain;[Wasm] a&b 5\n' "$evil_fn" >"$tmp/in/wamr-aot--$evil_bench.folded"
"$batch" -q -j 2 --layout '{runtime}--{bench}' \
	--wasm "compute=$src/testdata/names-wamr-aot-compute/compute.wasm" \
	--wasm "trees=$src/testdata/names-wamr-aot-trees/trees.wasm" \
	-o "$tmp/out" "$tmp"/in/*/ "$tmp/in/wamr-aot--$evil_bench.folded" >"$tmp/batch.out" 2>&1 || {
	echo "FAIL: wasmperf-batch exited $?:"; cat "$tmp/batch.out"; exit 1; }

mkdir "$tmp/profile" || exit 1
set -- --out "$tmp/out" --chromium "$chromium" --profile "$tmp/profile" --pgid-file "$pgid_file" \
	--timeout 45 --expect-text "$evil_bench" --expect-text "$evil_fn" --expect-text "a&b"
[ "${VERBOSE:-0}" = 1 ] && set -- "$@" --verbose
if command -v timeout >/dev/null 2>&1; then
	timeout -k 3 55 "$node" "$here/cdp_batch.js" "$@"
else
	"$node" "$here/cdp_batch.js" "$@"
fi
rc=$?
[ $rc -eq 124 ] && echo "FAIL: timed out after 55 s"
[ $rc -eq 0 ] || exit 1
exit 0
