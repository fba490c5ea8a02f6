#!/bin/sh
# campaign.sh - runs every libFuzzer harness (tests/fuzz/fuzz_*.c) with its
# seed corpus for MINUTES each, at most JOBS at a time, and prints a table:
# harness, execs, coverage (cov/ft from libFuzzer's final status line),
# findings (crash-/leak-/timeout-/oom- files libFuzzer wrote).
#
#   tests/fuzz/campaign.sh [-b BUILD_DIR] [-j JOBS] [-o OUT_DIR] [-n NAMES] MINUTES
#
# NAMES: the harnesses to run, comma-separated, without "fuzz_" (default:
# all). A campaign longer than one sitting is run in parts this way; an
# OUT_DIR reused keeps each harness's grown corpus, so a part resumes it.
# BUILD_DIR: a build configured with -DWASMPERF_FUZZ=ON (clang); without
# -b one is configured and built here (ASan+UBSan as CI fuzzes, at -O2) under
# OUT_DIR. JOBS defaults to the number of cores. OUT_DIR (default: a new
# directory under ${TMPDIR:-/tmp}) keeps, per harness, the grown corpus,
# the log and any finding; the seed corpora in the tree are only read.
# A finding is reproduced with `BUILD_DIR/tests/fuzz/fuzz_NAME FILE`; keep
# the input in tests/fuzz/corpus/NAME/ once fixed.
# Exit: 0 when no harness found anything, 1 on a finding or a harness that
# did not run to its end, 2 on bad usage.
set -u
usage() { echo "usage: $0 [-b BUILD_DIR] [-j JOBS] [-o OUT_DIR] [-n NAMES] MINUTES" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build= jobs= out= only=
while getopts b:j:o:n: opt; do
	case $opt in
	b) build=$OPTARG ;;
	j) jobs=$OPTARG ;;
	o) out=$OPTARG ;;
	n) only=,$OPTARG, ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || usage
minutes=$1
case $minutes in '' | *[!0-9.]* | *.*.*) usage ;; esac
seconds=$(awk -v m="$minutes" 'BEGIN { s = int(m * 60 + 0.5); print s < 1 ? 1 : s }')
[ -n "$jobs" ] || jobs=$(nproc 2>/dev/null || echo 1)
case $jobs in '' | *[!0-9]* | 0) usage ;; esac
[ -n "$out" ] || out=$(mktemp -d "${TMPDIR:-/tmp}/wasmperf-fuzz-XXXXXX") || exit 1
mkdir -p "$out" || exit 1
out=$(cd "$out" && pwd)

if [ -z "$build" ]; then
	build=$out/build
	echo "building the harnesses in $build ..." >&2
	# Debug keeps the assertions; -O2 doubles the execs per second of an
	# -O0 build (fuzz_perfdata: 1.7 k/s -> 3.4 k/s), as libFuzzer advises.
	CC=${CC:-clang} cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS=-O2 \
		-DWASMPERF_SANITIZE=address,undefined -DWASMPERF_FUZZ=ON >"$out/build.log" 2>&1 &&
		ninja -C "$build" -j "$jobs" >>"$out/build.log" 2>&1 ||
		{ echo "$0: the build failed, see $out/build.log" >&2; exit 1; }
fi
[ -d "$build/tests/fuzz" ] || { echo "$0: '$build' has no tests/fuzz (configure with -DWASMPERF_FUZZ=ON)" >&2; exit 2; }

names=
for c in "$here"/fuzz_*.c; do
	name=$(basename "$c" .c)
	case $only in '' | *",${name#fuzz_},"*) ;; *) continue ;; esac
	if [ ! -x "$build/tests/fuzz/$name" ]; then
		echo "$0: $build/tests/fuzz/$name is missing (a build with -DWASMPERF_FUZZ=ON and clang?)" >&2
		exit 2
	fi
	names="$names ${name#fuzz_}"
done
[ -n "$names" ] || { echo "$0: no harness named in '$only'" >&2; exit 2; }

# One harness: its own corpus copy (the seeds are read, never written) and
# an artifact prefix, so findings of different harnesses never mix.
run_one() {
	name=$1
	dir=$out/$name
	mkdir -p "$dir/corpus" "$dir/findings"
	seeds=$here/corpus/$name
	[ -d "$seeds" ] || seeds=
	# -rss_limit_mb: libFuzzer's default (2 GB); -timeout: a unit taking
	# longer than 10 s is a hang; leaks are findings (LSan at each unit).
	"$build/tests/fuzz/fuzz_$name" -max_total_time="$seconds" -print_final_stats=1 \
		-timeout=10 -rss_limit_mb=2048 -detect_leaks=1 \
		-artifact_prefix="$dir/findings/" "$dir/corpus" ${seeds:+"$seeds"} \
		>"$dir/log" 2>&1
	echo $? >"$dir/status"
}

echo "fuzzing$names: $minutes min each, $jobs at a time; output in $out" >&2
# A pool of JOBS harnesses: POSIX sh has no `wait -n`, so finished ones
# are found by polling their pids (a plain `wait` would wait for all, and
# run the rest one at a time).
pids=
for name in $names; do
	while :; do
		alive=
		for pid in $pids; do
			kill -0 "$pid" 2>/dev/null && alive="$alive $pid"
		done
		pids=$alive
		[ "$(echo $pids | wc -w)" -lt "$jobs" ] && break
		sleep 1
	done
	run_one "$name" &
	pids="$pids $!"
done
wait

bad=0
printf '%-16s %12s %9s %8s %8s  %s\n' harness execs execs/s cov ft findings
for name in $names; do
	dir=$out/$name
	log=$dir/log
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	# the last status line with coverage: "#N ... cov: C ft: F ..."
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	found=$(find "$dir/findings" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
		-o -name 'oom-*' \) 2>/dev/null | sed 's|.*/||' | sort | tr '\n' ' ')
	status=$(cat "$dir/status" 2>/dev/null || echo '?')
	note=${found:-none}
	if [ -n "$found" ]; then
		bad=1
	elif [ "$status" != 0 ] || [ -z "$execs" ]; then
		note="did not finish (exit $status, see $log)"
		bad=1
	fi
	rate=$(awk -v e="${execs:-0}" -v s="$seconds" 'BEGIN { printf "%.0f", e / s }')
	printf '%-16s %12s %9s %8s %8s  %s\n' "$name" "${execs:-?}" "$rate" "${cov:-?}" "${ft:-?}" "$note"
done
exit $bad
