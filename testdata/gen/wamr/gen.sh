#!/bin/sh
# Copies what the tests read of the WAMR recordings in ../shared/wamr/
# (see its README.md) into testdata/fixtures/wamr-*/ (binary files with
# gzip -9n), and makes testdata/fixtures/wamr-kallsyms.gz: the lines of ../shared/wamr/
# kallsyms.xz (the /proc/kallsyms of the boot the WAMR recordings were made
# on, 122,133 lines, 615 KB compressed) that the tests' WAMR recordings
# need. Kept: _text, _stext, _etext, every kernel symbol named in the
# aot-compute and jit-compute out.perf (with every line at its address),
# and every line at the next address after it, so each kept symbol ends
# where it ended in the whole file (perf ends a kallsyms symbol at the
# next one). Folding those perf.data files with the whole file and with
# this one gives the same bytes; the script checks it when the tools are
# built (WASMPERF_BIN, default build/tools).
#   sh testdata/gen/wamr/gen.sh [SHARED_DIR]   (default ../shared)
set -eu
cd "$(dirname "$0")/../../.."
shared=${1:-${WASMPERF_SHARED:-../shared}}
W=$shared/wamr
out=testdata/fixtures/wamr-kallsyms.gz
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
F=testdata/fixtures
mkdir -p $F/wamr-aot-compute $F/wamr-jit-compute
gzip -9n <"$W/aot-compute/perf.data.raw" >$F/wamr-aot-compute/perf.data.raw.gz
cp "$W/aot-compute/perf-29948.map" $F/wamr-aot-compute/
for f in perf.data.raw perf.data jit-30837.dump; do
	gzip -9n <"$W/jit-compute/$f" >"$F/wamr-jit-compute/$f.gz"
done
cp "$W/jit-compute/jit-syms.txt" $F/wamr-jit-compute/
chmod 644 $F/wamr-aot-compute/* $F/wamr-jit-compute/*
xz -dc "$W/kallsyms.xz" >"$t/all"
cat "$W/aot-compute/out.perf" "$W/jit-compute/out.perf" |
	awk '/^\t/ && /\(\[kernel\.kallsyms\]\)$/ { s = $2; sub(/\+0x[0-9a-f]+$/, "", s); print s }' |
	LC_ALL=C sort -u >"$t/names"
LC_ALL=C sort -s -k1,1 "$t/all" | cmp -s - "$t/all" || { echo "kallsyms not sorted" >&2; exit 1; }
awk 'NR == FNR { need[$1] = 1; next }
     { n++; addr[n] = $1; l[n] = $0; name[n] = $3 }
     END {
	for (i = 1; i <= n; i++) {
		if (!need[name[i]] && name[i] != "_text" && name[i] != "_stext" && name[i] != "_etext")
			continue
		j = i; while (j > 1 && addr[j - 1] == addr[i]) j--
		for (; j <= n && addr[j] == addr[i]; j++) keep[j] = 1
		if (j <= n) { a = addr[j]; for (; j <= n && addr[j] == a; j++) keep[j] = 1 }
	}
	for (i = 1; i <= n; i++) if (keep[i]) print l[i]
     }' "$t/names" "$t/all" >"$t/small"
gzip -9n <"$t/small" >"$out"
echo "$out: $(wc -l <"$t/small") lines, $(wc -c <"$out") bytes"
bin=${WASMPERF_BIN:-build/tools}
if [ -x "$bin/wasmperf-fold" ]; then
	for f in aot-compute/perf.data.raw jit-compute/perf.data.raw jit-compute/perf.data; do
		a=$("$bin/wasmperf-fold" -q --kallsyms "$t/all" "$W/$f" | cksum)
		b=$("$bin/wasmperf-fold" -q --kallsyms "$t/small" "$W/$f" | cksum)
		[ "$a" = "$b" ] || { echo "$f folds differently with $out" >&2; exit 1; }
	done
	echo "the same folded output as with the whole kallsyms"
fi
