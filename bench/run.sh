#!/bin/bash
# bench/run.sh: record real WebAssembly profiles with perf and time wasmperf
# against the FlameGraph perl scripts on the same input, in one run.
# See bench/README.md. Usage:
#   bench/run.sh [--quick] [--runs N] [--work DIR] [--no-record]
#                [--freq HZ] [--target-lines N]
# Environment:
#   FLAMEGRAPH_DIR  checkout of github.com/brendangregg/FlameGraph (perl
#                   comparison skipped when unset or absent)
#   WASMPERF_BIN    directory holding wasmperf-fold and wasmperf-flame
#                   (default: build/tools of this repository)
# Needs: perf, node (>= 18) and npm with access to the npm registry,
#   /usr/bin/time (Debian package "time"), awk, gzip. Run as root (or with
#   kernel.perf_event_paranoid <= 1 and kernel.perf_event_max_sample_rate
#   >= 20000).
set -u
set -o pipefail

bench=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$bench/.." && pwd)
quick=0
runs=3
record=1
work=${BENCH_WORK:-$bench/work}
target_lines=
freq=
sqljs_version=1.16.0
esbuild_version=0.28.2

usage() {
	awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
	exit "${1:-0}"
}
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--runs) runs=$2; shift ;;
	--runs=*) runs=${1#*=} ;;
	--work) work=$2; shift ;;
	--work=*) work=${1#*=} ;;
	--no-record) record=0 ;;
	--target-lines) target_lines=$2; shift ;;
	--target-lines=*) target_lines=${1#*=} ;;
	--freq) freq=$2; shift ;;
	--freq=*) freq=${1#*=} ;;
	-h | --help) usage 0 ;;
	*) echo "run.sh: unknown option $1" >&2; usage 2 >&2 ;;
	esac
	shift
done
if [ "$quick" = 1 ]; then
	runs=1
	sqljs_seconds=1.5
	esbuild_bundles=1
	: "${freq:=4999}"
	: "${target_lines:=0}" # no inflation in smoke tests
else
	sqljs_seconds=8
	esbuild_bundles=6
fi
: "${freq:=20000}" "${target_lines:=90000}"

