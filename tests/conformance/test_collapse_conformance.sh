#!/bin/sh
# Runs wasmperf-fold against FlameGraph's and inferno's expected collapse
# outputs, read from the peer directory (never copied into this tree):
#   tests/conformance/test_collapse_conformance.sh [PEER_DIR]
# PEER_DIR defaults to $WASMPERF_SHARED/peer. Comparison rules are the
# peer README's: FlameGraph's results predate a quoting change, so every
# " and ' is deleted from both sides before comparing; inferno's are exact.
set -u
peer=${1:-${WASMPERF_SHARED:-}/peer}
fold=${WASMPERF_BIN:+$WASMPERF_BIN/}wasmperf-fold
if [ ! -d "$peer/flamegraph-test" ]; then
	echo "SKIP: no peer data at '$peer'"
	exit 77
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
compare() { # name expected actual [strip-quotes]
	if [ "${4:-}" = strip ]; then
		tr -d "\"'" <"$2" >"$tmp/want"
		tr -d "\"'" <"$3" >"$tmp/got"
	else
		cp "$2" "$tmp/want"
		cp "$3" "$tmp/got"
	fi
	if cmp -s "$tmp/want" "$tmp/got"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $1"
		diff "$tmp/want" "$tmp/got" | head -10
	fi
}

# FlameGraph: every input with each option. The perl script loses a last
# sample that no blank line ends (a bug wasmperf-fold fixes, listed in
# wasmperf-fold(1)); where an input ends that way, its expected output is
# compared with the input cut after its last blank line, and the full
# input must give exactly one more stack line's worth of weight.
for input in "$peer"/flamegraph-test/perf-*.txt; do
	name=$(basename "$input" .txt)
	awk '{ lines[NR] = $0 } /^[ \t]*$/ { last = NR } END { for (i = 1; i <= last; i++) print lines[i] }' \
		"$input" >"$tmp/cut.txt"
	for opt in pid tid kernel jit all addrs; do
		expected="$peer/flamegraph-test/results/$name-collapsed-$opt.txt"
		[ -f "$expected" ] || continue
		"$fold" -q "--$opt" "$tmp/cut.txt" >"$tmp/out" 2>"$tmp/err" || { echo "FAIL: $name --$opt exited $?"; fail=$((fail + 1)); continue; }
		compare "flamegraph-test/$name --$opt" "$expected" "$tmp/out" strip
		"$fold" -q "--$opt" "$input" >"$tmp/full" 2>"$tmp/err"
		extra=$(awk 'NR == FNR { w[$0] = 1; next } !($0 in w) { n++ } END { print n + 0 }' "$tmp/out" "$tmp/full")
		if cmp -s "$tmp/cut.txt" "$input"; then want=0; else want=1; fi
		if [ "$extra" -le "$want" ]; then pass=$((pass + 1)); else
			fail=$((fail + 1)); echo "FAIL: flamegraph-test/$name --$opt: $extra changed lines from the unterminated last sample"
		fi
	done
done

# inferno: results/NAME-collapsed[-OPT].txt, OPT one of the options above.
for expected in "$peer"/inferno/collapse-perf/results/*-collapsed*.txt; do
	base=$(basename "$expected" .txt)
	name=${base%%-collapsed*}
	opt=${base#"$name"-collapsed}
	opt=${opt#-}
	input="$peer/inferno/collapse-perf/$name.txt"
	if [ -n "$opt" ]; then set -- "--$opt"; else set --; fi
	"$fold" -q "$@" "$input" >"$tmp/out" 2>"$tmp/err" || { echo "FAIL: $name $* exited $?"; fail=$((fail + 1)); continue; }
	compare "inferno/$name $*" "$expected" "$tmp/out"
done

# Malformed lines: a warning on stderr, exit 0, the good samples kept.
for name in empty-line weird-stack-line; do
	input="$peer/inferno/collapse-perf/$name.txt"
	"$fold" "$input" >"$tmp/out" 2>"$tmp/err"
	status=$?
	if [ $status -eq 0 ] && grep -q "Weird" "$tmp/err" && [ -s "$tmp/out" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: inferno/$name: exit $status, stderr: $(cat "$tmp/err")"
	fi
done

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
