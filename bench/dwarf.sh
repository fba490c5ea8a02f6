#!/bin/bash
# bench/dwarf.sh: --call-graph dwarf and jitdump recordings of real Wasm
# (sql.js running SQLite under node, the workload of run.sh), timed in one
# run: wasmperf-fold reading perf.data (-j1, and -jN with N the cores:
# medians of runs taken in turn with perf script's) vs perf script (with and
# without its inline expansion through addr2line) and the perl pipeline;
# plus the agreement of the stacks. Usage:
#   bench/dwarf.sh [--runs N] [--seconds S] [--freq HZ] [--no-record]
#                  [--inline-timeout S]
# Environment: FLAMEGRAPH_DIR, WASMPERF_BIN, BENCH_WORK as for run.sh (the
# sql.js package is installed by run.sh into its work directory).
# Writes $work/out/dwarf-report.txt.
set -u
set -o pipefail
bench=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$bench/.." && pwd)
runs=3 seconds=6 freq=4999 record=1 inline_timeout=900
work=${BENCH_WORK:-$bench/work}
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=$2; shift ;;
	--seconds) seconds=$2; shift ;;
	--freq) freq=$2; shift ;;
	--no-record) record=0 ;;
	--inline-timeout) inline_timeout=$2; shift ;;
	-h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
	*) echo "dwarf.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
WASMPERF_BIN=${WASMPERF_BIN:-$repo/build/tools}
fold=$WASMPERF_BIN/wasmperf-fold
collapse=${FLAMEGRAPH_DIR:+$FLAMEGRAPH_DIR/stackcollapse-perf.pl}
say() { printf '%s\n' "$*" >&2; }
die() { say "dwarf.sh: $*"; exit 1; }
[ -x "$fold" ] || die "no $fold (build first)"
[ -f "$work/node_modules/sql.js/dist/sql-wasm.wasm" ] || die "sql.js missing: run bench/run.sh --quick once"
out=$work/out
mkdir -p "$out"
F=comm,pid,tid,time,ip,sym,symoff,dso

if [ "$record" = 1 ]; then
	say "recording sqljs-dwarf: $seconds s, --call-graph dwarf, -F $freq"
	(cd "$work" && NODE_PATH=$work/node_modules perf record -q -F "$freq" --call-graph dwarf \
		-e cpu-clock -o "$work/sqljs-dwarf.data" -- node --perf-basic-prof \
		--interpreted-frames-native-stack "$bench/wl/sqljs.js" "$seconds" >/dev/null 2>&1) ||
		die "recording failed"
	for pid in $(perf script -i "$work/sqljs-dwarf.data" -F pid 2>/dev/null | sort -un); do
		[ -f "/tmp/perf-$pid.map" ] && cp "/tmp/perf-$pid.map" "$work/maps/sqljs-dwarf.perf-$pid.map"
	done
	say "recording sqljs-jit: $seconds s, -g -k mono, node --perf-prof (jitdump)"
	rm -f "$work"/jit-*.dump
	(cd "$work" && NODE_PATH=$work/node_modules perf record -q -F "$freq" -g -k mono \
		-e cpu-clock -o "$work/sqljs-jit.data" -- node --perf-prof \
		--interpreted-frames-native-stack "$bench/wl/sqljs.js" "$seconds" >/dev/null 2>&1) ||
		die "recording failed"
fi
for m in "$work/maps/"sqljs-dwarf.perf-*.map; do [ -f "$m" ] && cp "$m" "/tmp/${m##*/sqljs-dwarf.}"; done