WASMPERF_BIN=${WASMPERF_BIN:-$repo/build/tools}
case $WASMPERF_BIN in /*) ;; *) WASMPERF_BIN=$repo/$WASMPERF_BIN ;; esac
fold=$WASMPERF_BIN/wasmperf-fold
flame=$WASMPERF_BIN/wasmperf-flame
export_tool=$WASMPERF_BIN/wasmperf-export
[ -x "$fold" ] || fold=
[ -x "$export_tool" ] || export_tool=
[ -x "$flame" ] || flame=
fgdir=${FLAMEGRAPH_DIR:-}
perl_collapse='' perl_flame=''
if [ -n "$fgdir" ] && [ -f "$fgdir/stackcollapse-perf.pl" ]; then
	perl_collapse=$fgdir/stackcollapse-perf.pl
	perl_flame=$fgdir/flamegraph.pl
	[ -f "$perl_flame" ] || perl_flame=
fi

say() { printf '%s\n' "$*" >&2; }
die() { say "run.sh: $*"; exit 1; }

# ---- prerequisites --------------------------------------------------------
command -v perf >/dev/null || die "perf not found (apt-get install linux-perf)"
command -v node >/dev/null || die "node not found"
command -v npm >/dev/null || die "npm not found"
if [ ! -x /usr/bin/time ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		apt-get install -y time >/dev/null || die "could not install time"
	else
		die "/usr/bin/time missing (apt-get install time)"
	fi
fi
if [ "$(id -u)" = 0 ]; then
	sysctl -q kernel.perf_event_paranoid=-1 2>/dev/null || true
	sysctl -q kernel.kptr_restrict=0 2>/dev/null || true
	rate=$(cat /proc/sys/kernel/perf_event_max_sample_rate 2>/dev/null || echo 0)
	[ "$rate" -ge 20000 ] 2>/dev/null || sysctl -q kernel.perf_event_max_sample_rate=100000 2>/dev/null || true
fi

mkdir -p "$work/maps" "$work/out" "$work/input"
work=$(cd "$work" && pwd)
out=$work/out
say "work directory: $work"
say "wasmperf-fold:  ${fold:-missing (skipped)}"
say "wasmperf-flame: ${flame:-missing (skipped)}"
if [ -n "$perl_collapse" ]; then say "FlameGraph:     $fgdir"; else say "FlameGraph:     FLAMEGRAPH_DIR unset or absent (perl comparison skipped)"; fi
say "runs: $runs$([ "$quick" = 1 ] && echo ' (quick)')"

# ---- npm packages and inputs ---------------------------------------------
if [ ! -f "$work/node_modules/sql.js/dist/sql-wasm.wasm" ] ||
	[ ! -f "$work/node_modules/esbuild-wasm/esbuild.wasm" ]; then
	say "installing sql.js@$sqljs_version esbuild-wasm@$esbuild_version into $work"
	[ -f "$work/package.json" ] || echo '{ "name": "wasmperf-bench-work", "private": true }' >"$work/package.json"
	(cd "$work" && npm install --no-audit --no-fund --loglevel=error \
		"sql.js@$sqljs_version" "esbuild-wasm@$esbuild_version" >&2) || die "npm install failed"
fi
bundles=()
for i in $(seq 1 "$esbuild_bundles"); do
	b=$work/input/bundle$i.js
	[ -s "$b" ] || node "$bench/wl/genbundle.js" "$b" 1048576 "$i" || die "genbundle failed"
	bundles+=("$b")
done

# ---- recordings -----------------------------------------------------------
# Each recording keeps the perf maps V8 wrote (/tmp/perf-PID.map) in
# $work/maps/, and puts them back before every `perf script`.
restore_maps() { # name
	for m in "$work/maps/$1".perf-*.map; do
		[ -f "$m" ] || continue
		cp "$m" "/tmp/${m##*/"$1".}"
	done
}
keep_maps() { # name data
	rm -f "$work/maps/$1".perf-*.map
	for pid in $(perf script -i "$2" -F pid 2>/dev/null | sort -un); do
		[ -f "/tmp/perf-$pid.map" ] && cp "/tmp/perf-$pid.map" "$work/maps/$1.perf-$pid.map"
	done
	return 0
}
perf_record() { # name cmd...
	local name=$1
	shift
	local try
	rm -f "$work/$name.data" "$work/$name.data.old"
	for try in 1 2; do
		# in $work: node with --perf-basic-prof leaves isolate-*-v8.log files in its cwd
		if (cd "$work" && NODE_PATH=$work/node_modules perf record -q -F "$freq" -g -e cpu-clock \
			-o "$work/$name.data" -- "$@" >"$out/$name.stdout" 2>"$out/$name.stderr"); then
			keep_maps "$name" "$work/$name.data"
			echo "$freq" >"$work/$name.freq"
			return 0
		fi
		say "recording $name failed (try $try): $(tail -n 3 "$out/$name.stderr")"
	done
	return 1
}
node_flags=(--perf-basic-prof --interpreted-frames-native-stack)
# esbuild-wasm 0.28.2's CLI crashes V8 ("Fatal JavaScript invalid size error")
# when it prints its summary to a stderr that is a regular file: hence
# --log-level=warning below.
workloads=(sqljs esbuild)
if [ "$record" = 1 ]; then
	say "recording sqljs: $sqljs_seconds s of SQLite (sql.js) work"
	perf_record sqljs node "${node_flags[@]}" "$bench/wl/sqljs.js" "$sqljs_seconds" || die "sqljs recording failed"
	say "recording esbuild: esbuild-wasm minifying ${#bundles[@]} x 1 MB"
	rm -rf "$work/esbuild-out"
	perf_record esbuild node "${node_flags[@]}" "$work/node_modules/esbuild-wasm/bin/esbuild" \
		"${bundles[@]}" --minify --log-level=warning --outdir="$work/esbuild-out" || die "esbuild recording failed"
