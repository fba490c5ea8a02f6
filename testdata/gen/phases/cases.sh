#!/bin/sh
# cases.sh - the inputs of testdata/phases-inputs/ (run from the top of the
# tree, after runs.sh; needs perf, node, gzip):
#   noprobe.perf.data.gz  node running testdata/fixtures/node-wasm.kern.wasm
#                         for 0.3 s, recorded without probes:
#                         perf record -k mono -F 499 -g -e cpu-clock
#                           -e sched:sched_process_exec -e sched:sched_process_exit
#   noprobe-z.perf.data.gz the same recording made with -z (zstd COMPRESSED records)
#   notp.perf.data.gz     the same without the sched tracepoints (exec/exit
#                         from PERF_RECORD_COMM(exec)/EXIT)
#   probed-pipe.data.gz   the same run in pipe mode (perf record -o -) with the
#                         sched tracepoints and uprobes on V8's SyncCompile and
#                         SyncInstantiate (entry and return, at node's file
#                         offsets as ../shared/phases/runs/node-v8--compute did;
#                         named by hand, so identified by address)
#   probed-cut.data.gz    that pipe-mode file cut at 90% (inside the samples,
#                         after the instantiate probes)
# (perf inject -o - of a file-mode recording is no pipe-mode source: perf
# 6.1 writes a stream it cannot read back itself.)
set -eu
top=$(pwd)
out=$top/testdata/phases-inputs
work=/tmp/wasmperf-gen/phases
rm -rf "$work"
mkdir -p "$work" "$out"
cd "$work"
wasm=$top/testdata/fixtures/node-wasm.kern.wasm
js=$top/testdata/gen/node-wasm/run.js
tp="-e sched:sched_process_exec -e sched:sched_process_exit"
perf record -q -k mono -F 499 -g -e cpu-clock $tp -o noprobe.data -- node "$js" "$wasm" 0.3 >/dev/null
perf record -q -z -k mono -F 499 -g -e cpu-clock $tp -o noprobe-z.data -- node "$js" "$wasm" 0.3 >/dev/null
perf record -q -k mono -F 499 -g -e cpu-clock -o notp.data -- node "$js" "$wasm" 0.3 >/dev/null
perf probe -q -d 'probe_node:*' 2>/dev/null || true
perf probe -q -x /usr/bin/node -a 'v8_SyncCompile=0x13a6d90'
perf probe -q -x /usr/bin/node -a 'v8_SyncCompile=0x13a6d90%return'
perf probe -q -x /usr/bin/node -a 'v8_SyncInstantiate=0x13a3810'
perf probe -q -x /usr/bin/node -a 'v8_SyncInstantiate=0x13a3810%return'
perf record -q -k mono -F 499 -g -e cpu-clock $tp -e 'probe_node:*' -o - -- node "$js" "$wasm" 0.3 \
	>probed-pipe.data 2>/dev/null
perf probe -q -d 'probe_node:*'
head -c $(($(wc -c <probed-pipe.data) * 9 / 10)) probed-pipe.data >probed-cut.data
for f in noprobe noprobe-z notp; do gzip -9nc $f.data >"$out/$f.perf.data.gz"; done
gzip -9nc probed-pipe.data >"$out/probed-pipe.data.gz"
gzip -9nc probed-cut.data >"$out/probed-cut.data.gz"
