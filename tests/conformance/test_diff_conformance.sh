#!/bin/sh
# wasmperf-diff against inferno's diff-folded results (hash order there, so
# both sides are sorted before comparing), read from the peer directory.
set -u
peer=${1:-${WASMPERF_SHARED:-}/peer}
diffbin=${WASMPERF_BIN:+$WASMPERF_BIN/}wasmperf-diff
dir=$peer/inferno/diff-folded
[ -d "$dir" ] || { echo "SKIP: no peer data at '$peer'"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
check() { # name expected-result args...
	name=$1 want=$2; shift 2
	"$diffbin" -q "$@" >"$tmp/out" || { echo "FAIL: $name exited $?"; fail=$((fail + 1)); return; }
	sort "$want" >"$tmp/want"
	if sort -c "$tmp/out" 2>/dev/null && cmp -s "$tmp/out" "$tmp/want"; then pass=$((pass + 1)); else
		echo "FAIL: $name"; diff "$tmp/want" "$tmp/out" | head; fail=$((fail + 1)); fi
}
export LC_ALL=C
check default "$dir/results/default.txt" "$dir/before.txt" "$dir/after.txt"
check fractionals "$dir/results/fractionals.txt" "$dir/before_fractionals.txt" "$dir/after.txt"
check normalize "$dir/results/normalize.txt" -n "$dir/before.txt" "$dir/after.txt"
check strip_hex "$dir/results/strip_hex.txt" -s "$dir/before.txt" "$dir/after.txt"
# A line without a count is reported, not fatal.
"$diffbin" "$dir/bad_before.txt" "$dir/after.txt" >"$tmp/out" 2>"$tmp/err"
if [ $? -eq 0 ] && grep -q "invalid format" "$tmp/err"; then pass=$((pass + 1)); else
	echo "FAIL: bad_before: no warning"; fail=$((fail + 1)); fi
# Usage errors exit 2.
"$diffbin" "$dir/before.txt" >/dev/null 2>&1
if [ $? -eq 2 ]; then pass=$((pass + 1)); else echo "FAIL: one file should be a usage error"; fail=$((fail + 1)); fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
