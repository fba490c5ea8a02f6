#!/bin/sh
# multi-event: one recording with three events, for --event-filter tests.
#
# What it records: the c-fp program (../c-fp/prog.c + anon.cpp, same build)
# sampled by a timer (1 kHz), by every page fault and by the sched_switch tracepoint
# (it sleeps 2 ms per round, so every round switches out), all with
# frame-pointer call graphs:
#   perf record -g -F 1000 -e cpu-clock -e page-faults/period=1,name=page-faults/ -e sched:sched_switch \
#       -o multi-event.data -- ./c-fp 80
#   perf script -i multi-event.data | gzip -9n > multi-event.perf.gz
# The event names in the text are "cpu-clock:ppp:" (or "cpu-clock:"),
# "page-faults:" and "sched:sched_switch:" followed by the tracepoint fields.
#
# Writes: testdata/fixtures/multi-event.perf.gz
# Needs (Debian 12, root): gcc g++ linux-perf gzip (tracefs mounted, as it
#   is by default; perf needs kernel.perf_event_paranoid <= 1 for tracepoints)
# Regenerate: sh testdata/gen/multi-event/gen.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$here/../c-fp
out=$here/../../fixtures
work=/tmp/wasmperf-gen/multi-event
rm -rf "$work"
mkdir -p "$work" "$out"
sysctl -q kernel.perf_event_paranoid=-1 2>/dev/null || true
sysctl -q kernel.kptr_restrict=0 2>/dev/null || true
cd "$work"
gcc -O1 -fno-omit-frame-pointer -g -c "$src/prog.c" -o prog.o
g++ -O1 -fno-omit-frame-pointer -g -c "$src/anon.cpp" -o anon.o
g++ -O1 -fno-omit-frame-pointer -g prog.o anon.o -o c-fp
perf record -q -g -F 1000 -e cpu-clock -e page-faults/period=1,name=page-faults/ -e sched:sched_switch \
	-o multi-event.data -- ./c-fp 80 >/dev/null
perf script -i multi-event.data 2>/dev/null | gzip -9n >"$out/multi-event.perf.gz"
gzip -dc "$out/multi-event.perf.gz" | awk '/^[^ \t]/ { for (i = 1; i <= NF; i++) if ($i ~ /:$/ && $i !~ /^[0-9.]+:$/) { n[$i]++; break } }
	END { for (e in n) print e, n[e] }'
ls -la "$out/multi-event.perf.gz"
