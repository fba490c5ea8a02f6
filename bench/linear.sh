#!/bin/sh
# linear.sh - wasmperf-fold on perf script text far larger than memory:
# bench B's text (WORK/sqljs.perf, left by bench/run.sh) repeated until
# it reaches each size, streamed through a pipe (nothing that large is
# ever written to disk). Folding should take time linear in the size and
# the same peak RSS as B itself: memory grows with distinct stacks, never
# with input. Prints, per size, the wall and CPU time, GB/s, seconds per
# GB, and peak RSS against B's own fold; checks that every output is B's
# folded stacks with each count multiplied by the repetitions. Also times
# the producer alone (the repetition through a pipe into cat), which
# shares the cores with the fold.
#   bench/linear.sh [--input FILE] [--sizes "1 4 10"] [--threads N] [--runs N]
#                   [--no-producer]
# Sizes in GB (10^9 bytes, fractions too, rounded up to whole copies).
# Environment: WASMPERF_BIN (default build/tools).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
input=$root/bench/work/sqljs.perf sizes="1 4 10" threads=2 runs=1 producer=1
while [ $# -gt 0 ]; do
	case $1 in
	--input) input=$2; shift 2 ;;
	--sizes) sizes=$2; shift 2 ;;
	--threads) threads=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--no-producer) producer=0; shift ;;
	*) echo "usage: $0 [--input FILE] [--sizes \"1 4 10\"] [--threads N] [--runs N] [--no-producer]" >&2; exit 2 ;;
	esac
done
bin=${WASMPERF_BIN:-$root/build/tools}
[ -x "$bin/wasmperf-fold" ] || { echo "no $bin/wasmperf-fold: build it first" >&2; exit 1; }
[ -f "$input" ] || { echo "no $input: run bench/run.sh first, or give --input" >&2; exit 1; }
# copies only join into whole samples when the input ends with a blank line
[ "$(tail -c 2 "$input" | od -An -c | tr -d ' ')" = '\n\n' ] ||
	{ echo "$input does not end with a blank line: its copies would run together" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bytes=$(wc -c <"$input")
cat "$input" >/dev/null # in the page cache

# repeat N: the input N times on stdout
repeat() {
	i=0
	while [ "$i" -lt "$1" ]; do
		cat "$input"
		i=$((i + 1))
	done
}

# measure LABEL COPIES: one fold of COPIES copies through a pipe; prints
# "LABEL COPIES BYTES WALL_S CPU_S RSS_KB" and checks the output
measure() {
	label=$1 copies=$2
	t0=$(date +%s%N)
	repeat "$copies" | /usr/bin/time -f '%U %S %M' -o "$tmp/time" \
		"$bin/wasmperf-fold" "-j$threads" >"$tmp/out.folded" 2>"$tmp/err"
	t1=$(date +%s%N)
	# every stack of B, each count times the copies, nothing else
	awk -v k="$copies" 'NR == FNR { n = $NF; $NF = ""; want[$0] = n * k; next }
		{ n = $NF; $NF = ""; if (!($0 in want) || want[$0] != n) bad++; seen++ }
		END { exit !(bad == 0 && seen == length(want)) }' "$tmp/base.folded" "$tmp/out.folded" ||
		{ echo "$label: the output is not B's stacks times $copies" >&2; exit 1; }
	read -r user sys rss <"$tmp/time"
	echo "$label $copies $((bytes * copies)) $(((t1 - t0) / 1000000)) $user $sys $rss"
}

"$bin/wasmperf-fold" "-j$threads" "$input" >"$tmp/base.folded" 2>/dev/null
echo "== $(basename "$input") ($bytes bytes) repeated through a pipe, wasmperf-fold -j$threads, $runs run(s) per size"
echo "   load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$tmp/rows"
r=0
while [ "$r" -lt "$runs" ]; do
	measure B 1 >>"$tmp/rows"
	for gb in $sizes; do
		copies=$(awk -v g="$gb" -v b="$bytes" 'BEGIN { c = int(g * 1e9 / b); print c * b < g * 1e9 ? c + 1 : c }')
		measure "${gb}GB" "$copies" >>"$tmp/rows"
		# the producer alone, for the share of the cores it takes
		[ "$producer" = 1 ] || continue
		t0=$(date +%s%N)
		repeat "$copies" | cat >/dev/null
		t1=$(date +%s%N)
		echo "cat${gb}GB $copies $((bytes * copies)) $(((t1 - t0) / 1000000)) 0 0 0" >>"$tmp/rows"
	done
	r=$((r + 1))
done
echo "   load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
# medians per label, in the order first measured
awk '{ key = $1; if (!(key in n)) order[++nk] = key; n[key]++
       wall[key, n[key]] = $4 / 1000; cpu[key, n[key]] = $5 + $6; rss[key] = $7 > rss[key] ? $7 : rss[key]
       bytes[key] = $3 }
     function median(a, key, m,   i, j, t, v) {
	for (i = 1; i <= m; i++) v[i] = a[key, i]
	for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
	return v[int((m + 1) / 2)] }
     END {
	base = rss["B"]
	for (k = 1; k <= nk; k++) {
		key = order[k]; m = n[key]; w = median(wall, key, m); gb = bytes[key] / 1e9
		if (key ~ /^cat/) {
			printf "   %-6s producer alone     wall %8.2f s                      %6.3f GB/s\n", substr(key, 4), w, gb / w
			continue
		}
		printf "   %-6s %6.2f GB  wall %8.2f s  cpu %8.2f s  %6.3f GB/s  %6.2f s/GB  peak RSS %6.1f MB (%+.1f%% of B)\n",
			key, gb, w, median(cpu, key, m), gb / w, w / gb, rss[key] / 1024, 100 * (rss[key] - base) / base
	}
     }' "$tmp/rows"
