#!/bin/sh
# jit-node: records testdata/jit-node, node (V8) running the real kern.wasm
# of testdata/gen/node-wasm with V8's jitdump (--perf-prof) instead of a perf
# map, and what stock perf 6.1 makes of it with and without `perf inject`.
#
# Commands (run in /tmp/wasmperf-gen/jit-node, as root; node 20.20.2 of the
# machine, build-id in buildids.txt):
#   N='node --perf-prof --perf-prof-unwinding-info --interpreted-frames-native-stack'
#   perf record -k mono -g -F 1999 -o perf.data -- $N run.js node-wasm.kern.wasm 1
#   perf inject --jit -i perf.data -o perf.jit.data
#   perf script -i perf.jit.data -F comm,pid,tid,time,ip,sym,symoff,dso  > inject.txt
#   perf script -i perf.data                                              > script.txt
# and the same run with DWARF stacks, in dwarf/ (cwd /tmp/wasmperf-gen/jit-node/dwarf):
#   perf record -k mono --call-graph dwarf,8192 -F 999 -o perf.data -- $N run.js node-wasm.kern.wasm 1
#   perf inject --jit ...; inject.txt (perf script's default: inline frames
#   added), inject-noinline.txt (--no-inline), script.txt (plain perf script
#   of the un-injected perf.data).
# kern.wasm is testdata/fixtures/node-wasm.kern.wasm (clang 14 builds
# testdata/gen/node-wasm/kern.c into the same bytes). V8 20.20.2 accepts
# --no-liftoff too (then every Wasm function is logged once, -turbofan);
# it is not used: with Liftoff the dump holds both tiers of a function.
# No `perf record -z`: perf 6.1's `perf inject --jit` copies COMPRESSED
# records through unread, so it never sees the marker mmap and injects
# nothing (0 jitted-*.so, no error) -- and -z also drops the build-ids.
# The default event here (a VM without a PMU) is cpu-clock:ppp.
#
# Kept in testdata/jit-node/ (dwarf/ the same for the DWARF run):
#   perf.data            the recording (dwarf/perf.data.gz: gzip -9n)
#   jit-PID.dump.gz      V8's dump, machine code zeroed (jitdump.py zero:
#                        names, addresses, sizes, DEBUG_INFO, UNWINDING_INFO
#                        kept; the code is 90 % of the bytes)
#   jit-22823.dump.gz    not of this recording: the dump of an earlier one
#                        (0.5 s, -e cpu-clock:u -F 999, code and unwinding
#                        info zeroed), which tests/unit/test_jitdump.c reads;
#                        gen.sh leaves it alone
#   inject.txt.gz        perf inject --jit + perf script -F ... (the reference)
#   script.txt.gz        plain perf script of the un-injected perf.data
#   buildids.txt         perf buildid-list -i perf.data (node's build-id)
#   jitdump.txt          jitdump.py stats of the dump + the marker mmap line
#   ../kallsyms.txt      (top level, both runs) the /proc/kallsyms lines of
#                        every kernel symbol the texts print, their aliases,
#                        the symbol after each and _text/_stext; the texts
#                        are printed with --kallsyms kallsyms.txt
#   node.stub.gz         node's symbols only (build-id, program headers,
#                        the .symtab entries naming the recorded node
#                        addresses of all texts: fold-kinds/symstub.py),
#                        for a build-id cache; no .eh_frame, so DWARF
#                        unwinding through node needs the real node
#   vdso                 only if a text shows [vdso] frames
# Not kept: the jitted-PID-N.so files perf inject writes next to the dump
# (one per CODE_LOAD: gen prints their count and size).
#
# Facts (node 20.20.2 = V8 11.3, perf 6.1, kernel 6.18; numbers of the
# recording in the tree: jitdump.txt and dwarf/jitdump.txt):
# - V8 writes jit-PID.dump in node's cwd (not the script's directory; checked
#   with node run from another directory), here the work dir (V8 also leaves
#   an isolate-*-v8.log there) and mmaps its first page PROT_READ|PROT_EXEC;
#   perf records that as the marker (perf script --show-mmap-events | grep jit-):
#     node 27692 22310.036092: PERF_RECORD_MMAP2 27692/27692: [0x7f31a3ae4000(0x1000)
#       @ 0 fe:00 11158346 2394648043]: r-xp /tmp/wasmperf-gen/jit-node/jit-27692.dump
#   --perf-prof alone writes no /tmp/perf-PID.map.
# - Without perf inject, perf script shows every JIT frame as
#   "[unknown] (/tmp/perf-PID.map)": perf names //anon executable maps after
#   the perf map although the file does not exist. The V8 builtins, which
#   live in node's own .text, show as Builtins_X (/usr/bin/node).
# - perf inject drops the process's //anon MMAP2s that come after the
#   marker (jit_process(): also "[anon:" and "/memfd:" maps, once it has
#   injected the pid's dump): the 3 in perf.data (rwxp, at
#   0x7f317c003000, 0x34015d14c000, 0x7f317c043000) are not in
#   perf.jit.data, so JIT code the dump does not name prints as
#   "[unknown] ([unknown])" after inject (e.g. 34015d14c01e, 14 times),
#   no longer as perf-PID.map code; wasmperf-fold does the same.
# - After inject the builtins are "Builtin:X (jitted-PID-N.so)": the dump
#   logs all 1,699 builtins and 483 bytecode handlers at their addresses in
#   node's text, so 2,182 of the 2,506 injected MMAP2s lie inside node's r-xp
#   mapping [0xb72000, +0x1a8c000) (overlapping mappings). node 20 also
#   maps part of its text a second time (0x192000 bytes at file offset
#   0x14c4000, an r-xp /usr/bin/node map at 0x7f...): builtins running
#   there keep node's Builtins_X names, as the dump logs only the first copy.
# - Timestamps: the header's timestamp is wall-clock microseconds
#   (1795355518612198 = the recording's date), flags 0 (no ARCH_TIMESTAMP),
#   and every record's timestamp is CLOCK_MONOTONIC in ns, the clock of
#   `perf record -k mono` samples: records 22310.041088 .. 22311.067569 s,
#   samples 22309.986468 .. 22311.069904 s. perf inject refuses a recording
#   without -k mono: "error, jitted code must be sampled with perf record -k 1",
#   exit 255.
# - Records (FP run): 2,506 CODE_LOAD, 2,477 UNWINDING_INFO, 21 DEBUG_INFO,
#   no CODE_MOVE or CODE_CLOSE. 2,474 UNWINDING_INFO hold only an empty
#   .eh_frame_hdr (20 bytes, fde_count 0), 3 a real .eh_frame (60/76 bytes);
#   the 29 Wasm code loads (JS:NAME-INDEX-liftoff|turbofan and the
#   wasm-to-js wrapper) get no UNWINDING_INFO at all. perf inject wrote
#   2,506 jitted-*.so files, 4.1 MB (2,508 for the DWARF run).
# - Samples: 2,112 in the FP run (2,087 on node's main thread), 1,062 in the
#   DWARF run. FP callchains go through the Wasm frames into JS and node
#   (V8 keeps rbp frames): run_sort-15-liftoff;GenericJSToWasmWrapper;JS:~ run.js.
# - DWARF unwinding in perf script (perf 6.1 uses libunwind when built with
#   it, as Debian's is): without inject it stops at the first JIT frame
#   (989 of 1,062 samples end at "[unknown] (/tmp/perf-PID.map)", 67 reach
#   _start). After inject it goes through builtins and JS frames to _start
#   (their jitted .so has an empty .eh_frame_hdr: libunwind gets
#   UNW_ENOINFO and falls back to the frame pointer), but never below a
#   Wasm frame: its jitted .so has no .eh_frame_hdr, perf's find_proc_info
#   returns -EINVAL and libunwind stops. Of 1,062 samples: 305 end at
#   _start/clone3, 731 at a Wasm frame (727 are that one frame only), 24 at
#   "ffffffffffffffff [unknown]" (stack copy exhausted), 2 elsewhere;
#   247 samples have builtin/JS jitted frames.
# - Stack size, measured on 0.5 s runs: with 8192 bytes 91 % of the non-Wasm
#   samples reach _start/clone3 after inject (65528 bytes: 95 %, 16384: 94 %,
#   4096: 42 %); the rest end in "ffffffffffffffff [unknown]". 8192 is kept:
#   perf.data 9.0 MB, 348 KB gzipped.
#
# Needs (Debian 12, root): linux-perf nodejs python3 binutils gzip
# Regenerate: sh testdata/gen/jit-node/gen.sh   (bytes differ every time:
# then WASMPERF_UPDATE=1 ctest -R case/jit-node and check expected.stdout)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
out=${OUT:-$top/testdata/jit-node}
work=/tmp/wasmperf-gen/jit-node
F=comm,pid,tid,time,ip,sym,symoff,dso
N="node --perf-prof --perf-prof-unwinding-info --interpreted-frames-native-stack"
sysctl -q kernel.perf_event_paranoid=-1 2>/dev/null || true
sysctl -q kernel.kptr_restrict=0 2>/dev/null || true
rm -rf "$work" && mkdir -p "$work/dwarf"
cd "$work"
for d in . dwarf; do
	cp "$top/testdata/gen/node-wasm/run.js" "$top/testdata/fixtures/node-wasm.kern.wasm" "$d/"
