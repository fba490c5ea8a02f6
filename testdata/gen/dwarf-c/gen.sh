#!/bin/sh
# dwarf-c: records testdata/dwarf-c, a C program without frame pointers
# (prog.c: static helpers inlined into a hot loop, a chain of five noinline
# functions, qsort calling back into cmp), with DWARF stacks, and keeps what
# perf 6.1 prints for it. Commands (in /tmp/wasmperf-gen/dwarf-c, as root):
#   gcc -O2 -g -fomit-frame-pointer -o prog prog.c
#   perf record -z --call-graph dwarf,4096 -F 999 -o perf.data ./prog 60
#   noinline.txt.gz  perf script --no-inline -F comm,pid,tid,time,ip,sym,symoff,dso
#   inline.txt.gz    perf script -F comm,pid,tid,time,ip,sym,symoff,dso
#                    (perf 6.1 adds inlined frames to DWARF stacks by default)
#   script.txt.gz    perf script                 (plain: default fields, inlined frames)
#   srcline.txt.gz   perf script -F +srcline     (inlined frames lose their
#                    module: "ip sym+off" + "  file:line (inlined)")
# all printed with --kallsyms kallsyms.txt (gzip -9n). Also kept: prog (the
# binary as built, with its debug info: .eh_frame for unwinding, DWARF for
# inlines and lines; no separate --only-keep-debug copy, the fixtures of
# testdata/native-basic have the debuglink case), perf.data, buildids.txt
# (perf buildid-list: only names, -z records no build-ids), kallsyms.txt
# (the /proc/kallsyms lines of the kernel symbols the texts print, their
# aliases, the symbol after each and _text/_stext: gen/native's method).
# The work directory is a fixed path (recorded in perf.data): a test puts
# prog there under a --symfs tree. libc frames need libc6-dbg and this
# Debian 12 libc 2.36 (its .eh_frame unwinds through qsort); -z records
# no build-id to check that by.
#
# Facts (perf 6.1, gcc 12.2, libc 2.36, kernel 6.18; the recording in the tree):
# - 955 samples (-F 999, 60 rounds, ~1 s): 232 in leaf under the five-deep
#   chain main;work;chain;top;mid;leaf, 280 in cmp under
#   main;sorter;__GI___qsort_r;msort_with_tmp.part.0 (up to 17 deep), 2 with
#   kernel frames (page faults).
# - Truncated stacks: none. All 955 --no-inline stacks end at _start with
#   4096 bytes of stack. Measured on the same program: 2048 bytes leave 148
#   of 915 samples (16 %) ending in "ffffffffffffffff [unknown]"; 8192 adds
#   nothing (perf.data 125 KB vs 116 KB with -z).
# - default event cpu-clock:ppp (no PMU in this VM); --call-graph dwarf adds
#   REGS_USER|STACK_USER, and also ADDR|DATA_SRC and mmap_data (as --data).
#   -z: the header has no BUILD_ID feature, buildids.txt lists names only.
# - perf script (default) expands inlined calls from DWARF for DWARF
#   stacks: leaf;hot;step;square_mod and cmp;key; each libc
#   msort_with_tmp.part.0 frame becomes two "msort_with_tmp (inlined)"
#   entries (34 for 17 frames), __libc_start_main@@GLIBC_2.34 becomes
#   "__libc_start_main_impl (inlined)". With --no-inline each address is one
#   frame named by its ELF symbol. With -F +srcline an inlined entry prints
#   no module: "12af step+0x4f" then "  prog.c:10 (inlined)".
# - sorter's call to qsort is kept out of tail position (it returns
#   v[n/2]), so sorter stays between main and libc; work() gets the round
#   number, else gcc finds it const and calls it once outside the loop.
#
# Needs (Debian 12, root): gcc linux-perf libc6-dbg
# Regenerate: sh testdata/gen/dwarf-c/gen.sh [rounds]  (then
# WASMPERF_UPDATE=1 ctest -R case/dwarf-c and check expected.stdout)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-$here/../../dwarf-c}
work=/tmp/wasmperf-gen/dwarf-c
rounds=${1:-60}
F=comm,pid,tid,time,ip,sym,symoff,dso
sysctl -q kernel.perf_event_paranoid=-1 2>/dev/null || true
sysctl -q kernel.kptr_restrict=0 2>/dev/null || true
rm -rf "$work" && mkdir -p "$work" "$out"
cd "$work"
gcc -O2 -g -fomit-frame-pointer -o prog "$here/prog.c"
perf record -q -z --call-graph dwarf,4096 -F 999 -o perf.data ./prog "$rounds" >/dev/null
texts() { # KALLSYMS-OPTION...
	perf script -i perf.data --no-inline -F $F "$@" 2>/dev/null >noinline.txt
	perf script -i perf.data -F $F "$@" 2>/dev/null >inline.txt
	perf script -i perf.data "$@" 2>/dev/null >script.txt
	perf script -i perf.data -F +srcline "$@" 2>/dev/null >srcline.txt
}
texts
for t in noinline inline script srcline; do mv $t.txt $t.raw.txt; done
cat ./*.raw.txt | grep -E '^\s+ffff[0-9a-f]+ ' | awk '{print $2}' | sed 's/+0x[0-9a-f]*$//' |
	sort -u >ksyms.used
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
texts --kallsyms "$work/kallsyms.txt"
for t in noinline inline script srcline; do
	cmp -s $t.raw.txt $t.txt ||
		echo "warning: $t: kallsyms.txt names kernel frames otherwise than /proc/kallsyms" >&2
done
perf buildid-list -i perf.data 2>/dev/null >buildids.txt || true
# where the stacks end
awk 'BEGIN { RS = ""; FS = "\n" }
	{
		n++; last = $NF; sub(/^[ \t]+[0-9a-f]+ /, "", last)
		if (last ~ /^_start\+/) full++; else { trunc++; t[last]++ }
		if ($0 ~ /\[kernel\.kallsyms\]/) k++
		if ($0 ~ / cmp\+/ && $0 ~ / sorter\+/) cb++
		if ($0 ~ / leaf\+/ && $0 ~ / work\+/) ch++
	}
	END {
		printf "%d samples: %d end at _start, %d truncated (%d with kernel frames; %d in cmp under qsort under sorter, %d in leaf under the 5-deep chain)\n", n, full, trunc, k, cb, ch
		for (x in t) printf "   %d end at %s\n", t[x], x
	}' noinline.txt
rm -f "$out"/*.txt.gz "$out"/prog "$out"/perf.data "$out"/buildids.txt "$out"/kallsyms.txt "$out"/vdso
for t in noinline inline script srcline; do gzip -9n <$t.txt >"$out/$t.txt.gz"; done
cp prog perf.data buildids.txt kallsyms.txt "$out/"
if grep -q '(\[vdso\])$' ./*.txt; then
	echo "note: [vdso] frames, and -z records no build-id to find perf's copy by" >&2
fi
chmod -R a+rX "$out"
du -ab "$out" | sort -k2
du -sb "$out"
