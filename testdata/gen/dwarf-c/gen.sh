#!/bin/sh
# dwarf-c: records testdata/dwarf-c, a C program without frame pointers
# (-O2 -g -fomit-frame-pointer: inlined helpers, qsort calling back) with
#   perf record -z --call-graph dwarf,4096 -e cpu-clock:u -F 999 -o perf.data ./prog 40
# and keeps what perf 6.1 prints for it:
#   noinline.txt.gz  perf script --no-inline -F comm,pid,tid,time,ip,sym,symoff,dso
#   inline.txt.gz    perf script -F comm,pid,tid,time,ip,sym,symoff,dso
#                    (perf adds inlined frames to DWARF stacks by default)
#   srcline.txt.gz   the same with ,srcline (inlined frames then lose their
#                    module: "ip sym+off" + "  file:line (inlined)")
# The work directory is a fixed path (recorded in perf.data); the test puts
# prog there under a --symfs tree. libc frames need libc6-dbg and this
# Debian 12 libc (its .eh_frame unwinds through qsort).
# Needs (Debian 12, root): gcc linux-perf libc6-dbg
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$here/../../dwarf-c
work=/tmp/wasmperf-gen/dwarf-c
rm -rf "$work" && mkdir -p "$work" "$out"
cd "$work"
gcc -O2 -g -fomit-frame-pointer -o prog "$here/prog.c"
perf record -q -z --call-graph dwarf,4096 -e cpu-clock:u -F 999 -o perf.data ./prog 40 >/dev/null
F=comm,pid,tid,time,ip,sym,symoff,dso
perf script -i perf.data --no-inline -F $F 2>/dev/null | gzip -9n >noinline.txt.gz
perf script -i perf.data -F $F 2>/dev/null | gzip -9n >inline.txt.gz
perf script -i perf.data -F $F,srcline 2>/dev/null | gzip -9n >srcline.txt.gz
perf buildid-list -i perf.data >buildids.txt
cp prog perf.data noinline.txt.gz inline.txt.gz srcline.txt.gz buildids.txt "$out/"
ls -la "$out"
