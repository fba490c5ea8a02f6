#!/bin/sh
# runs.sh [SHARED] - the inputs of testdata/phases-runs/: each recording of
# SHARED/phases/runs/RUN (default ../shared, see its README and commands.sh)
# copied as perf.data.gz with its expected-phases.tsv, plus for node a
# symbol stub of /usr/bin/node (same build-id on every machine of this kind,
# but the tests must not need it): the .symtab entries naming every node
# address the recording's default perf script text shows, probes included
# (the first frame of a uprobe sample is the probed address), made with
# fold-kinds/symstub.py as testdata/gen/jit-node does; and the perf maps
# (perf-PID.map.gz) that name the JIT/AOT code.
# Run from the top of the tree; needs python3, objcopy, xz and /usr/bin/node.
set -eu
shared=$(cd "${1:-../shared}" && pwd)
top=$(pwd)
out=$top/testdata/phases-runs
for run in node-v8--compute wamr-aot--compute; do
	src=$shared/phases/runs/$run
	mkdir -p "$out/$run"
	gzip -9nc "$src/perf.data" >"$out/$run/perf.data.gz"
	gzip -9nc "$src"/perf-*.map >"$out/$run/$(basename "$src"/perf-*.map).gz"
	cp "$src/expected-phases.tsv" "$out/$run/"
	chmod u+w "$out/$run"/*
done
cd "$out/node-v8--compute"
xz -dc "$shared/phases/runs/node-v8--compute/out.perf.xz" |
	grep '(/usr/bin/node)$' | awk '{print $1}' | sort -u >node.addrs
python3 "$top/testdata/gen/fold-kinds/symstub.py" /usr/bin/node node.addrs >node.names
objcopy --only-keep-debug /usr/bin/node node.dbg
objcopy --strip-all --keep-symbols=node.names node.dbg node.stub
rm -f node.dbg node.addrs node.names
# --only-keep-debug zeroes the PT_LOAD file offsets: put node's back (as
# testdata/gen/jit-node/gen.sh does)
python3 - <<'PY'
import struct
src = open('/usr/bin/node', 'rb').read()
dst = bytearray(open('node.stub', 'rb').read())
phoff, = struct.unpack_from('<Q', src, 0x20)
ent, num = struct.unpack_from('<HH', src, 0x36)
assert struct.unpack_from('<Q', dst, 0x20)[0] == phoff
assert struct.unpack_from('<HH', dst, 0x36) == (ent, num)
dst[phoff:phoff + ent * num] = src[phoff:phoff + ent * num]
open('node.stub', 'wb').write(dst)
PY
gzip -9nf node.stub
readelf -n /usr/bin/node 2>/dev/null | awk '/Build ID/ { print $3 }' >node.buildid
