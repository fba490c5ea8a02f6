#!/usr/bin/env python3
"""Makes the seed corpora of the harnesses whose input is their own format
from the corpora of the readers that produce such input:
  corpus/jitdump/*.dump       -> corpus/jit_symbols/*  (fuzz_jit_symbols.c)
  corpus/script_reader/*.txt  -> corpus/collapse/*     (fuzz_collapse.c)
Run from anywhere: python3 tests/fuzz/gen_corpus.py"""
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


def main():
    for src, dst, conv, mode in (("jitdump", "jit_symbols", jit_ops, "b"),
                                 ("script_reader", "collapse", collapse_lines, "")):
        os.makedirs(os.path.join(HERE, "corpus", dst), exist_ok=True)
        seen = set()
        for name in sorted(os.listdir(os.path.join(HERE, "corpus", src))):
            with open(os.path.join(HERE, "corpus", src, name), "r" + (mode or "")) as f:
                seed = conv(f.read())
            if seed and seed not in seen:  # one copy of equal seeds
                seen.add(seed)
                with open(os.path.join(HERE, "corpus", dst, name), "w" + mode) as f:
                    f.write(seed)


if __name__ == "__main__":
    main()
