#!/bin/bash
# bench/record-dwarf.sh: records the big --call-graph dwarf input for the
# benchmarks (never stored in git: ~300 MB) and times stock perf on it.
#   node --perf-basic-prof --interpreted-frames-native-stack wl/sqljs.js S
# (sql.js: SQLite compiled to Wasm, bench/run.sh's workload) recorded with
#   perf record -F FREQ --call-graph dwarf -e cpu-clock -o WORK/dwarf/sqljs-dwarf.data
# (default stack copy: 8192 bytes), then the reference timings:
#   perf script -i X > /dev/null                        (perf 6.1's default:
#       inlined frames through addr2line; very slow on node)
#   perf script -i X | stackcollapse-perf.pl > X.perl.folded
#   perf script --no-inline -i X > /dev/null            (what is cheap)
#   perf script --no-inline -i X | stackcollapse-perf.pl
# Usage: bench/record-dwarf.sh [--seconds S] [--freq HZ] [--runs N]
#                              [--inline-runs N] [--no-record]
#   defaults: 5 s at 6999 Hz (30k+ samples on the 2-core VM), --runs 3 for
#   the --no-inline rows, --inline-runs 1 for the default (inline) rows.
# Environment: BENCH_WORK (default bench/work), FLAMEGRAPH_DIR (default
# /tmp/ref/FlameGraph; the perl rows are skipped without it). sql.js must
# be installed in BENCH_WORK/node_modules (bench/run.sh --quick does it).
# Writes WORK/dwarf/: sqljs-dwarf.data, perf-PID.map copies (V8's maps, put
# back into /tmp before each perf script), report.txt.
set -u
set -o pipefail
bench=$(cd "$(dirname "$0")" && pwd)
seconds=5 freq=6999 runs=3 inline_runs=1 record=1
work=${BENCH_WORK:-$bench/work}
fg=${FLAMEGRAPH_DIR:-/tmp/ref/FlameGraph}
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) seconds=$2; shift ;;
	--freq) freq=$2; shift ;;
	--runs) runs=$2; shift ;;
	--inline-runs) inline_runs=$2; shift ;;
	--no-record) record=0 ;;
	-h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
	*) echo "record-dwarf.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
say() { printf '%s\n' "$*" >&2; }
die() { say "record-dwarf.sh: $*"; exit 1; }
[ -f "$work/node_modules/sql.js/dist/sql-wasm.wasm" ] || die "sql.js missing in $work: run bench/run.sh --quick once"
collapse=$fg/stackcollapse-perf.pl
[ -f "$collapse" ] || { say "no $collapse: perl rows skipped"; collapse=; }
d=$work/dwarf
mkdir -p "$d"
x=$d/sqljs-dwarf.data
if [ "$(id -u)" = 0 ]; then
	sysctl -q kernel.perf_event_paranoid=-1 2>/dev/null || true
	sysctl -q kernel.kptr_restrict=0 2>/dev/null || true
	rate=$(cat /proc/sys/kernel/perf_event_max_sample_rate 2>/dev/null || echo 0)
	[ "$rate" -ge "$freq" ] 2>/dev/null || sysctl -q kernel.perf_event_max_sample_rate=100000 2>/dev/null || true
fi
if [ "$record" = 1 ]; then
	say "recording: $seconds s of sql.js, --call-graph dwarf, -F $freq"
	rm -f "$x" "$d"/perf-*.map
	# in $d: node --perf-basic-prof leaves isolate-*-v8.log in its cwd
	(cd "$d" && NODE_PATH=$work/node_modules perf record -q -F "$freq" --call-graph dwarf \
		-e cpu-clock -o "$x" -- node --perf-basic-prof --interpreted-frames-native-stack \
		"$bench/wl/sqljs.js" "$seconds" >/dev/null 2>"$d/record.stderr") || die "recording failed"
	for pid in $(perf script -i "$x" -F pid 2>/dev/null | sort -un); do
		[ -f "/tmp/perf-$pid.map" ] && cp "/tmp/perf-$pid.map" "$d/"
	done
fi
[ -f "$x" ] || die "$x missing (run without --no-record)"
restore() { for m in "$d"/perf-*.map; do [ -f "$m" ] && cp "$m" /tmp/; done; return 0; }
restore
samples=$(perf script -i "$x" -F pid 2>/dev/null | wc -l)
bytes=$(stat -c %s "$x")
best() { # RUNS OUT CMD: best wall seconds (and peak RSS) of RUNS runs
	local n=$1 o=$2
	shift 2
	restore
	"$bench/timeit.sh" "$n" "$o" "$@"
}
report=$d/report.txt
{
	echo "record-dwarf.sh, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, perf $(perf --version | awk '{print $3}'), node $(node --version)"
	echo "input: $x"
	echo "  $bytes bytes, $samples samples ($seconds s of sql.js, -F $freq, --call-graph dwarf = 8192-byte stacks)"
	echo "  threads: $(perf script -i "$x" -F tid 2>/dev/null | sort | uniq -c | sort -rn | awk '{printf "%s%s:%s", s, $2, $1; s=" "}')"
	echo "step (best of N; wall s, median s, peak RSS KB)"
} | tee "$report"
row() { printf '%-58s %s\n' "$1" "$2" | tee -a "$report"; }
say "timing perf script --no-inline > /dev/null ($runs runs)"
row "perf script --no-inline -i X > /dev/null  (N=$runs)" "$(best "$runs" /dev/null perf script --no-inline -i "$x")"
if [ -n "$collapse" ]; then
	say "timing perf script --no-inline | stackcollapse-perf.pl ($runs runs)"
	row "perf script --no-inline -i X | stackcollapse-perf.pl  (N=$runs)" \
		"$(best "$runs" "$d/noinline.perl.folded" sh -c "perf script --no-inline -i '$x' 2>/dev/null | perl '$collapse'")"
fi
say "timing perf script > /dev/null (default, inline; $inline_runs runs)"
row "perf script -i X > /dev/null  (N=$inline_runs)" "$(best "$inline_runs" /dev/null perf script -i "$x")"
if [ -n "$collapse" ]; then
	say "timing perf script | stackcollapse-perf.pl ($inline_runs runs)"
	row "perf script -i X | stackcollapse-perf.pl  (N=$inline_runs)" \
		"$(best "$inline_runs" "$d/inline.perl.folded" sh -c "perf script -i '$x' 2>/dev/null | perl '$collapse'")"
	for f in noinline inline; do
		[ -s "$d/$f.perl.folded" ] && row "  $f.perl.folded" "$(wc -l <"$d/$f.perl.folded") stacks, $(awk '{ n += $NF } END { print n }' "$d/$f.perl.folded") weight"
	done
fi
say "report: $report"
