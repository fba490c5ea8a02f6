#!/usr/bin/env python3
"""Makes seed corpora from the test fixtures and from other corpora:
  testdata/ fixtures (every kind: file, pipe, zstd, tracepoint, uprobe,
  multi-event, interrupted and DWARF perf.data; jitdumps with debug and
  unwinding records; Wasm modules; texts) -> corpus/perfdata, jitdump,
  wasm_module, input_kind, fold_merge, fold_time, fold_threads (seeds
  named fx-*)
  corpus/jitdump/*.dump       -> corpus/jit_symbols/*  (fuzz_jit_symbols.c)
  corpus/script_reader/*.txt  -> corpus/collapse/*     (fuzz_collapse.c)
Seeds stay small (whole fixtures up to 64 KiB, else a head or a sample of
records), so that fuzzing stays fast. Run from anywhere:
python3 tests/fuzz/gen_corpus.py"""
import gzip
import os
import re
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def jit_ops(dump):
    """The load/move/unwind records of a jitdump as fuzz_jit_symbols ops."""
    if len(dump) < 40:
        return b""
    e = "<" if dump[:4] == b"DTiJ" else ">"
    out = bytearray()
    pos = struct.unpack_from(e + "I", dump, 8)[0]
    while pos + 16 <= len(dump):
        rid, size, time = struct.unpack_from(e + "IIQ", dump, pos)
        if size < 16 or pos + size > len(dump):
            break
        body = dump[pos + 16:pos + size]
        if rid == 0 and len(body) >= 40:
            _, _, _, addr, csize, _ = struct.unpack_from(e + "IIQQQQ", body)
            name = body[40:].split(b"\0")[0][:255]
            out += struct.pack("<BQQIB", 0, time, addr, csize & 0xffffffff, len(name)) + name
        elif rid == 1 and len(body) >= 48:
            _, _, _, old, new, csize, _ = struct.unpack_from(e + "IIQQQQQ", body)
            out += struct.pack("<BQQQI", 1, time, old, new, csize & 0xffffffff)
        elif rid == 4 and len(body) >= 24:
            dsize, hsize, _ = struct.unpack_from(e + "QQQ", body)
            data = body[24:24 + dsize][:0xffff]
            out += struct.pack("<BHH", 2, len(data), min(hsize, len(data))) + data
        pos += size
    return bytes(out)


HEADER = re.compile(r"^(\S.*?)\s+(\d+)(?:/(\d+))?\s")
FRAME = re.compile(r"^\s+([0-9a-f]+)\s+(.*?)\s+\((.*)\)$")


def collapse_lines(text):
    """perf script samples as fuzz_collapse lines (options byte first)."""
    out, sample = ["\x00"], None
    for line in text.splitlines():
        m = FRAME.match(line)
        if m and sample is not None:
            sample.append("\t".join((m.group(2), m.group(3), m.group(1), "")))
            continue
        m = HEADER.match(line)
        if m:
            if sample:
                out.append(";".join(sample) + "\n")
            pid, tid = m.group(2), m.group(3) or m.group(2)
            sample = ["\t".join((m.group(1), pid, tid))]
    if sample:
        out.append(";".join(sample) + "\n")
    return "".join(out)


TESTDATA = os.path.join(HERE, "..", "..", "testdata")
MAX_WHOLE = 64 << 10


def fixture(path):
    """A testdata file's bytes, gunzipped when it ends in .gz."""
    with open(os.path.join(TESTDATA, path), "rb") as f:
        data = f.read()
    return gzip.decompress(data) if path.endswith(".gz") else data


def whole_or_head(data, head=32 << 10):
    return data if len(data) <= MAX_WHOLE else data[:head]


def jit_sample(dump, per_kind=2):
    """The header and the first per_kind records of each record kind."""
    e = "<" if dump[:4] == b"DTiJ" else ">"
    pos = struct.unpack_from(e + "I", dump, 8)[0]
    out, seen = bytearray(dump[:pos]), {}
    while pos + 16 <= len(dump):
        rid, size, _ = struct.unpack_from(e + "IIQ", dump, pos)
        if size < 16 or pos + size > len(dump):
            break
        if seen.get(rid, 0) < per_kind and len(out) + size <= MAX_WHOLE:
            # an unwinding record describes the load after it: keep pairs
            seen[rid] = seen.get(rid, 0) + 1
            out += dump[pos:pos + size]
        pos += size
    return bytes(out)


