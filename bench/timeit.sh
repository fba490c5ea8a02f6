#!/bin/sh
# timeit.sh RUNS OUT CMD [ARG...]
# Runs CMD RUNS times with stdout to OUT (a file, or /dev/null) and prints
# one line: "BEST_WALL_SECONDS MEDIAN_WALL_SECONDS MAX_RSS_KB". Peak RSS is
# GNU time's %M; wall time is measured around it with date +%s%N (GNU
# time's %e has only 10 ms resolution; the wrapper adds about 1 ms).
# Prints "fail" (and exits 1) if any run exits non-zero.
set -u
runs=$1 out=$2
shift 2
tf=$(mktemp)
trap 'rm -f "$tf" "$tf.all"' EXIT
: >"$tf.all"
i=0
while [ "$i" -lt "$runs" ]; do
	t0=$(date +%s%N)
	if ! /usr/bin/time -f '%M' -o "$tf" "$@" >"$out" 2>/dev/null; then
		echo fail
		exit 1
	fi
	t1=$(date +%s%N)
	echo "$(((t1 - t0) / 1000)) $(tail -n 1 "$tf")" >>"$tf.all"
	i=$((i + 1))
done
sort -n "$tf.all" | awk '{ w[NR] = $1 / 1e6; if ($2 > m) m = $2 }
	END { printf "%.3f %.3f %d\n", w[1], w[int((NR + 1) / 2)], m }'
