#!/bin/sh
# threads.sh - wasmperf-fold -j1 against -j2 (and -jN) and
# stackcollapse-perf.pl on the perf script text that bench/run.sh left in
# the work directory (WORK/*.perf), and against perf report -g folded on
# its recordings (WORK/*.data), in paired runs: each round runs every
# command once, in turn, so a machine whose load changes meanwhile slows
# all of them alike. Prints, per input and command, the best and median
# wall time, GB/s (input bytes / best wall), peak RSS, and the load
# average before and after; for text also the median CPU time (user +
# system) and how many times faster than stackcollapse-perf.pl (medians);
# checks that every -jN output equals -j1's. Every command writes its
# output to a file in a temporary directory (the anchors too: writing 11 MB
# to a file costs several ms, which /dev/null would spare them).
#   bench/threads.sh [--runs N] [--work DIR] [--threads "2 4"] [--only perf|data]
#                    [--input FILE]...
# --input adds a perf script text file to WORK/*.perf (e.g. a larger one).
# Environment: WASMPERF_BIN (default build/tools), FLAMEGRAPH_DIR (a
# FlameGraph checkout; unset: no perl rows).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
runs=5 work=$root/bench/work threads=2 only= extra=
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=$2; shift 2 ;;
	--work) work=$2; shift 2 ;;
	--threads) threads=$2; shift 2 ;;
	--only) only=$2; shift 2 ;;
	--input) extra="$extra $2"; shift 2 ;;
	*) echo "usage: $0 [--runs N] [--work DIR] [--threads \"2 4\"] [--only perf|data] [--input FILE]..." >&2; exit 2 ;;
	esac
done
bin=${WASMPERF_BIN:-$root/build/tools}
perl_collapse=${FLAMEGRAPH_DIR:+$FLAMEGRAPH_DIR/stackcollapse-perf.pl}
[ -x "$bin/wasmperf-fold" ] || { echo "no $bin/wasmperf-fold: build it first" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# one NAME OUT CMD...: one timed run, appended to $tmp/NAME as
# "WALL_US RSS_KB CPU_S"
one() {
	name=$1 out=$2
	shift 2
	t0=$(date +%s%N)
	/usr/bin/time -f '%M %U %S' -o "$tmp/rss" "$@" >"$out" 2>/dev/null
	t1=$(date +%s%N)
	echo "$(((t1 - t0) / 1000)) $(tail -n 1 "$tmp/rss" | awk '{ print $1, $2 + $3 }')" >>"$tmp/$name"
}

# median NAME COL: the median of column COL of $tmp/NAME
median() {
	sort -n -k "$2,$2" "$tmp/$1" | awk -v c="$2" '{ v[NR] = $c } END { print v[int((NR + 1) / 2)] }'
}

found=0
for input in "$work"/*.perf $extra; do
	[ -f "$input" ] && [ "$only" != data ] || continue
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
		[ -z "$perl_collapse" ] || one perl "$tmp/perl.out" perl "$perl_collapse" "$input"
		r=$((r + 1))
	done
	echo "   load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
	perl_median=
	[ -z "$perl_collapse" ] || perl_median=$(median perl 1)
	for name in $names; do
		sort -n "$tmp/$name" | awk -v name="$name" -v bytes="$bytes" -v cpu="$(median "$name" 3)" \
			-v perl="$perl_median" '
			{ w[NR] = $1 / 1e6; if ($2 > m) m = $2 }
			END { label = name == "perl" ? "stackcollapse-perf.pl" : "wasmperf-fold -" name
			      med = w[int((NR + 1) / 2)]
			      x = perl != "" && name != "perl" ? sprintf("  %5.1fx perl", perl / 1e6 / med) : ""
			      printf "   %-24s best %7.3f s  median %7.3f s  cpu %6.3f s  %6.3f GB/s  peak RSS %6.1f MB%s\n",
				     label, w[1], med, cpu, bytes / w[1] / 1e9, m / 1024, x }'
	done
done

# perf.data read directly (WORK/*.data, with WORK/maps as --perf-map-dir
# when it is there): -j1 against -jN, where worker threads load the
# symbol sources (kallsyms, ELF tables, perf maps) while the main thread
# reads and folds, and perf report -g folded on the same file (issue 16:
# fold >= 4x perf report). Ratios are of medians.
for input in "$work"/*.data; do
	[ -f "$input" ] && [ "$only" != perf ] || continue
	found=1
	w=$(basename "$input" .data)
	maps=
	[ -d "$work/maps" ] && maps="--perf-map-dir $work/maps"
	cat "$input" >/dev/null
	names="j1"
	for n in $threads; do names="$names j$n"; done
	names="$names report"
	for name in $names; do : >"$tmp/$name"; done
	echo "== $w.data: $(wc -c <"$input") bytes, $runs paired rounds; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
	r=0
	while [ "$r" -lt "$runs" ]; do
		# shellcheck disable=SC2086 # $maps is two words or none
		one j1 "$tmp/j1.folded" "$bin/wasmperf-fold" -j1 $maps "$input"
		for n in $threads; do
			# shellcheck disable=SC2086
			one "j$n" "$tmp/j$n.folded" "$bin/wasmperf-fold" "-j$n" $maps "$input"
			cmp -s "$tmp/j1.folded" "$tmp/j$n.folded" || { echo "-j$n output differs from -j1" >&2; exit 1; }
		done
		one report "$tmp/report.out" perf report -i "$input" --stdio --no-children \
			-g folded,0,caller,count --sort comm
		r=$((r + 1))
	done
	echo "   load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
	for name in $names; do
		sort -n "$tmp/$name" | awk -v name="$name" '
			{ w[NR] = $1 / 1e6; if ($2 > m) m = $2 }
			END { label = name == "report" ? "perf report -g folded" : "wasmperf-fold -" name
			      printf "   %-24s best %7.3f s  median %7.3f s  peak RSS %7.1f MB\n",
				     label, w[1], w[int((NR + 1) / 2)], m / 1024
			      print w[int((NR + 1) / 2)] > "'"$tmp"'/" name ".median" }'
	done
	for name in $names; do
		[ "$name" = report ] && continue
		awk -v name="$name" '{ m = $1 } END { printf "   ratio perf report / wasmperf-fold -%s: %.2fx (medians)\n", name, r / m }' \
			r="$(cat "$tmp/report.median")" "$tmp/$name.median"
	done
done
[ "$found" = 1 ] || { echo "no *.perf or *.data in $work: run bench/run.sh first" >&2; exit 1; }
