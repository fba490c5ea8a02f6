#!/bin/sh
# perfmap-long: records testdata/perfmap-long, a perf map with very long
# names (issue 9, point 5), and what stock perf 6.1 prints for it.
# longmap.c is a static x86_64 program without libc (so every frame of the
# recording folds the same on any machine) that writes /tmp/perf-PID.map
# for code it runs from an anonymous executable page: names of 12, 4,097,
# 20,000, 65,536 (the cap), 65,537 and 100,000 bytes (the last not run),
# then a garbage line (see longmap.c).
#
# Commands (run in /tmp/wasmperf-gen/perfmap-long, as root; gcc 12, perf 6.1):
#   gcc -O1 -static -nostdlib -fno-omit-frame-pointer -fno-stack-protector \
#       -fno-pie -no-pie -o longmap longmap.c
#   perf record -e cpu-clock:u -g -F 499 -o perf.data -- ./longmap
#   perf script -i perf.data -F comm,pid,tid,time,ip,sym,symoff,dso > script.txt
#
# Kept in testdata/perfmap-long/:
#   perf.data           the recording (user-space samples only: no kernel
#                       symbols needed)
#   perf-PID.map.gz     the map longmap wrote (gzip -9n; 255 KB of names)
#   script.txt.gz       perf script of perf.data with the map in /tmp
#   longmap             the program (its symbols), put back at its recorded
#                       path with --symfs by the case
#   buildids.txt        perf buildid-list -i perf.data (only [vdso]: perf
#                       6.1 records no build-id for longmap)
#
# Facts (perf 6.1; see the case's expected.stdout):
# - perf's dso__load_perf_map() reads lines with getline() and has no
#   length limit: perf script prints every name whole, the 65,537-byte one
#   too (a 100,000-byte one also, checked with a variant running it).
# - The garbage line "this is not a map line" is, to perf, a symbol
#   ("is is not a map line" at 0, size 0); no sample lands there.
#
# Needs (Debian 12, root): linux-perf gcc gzip
# Regenerate: sh testdata/gen/perfmap-long/gen.sh   (bytes differ every
# time: then WASMPERF_UPDATE=1 ctest -R case/perfmap-long and check
# expected.stdout)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
out=${OUT:-$top/testdata/perfmap-long}
work=/tmp/wasmperf-gen/perfmap-long
sysctl -q kernel.perf_event_paranoid=-1 2>/dev/null || true
rm -rf "$work" && mkdir -p "$work" "$out"
cd "$work"
gcc -O1 -static -nostdlib -fno-omit-frame-pointer -fno-stack-protector -fno-pie -no-pie \
	-o longmap "$here/longmap.c"
perf record -q -e cpu-clock:u -g -F 499 -o perf.data -- ./longmap
pid=$(perf script -i perf.data -F pid 2>/dev/null | head -1 | tr -d ' ')
perf script -i perf.data -F comm,pid,tid,time,ip,sym,symoff,dso 2>/dev/null >script.txt
perf buildid-list -i perf.data 2>/dev/null >buildids.txt
rm -f "$out"/perf-*.map.gz
cp perf.data longmap buildids.txt "$out/"
gzip -9n <"/tmp/perf-$pid.map" >"$out/perf-$pid.map.gz"
gzip -9n <script.txt >"$out/script.txt.gz"
rm -f "/tmp/perf-$pid.map"
chmod -R a+rX "$out"
echo "pid $pid: $(grep -c '^longmap' script.txt) samples"
awk '/^[ \t]/ { print length($2), substr($2, 1, 8) }' script.txt | sort | uniq -c
du -ab "$out" | sort -k2
