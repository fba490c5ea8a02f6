#!/bin/sh
# gen.sh - records testdata/jitdump-emit with jitemit.c (a tiny x86_64 JIT
# writing a real jitdump: a DEBUG_INFO, four CODE_LOADs with Wasm-like and
# plain names, a CODE_MOVE and an address reused by a second load, see
# jitemit.c) and makes the malformed dumps of testdata/jitdump-bad
# (bad_dumps.py). Run as root on Debian 12 with perf 6.1 and gcc 12
# (apt-get install gcc linux-perf python3). Commands, in $work (a fixed
# path: perf.data records it, the marker mmap names the dump there):
#   gcc -O1 -g -fno-omit-frame-pointer -o jitemit jitemit.c
#   perf record -k mono -g -F 1999 -o perf.data -- ./jitemit 100 > jitemit.txt
#   perf inject --jit -i perf.data -o perf.jit.data
#   perf script -i perf.jit.data -F comm,pid,tid,time,ip,sym,symoff,dso | gzip -9n > inject.txt.gz
#   perf script -i perf.jit.data --ns --show-mmap-events | grep "PERF_RECORD_MMAP2.*jitted-" > inject-mmaps.txt
#   perf buildid-list -i perf.data > buildids.txt
# and the same run recorded without -k mono, in nomono/ (nomono.data and
# nomono-jit-PID.dump; perf inject refuses it: "jitted code must be sampled
# with perf record -k 1"). kallsyms.txt: the /proc/kallsyms lines of every
# kernel symbol perf printed for either recording, its aliases, the symbol
# after it (its end) and _text/_stext, as testdata/gen/native/gen.sh does.
# jitemit.txt is what jitemit wrote, one line per record.
#
# What perf inject --jit does with the dump (perf 6.1; seen in
# inject-mmaps.txt, inject.txt.gz and perf script --show-mmap-events):
# - each CODE_LOAD becomes jitted-PID-INDEX.so (INDEX = code_index) in the
#   dump's directory, one FUNC symbol named as the load, .text at 0x80,
#   .debug_line from a preceding DEBUG_INFO; and an MMAP2 of it at
#   code_addr, len code_size, pgoff 0x80, prot --x, MAP_SHARED,
#   ino_generation 1, timed at the load's timestamp;
# - a CODE_MOVE becomes one more MMAP2 of the same jitted-PID-INDEX.so (its
#   code_index) at new_code_addr, len code_size, at the move's timestamp;
#   nothing unmaps the old address (perf.data has no unmap record): samples
#   there after the move still get the moved function's name (seen with a
#   variant of jitemit.c that runs the old copy after the move);
# - a reused address: the second load's MMAP2 covers the first's range from
#   its own timestamp on, so samples before it get the first name
#   (aot_func#3) and samples after it the second (wasm-function[12]): perf
#   script names each sample by the maps at its time;
# - the marker MMAP2 of jit-PID.dump is dropped, and so is the //anon
#   MMAP2 of the code region R (both are in perf.data, neither in
#   perf.jit.data): only the jitted-*.so maps cover the JIT code.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$here/../../jitdump-emit
bad=$here/../../jitdump-bad
work=/tmp/wasmperf-gen/jitdump
rm -rf "$work" && mkdir -p "$work/nomono" "$out" "$bad"
cd "$work"
gcc -O1 -g -fno-omit-frame-pointer -o jitemit "$here/jitemit.c"
perf record -q -k mono -g -F 1999 -o perf.data -- ./jitemit 100 >jitemit.txt
perf inject --jit -i perf.data -o perf.jit.data
perf script -i perf.jit.data -F comm,pid,tid,time,ip,sym,symoff,dso 2>/dev/null >inject.txt
perf script -i perf.jit.data --ns --show-mmap-events 2>/dev/null | grep "PERF_RECORD_MMAP2.*jitted-" >inject-mmaps.txt
perf buildid-list -i perf.data >buildids.txt
(cd nomono && perf record -q -g -F 1999 -o ../nomono.data -- ../jitemit 50 >/dev/null)
perf script -i nomono.data -F comm,pid,tid,time,ip,sym,symoff,dso 2>/dev/null >nomono.txt
# kernel symbols perf printed
cat inject.txt nomono.txt | grep -E '^\s+ffff[0-9a-f]+ ' | awk '{print $2}' |
	sed 's/+0x[0-9a-f]*$//' | sort -u >ksyms.used
awk '$2 ~ /^[TtWwDdBb]$/' /proc/kallsyms | sort -s -k1,1 >kall.sorted
awk 'NR==FNR { used[$1] = 1; next }
     { addr[NR] = $1; line[NR] = $0; name[NR] = $3 }
     END {
       for (i = 1; i <= NR; i++) if (name[i] in used || name[i] == "_text" || name[i] == "_stext") {
         a = addr[i]; j = i; while (j > 1 && addr[j-1] == a) j--
         while (j <= NR && addr[j] == a) keep[j++] = 1
         if (j <= NR) { b = addr[j]; while (j <= NR && addr[j] == b) keep[j++] = 1 }
       }
       for (i = 1; i <= NR; i++) if (keep[i]) print line[i]
     }' ksyms.used kall.sorted >kallsyms.txt
gzip -9n <inject.txt >inject.txt.gz
rm -f "$out"/jit-*.dump "$out"/nomono-jit-*.dump
cp perf.data nomono.data jitemit jitemit.txt inject.txt.gz inject-mmaps.txt buildids.txt \
	kallsyms.txt jit-*.dump "$out/"
for d in nomono/jit-*.dump; do cp "$d" "$out/nomono-$(basename "$d")"; done
python3 "$here/bad_dumps.py" "$(ls jit-*.dump)" "$bad"
ls -la "$out" "$bad"
