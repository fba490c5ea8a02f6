#!/usr/bin/env python3
"""Writes the hand-made .wasm modules of testdata/wasm-modules/: valid
corner cases of the name section and malformed modules, byte by byte, so
every reader check has a fixture. Run: python3 make.py OUTDIR"""
import os
import sys


def leb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def name(s):
    b = s if isinstance(s, bytes) else s.encode()
    return leb(len(b)) + b


def section(sid, payload):
    return bytes([sid]) + leb(len(payload)) + payload


HEADER = b"\0asm" + bytes([1, 0, 0, 0])
TYPES = section(1, leb(1) + b"\x60\x00\x00")  # one type: () -> ()
# Imports: 2 functions, a memory, a global, a table: only functions count.
IMPORTS = section(2, leb(5)
                  + name("env") + name("f0") + b"\x00" + leb(0)
                  + name("env") + name("mem") + b"\x02\x00" + leb(1)
                  + name("env") + name("g") + b"\x03\x7f\x00"
                  + name("env") + name("f1") + b"\x00" + leb(0)
                  + name("env") + name("tab") + b"\x01\x70\x01" + leb(1) + leb(2))
FUNCS = section(3, leb(3) + leb(0) * 3)
CODE = section(10, leb(3) + (leb(2) + b"\x00\x0b") * 3)


def names_section(*subsections):
    return section(0, name("name") + b"".join(subsections))


def sub(sid, payload):
    return bytes([sid]) + leb(len(payload)) + payload


def namemap(pairs):
    return leb(len(pairs)) + b"".join(leb(i) + name(n) for i, n in pairs)


def write(outdir, filename, data):
    with open(os.path.join(outdir, filename), "wb") as f:
        f.write(data)


def main():
    out = sys.argv[1]
    base = HEADER + TYPES + IMPORTS + FUNCS + CODE
    # Valid: module name, unordered and sparse function names, a duplicate
    # index (the last one wins), an empty name, a name that is not UTF-8,
    # one with ';' and '<' (escaping downstream), local names, extended
    # subsections (labels 3, types 4, globals 7, fields 10, unknown 42),
    # a padded (non-minimal) LEB128, a build_id section.
    fn = namemap([(4, "four"), (0, "imp_zero"), (2, "two_first"), (2, "two"),
                  (3, b""), (1, b"bad\xff\xfeutf8")]) + leb(100) + name("a;b<c>")
    fn = leb(7) + fn[1:]  # 7 entries: the 6 above plus index 100
    locals_ = leb(1) + leb(2) + namemap([(0, "x"), (1, "y")])
    padded = b"\x01" + b"\x84\x80\x80\x80\x00" + leb(1) + leb(2) + name("p")  # size 4, padded
    write(out, "names-corner.wasm", base + names_section(
        sub(0, name("corner_module")), sub(1, fn), sub(2, locals_),
        sub(3, leb(0)), sub(4, namemap([(0, "t")])), sub(7, namemap([(0, "g")])),
        sub(10, leb(0)), sub(42, b"\x01\x02\x03"))
        + section(0, name("build_id") + name(b"\x01\x02\x03\x04")))
    write(out, "names-padded-leb.wasm", base + names_section(padded))
    write(out, "no-names.wasm", base)
    # Malformed.
    write(out, "bad-magic.wasm", b"\0elf" + bytes([1, 0, 0, 0]))
    write(out, "bad-version.wasm", b"\0asm" + bytes([2, 0, 0, 0]))
    write(out, "empty.wasm", b"")
    write(out, "truncated-leb.wasm", base + b"\x00\xff\xff")  # section size LEB cut off
    write(out, "leb-too-long.wasm", base + b"\x00\x80\x80\x80\x80\x80\x01")
    write(out, "section-past-end.wasm", base + b"\x0b" + leb(1000) + b"\x00\x00")
    write(out, "huge-count.wasm", base + names_section(sub(1, leb(0xFFFFFFFF) + leb(5) + name("f"))))
    write(out, "overlong-name.wasm", base + names_section(sub(1, leb(1) + leb(5) + leb(0x7FFFFFF0) + b"abc")))
    write(out, "subsection-past-end.wasm", base + names_section(b"\x01" + leb(200) + leb(1)))
    # Truncated in the middle of the import section: what came before stays.
    whole = HEADER + TYPES + IMPORTS
    write(out, "truncated-imports.wasm", whole[:len(whole) - 7])


if __name__ == "__main__":
    main()
