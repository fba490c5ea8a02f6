#!/bin/sh
# gen-wamr.sh - testdata/native-wamr: the MMAP/COMM/FORK/EXIT events and
# build-ids of ../shared/wamr/aot-compute/perf.data.raw (perf 6.1), which
# test_native replays against that recording's out.perf, its perf map and
# kallsyms.xz:
#   perf script -i perf.data.raw --show-mmap-events --show-task-events -F comm,pid,tid,time \
#     | grep PERF_RECORD > events.txt
#   perf buildid-list -i perf.data.raw > buildids.txt
set -eu
here=$(cd "$(dirname "$0")" && pwd)
shared=${WASMPERF_SHARED:-/work/shared}
out=$here/../../native-wamr
mkdir -p "$out"
perf script -i "$shared/wamr/aot-compute/perf.data.raw" --show-mmap-events --show-task-events \
	-F comm,pid,tid,time 2>/dev/null | grep PERF_RECORD > "$out/events.txt"
perf buildid-list -i "$shared/wamr/aot-compute/perf.data.raw" > "$out/buildids.txt"