done

# run DIR RECORD-OPTIONS...: records node in DIR, injects, prints the texts
# with the machine's kallsyms (*.raw.txt)
run() {
	d=$1
	shift
	(cd "$d" && perf record -q -k mono "$@" -o perf.data -- $N run.js node-wasm.kern.wasm 1 >/dev/null)
	pid=$(cd "$d" && ls jit-*.dump | sed 's/jit-\([0-9]*\)\.dump/\1/')
	if [ -e "/tmp/perf-$pid.map" ]; then
		echo "gen.sh: a stale /tmp/perf-$pid.map (pid reused) would name the JIT frames: remove it" >&2
		exit 1
	fi
	(cd "$d" && perf inject --jit -i perf.data -o perf.jit.data)
	echo "$d: pid $pid, perf inject wrote $(ls "$d"/jitted-*.so | wc -l) jitted-*.so files," \
		"$(cat "$d"/jitted-*.so | wc -c) bytes"
}
run . -g -F 1999
run dwarf --call-graph dwarf,8192 -F 999

# texts: pass 1 with /proc/kallsyms, then the kernel symbols they print ->
# kallsyms.txt, pass 2 (kept) with kallsyms.txt
texts() { # KALLSYMS-OPTION...
	perf script -i perf.jit.data -F $F "$@" 2>/dev/null >inject.txt
	perf script -i perf.data "$@" 2>/dev/null >script.txt
	perf script -i dwarf/perf.jit.data -F $F "$@" 2>/dev/null >dwarf/inject.txt
	perf script -i dwarf/perf.jit.data --no-inline -F $F "$@" 2>/dev/null >dwarf/inject-noinline.txt
	perf script -i dwarf/perf.data "$@" 2>/dev/null >dwarf/script.txt
}
texts
for t in inject script dwarf/inject dwarf/inject-noinline dwarf/script; do mv $t.txt $t.raw.txt; done
cat ./*.raw.txt dwarf/*.raw.txt | grep -E '^\s+ffff[0-9a-f]+ ' | awk '{print $2}' |
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
texts --kallsyms "$work/kallsyms.txt"
for t in inject script dwarf/inject dwarf/inject-noinline dwarf/script; do
	cmp -s $t.raw.txt $t.txt ||
		echo "warning: $t: kallsyms.txt names kernel frames otherwise than /proc/kallsyms" >&2
done

# facts
for d in . dwarf; do
	pid=$(cd "$d" && ls jit-*.dump | sed 's/jit-\([0-9]*\)\.dump/\1/')
	perf script -i $d/perf.data -F time 2>/dev/null >$d/times
	{
		echo "# python3 testdata/gen/jit-node/jitdump.py stats jit-$pid.dump (+ the sample times)"
		python3 "$here/jitdump.py" stats "$d/jit-$pid.dump" "$d/times"
		echo "# perf script --show-mmap-events | grep jit-"
		perf script -i $d/perf.data --show-mmap-events 2>/dev/null | grep 'jit-[0-9]*\.dump' | sed 's/^ *//'
		echo "# /tmp/perf-$pid.map: $([ -e /tmp/perf-$pid.map ] && echo exists || echo 'not written')"
		echo "# perf inject --jit: $(ls $d/jitted-*.so | wc -l) jitted-*.so files, $(cat $d/jitted-*.so | wc -c) bytes (not kept)"
		echo "# samples: $(grep -c '^[^[:space:]]' $d/script.txt) ($(grep '^[^[:space:]]' $d/script.txt | awk '{print $1, $2}' | sort | uniq -c | sort -rn | awk '{printf "%s%s %s %s", s, $1, $2, $3; s=", "}'))"
	} >$d/jitdump.txt
