#!/bin/sh
# Every option a tool's --help lists must be documented in its man page
# (man/TOOL.1.scd), and every tool must have a page (curl's test1139 idea).
set -u
src=${WASMPERF_SRC:?}
bin=${WASMPERF_BIN:?}
pass=0 fail=0
for tool in "$bin"/wasmperf*; do
	[ -x "$tool" ] && [ -f "$tool" ] || continue
	name=$(basename "$tool")
	page="$src/man/$name.1.scd"
	if [ ! -f "$page" ]; then
		echo "FAIL: $name has no man page ($page)"; fail=$((fail + 1)); continue
	fi
	[ "$name" = wasmperf ] && continue   # the dispatcher has no option table
	for opt in $("$tool" --help | grep -oE '^ +(-[A-Za-z], )?--[a-z0-9-]+' | grep -oE -- '--[a-z0-9-]+'); do
		if grep -qF -- "*$opt*" "$page"; then pass=$((pass + 1)); else
			echo "FAIL: $name: $opt is in --help but not in $page"; fail=$((fail + 1)); fi
	done
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
