#!/bin/sh
# wasmperf fold -j N gives one thread's output byte for byte: stdout,
# stderr and exit status of -j1 against -j2/-j3, with the default chunk
# size and with chunks of a few dozen bytes (WASMPERF_CHUNK_BYTES) so that
# small fixtures span many chunks (samples cut across chunks, chunks with
# no blank line, lines longer than a chunk). Inputs: every perf script text
# (and .gz) fixture under testdata/, options that keep state across
# samples (--time percentages, events, --pid), and made-up edge cases:
# a pipe, several files, damaged gzip, garbage, text without blank lines,
# counts that overflow, blank lines of every kind. A named file is read by
# the workers themselves (pread), a pipe by a reader thread: every fixture
# goes both ways. WASMPERF_THREADS_MAX_FILES limits the fixtures (the
# ThreadSanitizer build runs a sample).
set -u
src=${WASMPERF_SRC:?}
bin=${WASMPERF_BIN:?}
fold=$bin/wasmperf-fold
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# run NAME CMD [VARIANTS]: CMD (a shell line using $J for the thread
# option) with -j1, then with more threads and chunk sizes ("-jN BYTES",
# 0 the default size); all must agree.
run() {
	name=$1 cmd=$2
	J=-j1 sh -c "$cmd" >"$tmp/a.out" 2>"$tmp/a.err"
	echo $? >"$tmp/a.exit"
	set -- ${3:--j2 0 -j3 61 -j2 7}
	while [ $# -ge 2 ]; do
		J=$1 WASMPERF_CHUNK_BYTES=$2 sh -c "$cmd" >"$tmp/b.out" 2>"$tmp/b.err"
		echo $? >"$tmp/b.exit"
		if cmp -s "$tmp/a.out" "$tmp/b.out" && cmp -s "$tmp/a.err" "$tmp/b.err" &&
		   cmp -s "$tmp/a.exit" "$tmp/b.exit"; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			echo "FAIL: $name: $1 (chunks of $2 bytes) differs from -j1:"
			diff "$tmp/a.exit" "$tmp/b.exit"
			diff "$tmp/a.err" "$tmp/b.err" | head -5
			cmp "$tmp/a.out" "$tmp/b.out"
		fi
		shift 2
	done
}
export fold

# Every fixture that is perf script text (plain or gzip), by its content:
# not perf.data, not folded stacks, and perf script's event header shape.
n=0
for f in $(find "$src/testdata" -type f \( -name '*.txt' -o -name '*.perf' -o -name '*.gz' \
	   -o -name '*.script' \) -size -3M | sort); do
	case $f in *.gz) head=$(gzip -dc "$f" 2>/dev/null | head -c 4096) ;; *) head=$(head -c 4096 "$f") ;; esac
	case $head in PERFILE2*) continue ;; esac
	printf '%s\n' "$head" | grep -qaE '^[^#	].* [0-9]+(/[0-9]+)? .*: ' || continue
	[ "$n" -lt "${WASMPERF_THREADS_MAX_FILES:-100000}" ] || break
	n=$((n + 1))
	# tiny chunks on small inputs (a job each costs a reader)
	small="-j2 0 -j3 61 -j2 7"
	[ "$(wc -c <"$f")" -lt 100000 ] || small="-j2 0 -j3 4096"
	run "${f#$src/}" "\$fold \$J '$f'" "$small"
	# (a named file is read by the workers themselves; a pipe by a reader thread)
	run "${f#$src/} on a pipe" "cat '$f' | \$fold \$J" "-j3 61"
	run "${f#$src/} --pid --time 10%-60%" "\$fold \$J --pid --time 10%-60% '$f'" "-j3 0"
done
echo "$n text fixtures"
[ -n "${WASMPERF_THREADS_MAX_FILES:-}" ] || [ "$n" -ge 10 ] || { echo "FAIL: only $n text fixtures found"; fail=$((fail + 1)); }

edge=$src/testdata/fold-text-edge-cases/input.perf
gz=$src/testdata/fold-errors/truncated.perf.gz
run "a pipe" "cat '$edge' | \$fold \$J"
run "two files" "\$fold \$J '$edge' '$edge'"
run "-q" "\$fold \$J -q '$edge'"
# --time percentages in tiny jobs: the first jobs are merged while later
# workers are still being started (whatever the fixture sample)
run "--time percentages in tiny jobs" "\$fold \$J --pid --time 10%-60% '$edge'" "-j3 16 -j3 61 -j2 16"
run "--event-filter" "\$fold \$J --event-filter task-clock '$edge'"
run "--event-filter naming nothing" "\$fold \$J --event-filter nosuch '$edge'"
run "truncated gzip" "\$fold \$J '$gz'"
run "truncated gzip on a pipe" "cat '$gz' | \$fold \$J"
run "garbage" "printf '\\000\\001\\002\\377\\n\\n\\377 1 x: \\n\\t zz\\n' | \$fold \$J"
grep -v '^$' "$edge" >"$tmp/noblank.txt"
# samples apart by blank lines of every kind (spaces, tabs, CR, long ones),
# some not blank (no line start before them), and a last line without '\n'
awk 'BEGIN { split("|  |\t|\r| \t \r", sep, "|");
	for (i = 0; i < 400; i++) {
		printf "p%d %d %d.%06d: 1 cpu-clock:\n\tffff f%d (m) \n\tffff g%d (m)\n", i % 3, i, i, i, i % 11, i % 5
		if (i % 29 == 3) { for (k = 0; k < 70; k++) printf " "; }
		if (i % 13 != 7) printf "%s\n", sep[i % 5 + 1]
	}
	printf "q 1 9.0: 1 cpu-clock:\n\tffff end (m)" }' >"$tmp/blanks.txt"
run "blank lines of every kind" "\$fold \$J '$tmp/blanks.txt'" "-j2 0 -j3 61 -j2 7 -j2 100 -j3 333"
run "blank lines of every kind on a pipe" "cat '$tmp/blanks.txt' | \$fold \$J" "-j3 61 -j2 7"
run "no blank lines" "\$fold \$J '$tmp/noblank.txt'"
awk 'BEGIN { for (i = 0; i < 6; i++) printf "p%d 1 1.0: 9999999999999999999 cpu-clock:\n\tffff f%d (m)\n\n", i % 2, i % 2 }' >"$tmp/overflow.txt"
run "counts overflowing 64 bits" "\$fold \$J '$tmp/overflow.txt'"
# more distinct stacks than a worker keeps (its table is emptied past 1024
# and 4 times its last job's), each seen twice, in one-sample jobs and in
# default ones
awk 'BEGIN { for (r = 0; r < 2; r++) for (i = 0; i < 3000; i++)
	printf "p 1 1.0: %d cpu-clock:\n\tffff f%d (m)\n\tffff g%d (m)\n\n", r + 1, i, i % 7 }' >"$tmp/distinct.txt"
run "many distinct stacks" "\$fold \$J '$tmp/distinct.txt'" "-j2 0 -j3 61 -j2 40"

# usage: a count from 1 to 64
for bad in 0 65 x 2x; do
	"$fold" -j "$bad" "$edge" >/dev/null 2>&1
	if [ $? -eq 2 ]; then pass=$((pass + 1)); else
		echo "FAIL: -j $bad is not a usage error"; fail=$((fail + 1)); fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
