#!/bin/sh
# gen.sh - the inputs of testdata/phases-choose/ (run from the top of the
# tree as root; needs perf, cc, gzip). Three small C programs (built here,
# shipped gzipped beside the recordings, so the test reads their symbols):
#   runtime   runtime.c with WAMR's function names, installed as
#             $work/opt/x/runtime: a renamed iwasm, known by its symbols
#   plain     the same code under names no preset knows
#   edge      a stub calling WasmEdge_Driver_UniTool in libwasmedge.so.0
#             (edgelib.c), as the wasmedge CLI does: known by its library
# Recorded with
#   perf record -k mono -F 999 -g -e cpu-clock -e sched:sched_process_exec
#     -e sched:sched_process_exit [-e 'probe_runtime:*']
# rt-probed.data: uprobes with hand-chosen names (rt_load, rt_load_ret, ...:
# nothing names a marker, so the probes are identified by address, the
# preset by the binary's symbols) on entry and return of the three
# functions; rt-plain.data, plain.data, edge.data: no probes;
# odd.data: runtime run under the name odd, a link whose name holds a quote,
# '<', and the bytes ff fe (no UTF-8): its comm is those bytes;
# rt-probed-cut.data: rt-probed.data cut inside its data section (a file-mode
# perf.data keeps its event names and tracepoint formats in the feature
# sections at its end, which the cut loses).
set -eu
top=$(pwd)
src=$top/testdata/gen/phases-c
out=$top/testdata/phases-choose
work=/tmp/wasmperf-gen/phases-c
rm -rf "$work"
mkdir -p "$work/opt/x" "$out"
cd "$work"
cflags="-O1 -fno-omit-frame-pointer -fno-inline"
cc $cflags -DNAMES_WAMR -o opt/x/runtime "$src/runtime.c"
cc $cflags -o opt/x/plain "$src/runtime.c"
cc $cflags -shared -fPIC -Wl,-soname,libwasmedge.so.0 -o opt/x/libwasmedge.so.0 "$src/edgelib.c"
cc $cflags -o opt/x/edge "$src/edge.c" opt/x/libwasmedge.so.0 -Wl,-rpath,'$ORIGIN'
rec="perf record -q -k mono -F 999 -g -e cpu-clock -e sched:sched_process_exec -e sched:sched_process_exit"
perf probe -q -d 'probe_runtime:*' 2>/dev/null || true
rt=$work/opt/x/runtime
perf probe -q -x "$rt" -a 'rt_load=wasm_runtime_load' -a 'rt_load_ret=wasm_runtime_load%return'
perf probe -q -x "$rt" -a 'rt_inst=wasm_runtime_instantiate' -a 'rt_inst_ret=wasm_runtime_instantiate%return'
perf probe -q -x "$rt" -a 'rt_exec=wasm_application_execute_main' \
	-a 'rt_exec_ret=wasm_application_execute_main%return'
$rec -e 'probe_runtime:*' -o rt-probed.data -- "$rt"
perf probe -q -d 'probe_runtime:*'
$rec -o rt-plain.data -- "$rt"
$rec -o plain.data -- "$work/opt/x/plain"
$rec -o edge.data -- "$work/opt/x/edge"
odd=$(printf 'odd"<\377\376')
ln -s runtime "opt/x/$odd"
$rec -o odd.data -- "$work/opt/x/$odd"
# the data section starts at the header's data.offset (u64 at byte 40):
# cut at 60% of it, well inside the samples
off=$(od -An -t u8 -j 40 -N 8 rt-probed.data | tr -d ' ')
size=$(od -An -t u8 -j 48 -N 8 rt-probed.data | tr -d ' ')
head -c $((off + size * 6 / 10)) rt-probed.data >rt-probed-cut.data
for f in rt-probed rt-plain plain edge odd rt-probed-cut; do gzip -9nc $f.data >"$out/$f.data.gz"; done
for f in runtime plain edge libwasmedge.so.0; do gzip -9nc opt/x/$f >"$out/$f.gz"; done