PERFDATA = {  # corpus name: fixture
    "fx-multi.data": "perfdata-multi/perf.data",
    "fx-interrupted.data": "perfdata-interrupted/perf.data",
    "fx-uprobe.data": "perfdata-uprobe/perf.data",
    "fx-perfmap.data": "perfmap-long/perf.data",
    "fx-freq.data": "fold-event-default/freq.data.gz",
    "fx-pipe-events.data": "fold-event-default/pipe.data.gz",
    "fx-dwarf-head.data": "dwarf-c/perf.data",
    "fx-jit-node-head.data": "fold-perfdata-kinds/node/perf.data",
    "fx-zstd-kinds.data": "fold-perfdata-kinds/zstd/perf.data",
    "fx-phases-edge.data": "phases-choose/edge.data.gz",
}
JITDUMPS = {
    "fx-v8-debug-unwind.dump": "cxx-names/jit-22907.dump.gz",
    "fx-v8-dwarf.dump": "jit-node/dwarf/jit-27711.dump.gz",
    "fx-wamr-jit.dump": "fixtures/wamr-jit-compute/jit-30837.dump.gz",
}
WASM = {
    "fx-node-kern.wasm": "fixtures/node-wasm.kern.wasm",
    "fx-node-kern-stripped.wasm": "fixtures/node-wasm.kern.stripped.wasm",
    "fx-cxx-kern.wasm": "cxx-names/kern.wasm",
}
# every kind input_kind.c tells apart, from its first bytes
KINDS = {
    "fx-perfdata": ("perfdata-fp/perf.data", 4096),
    "fx-pipe": ("perfdata-pipe/pipe.data", 4096),
    "fx-script": ("fold-text-edge-cases/input.perf", 4096),
    "fx-folded": ("names-runtimes/input.folded", 4096),
    "fx-perfmap": ("native-basic/perf-10429.map", 4096),
    "fx-jitdump": ("jitdump-emit/jit-28833.dump", 4096),
    "fx-wasm": ("names-v8/kern.wasm", 4096),
    "fx-elf": ("native-basic/prog", 4096),
}
TIMES = [b"1.5,2.5", b"1.5,", b",2.5", b"10%-20%,50%-60%", b"10%/3", b"25%",
         b"1.000001,1.000002 3,4", b"0%-100%", b"99.999999999%/7,1%-2%", b"abc", b""]


def put(corpus, name, data, mode="wb"):
    os.makedirs(os.path.join(HERE, "corpus", corpus), exist_ok=True)
    with open(os.path.join(HERE, "corpus", corpus, name), mode) as f:
        f.write(data)


def from_fixtures():
    for name, path in PERFDATA.items():
        put("perfdata", name, whole_or_head(fixture(path)))
    for name, path in JITDUMPS.items():
        put("jitdump", name, jit_sample(fixture(path)))
    for name, path in WASM.items():
        put("wasm_module", name, fixture(path))
    for name, (path, n) in KINDS.items():
        put("input_kind", name, fixture(path)[:n])
    text = fixture("fold-text-edge-cases/input.perf")[:2048]
    put("input_kind", "fx-script.gz", gzip.compress(text, mtime=0))
    put("input_kind", "fx-empty", b"")
    folded = fixture("names-runtimes/input.folded")[:4096]
    put("fold_merge", "fx-two", folded + b"\0" + folded)
    put("fold_merge", "fx-big-counts",
        b"a;b 18446744073709551614\na;c 1\n\0a;b 1\nx 9223372036854775807\n")
    put("fold_merge", "fx-fractions", b"a;b 1.5\na;b 2\n\0a 3 4\n# c\n")
    # fold_threads: a byte for the job size (16 + it), then the text
    edge = fixture("fold-text-edge-cases/input.perf")
    put("fold_threads", "fx-edge-16", b"\x00" + edge)
    put("fold_threads", "fx-edge-61", b"\x2d" + edge)
    blanks = b"".join(b"p 1 %d.0: 1 cpu-clock:\n\tffff f%d (m)\n%s\n" % (i, i % 3, sep)
                      for i, sep in enumerate([b"", b"  ", b"\t", b"\r", b" " * 40] * 6))
    put("fold_threads", "fx-blank-kinds", b"\x05" + blanks)
    for i, t in enumerate(TIMES):
        span = struct.pack("<QQ", 1000000000 * (i + 1), 1000000000 * (i + 5) + 123456789)
        put("fold_time", "fx-%02d" % i, span + t)


def sort_siblings():
    """fuzz_collapse lines whose folded output sorts many siblings: long
    shared prefixes, and names that are prefixes of each other or hold
    bytes below and above ';' (the stack table's radix sort)."""
    names = ["a", "ab", "a b", "a:b", "b", "~", "a<"]
    out, state = ["\x00"], 7
    for _ in range(300):
        frames = ["main\t/bin/x\t1\t"] * 6
        for _ in range(1 + state % 5):
            state = (state * 1103515245 + 12345) % 2**31
            frames.append("%s\t/bin/x\t2\t" % names[state % len(names)])
        out.append(";".join(["w\t1\t1"] + frames[::-1]) + "\n")
    return "".join(out).encode()


def main():
    from_fixtures()
    put("collapse", "sort-siblings", sort_siblings())
    for src, dst, conv, mode in (("jitdump", "jit_symbols", jit_ops, "b"),
                                 ("script_reader", "collapse", collapse_lines, "")):
        os.makedirs(os.path.join(HERE, "corpus", dst), exist_ok=True)
        seen = set()
        for name in sorted(os.listdir(os.path.join(HERE, "corpus", src))):
            with open(os.path.join(HERE, "corpus", src, name), "r" + (mode or "")) as f:
                try:
                    seed = conv(f.read())
                except UnicodeDecodeError:  # (a binary crash reproducer: not text)
                    continue
            if seed and seed not in seen:  # one copy of equal seeds
                seen.add(seed)
                with open(os.path.join(HERE, "corpus", dst, name), "w" + mode) as f:
                    f.write(seed)


if __name__ == "__main__":
    main()