table=$out/dwarf-table.tsv
: >"$table"
row() { printf '%s\t%s\t%s\n' "$@" >>"$table"; }
best() { # OUT CMD...: best wall seconds of $runs runs, or "fail"
	local o=$1
	shift
	"$bench/timeit.sh" "$runs" "$o" "$@" | awk '{ print $1 }'
}
d=$work/sqljs-dwarf.data
# no recording, no figures: a missing input must not print ratios of nothing
[ -f "$d" ] || { echo "dwarf.sh: no recording $d (record it: drop --no-record, or set BENCH_WORK)" >&2; exit 1; }
row "input" "$(stat -c %s "$d") bytes" "$(perf script -i "$d" -F pid 2>/dev/null | wc -l) samples"
# fold -j1, fold -jN (N = the cores, at least 2) and perf script
# --no-inline in turn, $runs times: a busy machine slows the three alike;
# the median of each, its peak RSS, and the load average around them.
jn=$(nproc)
[ "$jn" -ge 2 ] || jn=2
paired=$out/dwarf-paired.txt
: >"$paired"
load0=$(cut -d' ' -f1-3 /proc/loadavg)
say "timing wasmperf-fold -j1, -j$jn and perf script --no-inline, in turn, $runs times"
i=0
while [ "$i" -lt "$runs" ]; do
	echo "j1 $("$bench/timeit.sh" 1 "$out/dwarf.data.folded" "$fold" -q -j1 "$d")" >>"$paired"
	echo "jn $("$bench/timeit.sh" 1 "$out/dwarf.data.jn.folded" "$fold" -q -j"$jn" "$d")" >>"$paired"
	echo "perf $("$bench/timeit.sh" 1 /dev/null perf script --no-inline -i "$d")" >>"$paired"
	i=$((i + 1))
done
median() { awk -v c="$1" '$1 == c { print $3 }' "$paired" | sort -n |
	awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : "fail") }'; }
peak() { awk -v c="$1" '$1 == c && $4 > m { m = $4 } END { print m + 0 }' "$paired"; }
t_w1=$(median j1) t_w=$(median jn) t_pn=$(median perf)
cmp -s "$out/dwarf.data.folded" "$out/dwarf.data.jn.folded" || t_w="$t_w (output differs from -j1!)"
row "wasmperf-fold -j1 sqljs-dwarf.data (median)" "$t_w1" "s, peak RSS $(peak j1) KB"
row "wasmperf-fold -j$jn sqljs-dwarf.data (median)" "$t_w" "s, peak RSS $(peak jn) KB"
row "perf script --no-inline (median)" "$t_pn" "s, peak RSS $(peak perf) KB"
row "load average before / after" "$load0 / $(cut -d' ' -f1-3 /proc/loadavg)" ""
perf script --no-inline -F $F -i "$d" 2>/dev/null >"$work/sqljs-dwarf.noinline.perf"
if [ -n "$collapse" ] && [ -f "$collapse" ]; then
	say "timing perf script --no-inline | stackcollapse-perf.pl"
	t_pl=$(best "$out/dwarf.perl.folded" sh -c "perf script --no-inline -i '$d' 2>/dev/null | perl '$collapse'")
	row "perf script --no-inline | stackcollapse-perf.pl" "$t_pl" "s"
	row "ratio (perf script | perl) / wasmperf-fold" "$(awk -v a="$t_pl" -v b="$t_w" 'BEGIN { printf "%.1fx", a / b }')" ""
fi
row "ratio perf script --no-inline / wasmperf-fold -j1" "$(awk -v a="$t_pn" -v b="$t_w1" 'BEGIN { printf "%.2fx", a / b }')" ""
row "ratio perf script --no-inline / wasmperf-fold -j$jn" "$(awk -v a="$t_pn" -v b="$t_w" 'BEGIN { printf "%.2fx", a / b }')" ""
say "timing perf script (default: inline frames through addr2line; at most $inline_timeout s)"
t0=$(date +%s%N)
if timeout "$inline_timeout" perf script -F $F -i "$d" >"$work/sqljs-dwarf.inline.perf" 2>/dev/null; then
	t_pi=$(awk -v n="$(($(date +%s%N) - t0))" 'BEGIN { printf "%.3f", n / 1e9 }')
else
	t_pi=">$inline_timeout"
