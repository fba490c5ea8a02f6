#!/bin/sh
# wasmperf fold -j N on perf.data gives one thread's output byte for byte:
# with -j2/-j4 the symbol sources (kallsyms, ELF tables, perf maps) load on
# worker threads from their first MMAP on (symbolizer/native_loader.c),
# yet stdout, stderr (each warning, in its order) and the exit status must
# be -j1's. Inputs: every perf.data fixture under testdata/ (gzipped ones
# unpacked), each with its directory as --perf-map-dir and its kallsyms
# copy when it has one, and every third one with the running kernel's
# symbols and --addrs --pid; and cases whose sources load while the run fails: a cut
# recording, a missing --kallsyms file, a file on standard input.
# WASMPERF_THREADS_MAX_FILES limits the fixtures (the ThreadSanitizer
# build runs a sample).
set -u
src=${WASMPERF_SRC:?}
bin=${WASMPERF_BIN:?}
fold=$bin/wasmperf-fold
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# run NAME CMD: CMD (a shell line using $J for the thread option) with
# -j1, then -j2 and -j4, and -j2 with the records handed from the reader
# thread (tools/data_pipe.c) in batches of one record (WASMPERF_CHUNK_BYTES
# 1; 0 is the default size); all must agree.
run() {
	name=$1 cmd=$2
	J=-j1 sh -c "$cmd" >"$tmp/a.out" 2>"$tmp/a.err"
	echo $? >"$tmp/a.exit"
	for v in -j2:0 -j4:0 -j2:1; do
		j=${v%:*}
		J=$j WASMPERF_CHUNK_BYTES=${v#*:} sh -c "$cmd" >"$tmp/b.out" 2>"$tmp/b.err"
		echo $? >"$tmp/b.exit"
		if cmp -s "$tmp/a.out" "$tmp/b.out" && cmp -s "$tmp/a.err" "$tmp/b.err" &&
		   cmp -s "$tmp/a.exit" "$tmp/b.exit"; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			echo "FAIL: $name: $j (batches of ${v#*:} bytes) differs from -j1:"
			diff "$tmp/a.exit" "$tmp/b.exit"
			diff "$tmp/a.err" "$tmp/b.err" | head -5
			cmp "$tmp/a.out" "$tmp/b.out"
		fi
	done
}
export fold

# Every perf.data fixture (plain or gzip), by its magic.
n=0 resolved=0
for f in $(find "$src/testdata" -type f -size -3M | sort); do
	case $f in
	*.gz) magic=$(gzip -dc "$f" 2>/dev/null | head -c 8 | tr -d '\0') ;;
	*) magic=$(head -c 8 "$f" | tr -d '\0') ;;
	esac
	[ "$magic" = PERFILE2 ] || continue
	[ "$n" -lt "${WASMPERF_THREADS_MAX_FILES:-100000}" ] || break
	n=$((n + 1))
	dir=$(dirname "$f")
	data=$f
	case $f in *.gz) data=$tmp/$n.data; gzip -dc "$f" >"$data" ;; esac
	kall=
	for k in "$dir"/kallsyms*; do [ -f "$k" ] && kall="--kallsyms '$k'" && break; done
	run "${f#$src/}" "\$fold \$J --perf-map-dir '$dir' $kall '$data'"
	# every third fixture again with other options (the sanitizer builds are slow)
	[ $((n % 3)) -ne 1 ] ||
		run "${f#$src/} --addrs --pid" "\$fold \$J -q --addrs --pid --perf-map-dir '$dir' '$data'"
	# a fixture whose frames were named at all (not every one has its files here)
	grep -qv '\[unknown\]' "$tmp/a.out" 2>/dev/null && resolved=$((resolved + 1))
	[ "$data" = "$f" ] || rm -f "$data"
done
echo "$n perf.data fixtures ($resolved with symbols found)"
[ -n "${WASMPERF_THREADS_MAX_FILES:-}" ] || [ "$n" -ge 10 ] ||
	{ echo "FAIL: only $n perf.data fixtures found"; fail=$((fail + 1)); }

d=$src/testdata/native-basic
run "cut recording" "head -c 60000 '$d/perf.data' >'$tmp/cut.data'; \$fold \$J --perf-map-dir '$d' '$tmp/cut.data'"
run "missing --kallsyms file" "\$fold \$J --kallsyms '$tmp/nosuch' '$d/perf.data'"
run "standard input" "\$fold \$J --perf-map-dir '$d' --kallsyms '$d/kallsyms.txt' - <'$d/perf.data'"
run "pipe mode" "cat '$src/testdata/perfdata-pipe/pipe.data' | \$fold \$J"
# cut inside compressed data (several zstd blocks to a record), on a pipe
# too, a cut --call-graph dwarf recording, a cut pipe-mode one, garbage,
# and errors the folding thread gives while the reader runs ahead: an
# --event-filter naming nothing (pipe mode: known at the first sample)
z=$src/testdata/perfdata-zstd-blocks/perf.data
run "cut compressed recording" "head -c $(($(wc -c <"$z") / 2)) '$z' >'$tmp/zcut.data'; \$fold \$J '$tmp/zcut.data'"
run "cut compressed recording on standard input" "head -c $(($(wc -c <"$z") * 3 / 4)) '$z' >'$tmp/zcut2.data'; \$fold \$J - <'$tmp/zcut2.data'"
# the dwarf recording's program at its recorded path, so that it unwinds
w=$src/testdata/dwarf-c
mkdir -p "$tmp/symfs/tmp/wasmperf-gen/dwarf-c" && cp "$w/prog" "$tmp/symfs/tmp/wasmperf-gen/dwarf-c/"
ln -s /usr "$tmp/symfs/usr"
ws="--symfs '$tmp/symfs' --kallsyms '$w/kallsyms.txt'"
run "dwarf recording unwound" "\$fold \$J $ws '$w/perf.data'"
run "cut dwarf recording" "head -c $(($(wc -c <"$w/perf.data") * 2 / 3)) '$w/perf.data' >'$tmp/wcut.data'; \$fold \$J $ws '$tmp/wcut.data'"
run "--time and --event-filter" "\$fold \$J $ws --time 20%-70% --event-filter cpu-clock '$w/perf.data'"
p=$src/testdata/perfdata-pipe/pipe.data
run "cut pipe-mode recording" "head -c $(($(wc -c <"$p") / 2)) '$p' | \$fold \$J"
run "garbage after a pipe-mode header" "printf 'PERFILE2\\020\\0\\0\\0\\0\\0\\0\\0\\011\\0\\0\\0\\0\\0\\020\\0garbage!garbage' | \$fold \$J"
run "--event-filter naming nothing, pipe mode" "cat '$p' | \$fold \$J --event-filter nosuch"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
