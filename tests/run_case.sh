#!/bin/sh
# Runs one testdata case: testdata/CASE/cmd is a shell command line run in
# the case directory with the built tools first on PATH; its stdout, stderr
# and exit status are compared with expected.stdout, expected.stderr and
# expected.exit when those files exist (exit defaults to 0).
# WASMPERF_UPDATE=1 rewrites the expectations that exist (and stdout).
# WASMPERF_EXEC_PREFIX (e.g. "valgrind -q") is exported for cmd to use.
set -u
case_dir=$1
: "${WASMPERF_BIN:?set WASMPERF_BIN to the build's tools directory}"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
# The case runs in a private copy of testdata/ made of symbolic links (the
# case's own files, and each other case directory for ../OTHER paths), so
# that what a cmd writes into its working directory never meets another
# build's run of the same case; expectations written back go through the
# links to the real files.
case_dir=$(cd "$case_dir" && pwd) || exit 1
name=$(basename "$case_dir")
mkdir -p "$tmp/testdata/$name" || exit 1
for d in "$case_dir"/../*/; do
	d=${d%/}
	[ "$(basename "$d")" = "$name" ] || ln -s "$d" "$tmp/testdata/$(basename "$d")"
done
for f in "$case_dir"/* "$case_dir"/.[!.]*; do
	[ -e "$f" ] || [ -L "$f" ] || continue
	ln -s "$f" "$tmp/testdata/$name/$(basename "$f")"
done
cd "$tmp/testdata/$name" || exit 1
PATH="$WASMPERF_BIN:$PATH" sh ./cmd >"$tmp/stdout" 2>"$tmp/stderr"
echo $? >"$tmp/exit"
[ -f expected.exit ] || printf '0\n' >"$tmp/want_exit"
fail=0
check() { # name expected_file
	if [ "${WASMPERF_UPDATE:-0}" = 1 ]; then cp "$tmp/$1" "$case_dir/$2"; return; fi
	if ! cmp -s "$tmp/$1" "$2"; then
		echo "FAIL: $1 differs from $case_dir/$2:"
		diff -u "$2" "$tmp/$1" | head -40
		fail=1
	fi
}
[ -f expected.stdout ] || [ "${WASMPERF_UPDATE:-0}" = 1 ] && check stdout expected.stdout
[ -f expected.stderr ] && check stderr expected.stderr
if [ -f expected.exit ]; then check exit expected.exit; else
	if ! cmp -s "$tmp/exit" "$tmp/want_exit"; then
		echo "FAIL: exit status $(cat "$tmp/exit"), expected 0"; cat "$tmp/stderr"; fail=1
	fi
fi
exit $fail