fi
row "perf script (inline, once)" "$t_pi" "s"
say "timing wasmperf-fold --inline"
t_wi=$(best "$out/dwarf.inline.folded" "$fold" -q --inline "$d")
row "wasmperf-fold --inline sqljs-dwarf.data" "$t_wi" "s"
case $t_pi in '>'*) r=">$(awk -v a="${t_pi#>}" -v b="$t_wi" 'BEGIN { printf "%.0fx", a / b }')" ;;
*) r=$(awk -v a="$t_pi" -v b="$t_wi" 'BEGIN { printf "%.1fx", a / b }') ;; esac
row "ratio perf script (inline) / wasmperf-fold --inline" "$r" ""
j=$work/sqljs-jit.data
say "timing wasmperf-fold sqljs-jit.data (jitdump, no perf inject)"
t_wj=$(best "$out/jit.data.folded" "$fold" -q "$j")
row "wasmperf-fold sqljs-jit.data (jitdump)" "$t_wj" "s"
say "timing perf inject --jit + perf script"
rm -f "$work"/jitted-*.so
t_inj=$(best /dev/null sh -c "perf inject --jit -i '$j' -o '$work/sqljs-jit.injected.data' && perf script -F $F -i '$work/sqljs-jit.injected.data'")
row "perf inject --jit + perf script" "$t_inj" "s"
row "jitted-*.so files perf inject wrote" "$(ls "$work"/jitted-*.so 2>/dev/null | wc -l)" ""
perf script -F $F -i "$work/sqljs-jit.injected.data" 2>/dev/null | "$fold" -q --samples >"$out/jit.inject.folded"
"$fold" -q --samples "$j" >"$out/jit.data.samples.folded"
rm -f "$work"/jitted-*.so
{
	echo "wasmperf dwarf/jitdump bench, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, runs=$runs, -F $freq, $seconds s of sql.js"
	awk -F '\t' '{ printf "%-52s %12s %s\n", $1, $2, $3 }' "$table"
	echo
	echo "== A = perf script --no-inline | wasmperf-fold, B = wasmperf-fold sqljs-dwarf.data"
	"$fold" -q "$work/sqljs-dwarf.noinline.perf" >"$out/dwarf.text.folded"
	"$fold" -q --samples "$d" >"$out/dwarf.data.samples.folded"
	awk -v TOP=6 -f "$bench/agree.awk" "$out/dwarf.text.folded" "$out/dwarf.data.samples.folded"
	# perf's unwinders stop at the first frame without CFI (JIT code); we
	# go on through the frame-pointer chain. Cut our stacks there too to
	# compare the rest.
	echo "== the same, B cut at its leaf-most JIT frame as perf's unwind stops there"
	awk -f "$bench/cutjit.awk" "$out/dwarf.data.samples.folded" | LC_ALL=C sort >"$out/dwarf.data.cut.folded"
	awk -v TOP=6 -f "$bench/agree.awk" "$out/dwarf.text.folded" "$out/dwarf.data.cut.folded"
	if [ -s "$work/sqljs-dwarf.inline.perf" ]; then
		echo "== A = perf script (inline) | wasmperf-fold, B = wasmperf-fold --inline"
		"$fold" -q "$work/sqljs-dwarf.inline.perf" >"$out/dwarf.text-inline.folded"
		"$fold" -q --samples --inline "$d" | awk -f "$bench/cutjit.awk" | LC_ALL=C sort >"$out/dwarf.inline.cut.folded"
		echo "   (B cut at its leaf-most JIT frame, as above)"
		awk -v TOP=6 -f "$bench/agree.awk" "$out/dwarf.text-inline.folded" "$out/dwarf.inline.cut.folded"
	fi
	echo "== A = perf inject --jit + perf script, B = wasmperf-fold with the jitdump (samples)"
	awk -v TOP=6 -f "$bench/agree.awk" "$out/jit.inject.folded" "$out/jit.data.samples.folded"
} | tee "$out/dwarf-report.txt"
