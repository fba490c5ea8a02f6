#!/bin/sh
# wasmperf record end to end (needs root, perf, uprobes and sched
# tracepoints; skips with 77 otherwise): a C stand-in for iwasm built from
# testdata/record-dry-run/runtime_stub.c (non-PIE, static functions: probes
# at file offsets), one for WasmEdge from wasmedge_stub.c (a CLI over a
# shared library holding the C++ functions, runFunction on a second thread)
# and, when node is installed, node running
# testdata/names-wamr-aot-compute/compute.wasm through
# testdata/record-e2e/run-wasi.js (probes at file offsets in node's C++
# functions). Checked: the phases come from the probes, fold shows [Wasm]
# names with no option, the exit status is the workload's (3; 130 after a
# Ctrl-C to the process group midway), and no probe is left afterwards.
set -u
src=${WASMPERF_SRC:-$(dirname "$0")/../..}
bin=$WASMPERF_BIN
[ "$(id -u)" = 0 ] || { echo "SKIP: not root (perf probe needs it)"; exit 77; }
command -v perf >/dev/null 2>&1 || { echo "SKIP: no perf"; exit 77; }
[ -e /sys/kernel/tracing/uprobe_events ] || [ -e /sys/kernel/debug/tracing/uprobe_events ] ||
	{ echo "SKIP: no uprobes (tracefs)"; exit 77; }
[ -e /sys/kernel/tracing/events/sched/sched_process_exec ] ||
	[ -e /sys/kernel/debug/tracing/events/sched/sched_process_exec ] ||
	{ echo "SKIP: no sched tracepoints"; exit 77; }
command -v setsid >/dev/null 2>&1 || { echo "SKIP: no setsid"; exit 77; }
t=$(mktemp -d) || exit 1
trap 'rm -rf "$t"' EXIT
cd "$t" || exit 1
${CC:-cc} -O1 -no-pie -DLOCAL -o iwasm "$src/testdata/record-dry-run/runtime_stub.c" || exit 1
pass=0 fail=0
ok() { echo "ok: $1"; pass=$((pass + 1)); }
bad() { echo "FAILED: $1"; fail=$((fail + 1)); }
# The run's own probe group, from its meta.json or its pid: other runs
# (other builds testing at the same time) may have probes of their own.
group_of() { # bundle
	sed -n 's/.*"event": "\(probe_wasmperf_[0-9]*\):.*/\1/p' "$1/meta.json" 2>/dev/null | head -1
}
no_probes_left() { # what group
	if [ -z "$2" ]; then
		bad "$1: no probe group known"
	elif perf probe -l 2>/dev/null | grep -q "$2:"; then
		bad "$1: probes of $2 left"
		perf probe -q -d "$2:*" 2>/dev/null
	else
		ok "$1: no probe of $2 left"
	fi
}
# Ctrl-C midway, as a terminal sends it: SIGINT to the process group of a
# recording started in its own session; a hang is a failure, not a stuck test.
interrupt() { # seconds bundle COMMAND...
	secs=$1 dir=$2; shift 2
	rm -f pid
	setsid sh -c 'echo $$ >pid; exec "$@"' sh "$bin/wasmperf-record" -q -o "$dir" -- "$@" \
		>/dev/null 2>err &
	sleep "$secs"
	pid=$(cat pid)
	kill -INT -"$pid"
	for i in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL -"$pid"
		st=hung
	else
		wait
		st=$(sed -n 's/.*"exit_status": \([0-9]*\),.*/\1/p' "$dir/meta.json" 2>/dev/null)
	fi
	group=probe_wasmperf_$pid
}
# phase rows present in wasmperf phases --format tsv: load instantiate execute
phases_from_probes() { # bundle what
	"$bin/wasmperf-phases" -q --format tsv "$1" >phases.tsv 2>phases.err
	n=$(awk -F'\t' '$3 == "load" || $3 == "instantiate" || $3 == "execute" { n++ } END { print n + 0 }' phases.tsv)
	[ "$n" -eq 3 ] && ok "$2: load, instantiate, execute from probes" ||
		bad "$2: phases: $(cat phases.err phases.tsv | head -5)"
}

echo "== iwasm stand-in"
"$bin/wasmperf-record" -q -o W -- ./iwasm app.wasm 5 >/dev/null 2>err
st=$?
[ $st = 0 ] && ok "exit status 0" || bad "exit status $st: $(cat err)"
no_probes_left "iwasm" "$(group_of W)"
phases_from_probes W "iwasm"
grep -q '"placed_by": "offset"' W/meta.json && ok "static functions probed at file offsets" ||
	bad "meta.json: $(grep placed_by W/meta.json | head -2)"