done
# DWARF stacks after inject: where does perf's unwinding end?
awk 'BEGIN { RS = ""; FS = "\n" }
	{
		n++; last = $NF; sub(/^[ \t]+[0-9a-f]+ /, "", last)
		wasm = 0; for (i = 2; i <= NF; i++) if ($i ~ /-(turbofan|liftoff)\+/) wasm = i
		if (last ~ /^(_start|__clone3|clone3|start_thread)\+/) full++
		else if (wasm == NF) { endw++; if (NF == 2) leafw++ }
		else if (last ~ /^\[unknown\]/) unk++
		else { other++; o[last]++ }
		if (wasm) inw++
		for (i = 2; i <= NF; i++) if ($i ~ /jitted-/ && $i !~ /-(turbofan|liftoff)\+/) { js++; break }
	}
	END {
		printf "# perf script of perf.jit.data: %d samples\n", n
		printf "%d end at _start/clone3 (full stacks)\n", full
		printf "%d end at a Wasm frame (%d of them are that one frame only); %d samples have a Wasm frame\n", endw, leafw, inw
		printf "%d end at [unknown] (ffffffffffffffff: stack copy exhausted, or a JIT frame perf could not name)\n", unk
		printf "%d end elsewhere\n", other
		for (k in o) printf "   %d %s\n", o[k], k
		printf "%d samples have non-Wasm jitted frames (builtins, JS) in them\n", js
	}' dwarf/inject-noinline.txt >>dwarf/jitdump.txt

