#!/bin/sh
# fold-kinds: the recordings of testdata/fold-perfdata-kinds, one of each
# kind of perf.data wasmperf-fold reads, each with its `perf script` text,
# so that its cmd can check `wasmperf-fold perf.data` against
# `perf script | wasmperf-fold` on any machine.
#
# Kinds (all -F 999 -g -e cpu-clock, prog.c with frame pointers):
#   zstd/perf.data      perf record -z                          (COMPRESSED records;
#                       perf 6.1 then collects no build-ids)
#   pipe/pipe.data      perf record -o - >pipe.data            (pipe mode: no build-ids)
#   threads/thr.data/   perf record --threads                   (a directory, data.N per CPU)
#   multi/perf.data.gz  -e cpu-clock -e 'sched:*' -e probe_prog:probe_target -m 1024
#                       (perf probe -x prog 'probe_target round': a uprobe);
#                       ~1 MB of tracepoint samples (sched_stat_runtime), 20 KB
#                       gzipped: cmd inflates it
#   node/perf.data      node --perf-basic-prof --interpreted-frames-native-stack
#                       running ../node-wasm/run.js + kern.wasm (real Wasm),
#                       JIT frames named from /tmp/perf-PID.map
# Beside each: script.txt.gz, `perf script -F FIELDS -i DATA --kallsyms
# kallsyms.txt` with FIELDS comm,pid,tid,time,period,event,trace,ip,sym,symoff,dso
# (perf's defaults with pid, without cpu, which cpu-clock samples lack; in
# perf 6.1 `-F +pid` loses the callchains of tracepoint samples), and
# buildids.txt (`perf buildid-list`).
#
# What the test needs to symbolize anywhere (testdata/fold-perfdata-kinds/):
#   prog          the program (debug info stripped: symbols and build-id kept);
#                 cmd puts it into a build-id cache made at test time, and, for
#                 pipe mode and -z (no build-ids recorded, so files are looked
#                 up by path), into a --symfs tree at its recorded path
#                 /tmp/wasmperf-gen/fold-kinds/prog (the tree links usr -> /usr)
#   kallsyms.txt  the /proc/kallsyms lines of every kernel symbol the
#                 recordings print, their aliases and the symbol after each
#                 (its end), and _text/_stext (gen/native's method); the texts
#                 are printed with it, so both sides see the same kernel symbols
#   node/node.stub.gz  node's symbols, not node: an ELF with node's build-id,
#                 program headers and section headers (no contents) and the
#                 .symtab entries that name the recorded addresses (symstub.py:
#                 those containing a sampled address, with perf's end fix-ups
#                 and alias choice kept exact), ~500 of 106k symbols; cmd puts it
#                 into the build-id cache, so node frames do not depend on the
#                 machine's node (recorded with NodeSource's node 20.20.2, build-id
#                 in node/buildids.txt; Debian 12's own nodejs is 18). gen.sh checks that the stub names every
#                 frame as the real node does, with wasmperf-fold and with an
#                 emulation of perf's own symbol lookup (perf_symfind.py)
#   node/perf-PID.map.gz  V8's perf map of the run (cmd inflates it into a
#                 --perf-map-dir)
#   vdso          only when a text shows [vdso] frames: perf's copy of the vDSO
# libc and ld.so frames come from libc6-dbg (as in testdata/fold-perfdata),
# node's libstdc++ frames from Debian 12's libstdc++6 (.dynsym): cmd says so
# when the machine's files have other build-ids than buildids.txt.
#
# Needs (Debian 12, root): gcc clang lld linux-perf nodejs python3 binutils gzip
# libc6-dbg, tracefs mounted, and a built wasmperf-fold (for the checks at the
# end; WASMPERF_BIN, default build/tools).
# Regenerate: sh testdata/gen/fold-kinds/gen.sh [rounds]   (bytes differ every
# time: then WASMPERF_UPDATE=1 ctest -R case/fold-perfdata-kinds, and check the
# new expected.stdout)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
out=$top/testdata/fold-perfdata-kinds
work=/tmp/wasmperf-gen/fold-kinds       # fixed path: it is recorded in perf.data
fold=${WASMPERF_BIN:-$top/build/tools}/wasmperf-fold
rounds=${1:-600}
[ -x "$fold" ] || { echo "gen.sh: no $fold (build first, or set WASMPERF_BIN)" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$work"
sysctl -q kernel.perf_event_paranoid=-1 2>/dev/null || true
sysctl -q kernel.kptr_restrict=0 2>/dev/null || true
cd "$work"
gcc -O1 -g -fno-omit-frame-pointer -pthread -o prog "$here/prog.c"
clang --target=wasm32 -O2 -nostdlib -Wl,--no-entry -Wl,--export-all -o kern.wasm \
	"$here/../node-wasm/kern.c"
cp "$here/../node-wasm/run.js" .

rec() { perf record -q -F 999 -g -e cpu-clock "$@"; }
rec -z -o zstd.data -- ./prog "$rounds" >/dev/null
rec -o - -- ./prog "$rounds" >pipe.data 2>/dev/null
# --threads: one data.N per CPU; which CPUs get samples varies from run to
# run: retry until every data.N holds some
for try in 1 2 3 4 5 6 7 8 9 10; do
	rm -rf thr.data
	rec --threads -o thr.data -- ./prog "$rounds" >/dev/null
	[ -z "$(find thr.data -name 'data.*' -size -8k)" ] && break
done
perf probe -q -d 'probe_prog:*' 2>/dev/null || true
perf probe -q -x ./prog 'probe_target round'
rec -m 1024 -e 'sched:*' -e probe_prog:probe_target -o multi.data -- ./prog $((rounds / 2)) >/dev/null
perf probe -q -d 'probe_prog:*'
rec -o node.data -- node --perf-basic-prof --interpreted-frames-native-stack \
	run.js kern.wasm 0.5 >/dev/null
nodepid=$(perf script -i node.data -F pid 2>/dev/null | head -1 | tr -d ' ')
cp "/tmp/perf-$nodepid.map" "perf-$nodepid.map"

fields=comm,pid,tid,time,period,event,trace,ip,sym,symoff,dso
kinds="zstd:zstd.data pipe:pipe.data threads:thr.data multi:multi.data node:node.data"
# pass 1: perf script with the running kernel's symbols
for k in $kinds; do
	perf script -F "$fields" -i "${k#*:}" 2>/dev/null >"${k%%:*}.raw.txt"
done
# kernel symbols perf printed, in all recordings -> kallsyms.txt
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
# pass 2: the texts the test compares with, printed with the subset
for k in $kinds; do
	perf script -F "$fields" -i "${k#*:}" --kallsyms kallsyms.txt 2>/dev/null >"${k%%:*}.txt"
	cmp -s "${k%%:*}.raw.txt" "${k%%:*}.txt" ||
		echo "warning: ${k%%:*}: kallsyms.txt names kernel frames otherwise than /proc/kallsyms" >&2
done

# node's symbol stub: the .symtab entries naming the recorded node addresses
grep '(/usr/bin/node)$' node.txt | awk '{print $1}' | sort -u >node.addrs
python3 "$here/symstub.py" /usr/bin/node node.addrs >node.names
objcopy --only-keep-debug /usr/bin/node node.dbg
objcopy --strip-all --keep-symbols=node.names node.dbg node.stub
rm node.dbg
# --only-keep-debug zeroes the PT_LOAD file offsets: put node's back (perf
# and wasmperf turn symbol addresses into file offsets with them)
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
nodeid=$(perf buildid-list -i node.data 2>/dev/null | awk '$2 == "/usr/bin/node" {print $1}')
vdsoid=$(perf buildid-list -i node.data 2>/dev/null | awk '$2 == "[vdso]" {print $1}')
mkdir -p stubcache/.build-id/$(echo "$nodeid" | cut -c1-2)
cp node.stub "stubcache/.build-id/$(echo "$nodeid" | cut -c1-2)/$(echo "$nodeid" | cut -c3-)"
if [ -n "$vdsoid" ] && [ -f ~/.debug/"[vdso]/$vdsoid/vdso" ]; then
	mkdir -p "stubcache/[vdso]/$vdsoid"
	cp ~/.debug/"[vdso]/$vdsoid/vdso" "stubcache/[vdso]/$vdsoid/"
fi
"$fold" -q --all --tid node.data >node.real.folded
"$fold" -q --all --tid --buildid-dir stubcache node.data >node.stub.folded
if cmp node.real.folded node.stub.folded; then
	echo "node stub: names every frame as /usr/bin/node does"
else
	diff node.real.folded node.stub.folded | cut -c1-300 >&2
	echo "gen.sh: the node stub names frames otherwise than /usr/bin/node (above)" >&2
	exit 1
fi
# ... and under perf's own lookup (its rb-tree, which decides between nested
# symbols), the stub and node both give the names perf printed
python3 "$here/perf_symfind.py" /usr/bin/node /usr/bin/node <node.txt || true
python3 "$here/perf_symfind.py" node.stub /usr/bin/node <node.txt

# pipe mode through a live pipe (only checked here: the test has no perf)
rec -o - -- ./prog 100 2>/dev/null | tee live.data | "$fold" -q - >live.folded
perf script -i live.data 2>/dev/null | "$fold" -q >live.text.folded
if cmp -s live.folded live.text.folded; then echo "live pipe: identical"
else echo "live pipe: $(awk -f "$top/bench/agree.awk" live.text.folded live.folded | head -1)"; fi

# the fixture
rm -rf "$out"/zstd "$out"/pipe "$out"/threads "$out"/multi "$out"/node "$out"/prog \
	"$out"/kallsyms.txt "$out"/vdso
mkdir -p "$out"
strip --strip-debug -o "$out/prog" prog
cp kallsyms.txt "$out/"
for k in $kinds; do
	d=$out/${k%%:*}
	mkdir -p "$d"
	cp -r "${k#*:}" "$d/"
	gzip -9n <"${k%%:*}.txt" >"$d/script.txt.gz"
	perf buildid-list -i "${k#*:}" 2>/dev/null >"$d/buildids.txt" || true
done
mv "$out/zstd/zstd.data" "$out/zstd/perf.data"
rm "$out/multi/multi.data"
gzip -9n <multi.data >"$out/multi/perf.data.gz"
mv "$out/node/node.data" "$out/node/perf.data"
gzip -9n <node.stub >"$out/node/node.stub.gz"
gzip -9n <"perf-$nodepid.map" >"$out/node/perf-$nodepid.map.gz"
if grep -q '(\[vdso\])$' ./*.txt; then
	vid=$(cat "$out"/*/buildids.txt | awk '$2 == "[vdso]" {print $1; exit}')
	cp ~/.debug/"[vdso]/$vid/vdso" "$out/vdso"
fi
chmod -R a+rX "$out"
for k in $kinds; do
	echo "${k%%:*}: $(grep -c ' cpu-clock' "${k%%:*}.txt") cpu-clock samples," \
		"$(grep -c '^[^[:space:]]' "${k%%:*}.txt") in all"
done
du -ab "$out" | sort -k2
du -sb "$out"