fi
for w in "${workloads[@]}"; do
	[ -f "$work/$w.data" ] || die "$work/$w.data missing (run without --no-record)"
	restore_maps "$w"
	perf script -i "$work/$w.data" >"$work/$w.perf" 2>/dev/null || die "perf script $w failed"
done

# ---- measurements -----------------------------------------------------------
table=$out/table.tsv
: >"$table"
rm -f "$out"/*.folded "$out"/*.svg
row() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$table"; } # workload step wall rss note
mb() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else printf "-" }'; }
measure() { # var workload step out cmd...  -> sets $var to the best wall time ("" if skipped/failed)
	local var=$1 w=$2 step=$3 o=$4
	shift 4
	local r
	say "  $w: $step"
	r=$("$bench/timeit.sh" "$runs" "$o" "$@")
	if [ "$r" = fail ] || [ -z "$r" ]; then
		row "$w" "$step" failed - ""
		printf -v "$var" '%s' ""
		return 1
	fi
	# shellcheck disable=SC2086 # split "best median rss"
	set -- $r
	row "$w" "$step" "$1" "$(mb "$3")" "median $2"
	printf -v "$var" '%s' "$1"
}
skip() { row "$1" "$2" skipped - "$3"; }

agreements=$out/agreement.txt
: >"$agreements"
for w in "${workloads[@]}"; do
	x=$work/$w.perf
	bytes=$(stat -c %s "$x")
	samples=$(grep -c '^[^[:space:]#]' "$x")
	row "$w" "input: $w.perf" "-" "-" "$bytes bytes, $samples samples"
	restore_maps "$w"
	# (outputs to files, as wasmperf-fold's: /dev/null would spare the anchors the writes)
	measure t_ps "$w" "perf script -i $w.data" "$out/$w.script.txt" perf script -i "$work/$w.data" || true
	measure t_pr "$w" "perf report -g folded (perf's own C)" "$out/$w.report.txt" \
		perf report -i "$work/$w.data" --stdio --no-children -g folded,0,caller,count --sort comm || true
	measure t_wc "$w" "wc -l $w.perf" /dev/null wc -l "$x" || true
	t_wf='' t_pl=''
	if [ -n "$fold" ]; then
		measure t_wf "$w" "wasmperf-fold $w.perf" "$out/$w.wasmperf.folded" "$fold" "$x" || true
	else
		skip "$w" "wasmperf-fold $w.perf" "no $WASMPERF_BIN/wasmperf-fold"
	fi
	if [ -n "$perl_collapse" ]; then
		measure t_pl "$w" "stackcollapse-perf.pl $w.perf" "$out/$w.perl.folded" perl "$perl_collapse" "$x" || true
	else
		skip "$w" "stackcollapse-perf.pl $w.perf" "FLAMEGRAPH_DIR unset"
	fi
	# perf.data read directly: no perf script step at all.
	t_wd=''
	if [ -n "$fold" ]; then
		restore_maps "$w"
		measure t_wd "$w" "wasmperf-fold $w.data" "$out/$w.data.folded" "$fold" -q "$work/$w.data" || true
		[ -n "$t_wd" ] && [ -n "${t_pr:-}" ] && row "$w" "ratio perf report / wasmperf-fold data" "$(ratio "$t_pr" "$t_wd")" - "speed-up"
		[ -n "$t_wd" ] && [ -n "${t_ps:-}" ] && [ -n "${t_pl:-}" ] &&
			row "$w" "ratio (perf script + perl) / wasmperf-fold data" \
			"$(awk -v a="$t_ps" -v b="$t_pl" -v c="$t_wd" 'BEGIN { printf "%.1fx", (a + b) / c }')" - "speed-up"
	fi
	# wasmperf-export beside fold on the same perf.data (issue 17: at most
	# twice fold's time, files at least 10x smaller than perf script text)
	if [ -n "$export_tool" ] && [ -n "$t_wd" ]; then
		for f in speedscope firefox pprof; do
			restore_maps "$w"
			measure t_ex "$w" "wasmperf-export -f $f $w.data" "$out/$w.$f" "$export_tool" -q -f "$f" "$work/$w.data" || continue
			size=$(stat -c %s "$out/$w.$f")
			row "$w" "ratio export $f / fold data" "$(ratio "$t_ex" "$t_wd")" - \
				"$size bytes, $(ratio "$bytes" "$size") smaller than $w.perf"
		done
	elif [ -z "$export_tool" ]; then
		skip "$w" "wasmperf-export" "no $WASMPERF_BIN/wasmperf-export"
	fi
	[ -n "$t_wf" ] && [ -n "${t_wc:-}" ] && row "$w" "ratio wasmperf-fold / wc -l" "$(ratio "$t_wf" "$t_wc")" - ""
	[ -n "$t_wf" ] && [ -n "$t_pl" ] && row "$w" "ratio perl / wasmperf-fold" "$(ratio "$t_pl" "$t_wf")" - "speed-up"
	[ -n "$t_pl" ] && [ -n "${t_ps:-}" ] && row "$w" "ratio perl / perf script" "$(ratio "$t_pl" "$t_ps")" - ""
	for f in "$out/$w.wasmperf.folded" "$out/$w.perl.folded"; do
		[ -s "$f" ] && row "$w" "  ${f##*/}" - - "$(wc -l <"$f") lines"
	done
	if [ -n "$t_wf" ] && [ -n "$t_pl" ]; then
		{
			echo "== $w: A = wasmperf-fold, B = stackcollapse-perf.pl"
			awk -v TOP=8 -f "$bench/agree.awk" "$out/$w.wasmperf.folded" "$out/$w.perl.folded"
		} >>"$agreements"
		row "$w" "agreement wasmperf vs perl" "$(sed -n 's/^agreement: \([0-9.]*\).*/\1/p' "$agreements" | tail -n 1)" - "share of weight"
		# The listed deviations are all about names: with --perl-compat
		# (perl's own name clean-up) the two must agree on all the weight.
		"$fold" --perl-compat "$x" >"$out/$w.wasmperf-perl.folded" 2>/dev/null
		{
			echo "== $w: A = wasmperf-fold --perl-compat, B = stackcollapse-perf.pl"
			awk -v TOP=8 -f "$bench/agree.awk" "$out/$w.wasmperf-perl.folded" "$out/$w.perl.folded"
		} >>"$agreements"
		row "$w" "agreement --perl-compat vs perl" "$(sed -n 's/^agreement: \([0-9.]*\).*/\1/p' "$agreements" | tail -n 1)" - "share of weight"
		if [ -s "$out/$w.data.folded" ]; then
			{
				echo "== $w: A = wasmperf-fold $w.data, B = wasmperf-fold $w.perf (perf script text)"
				awk -v TOP=8 -f "$bench/agree.awk" "$out/$w.data.folded" "$out/$w.wasmperf.folded"
			} >>"$agreements"
			row "$w" "agreement perf.data vs perf script text" "$(sed -n 's/^agreement: \([0-9.]*\).*/\1/p' "$agreements" | tail -n 1)" - "share of weight"
		fi
	fi
