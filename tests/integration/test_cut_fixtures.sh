#!/bin/sh
# Cuts each small binary fixture (perf.data of every kind, a jitdump, Wasm
# modules) at every 5 % of its size and checks what the tools make of the
# cut file: no signal (no crash, no sanitizer abort); exit 1 with a message
# naming the file and a byte offset (a jitdump cut inside a record is the
# documented exception: a warning, exit 0, as a still-running JIT leaves
# it); and for perf.data, folded output that is a subset of the whole
# file's (every stack of the cut one is in the whole one's output, with no
# larger count): a damaged recording never makes up frames. Kernel frames
# are left unnamed on both sides (an empty --kallsyms): a cut file loses the
# kernel's build-id, so it may not use /proc/kallsyms where the whole may.
# A pipe-mode stream cut between two records is a complete stream to any
# reader (it has no end marker): there exit 0 is right, subset still holds.
#   tests/integration/test_cut_fixtures.sh   (WASMPERF_BIN, WASMPERF_SRC)
set -u
src=${WASMPERF_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${WASMPERF_BIN:+$WASMPERF_BIN/}
td=$src/testdata
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/no-kallsyms"
export LC_ALL=C
pass=0 fail=0
failed() { fail=$((fail + 1)); echo "FAIL: $*"; }

# the bytes of a fixture (gunzipped) in $tmp/whole.NAME
whole() {
	case $1 in
	*.gz) gzip -dc "$td/$1" >"$tmp/$2" ;;
	*) cp "$td/$1" "$tmp/$2" ;;
	esac
}

# cut FILE PERCENT -> $tmp/cut/NAME (the file name kept, for messages)
cut_at() {
	mkdir -p "$tmp/cut"
	size=$(wc -c <"$1")
	head -c $((size * $2 / 100)) "$1" >"$tmp/cut/$(basename "$1")"
}

# Each stack of $1 is in $2 with at least its count.
subset() {
	awk 'NR == FNR { n = $NF; sub(/ [0-9]+$/, ""); full[$0] = n; next }
	     { n = $NF; sub(/ [0-9]+$/, ""); if (!($0 in full) || n + 0 > full[$0] + 0) { print "   not in the whole file'"'"'s output: " $0 " " n; bad = 1 } }
	     END { exit bad }' "$2" "$1"
}

# check CASE CUTFILE STATUS ERRFILE: no signal; exit 1 naming file + offset
check_error() {
	if [ "$3" -ge 128 ]; then
		failed "$1: killed by signal $(($3 - 128))"; head -3 "$4"; return 1
	fi
	if [ "$3" -ne 1 ] || ! grep -q "$(basename "$2").*offset 0x[0-9a-f]" "$4"; then
		failed "$1: exit $3, want 1 with a message naming the file and offset"
		head -3 "$4" | sed 's/^/   /'
		return 1
	fi
	return 0
}

# ---- perf.data: every kind (file, pipe, zstd, tracepoints, uprobes, ...)
for f in perfdata-fp/perf.data perfdata-pipe/pipe.data perfdata-pipe-tp/pipe.data \
	perfdata-zstd/perf.data perfdata-compressed2/perf.data perfdata-uprobe/perf.data \
	perfdata-multi/perf.data perfmap-long/perf.data fold-event-default/freq.data.gz \
	fold-event-default/pipe.data.gz; do
	name=$(echo "$f" | tr / -)
	name=${name%.gz}
	whole "$f" "$name"
	fold() { "${bin}wasmperf-fold" -q --samples --kallsyms "$tmp/no-kallsyms" "$@"; }
	fold "$tmp/$name" >"$tmp/full.folded" 2>/dev/null
	for p in 5 10 15 20 25 30 35 40 45 50 55 60 65 70 75 80 85 90 95; do
		cut_at "$tmp/$name" "$p"
		fold "$tmp/cut/$name" >"$tmp/out" 2>"$tmp/err"
		rc=$?
		case $f:$rc in
		*pipe*:0) ;; # cut between records: a complete stream
		*) check_error "$f at $p%" "$tmp/cut/$name" "$rc" "$tmp/err" || continue ;;
		esac
		if ! subset "$tmp/out" "$tmp/full.folded" >"$tmp/why"; then
			failed "$f at $p%: output not a subset of the whole file's"
			head -3 "$tmp/why"
			continue
		fi
		pass=$((pass + 1))
	done
done

# ---- a jitdump with its recording: a cut inside a record is the dump of
# a runtime still running (a warning, exit 0); elsewhere exit 1 + offset
jd=jitdump-emit/jit-28833.dump
whole "$jd" jit-28833.dump
for p in 5 10 15 20 25 30 35 40 45 50 55 60 65 70 75 80 85 90 95; do
	cut_at "$tmp/jit-28833.dump" "$p"
	"${bin}wasmperf-fold" -q --samples --jitdump "$tmp/cut/jit-28833.dump" \
		"$td/jitdump-emit/perf.data" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ge 128 ]; then
		failed "$jd at $p%: killed by signal $((rc - 128))"
	elif [ "$rc" -eq 0 ] && ! grep -q "jit-28833.dump.*offset 0x[0-9a-f].*cut\|jit-28833.dump.*offset 0x[0-9a-f]" "$tmp/err"; then
		# -q hides the tail warning: ask again without it
		"${bin}wasmperf-fold" --samples --jitdump "$tmp/cut/jit-28833.dump" \
			"$td/jitdump-emit/perf.data" >/dev/null 2>"$tmp/err"
		if grep -q "jit-28833.dump.*offset 0x[0-9a-f]" "$tmp/err"; then
			pass=$((pass + 1))
		else
			failed "$jd at $p%: exit 0 without a warning naming the dump and offset"
			head -3 "$tmp/err" | sed 's/^/   /'
		fi
	elif [ "$rc" -ne 0 ]; then
		check_error "$jd at $p%" "$tmp/cut/jit-28833.dump" "$rc" "$tmp/err" && pass=$((pass + 1))
	else
		pass=$((pass + 1))
	fi
done

# ---- Wasm modules: an error naming the module and offset
printf 'main;wasm-function[0] 1\n' >"$tmp/in.folded"
for w in names-v8/kern.wasm cxx-names/kern.wasm fixtures/node-wasm.kern.wasm; do
	name=$(echo "$w" | tr / -)
	whole "$w" "$name"
	for p in 5 10 15 20 25 30 35 40 45 50 55 60 65 70 75 80 85 90 95; do
		cut_at "$tmp/$name" "$p"
		"${bin}wasmperf-names" -q --wasm "$tmp/cut/$name" "$tmp/in.folded" >"$tmp/out" 2>"$tmp/err"
		rc=$?
		check_error "$w at $p%" "$tmp/cut/$name" "$rc" "$tmp/err" && pass=$((pass + 1))
	done
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
