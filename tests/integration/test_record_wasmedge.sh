#!/bin/sh
# wasmperf record end to end on a real WasmEdge build (its CLI is a stub over
# libwasmedge.so, which holds the phase functions; runFunction runs on the
# asyncExecute thread). Skips with 77 without root, perf, uprobes, sched
# tracepoints, or a WasmEdge build: $WASMEDGE_BUILD (default
# /tmp/wasmedge-build, built as testdata/gen/phases-runtimes/gen.sh says;
# CI has none). The CLI finds its library by its DT_RUNPATH
# ($ORIGIN/../../lib/api), as wasmperf record does. Checked: the probes go
# in libwasmedge at file offsets, wasmperf phases shows load, instantiate and
# execute for the one process, fold reads the bundle, and no probe of the
# run's group is left.
set -u
src=${WASMPERF_SRC:-$(dirname "$0")/../..}
bin=$WASMPERF_BIN
web=${WASMEDGE_BUILD:-/tmp/wasmedge-build}
wasmedge=$web/tools/wasmedge/wasmedge
[ "$(id -u)" = 0 ] || { echo "SKIP: not root (perf probe needs it)"; exit 77; }
command -v perf >/dev/null 2>&1 || { echo "SKIP: no perf"; exit 77; }
[ -e /sys/kernel/tracing/uprobe_events ] || [ -e /sys/kernel/debug/tracing/uprobe_events ] ||
	{ echo "SKIP: no uprobes (tracefs)"; exit 77; }
[ -e /sys/kernel/tracing/events/sched/sched_process_exec ] ||
	[ -e /sys/kernel/debug/tracing/events/sched/sched_process_exec ] ||
	{ echo "SKIP: no sched tracepoints"; exit 77; }
[ -x "$wasmedge" ] || { echo "SKIP: no WasmEdge build at $web (set WASMEDGE_BUILD)"; exit 77; }
t=$(mktemp -d) || exit 1
trap 'rm -rf "$t"' EXIT
cd "$t" || exit 1
cp "$src/testdata/names-wamr-aot-compute/compute.wasm" . || exit 1
pass=0 fail=0
ok() { echo "ok: $1"; pass=$((pass + 1)); }
bad() { echo "FAILED: $1"; fail=$((fail + 1)); }

"$bin/wasmperf-record" -o W -- "$wasmedge" compute.wasm 0 >out 2>err
st=$?
[ $st = 0 ] && ok "exit status 0" || bad "exit status $st: $(tail -3 err)"
group=$(sed -n 's/.*"event": "\(probe_wasmperf_[0-9]*\):.*/\1/p' W/meta.json 2>/dev/null | head -1)
if [ -z "$group" ]; then
	bad "no probe group in meta.json: $(cat err)"
elif perf probe -l 2>/dev/null | grep -q "$group:"; then
	bad "probes of $group left"
	perf probe -q -d "$group:*" 2>/dev/null # ours only
else
	ok "no probe of $group left"
fi
n=$(grep -c '"binary": "[^"]*/libwasmedge\.so[^"]*", .*"placed_by": "offset"' W/meta.json)
[ "$n" -ge 6 ] && ok "$n probes in libwasmedge at file offsets" || bad "$n probes in libwasmedge"
lib=$("$bin/wasmperf-record" --dry-run -q -o X -- "$wasmedge" compute.wasm | grep '^# library')
echo "$lib" | grep -q '^# library libwasmedge.so.0: .* (by DT_RUNPATH)$' && ok "dry run: $lib" ||
	bad "dry run: '$lib'"
"$bin/wasmperf-phases" -q --format tsv W >phases.tsv 2>phases.err
for ph in load instantiate execute; do
	awk -F'\t' -v p=$ph '$3 == p && $6 > 0 { f = 1 } END { exit !f }' phases.tsv &&
		ok "phase $ph" || bad "phase $ph: $(head -3 phases.tsv phases.err)"
done
n=$(awk -F'\t' 'NR > 1 { print $1 }' phases.tsv | sort -u | wc -l)
[ "$n" -eq 1 ] && ok "one process: execute on runFunction's thread counted in it" || bad "rows of $n pids"
"$bin/wasmperf-fold" W >W.folded 2>fold.err
[ -s W.folded ] && grep -q 'runFunction' W.folded && ok "fold W: stacks through runFunction" ||
	bad "fold W: $(head -3 fold.err)"
grep -q 'not the [0-9]* probe and exec/exit hits' fold.err && ok "fold W: a short note on the probe hits" ||
	bad "fold W: note: $(cat fold.err)"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
