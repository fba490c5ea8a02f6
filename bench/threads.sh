#!/bin/sh
# threads.sh - wasmperf-fold -j1 against -j2 (and -jN) and
# stackcollapse-perf.pl on the perf script text that bench/run.sh left in
# the work directory (WORK/*.perf), in paired runs: each round runs every
# command once, in turn, so a machine whose load changes meanwhile slows
# all of them alike. Prints, per input and command, the best and median
# wall time, GB/s (input bytes / best wall), peak RSS, and the load
# average before and after; checks that every -jN output equals -j1's.
#   bench/threads.sh [--runs N] [--work DIR] [--threads "2 4"]
# Environment: WASMPERF_BIN (default build/tools), FLAMEGRAPH_DIR (a
# FlameGraph checkout; unset: no perl rows).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
runs=5 work=$root/bench/work threads=2
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=$2; shift 2 ;;
	--work) work=$2; shift 2 ;;
	--threads) threads=$2; shift 2 ;;
	*) echo "usage: $0 [--runs N] [--work DIR] [--threads \"2 4\"]" >&2; exit 2 ;;
	esac
done
bin=${WASMPERF_BIN:-$root/build/tools}
perl_collapse=${FLAMEGRAPH_DIR:+$FLAMEGRAPH_DIR/stackcollapse-perf.pl}
[ -x "$bin/wasmperf-fold" ] || { echo "no $bin/wasmperf-fold: build it first" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# one NAME OUT CMD...: one timed run, appended to $tmp/NAME as "WALL_S RSS_KB"
one() {
	name=$1 out=$2
	shift 2
	t0=$(date +%s%N)
	/usr/bin/time -f '%M' -o "$tmp/rss" "$@" >"$out" 2>/dev/null
	t1=$(date +%s%N)
	echo "$(((t1 - t0) / 1000)) $(tail -n 1 "$tmp/rss")" >>"$tmp/$name"
}

found=0
for input in "$work"/*.perf; do
	[ -f "$input" ] || continue
	found=1
	w=$(basename "$input" .perf)
	bytes=$(wc -c <"$input")
	cat "$input" >/dev/null # in the page cache for everyone
	names="j1"
	for n in $threads; do names="$names j$n"; done
	[ -z "$perl_collapse" ] || names="$names perl"
	for name in $names; do : >"$tmp/$name"; done
	echo "== $w.perf: $bytes bytes, $runs paired rounds; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
	r=0
	while [ "$r" -lt "$runs" ]; do
		one j1 "$tmp/j1.folded" "$bin/wasmperf-fold" -j1 "$input"
		for n in $threads; do
			one "j$n" "$tmp/j$n.folded" "$bin/wasmperf-fold" "-j$n" "$input"
			cmp -s "$tmp/j1.folded" "$tmp/j$n.folded" || { echo "-j$n output differs from -j1" >&2; exit 1; }
		done
		[ -z "$perl_collapse" ] || one perl /dev/null perl "$perl_collapse" "$input"
		r=$((r + 1))
	done
	echo "   load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
	for name in $names; do
		sort -n "$tmp/$name" | awk -v name="$name" -v bytes="$bytes" '
			{ w[NR] = $1 / 1e6; if ($2 > m) m = $2 }
			END { label = name == "perl" ? "stackcollapse-perf.pl" : "wasmperf-fold -" name
			      printf "   %-24s best %7.3f s  median %7.3f s  %6.3f GB/s  peak RSS %7.1f MB\n",
				     label, w[1], w[int((NR + 1) / 2)], bytes / w[1] / 1e9, m / 1024 }'
	done
done
[ "$found" = 1 ] || { echo "no *.perf in $work: run bench/run.sh first" >&2; exit 1; }
