#!/bin/sh
# A perf map rewritten by wasmperf-names makes stock `perf script` show Wasm
# names: the WAMR AOT recording of ../shared/wamr/aot-compute (copied into
# testdata/fixtures/wamr-aot-compute), whose frames come from iwasm's
# /tmp/perf-29948.map. Skips (77) without perf.
set -u
src=${WASMPERF_SRC:-$(dirname "$0")/../..}
dir=$src/testdata/fixtures/wamr-aot-compute
command -v perf >/dev/null 2>&1 || { echo "SKIP: no perf"; exit 77; }
map=/tmp/perf-29948.map
[ -e "$map" ] && { echo "SKIP: $map exists (another run?)"; exit 77; }
t=$(mktemp -d) || exit 1
trap 'rm -f "$map"; rm -rf "$t"' EXIT
gzip -dc "$dir/perf.data.raw.gz" >"$t/perf.data" || exit 1
"$WASMPERF_BIN/wasmperf-names" --wasm "$src/testdata/names-wamr-aot-compute/compute.wasm" \
	"$dir/perf-29948.map" >"$map" || exit 1
out=$(perf script -i "$t/perf.data" 2>/dev/null | grep -c '\[Wasm\] fib+0x')
plain=$(perf script -i "$t/perf.data" 2>/dev/null | grep -c 'aot_func#')
echo "frames shown as [Wasm] fib: $out; aot_func frames left: $plain"
[ "$out" -gt 100 ] && [ "$plain" -eq 0 ] && echo "1 passed, 0 failed" && exit 0
echo "0 passed, 1 failed"
exit 1
