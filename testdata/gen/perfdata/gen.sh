#!/bin/sh
# perfdata: real perf.data recordings for libperfparse's perf.data reader
# (tests/unit/test_perfdata.c) and the fuzz corpus.
#
# Records prog.c (frame pointers, -O1) with perf 6.1 in every container and
# shape the reader must handle, and saves beside each recording what perf
# itself reads from it:
#   dump.txt    `perf report -D` reduced by dump.awk to one line per record in
#               perf's delivery (time) order: time, offset, size, type, and for
#               samples misc, pid/tid, ip, period, callchain length
#   stats.txt   the "Aggregated stats" of `perf report -D` (records per type,
#               samples per event)
#   script.txt  `perf script -F tid,time,event,trace --ns` (tracepoint fields)
# Fixtures (testdata/perfdata-NAME/):
#   fp           perf record -F 999 -g                       (file mode)
#   zstd         perf record -F 999 -g -z                    (COMPRESSED records)
#   zstd-blocks  perf record -F 499 --call-graph dwarf,4096 -z (several zstd
#                blocks in one COMPRESSED record)
#   compressed2  zstd's perf.data with every COMPRESSED record rewritten as
#                COMPRESSED2 by to_compressed2.py (perf 6.1 cannot read it: the
#                expectations are zstd's)
#   pipe         perf record -F 999 -g -o - > pipe.data      (pipe mode)
#   threads      perf record -F 999 -g --threads -o thr.data (directory)
#   multi        -e cpu-clock -e sched:sched_switch -e sched:sched_process_exec -g
#   uprobe       perf probe -x pdprog probe_target round; -e probe_pdprog:probe_target
#   pipe-tp      perf record -e sched:sched_process_exec -o - (tracing data in-band)
#   interrupted  perf record killed with SIGKILL: data.size 0 in the header, the
#                last record possibly cut (perf refuses such files: the facts
#                are those of the copy repair.py makes)
# Needs (Debian 12, root): gcc linux-perf python3 (tracefs mounted)
# Regenerate: sh testdata/gen/perfdata/gen.sh  (bytes differ every time)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$here/../../..
work=/tmp/wasmperf-gen/perfdata          # fixed path: it is recorded in perf.data
rm -rf "$work"
mkdir -p "$work"
sysctl -q kernel.perf_event_paranoid=-1 2>/dev/null || true
sysctl -q kernel.kptr_restrict=0 2>/dev/null || true
cd "$work"
gcc -O1 -fno-omit-frame-pointer -g -o pdprog "$here/prog.c"

facts() { # facts DIR INPUT: what perf reads from INPUT, into DIR
	perf report -D -i "$2" 2>/dev/null | awk -f "$here/dump.awk" >"$1/dump.txt"
	perf report -D -i "$2" 2>/dev/null | sed -n '/^Aggregated stats:/,$p' >"$1/stats.txt"
	perf script -i "$2" -F tid,time,event,trace --ns 2>/dev/null >"$1/script.txt" || true
}
out() { d=$top/testdata/perfdata-$1; rm -rf "$d"; mkdir -p "$d"; echo "$d"; }

d=$(out fp)
perf record -q -F 999 -g -o fp.data -- ./pdprog 300 >/dev/null
cp fp.data "$d/perf.data"; facts "$d" fp.data

d=$(out zstd)
perf record -q -F 999 -g -z -o zstd.data -- ./pdprog 300 >/dev/null
cp zstd.data "$d/perf.data"; facts "$d" zstd.data

d=$(out compressed2)
python3 "$here/to_compressed2.py" zstd.data "$d/perf.data"
cp "$top/testdata/perfdata-zstd/dump.txt" "$top/testdata/perfdata-zstd/stats.txt" "$d/"

d=$(out zstd-blocks)
# DWARF stacks (4 KiB a sample) fill zstd's 128 KiB blocks fast: several
# blocks to a COMPRESSED record, so a record cut short still holds whole ones
perf record -q -F 499 --call-graph dwarf,4096 -z -o zblocks.data -- ./pdprog 300 >/dev/null
cp zblocks.data "$d/perf.data"; facts "$d" zblocks.data

d=$(out pipe)
perf record -q -F 999 -g -o - -- ./pdprog 300 >pipe.data 2>/dev/null
cp pipe.data "$d/pipe.data"; facts "$d" pipe.data

d=$(out threads)
perf record -q -F 999 -g --threads -o thr.data -- ./pdprog 300 >/dev/null
cp -r thr.data "$d/thr.data"; facts "$d" thr.data

d=$(out multi)
perf record -q -F 999 -g -e cpu-clock -e sched:sched_switch -e sched:sched_process_exec \
	-o multi.data -- ./pdprog 100 >/dev/null
cp multi.data "$d/perf.data"; facts "$d" multi.data

d=$(out uprobe)
perf probe -q -d 'probe_pdprog:*' 2>/dev/null || true
perf probe -q -x ./pdprog 'probe_target round' 
perf record -q -e probe_pdprog:probe_target -o uprobe.data -- ./pdprog 100 >/dev/null
perf probe -q -d 'probe_pdprog:*'
cp uprobe.data "$d/perf.data"; facts "$d" uprobe.data

d=$(out interrupted)
# a small ring buffer (-m 2) makes perf write while recording
perf record -q -F 2999 -m 2 -g -o int.data -- ./pdprog 3000 >/dev/null &
rec=$!
sleep 0.6
child=$(ps -o pid= --ppid "$rec" || true)
kill -9 "$rec"
for c in $child; do kill -9 "$c" 2>/dev/null || true; done
wait "$rec" 2>/dev/null || true
cp int.data "$d/perf.data"
python3 "$here/repair.py" int.data int-repaired.data; facts "$d" int-repaired.data

# Fuzz corpus (tests/fuzz/corpus/perfdata/): heads of the recordings above,
# the compressed ones whole, and a small pipe-mode tracepoint recording (its
# HEADER_TRACING_DATA comes in-band, before the samples).
c=$top/tests/fuzz/corpus/perfdata
mkdir -p "$c"
head -c 6000 "$top/testdata/perfdata-fp/perf.data" >"$c/fp-head.data"
head -c 9000 "$top/testdata/perfdata-pipe/pipe.data" >"$c/pipe-head.data"
head -c 12000 "$top/testdata/perfdata-uprobe/perf.data" >"$c/uprobe-head.data"
cp "$top/testdata/perfdata-zstd/perf.data" "$c/zstd.data"
cp "$top/testdata/perfdata-compressed2/perf.data" "$c/compressed2.data"
perf record -q -e sched:sched_process_exec -o - -- ./pdprog 1 2>/dev/null >pipe-tp.data
cp pipe-tp.data "$c/pipe-tracepoint.data"
head -c 9000 "$top/testdata/perfdata-zstd-blocks/perf.data" >"$c/zstd-blocks-cut.data"
# libtraceevent leaked the type of a dynamic array without __data_loc
# (found by fuzzing): the format is now rejected before it gets there
python3 -c 'import sys; b = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(b.replace(b"field:__data_loc char[]", b"field:__data_llonghar[]"))' \
	pipe-tp.data "$c/tp-bad-dynamic-array.data"
d=$(out pipe-tp)
cp pipe-tp.data "$d/pipe.data"
perf script -i pipe-tp.data -F tid,time,event,trace --ns 2>/dev/null >"$d/script.txt"
chmod -R a+rX "$top"/testdata/perfdata-* "$c"
du -sh "$top"/testdata/perfdata-* "$c"
