#!/bin/sh
# The dispatcher knows every installed tool (git's "every builtin is in the
# command list" idea): each wasmperf-NAME program in the build's tools dir
# is in `wasmperf --help`'s tool list, `wasmperf help NAME` shows its --help,
# and it has an entry in wasmperf(1) and a row in README.md's tool table;
# each tool listed exists. CONTRIBUTING.md, "Adding a tool", is the list of
# the places a new tool must appear.
set -u
src=${WASMPERF_SRC:?}
bin=${WASMPERF_BIN:?}
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

# "Tools:" up to the next blank line; a tool is a line "  NAME  summary".
listed=$("$bin/wasmperf" --help | sed -n '/^Tools:$/,/^$/p' | sed -n 's/^  \([a-z0-9][a-z0-9-]*\) .*/\1/p')
[ -n "$listed" ] && ok || bad "wasmperf --help lists no tools"

found=0
for tool in "$bin"/wasmperf-*; do
	[ -x "$tool" ] && [ -f "$tool" ] || continue
	found=$((found + 1))
	name=${tool##*/wasmperf-}
	if printf '%s\n' "$listed" | grep -qx -- "$name"; then ok; else
		bad "wasmperf-$name is not in wasmperf --help's tool list (tools/wasmperf.c)"; fi
	want=$("$tool" --help 2>&1)
	got=$("$bin/wasmperf" help "$name" 2>&1)
	rc=$?
	if [ $rc -eq 0 ] && [ "$got" = "$want" ]; then ok; else
		bad "wasmperf help $name: exit $rc, or not wasmperf-$name --help's text"; fi
	if grep -qx -- "\*$name\*" "$src/man/wasmperf.1.scd"; then ok; else
		bad "wasmperf-$name has no entry in man/wasmperf.1.scd"; fi
	if grep -q -- "^| \`wasmperf $name\`" "$src/README.md"; then ok; else
		bad "wasmperf-$name has no row in README.md's tool table"; fi
done
[ $found -gt 0 ] && ok || bad "no wasmperf-* program in $bin"

for name in $listed; do
	if [ -x "$bin/wasmperf-$name" ]; then ok; else
		bad "wasmperf --help lists '$name' but there is no $bin/wasmperf-$name"; fi
done

"$bin/wasmperf" help no-such-tool >/dev/null 2>&1
rc=$?
[ $rc -eq 2 ] && ok || bad "wasmperf help no-such-tool: exit $rc, want 2"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
