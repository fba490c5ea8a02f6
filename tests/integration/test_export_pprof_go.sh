#!/bin/sh
# wasmperf-export's pprof file read by pprof itself (Debian's golang-go,
# `go tool pprof -top`): its total is wasmperf fold's, in nanoseconds of
# cpu-clock, and its heaviest functions are the Wasm names wasmperf fold
# --wasm prints, with the same flat weights. Input: node running Wasm
# (testdata/jit-node's perf.data and jitdump). Exit 77 without go.
set -u
src=${WASMPERF_SRC:?}
bin=${WASMPERF_BIN:?}
command -v go >/dev/null 2>&1 || { echo "SKIP: no go (apt-get install -y golang-go)"; exit 77; }
t=$(mktemp -d) || exit 1
trap 'rm -rf "$t"' EXIT
export HOME=${HOME:-$t} GOCACHE=$t/gocache GOFLAGS=-mod=mod
d=$src/testdata/jit-node
id=$(awk '$2 == "/usr/bin/node" { print $1 }' "$d/buildids.txt")
mkdir -p "$t/cache/.build-id/$(echo "$id" | cut -c1-2)"
gzip -dc "$d/node.stub.gz" >"$t/cache/.build-id/$(echo "$id" | cut -c1-2)/$(echo "$id" | cut -c3-)"
cp "$d/perf.data" "$t/"
for j in "$d"/jit-*.dump.gz; do gzip -dc "$j" >"$t/$(basename "${j%.gz}")"; done
set -- --kallsyms "$d/kallsyms.txt" --buildid-dir "$t/cache" --wasm "$src/testdata/fixtures/node-wasm.kern.wasm"
"$bin/wasmperf-fold" -q "$@" "$t/perf.data" >"$t/f" || exit 1
"$bin/wasmperf-export" -q -f pprof "$@" "$t/perf.data" -o "$t/p.pb.gz" || exit 1
go tool pprof -top -unit=ns -nodecount=8 "$t/p.pb.gz" >"$t/top" 2>"$t/err" || { cat "$t/err"; echo "FAIL: go tool pprof"; exit 1; }
cat "$t/top"
folded=$(awk '{ s += $NF } END { print s }' "$t/f")
total=$(sed -n 's/.* of \([0-9]*\)ns total$/\1/p' "$t/top")
fail=0
[ "$total" = "$folded" ] || { echo "FAIL: pprof total '$total' ns, folded total $folded"; fail=1; }
# flat weight of each Wasm leaf frame in the folded stacks
awk '{ n = $NF; sub(/ [0-9]+$/, ""); k = split($0, f, ";"); flat[f[k]] += n } END { for (x in flat) print flat[x] "\t" x }' "$t/f" |
	grep -F '	[Wasm] ' | sort -rn | head -4 >"$t/leaves"
while IFS="$(printf '\t')" read -r ns name; do
	if grep -qF "$ns""ns" "$t/top" && grep -F "$ns""ns" "$t/top" | grep -qF " $name"; then
		echo "ok: $name $ns ns"
	else
		echo "FAIL: fold --wasm's leaf '$name' ($ns ns) is not in pprof's top"; fail=1
	fi
done <"$t/leaves"
[ -s "$t/leaves" ] || { echo "FAIL: no Wasm leaf in the folded stacks"; fail=1; }
[ $fail -eq 0 ] && echo pass
exit $fail
