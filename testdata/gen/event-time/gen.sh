#!/bin/sh
# event-time: recordings with several events, for the default event and
# --event-filter (testdata/fold-event-default) and --time (testdata/fold-time).
#
# What it records: the c-fp program (../c-fp/prog.c + anon.cpp, same build),
# 40 rounds (about 0.4 s), with frame-pointer call graphs:
#   multi.data  perf record -g -e cpu-clock -e sched:sched_switch -e page-faults
#               (the first sample in time is a page fault: the default event
#               must still be cpu-clock, the first of the event list)
#   freq.data   perf record -g -e cpu-clock/freq=999/        (name with terms)
#   pipe.data   perf record -g -e cpu-clock/freq=999/u -e page-faults:u -o -
#               (pipe mode: the attrs arrive in-band; terms and modifiers)
# and turns them into text with perf script (default fields; multi also with
# --ns, whose times are exact to the nanosecond).
#
# Writes:
#   testdata/fold-event-default/{multi,freq}.data.gz, pipe.data.gz,
#     {multi,freq,pipe}.txt.gz, perf-events.txt (perf evlist and the sample
#     count of each event as perf script prints them)
#   testdata/fold-time/multi.ns.txt.gz, times.txt (the --time arguments
#     tried, made from the recording's first and last sample times),
#     perf-time.txt (for each: the cpu-clock samples `perf script --time`
#     keeps, the reference the test compares with)
# Needs (Debian 12, root): gcc g++ linux-perf gzip awk (tracefs mounted;
#   kernel.perf_event_paranoid <= 1 for the tracepoint)
# Regenerate: sh testdata/gen/event-time/gen.sh   (bytes and counts differ
#   every time; cmd and expected.* of both cases then need WASMPERF_UPDATE=1)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$here/../c-fp
ev=$here/../../fold-event-default
tm=$here/../../fold-time
work=/tmp/wasmperf-gen/event-time
rm -rf "$work"
mkdir -p "$work" "$ev" "$tm"
sysctl -q kernel.perf_event_paranoid=-1 2>/dev/null || true
sysctl -q kernel.kptr_restrict=0 2>/dev/null || true
cd "$work"
gcc -O1 -fno-omit-frame-pointer -g -c "$src/prog.c" -o prog.o
g++ -O1 -fno-omit-frame-pointer -g -c "$src/anon.cpp" -o anon.o
g++ -O1 -fno-omit-frame-pointer -g prog.o anon.o -o c-fp
perf record -q -g -e cpu-clock -e sched:sched_switch -e page-faults -o multi.data -- ./c-fp 40 >/dev/null
perf record -q -g -e cpu-clock/freq=999/ -o freq.data -- ./c-fp 20 >/dev/null
perf record -q -g -e cpu-clock/freq=999/u -e page-faults:u -o - -- ./c-fp 10 2>/dev/null >pipe.data
for d in multi freq pipe; do
	perf script -i $d.data 2>/dev/null >$d.txt
	gzip -9n <$d.data >"$ev/$d.data.gz"
	gzip -9n <$d.txt >"$ev/$d.txt.gz"
done
perf script --ns -i multi.data 2>/dev/null | gzip -9n >"$tm/multi.ns.txt.gz"
# the event of a header line: the word ending in ':' after the time
count='/^[^ \t]/ { for (i = 1; i < NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) {
	e = $(i + 1) ~ /^[0-9]+$/ ? $(i + 2) : $(i + 1); sub(/:$/, "", e); n[e]++; break } }
	END { for (e in n) print e, n[e] }'
{
	for d in multi freq pipe; do
		echo "== $d.data: perf evlist"
		perf evlist -i $d.data 2>/dev/null | grep -v '^#' || true
		echo "== $d.data: samples per event in perf script"
		awk "$count" $d.txt | sort
	done
} >"$ev/perf-events.txt"
# --time forms from the first and last sample times (as perf script --ns prints)
span=$(perf script --ns -F time -i multi.data 2>/dev/null | tr -d ' :' | sort -n | sed -n '1p;$p' | tr '\n' ' ')
set -- $span
first=$1 last=$2
at() { awk -v a="$first" -v b="$last" -v f="$1" 'BEGIN { printf "%.6f", a + (b - a) * f }'; }
{
	echo "$(at 0.2),$(at 0.5)"
	echo "$(at 0.7),"
	echo ",$(at 0.3)"
	echo "$(at 0.1),$(at 0.2) $(at 0.6),$(at 0.8)"
	echo "10%-20%"
	echo "10%/2"
	echo "10%/1,10%/3"
	echo "0%-10%,30%-40%"
	echo "50%"
	echo "1.5,2.5"
} >"$tm/times.txt"
while read -r t; do
	n=$(perf script --time "$t" -F event -i multi.data 2>/dev/null | grep -c '^ *cpu-clock:' || true)
	printf '%s\t%s\n' "$t" "$n"
done <"$tm/times.txt" >"$tm/perf-time.txt"
cat "$ev/perf-events.txt" "$tm/perf-time.txt"
ls -la "$ev" "$tm"
