#!/bin/sh
# jit-node: records testdata/jit-node, node (V8) running the real kern.wasm
# of testdata/fixtures with --perf-prof (a jitdump, no perf map), and keeps
# what stock perf makes of it with perf inject:
#   node --perf-prof --perf-prof-unwinding-info --interpreted-frames-native-stack \
#     run.js kern.wasm 0.5      recorded with
#   perf record -k mono -e cpu-clock:u -g -F 999 -o perf.data
#   perf inject --jit -i perf.data -o perf.jit.data   (one jitted-PID-N.so per
#     code load: ~2,500 files here, not kept)
#   perf script -i perf.jit.data -F comm,pid,tid,time,ip,sym,symoff,dso
#     | gzip -9n > inject.txt.gz
# Kept: perf.data, jit-PID.dump.gz (its code bytes zeroed: only names,
# addresses and sizes matter here, and zeros compress), node.stub.gz (node's
# build-id, program headers and the .symtab entries of the recorded node
# addresses, made as testdata/gen/fold-kinds/gen.sh does), buildids.txt.
# Facts: V8 writes jit-PID.dump in its cwd and maps it (the marker perf
# records); without perf inject, perf script shows its frames as
# [unknown] (//anon or /tmp/perf-PID.map); the dump logs every builtin too
# (they live in node's own text: JIT names hide node's symbols there).
# Needs (Debian 12, root): linux-perf nodejs python3 binutils
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$here/../../..
out=$top/testdata/jit-node
work=/tmp/wasmperf-gen/jit-node
rm -rf "$work" && mkdir -p "$work" "$out"
cd "$work"
cp "$top/testdata/gen/node-wasm/run.js" "$top/testdata/fixtures/node-wasm.kern.wasm" .
perf record -q -k mono -e cpu-clock:u -g -F 999 -o perf.data -- \
	node --perf-prof --perf-prof-unwinding-info --interpreted-frames-native-stack \
	run.js node-wasm.kern.wasm 0.5 >/dev/null
perf inject --jit -i perf.data -o perf.jit.data
perf script -i perf.jit.data -F comm,pid,tid,time,ip,sym,symoff,dso 2>/dev/null >inject.txt
echo "$(ls jitted-*.so | wc -l) jitted-*.so files, $(du -sh . | cut -f1) in $work"
perf buildid-list -i perf.data >buildids.txt
dump=$(ls jit-*.dump)
python3 - "$dump" <<'PY'
import struct, sys
p = sys.argv[1]
d = bytearray(open(p, 'rb').read())
off = struct.unpack_from('<I', d, 8)[0]
while off + 16 <= len(d):
    rid, size = struct.unpack_from('<II', d, off)
    if size < 16:
        break
    if rid == 0:
        name_end = d.index(0, off + 56)
        code = struct.unpack_from('<Q', d, off + 16 + 24)[0]
        d[name_end + 1:name_end + 1 + code] = bytes(code)
    elif rid == 4:  # unwinding info: zeroed too
        d[off + 40:off + size] = bytes(size - 40)
    off += size
open(p, 'wb').write(d)
PY
grep '(/usr/bin/node)$' inject.txt | awk '{print $1}' | sort -u >node.addrs
python3 "$top/testdata/gen/fold-kinds/symstub.py" /usr/bin/node node.addrs >node.names
objcopy --only-keep-debug /usr/bin/node node.dbg
objcopy --strip-all --keep-symbols=node.names node.dbg node.stub
rm node.dbg
python3 - <<'PY'
import struct
src = open('/usr/bin/node', 'rb').read()
dst = bytearray(open('node.stub', 'rb').read())
phoff, = struct.unpack_from('<Q', src, 0x20)
ent, num = struct.unpack_from('<HH', src, 0x36)
dst[phoff:phoff + ent * num] = src[phoff:phoff + ent * num]
open('node.stub', 'wb').write(dst)
PY
rm -f "$out"/jit-*.dump.gz
gzip -9n <"$dump" >"$out/$dump.gz"
gzip -9n <node.stub >"$out/node.stub.gz"
gzip -9n <inject.txt >"$out/inject.txt.gz"
cp perf.data buildids.txt "$out/"
ls -la "$out"