"$bin/wasmperf-record" -q -o W -- ./iwasm app.wasm 1 >/dev/null 2>err
[ $? = 2 ] && ok "an existing bundle is not overwritten" || bad "overwrote W"
"$bin/wasmperf-record" -q --force -o W -- ./iwasm app.wasm 2 3 >/dev/null 2>err
st=$?
[ $st = 3 ] && ok "a workload exiting 3: exit status 3" || bad "exit status $st (want 3)"
grep -q '"exit_status": 3,' W/meta.json && ok "meta.json says 3" || bad "meta.json exit_status"
no_probes_left "after exit 3" "$(group_of W)"
interrupt 2 INT ./iwasm app.wasm 300
[ "$st" = 130 ] && ok "Ctrl-C midway: exit status 130" || bad "Ctrl-C: exit status $st: $(cat err)"
no_probes_left "after Ctrl-C" "$group"

echo "== WasmEdge stand-in: a CLI over its library, runFunction on a second thread"
mkdir -p we/lib we/bin
${CC:-cc} -O1 -shared -fPIC -DLIB -Wl,-soname,libwasmedge.so.0 -o we/lib/libwasmedge.so.0 \
	"$src/testdata/record-dry-run/wasmedge_stub.c" -lpthread || exit 1
# named otherwise: known by its library's symbols, found by DT_RUNPATH $ORIGIN
${CC:-cc} -O1 -o we/bin/cli "$src/testdata/record-dry-run/wasmedge_stub.c" we/lib/libwasmedge.so.0 \
	'-Wl,-rpath,$ORIGIN/../lib' || exit 1
"$bin/wasmperf-record" -q -o E -- ./we/bin/cli app.wasm 3 >/dev/null 2>err
st=$?
[ $st = 0 ] && ok "wasmedge stand-in: exit status 0" || bad "wasmedge stand-in: exit status $st: $(cat err)"
no_probes_left "wasmedge stand-in" "$(group_of E)"
grep -q '"runtime": "wasmedge"' E/meta.json && ok "wasmedge stand-in: known by its library" ||
	bad "wasmedge stand-in: $(grep '"runtime"' E/meta.json)"
n=$(grep -c '"binary": "[^"]*/we/lib/libwasmedge.so.0"' E/meta.json)
[ "$n" -ge 6 ] && ok "wasmedge stand-in: $n probes in the library" || bad "wasmedge stand-in: $n probes in the library"
phases_from_probes E "wasmedge stand-in"
# execute starts on the second thread: still one process's rows
n=$(awk -F'\t' 'NR > 1 { print $1 }' phases.tsv | sort -u | wc -l)
[ "$n" -eq 1 ] && ok "wasmedge stand-in: one process, its threads together" || bad "wasmedge stand-in: rows of $n pids"

if command -v node >/dev/null 2>&1; then
	echo "== node"
	cp "$src/testdata/record-e2e/run-wasi.js" "$src/testdata/names-wamr-aot-compute/compute.wasm" .
	"$bin/wasmperf-record" -q -o N -- node run-wasi.js compute.wasm 2 >out 2>err
	st=$?
	[ $st = 0 ] && ok "node: exit status 0" || bad "node: exit status $st: $(tail -3 err)"
	no_probes_left "node" "$(group_of N)"
	phases_from_probes N "node"
	grep -q '"placed_by": "offset"' N/meta.json && ok "node: probes at file offsets" ||
		bad "node: no probe by offset"
	"$bin/wasmperf-fold" -q N >N.folded 2>&1
	n=$(grep -c '\[Wasm\] fib' N.folded)
	[ "$n" -gt 0 ] && ok "fold N: [Wasm] names with no option ($n stacks with fib)" ||
		bad "fold N: no [Wasm] fib"
	[ -f N/compute.wasm ] && ls N/perf-*.map >/dev/null 2>&1 && ok "node: module and perf map in the bundle" ||
		bad "node: bundle holds $(ls N)"
	interrupt 3 NI node run-wasi.js compute.wasm 30
	# perf stops its workload with SIGTERM when it gets SIGINT itself, and node
	# may die of either signal first: 128+SIGINT or 128+SIGTERM are both the
	# workload's own status, what must not happen is 0 or perf's own error
	case $st in 130 | 143) ok "node, Ctrl-C midway: exit status $st (128+signal)" ;;
	*) bad "node Ctrl-C: exit status $st" ;; esac
	no_probes_left "node after Ctrl-C" "$group"
else
	echo "(no node: its half skipped)"
fi
echo "$pass passed, $fail failed"
[ $fail = 0 ]