# node's symbol stub (fold-kinds/symstub.py: the .symtab entries naming the
# node addresses of every text, with perf's end fix-ups and aliases)
cat inject.txt script.txt dwarf/inject-noinline.txt dwarf/script.txt |
	grep '(/usr/bin/node)$' | awk '{print $1}' | sort -u >node.addrs
python3 "$top/testdata/gen/fold-kinds/symstub.py" /usr/bin/node node.addrs >node.names
objcopy --only-keep-debug /usr/bin/node node.dbg
objcopy --strip-all --keep-symbols=node.names node.dbg node.stub
rm node.dbg
# --only-keep-debug zeroes the PT_LOAD file offsets: put node's back
python3 - <<'EOF'
import struct
src = open('/usr/bin/node', 'rb').read()
dst = bytearray(open('node.stub', 'rb').read())
phoff, = struct.unpack_from('<Q', src, 0x20)
ent, num = struct.unpack_from('<HH', src, 0x36)
assert struct.unpack_from('<Q', dst, 0x20)[0] == phoff
assert struct.unpack_from('<HH', dst, 0x36) == (ent, num)
dst[phoff:phoff + ent * num] = src[phoff:phoff + ent * num]
open('node.stub', 'wb').write(dst)
EOF

# the fixture
rm -rf "$out/dwarf"
# jit-22823.dump.gz (the dump of an earlier 0.5 s recording) stays: tests/unit/test_jitdump.c reads it
for f in "$out"/jit-*.dump.gz; do [ "${f##*/}" = jit-22823.dump.gz ] || rm -f "$f"; done
rm -f "$out"/perf.data "$out"/*.txt.gz "$out"/*.txt "$out"/node.stub.gz "$out"/vdso
mkdir -p "$out/dwarf"
for d in . dwarf; do
	pid=$(cd "$d" && ls jit-*.dump | sed 's/jit-\([0-9]*\)\.dump/\1/')
	python3 "$here/jitdump.py" zero "$d/jit-$pid.dump" "$d/jit-$pid.zero.dump"
	gzip -9n <"$d/jit-$pid.zero.dump" >"$out/$d/jit-$pid.dump.gz"
	perf buildid-list -i "$d/perf.data" 2>/dev/null >"$out/$d/buildids.txt"
	cp "$d/jitdump.txt" "$out/$d/"
	gzip -9n <"$d/inject.txt" >"$out/$d/inject.txt.gz"
	gzip -9n <"$d/script.txt" >"$out/$d/script.txt.gz"
done
cp perf.data kallsyms.txt "$out/"
gzip -9n <dwarf/perf.data >"$out/dwarf/perf.data.gz"
gzip -9n <dwarf/inject-noinline.txt >"$out/dwarf/inject-noinline.txt.gz"
gzip -9n <node.stub >"$out/node.stub.gz"
if cat ./*.txt dwarf/*.txt | grep -q '(\[vdso\])$'; then
	vid=$(cat buildids.txt dwarf/buildids.txt 2>/dev/null | awk '$2 == "[vdso]" {print $1; exit}')
	vid=${vid:-$(perf buildid-list -i perf.data 2>/dev/null | awk '$2 == "[vdso]" {print $1; exit}')}
	[ -f ~/.debug/"[vdso]/$vid/vdso" ] && cp ~/.debug/"[vdso]/$vid/vdso" "$out/vdso"
fi
chmod -R a+rX "$out"
rm -f ./jitted-*.so dwarf/jitted-*.so
cat jitdump.txt dwarf/jitdump.txt
du -ab "$out" | sort -k2
du -sb "$out"