done

# ---- flame graph on the biggest folded file --------------------------------
big='' lines=0
for f in "$out"/*.perl.folded "$out"/*.wasmperf.folded; do
	[ -s "$f" ] || continue
	n=$(wc -l <"$f")
	[ "$n" -gt "$lines" ] && { big=$f; lines=$n; }
done
if [ -z "$big" ]; then
	skip flame "flame graph" "no folded file (neither folder ran)"
else
	flame_in=$out/flame-input.folded
	note="${big##*/}, $lines lines"
	if [ "$lines" -lt "$target_lines" ]; then
		# Inflate: the real folded stacks of every workload folded by the same
		# tool, then renamed copies of them (inflate.awk).
		kind=${big##*/}; kind=${kind#*.}          # perl.folded or wasmperf.folded
		other=()
		for f in "$out"/*."$kind"; do [ "$f" != "$big" ] && [ -s "$f" ] && other+=("$f"); done
		awk -v TARGET="$target_lines" -f "$bench/inflate.awk" "$big" "${other[@]}" | LC_ALL=C sort >"$flame_in"
		note="INFLATED to $(wc -l <"$flame_in") lines from $note${other[*]:+ + ${other[*]##*/}} (renamed copies, root FRAME~vN)"
	else
		cp "$big" "$flame_in"
	fi
	row flame "input: flame-input.folded" - - "$note"
	t_wfl='' t_pfl=''
	if [ -n "$flame" ]; then
		measure t_wfl flame "wasmperf-flame" "$out/flame.wasmperf.svg" "$flame" "$flame_in" || true
	else
		skip flame "wasmperf-flame" "no $WASMPERF_BIN/wasmperf-flame"
	fi
	if [ -n "$perl_flame" ]; then
		measure t_pfl flame "flamegraph.pl" "$out/flame.perl.svg" perl "$perl_flame" "$flame_in" || true
	else
		skip flame "flamegraph.pl" "FLAMEGRAPH_DIR unset"
	fi
	[ -n "$t_wfl" ] && [ -n "$t_pfl" ] && row flame "ratio perl / wasmperf-flame" "$(ratio "$t_pfl" "$t_wfl")" - "speed-up"
	for f in "$out/flame.wasmperf.svg" "$out/flame.perl.svg"; do
		[ -s "$f" ] && row flame "  ${f##*/}" - - "$(stat -c %s "$f") bytes, $(grep -c '<rect' "$f") rects"
	done
