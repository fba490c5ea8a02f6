#!/bin/sh
# inline: a small C program whose hot loops call helpers that gcc inlines
# (prog.c), for wasmperf-fold --inline and the symbolizer's inline resolver.
#
# Built non-PIE so that stackcollapse-perf.pl --inline, which hands the raw
# pc to addr2line, resolves the same addresses as we do:
#   gcc -O2 -g -fno-omit-frame-pointer -no-pie prog.c -o inline-prog
# recorded for about 0.3 s with
#   perf record -q -F 2999 -g -o inline.perf.data -- ./inline-prog 600
#   perf script -i inline.perf.data
# and trimmed to the first 300 samples of inline-prog (see the awk below for
# what is left out and why). The recorded module
# path (/tmp/wasmperf-gen/inline/inline-prog) is rewritten to the relative
# name "inline-prog" so that each case directory is self-contained (the perl
# script and wasmperf-fold both open the module relative to the case dir).
#
# Writes:
#   testdata/inline-basic/{inline-prog,input.perf,reference.folded}
#       reference.folded = perl stackcollapse-perf.pl --inline input.perf
#   testdata/inline-context/{inline-prog,input.perf,reference.folded}
#       reference.folded = perl stackcollapse-perf.pl --inline --context input.perf
#   testdata/inline-basic/debuglink/{inline-prog,inline-prog.debug}: the
#       same binary with everything stripped (symbols too) and a
#       .gnu_debuglink to its --only-keep-debug file, for the debug-file path
#   testdata/inline-basic/addr2line.txt: for every 1st..Nth byte of the
#       program's own functions, what `addr2line -a ADDR -e inline-prog -i -f
#       -s -C` prints (the unit test tests/unit/test_inline.c compares the
#       resolver with it, address by address)
#
# Needs (Debian 12, root): gcc linux-perf binutils perl, and a FlameGraph
# checkout (FLAMEGRAPH=/tmp/ref/FlameGraph by default; only run, never copied).
# Regenerate: sh testdata/gen/inline/gen.sh   (bytes differ every time; the
# shape of the profile does not)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
td=$here/../..
fg=${FLAMEGRAPH:-/tmp/ref/FlameGraph}
work=/tmp/wasmperf-gen/inline       # fixed path: it is recorded in perf.data
rm -rf "$work"
mkdir -p "$work"
sysctl -q kernel.perf_event_paranoid=-1 2>/dev/null || true
cd "$work"
gcc -O2 -g -fno-omit-frame-pointer -no-pie "$here/prog.c" -o inline-prog
perf record -q -F 2999 -g -o inline.perf.data -- ./inline-prog 600 >/dev/null
# Keep the first 300 samples of inline-prog that do not run in the dynamic
# loader, drop their libc frames (__libc_start_call_main: resolving those
# needs this machine's libc6-dbg, so the expectation would depend on it;
# an FP chain may end early anyway), and rewrite the module path.
perf script -i inline.perf.data 2>/dev/null |
	awk -v max=300 '
		function flush() { if (keep && !bad && n < max) { printf "%s", buf; n++ } buf = "" }
		/^[^ \t]/ { flush(); keep = ($1 == "inline-prog"); bad = 0 }
		/ld-linux|\(\[unknown\]\)/ { bad = 1 }
		/\(\/usr\/lib\/x86_64-linux-gnu\/libc\.so\.6\)$/ { next }
		{ buf = buf $0 "\n" }
		END { flush() }' |
	sed "s|($work/inline-prog)|(inline-prog)|" >input.perf
echo "samples: $(grep -c '^inline-prog' input.perf)"

for c in basic context; do
	mkdir -p "$td/inline-$c"
	cp inline-prog input.perf "$td/inline-$c/"
done
mkdir -p "$td/inline-basic/debuglink"
objcopy --only-keep-debug inline-prog inline-prog.debug
objcopy --strip-all --add-gnu-debuglink=inline-prog.debug inline-prog inline-prog.stripped
cp inline-prog.stripped "$td/inline-basic/debuglink/inline-prog"
cp inline-prog.debug "$td/inline-basic/debuglink/inline-prog.debug"
(cd "$td/inline-basic" && perl "$fg/stackcollapse-perf.pl" --inline input.perf >reference.folded)
(cd "$td/inline-context" && perl "$fg/stackcollapse-perf.pl" --inline --context input.perf >reference.folded)

# addr2line's answer for every address of the program's own functions.
nm inline-prog | awk '$2 ~ /^[Tt]$/ && $3 ~ /^(main|note|compute_sum|compute_poly|checksum)$/ { print $1 }' |
while read -r start; do
	size=$(nm -S inline-prog | awk -v s="$start" '$1 == s { print $2 }')
	i=0
	while [ "$i" -lt "$((0x$size))" ]; do
		printf '0x%x\n' "$((0x$start + i))"
		i=$((i + 1))
	done
done >addrs.txt
addr2line -a -e inline-prog -i -f -s -C <addrs.txt >"$td/inline-basic/addr2line.txt"
ls -la "$td"/inline-basic "$td"/inline-context
