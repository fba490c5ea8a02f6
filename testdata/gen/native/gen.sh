#!/bin/sh
# gen.sh - records testdata/native-basic: run as root on Debian 12 with
# perf 6.1, gcc 12 and libc6-dbg installed. Commands:
#   gcc -O1 -g -fno-omit-frame-pointer -c prog.c; g++ -O1 -g -fno-omit-frame-pointer
#   -fno-exceptions -fno-rtti -c cxx.cc; gcc -o prog prog.o cxx.o   (built in /tmp/wasmperf-native-gen)
#   objcopy --only-keep-debug prog prog.debug
#   strip --strip-all -o prog.stripped prog; objcopy --add-gnu-debuglink=prog.debug prog.stripped
#   perf record -g -F 1999 -o perf.data -- ./prog 20000000
#   perf script --show-mmap-events --show-task-events -F comm,pid,tid,time,ip,sym,symoff,dso \
#     | gzip -9n > script.txt.gz
#   cp /tmp/perf-PID.map .   (written by prog: overlapping entries, garbage lines)
#   perf buildid-list -i perf.data > buildids.txt
# plus kallsyms.txt: the /proc/kallsyms lines (text and data symbols, as
# perf loads them) of every kernel symbol perf printed, its aliases and the
# symbol after it (which gives its end), and _text/_stext.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$here/../../native-basic
work=/tmp/wasmperf-native-gen
rm -rf "$work"
mkdir -p "$work" "$out"
cd "$work"
cp "$here/prog.c" "$here/cxx.cc" .
gcc -O1 -g -fno-omit-frame-pointer -c prog.c
g++ -O1 -g -fno-omit-frame-pointer -fno-exceptions -fno-rtti -c cxx.cc
gcc -o prog prog.o cxx.o
objcopy --only-keep-debug prog prog.debug
strip --strip-all -o prog.stripped prog
objcopy --add-gnu-debuglink=prog.debug prog.stripped
perf record -g -F 1999 -o perf.data -- ./prog 20000000 >/dev/null 2>perf-record.stderr
perf script -i perf.data --show-mmap-events --show-task-events -F comm,pid,tid,time,ip,sym,symoff,dso 2>/dev/null > script.txt
perf buildid-list -i perf.data > buildids.txt
# kernel symbols perf printed
grep -E '^\s+ffff[0-9a-f]+ ' script.txt | awk '{print $2}' | sed 's/+0x[0-9a-f]*$//' | sort -u > ksyms.used
awk '$2 ~ /^[TtWwDdBb]$/' /proc/kallsyms | sort -s -k1,1 > kall.sorted
awk 'NR==FNR { used[$1] = 1; next }
     { addr[NR] = $1; line[NR] = $0; name[NR] = $3 }
     END {
       for (i = 1; i <= NR; i++) if (name[i] in used || name[i] == "_text" || name[i] == "_stext") {
         a = addr[i]; j = i; while (j > 1 && addr[j-1] == a) j--
         while (j <= NR && addr[j] == a) keep[j++] = 1
         if (j <= NR) { b = addr[j]; while (j <= NR && addr[j] == b) keep[j++] = 1 }
       }
       for (i = 1; i <= NR; i++) if (keep[i]) print line[i]
     }' ksyms.used kall.sorted > kallsyms.txt
cp prog prog.stripped prog.debug perf.data buildids.txt kallsyms.txt "$out/"
pid=$(awk '$1 == "prog" { split($2, a, "/"); print a[1]; exit }' script.txt)
rm -f "$out"/perf-*.map
cp "/tmp/perf-$pid.map" "$out/"
gzip -9n < script.txt > "$out/script.txt.gz"
echo "pid $pid: $(grep -c '^prog' script.txt) sample lines"