fi

# ---- name translation on the biggest folded file ---------------------------
names=$WASMPERF_BIN/wasmperf-names
if [ -x "$names" ] && [ -s "${big:-}" ]; then
	row names "input: ${big##*/}" - - "$(stat -c %s "$big") bytes"
	measure t_cat names "cat" /dev/null cat "$big" || true
	measure t_names names "wasmperf-names --runtime v8" "$out/names.folded" "$names" --runtime v8 "$big" || true
	[ -n "${t_names:-}" ] && row names "throughput wasmperf-names" \
		"$(awk -v b="$(stat -c %s "$big")" -v t="$t_names" 'BEGIN { printf "%.0f", b / t / 1e6 }')" - "MB/s"
fi

# ---- report ---------------------------------------------------------------
{
	echo
	echo "wasmperf bench, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, runs=$runs (wall: best; RSS: peak over runs)"
	echo "recorded at $(for w in "${workloads[@]}"; do printf '%s %s Hz, ' "$w" "$(cat "$work/$w.freq" 2>/dev/null || echo '?')"; done)perf $(perf --version 2>/dev/null | awk '{print $3}'), node $(node --version), sql.js $sqljs_version, esbuild-wasm $esbuild_version"
	awk -F '\t' 'BEGIN { printf "%-9s %-42s %10s %9s  %s\n", "workload", "step", "wall s", "RSS MB", "note" }
		{ printf "%-9s %-42s %10s %9s  %s\n", $1, $2, $3, $4, $5 }' "$table"
	if [ -s "$agreements" ]; then
		echo
		cat "$agreements"
	fi
	echo
	echo "outputs in $out"
} | tee "$out/report.txt"
