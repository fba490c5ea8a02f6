#!/usr/bin/env python3
"""Checks a wasmperf-export file against its format's documented rules and
prints what a viewer would show: thread count, total weight (compared with
the folded total), the heaviest leaf frames.

  check_export.py speedscope|firefox|pprof FILE [FOLDED]

speedscope: src/lib/file-format-spec.ts and the importer's rules (samples and
weights of equal length, weights > 0, frame indices in range).
firefox: the processed format's invariants (every table's columns as long as
its length, indices in range, a stack's prefix before it, sample times
non-decreasing per thread).
pprof: profile.proto decoded by hand (gzip, string_table[0] == "", ids
nonzero and resolvable, every sample with one value per sample type)."""
import gzip
import json
import sys
from collections import Counter


def fail(msg):
    print("INVALID:", msg)
    sys.exit(1)


def folded_total(path):
    total = 0
    with open(path, "rb") as f:
        for line in f:
            total += int(line.rsplit(b" ", 1)[1])
    return total


def load_json(path):
    with open(path, "rb") as f:
        data = f.read()
    try:
        text = data.decode("utf-8")  # strict: JSON text is UTF-8
    except UnicodeDecodeError as e:
        fail("not UTF-8: %s" % e)
    return json.loads(text)


def speedscope(path):
    d = load_json(path)
    if d.get("$schema") != "https://www.speedscope.app/file-format-schema.json":
        fail("no speedscope $schema")
    frames = d["shared"]["frames"]
    for f in frames:
        if not isinstance(f.get("name"), str):
            fail("frame without a name")
    total, leaves, nphases = 0, Counter(), 0
    for p in d["profiles"]:
        if p["type"] != "sampled" or p["unit"] not in ("nanoseconds", "none"):
            fail("profile type/unit %s/%s" % (p["type"], p["unit"]))
        if len(p["samples"]) != len(p["weights"]):
            fail("samples and weights differ in length")
        if any(w <= 0 for w in p["weights"]):
            fail("a weight <= 0")
        if sum(p["weights"]) != p["endValue"] - p["startValue"]:
            fail("endValue - startValue is not the sum of the weights")
        for s, w in zip(p["samples"], p["weights"]):
            if any(i < 0 or i >= len(frames) for i in s):
                fail("frame index out of range")
            if s and not p["name"].startswith("phase "):
                leaves[frames[s[-1]]["name"]] += w
        if p["name"].startswith("phase "):  # the threads' samples again, by phase
            nphases += 1
        else:
            total += sum(p["weights"])
    if not 0 <= d["activeProfileIndex"] < max(1, len(d["profiles"])):
        fail("activeProfileIndex out of range")
    return len(d["profiles"]) - nphases, total, leaves, "unit " + (d["profiles"][0]["unit"] if d["profiles"] else "-") + (
        "; %d phase profiles" % nphases if nphases else "")


def columns(table, names, what):
    for n in names:
        if n not in table or len(table[n]) != table["length"]:
            fail("%s.%s missing or not of length %d" % (what, n, table["length"]))


def firefox(path):
    d = load_json(path)
    if d["meta"]["preprocessedProfileVersion"] != 60:
        fail("preprocessedProfileVersion")
    sh = d["shared"]
    strings = sh["stringArray"]
    st, fr, fu, rs, so = sh["stackTable"], sh["frameTable"], sh["funcTable"], sh["resourceTable"], sh["sources"]
    columns(st, ["frame", "prefix"], "stackTable")
    columns(fr, ["address", "inlineDepth", "category", "subcategory", "func", "nativeSymbol",
                 "innerWindowID", "line", "column"], "frameTable")
    columns(fu, ["name", "isJS", "relevantForJS", "resource", "source", "lineNumber", "columnNumber"], "funcTable")
    columns(rs, ["lib", "name", "host", "type"], "resourceTable")
    columns(so, ["id", "filename"], "sources")
    ncat = len(d["meta"]["categories"])
    for i in range(st["length"]):
        if not 0 <= st["frame"][i] < fr["length"]:
            fail("stackTable.frame out of range")
        if st["prefix"][i] is not None and not 0 <= st["prefix"][i] < i:
            fail("stackTable.prefix not an earlier stack")
    for i in range(fr["length"]):
        if not 0 <= fr["func"][i] < fu["length"] or not 0 <= fr["category"][i] < ncat:
            fail("frameTable.func or category out of range")
    for i in range(fu["length"]):
        if not 0 <= fu["name"][i] < len(strings):
            fail("funcTable.name out of range")
        if fu["resource"][i] != -1 and not 0 <= fu["resource"][i] < rs["length"]:
            fail("funcTable.resource out of range")
        if fu["source"][i] is not None and not 0 <= fu["source"][i] < so["length"]:
            fail("funcTable.source out of range")
    for i in range(rs["length"]):
        if not 0 <= rs["lib"][i] < len(d["libs"]) or not 0 <= rs["name"][i] < len(strings):
            fail("resourceTable.lib or name out of range")
    for i in range(so["length"]):
        if not 0 <= so["filename"][i] < len(strings):
            fail("sources.filename out of range")
    total, leaves = 0, Counter()
    ms = d["threads"] and d["threads"][0]["samples"]["weightType"] == "tracing-ms"
    for t in d["threads"]:
        s = t["samples"]
        columns(s, ["stack", "time", "weight"], "samples")
        if any(b < a for a, b in zip(s["time"], s["time"][1:])):
            fail("sample times decrease")
        m = t["markers"]
        columns(m, ["data", "name", "startTime", "endTime", "phase", "category"], "markers")
        for stack, w in zip(s["stack"], s["weight"]):
            if stack is not None and not 0 <= stack < st["length"]:
                fail("samples.stack out of range")
            if stack is not None:
                leaves[strings[fu["name"][fr["func"][st["frame"][stack]]]]] += w
            total += w
    if ms:  # tracing-ms: weights are ms with 6 decimals (exact ns)
        total = round(total * 1e6)
        leaves = Counter({k: round(v * 1e6) for k, v in leaves.items()})
    return len(d["threads"]), total, leaves, "weightType " + (d["threads"][0]["samples"]["weightType"] if d["threads"] else "-")


def varint(b, i):
    v = shift = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            return v, i


def fields(b):
    """(field, wire type, value) of one message; value is an int or bytes."""
    i, out = 0, []
    while i < len(b):
        key, i = varint(b, i)
        f, wt = key >> 3, key & 7
        if wt == 0:
            v, i = varint(b, i)
        elif wt == 2:
            n, i = varint(b, i)
            v = b[i:i + n]
            i += n
        else:
            fail("wire type %d" % wt)
        out.append((f, wt, v))
    return out


def ints(v):
    if isinstance(v, int):
        return [v]
    out, i = [], 0
    while i < len(v):
        x, i = varint(v, i)
        out.append(x)
    return out


def pprof(path):
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] != b"\x1f\x8b":
        fail("not gzip")
    msg = fields(gzip.decompress(raw))
    strings = [v.decode("utf-8", "replace") for f, _, v in msg if f == 6]
    if not strings or strings[0] != "":
        fail("string_table[0] is not empty")
    types = [dict((f, v) for f, _, v in fields(v)) for f, _, v in msg if f == 1]
    funcs = {d[1]: d for d in (dict((f, v) for f, _, v in fields(v)) for f, _, v in msg if f == 5)}
    maps = {d[1]: d for d in (dict((f, v) for f, _, v in fields(v)) for f, _, v in msg if f == 3)}
    locs = {}
    for f, _, v in msg:
        if f == 4:
            loc = fields(v)
            lid = [x for g, _, x in loc if g == 1][0]
            lines = [dict((g, x) for g, _, x in fields(x)) for g, _, x in loc if g == 4]
            mid = [x for g, _, x in loc if g == 2]
            if mid and mid[0] not in maps:
                fail("location's mapping unknown")
            if not lid or any(l[1] not in funcs for l in lines):
                fail("location id 0 or its function unknown")
            locs[lid] = lines
    for fid, fn in funcs.items():
        if not fid or fn.get(2, 0) >= len(strings):
            fail("function id 0 or name out of range")
    nvalues, total, leaves, labels = len(types), 0, Counter(), set()
    for f, _, v in msg:
        if f != 2:
            continue
        s = fields(v)
        ids = [x for g, _, y in s if g == 1 for x in ints(y)]
        vals = [x for g, _, y in s if g == 2 for x in ints(y)]
        for g, _, y in s:
            if g == 3:
                labels.add(strings[dict((h, x) for h, _, x in fields(y))[1]])
        if len(vals) != nvalues or any(i not in locs for i in ids):
            fail("a sample's values or locations")
        total += vals[-1]
        if ids:
            leaves[strings[funcs[locs[ids[0]][0][1]][2]]] += vals[-1]
    kinds = ",".join("%s/%s" % (strings[t.get(1, 0)], strings[t.get(2, 0)]) for t in types)
    with_ids = sum(1 for m in maps.values() if m.get(6))
    return len(labels), total, leaves, "%s; labels %s; %d mappings, %d with a build-id" % (
        kinds, ",".join(sorted(labels)) or "-", len(maps), with_ids)


def phases(kind, path, phases_json):
    """The phases of an export against wasmperf phases --format json's rows:
    speedscope: a profile per phase holding samples, its weight the row's
    period; firefox: an interval marker per row, at the row's times; pprof:
    the weight under each phase label (the deepest phase holding a sample)."""
    rows = []
    if kind != "pprof":  # pprof: the labels only
        with open(phases_json) as f:
            rows = [(p["pid"], r) for p in json.load(f)["processes"] for r in p["phases"]]
    if kind == "speedscope":
        got = {p["name"]: sum(p["weights"]) for p in load_json(path)["profiles"] if p["name"].startswith("phase ")}
        for pid, r in rows:
            name = "phase %s (pid %d)" % (r["name"], pid)
            if r["samples"] or name in got:
                ok = got.get(name) == r["period"]
                print("  %s: weight %s, wasmperf phases %d: %s" % (name, got.get(name), r["period"], "equal" if ok else "DIFFERENT"))
    elif kind == "firefox":
        d = load_json(path)
        strings = d["shared"]["stringArray"]
        zero = None
        for t in d["threads"]:
            m = t["markers"]
            if m["length"] and any(v != 1 for v in m["phase"]):
                fail("a marker that is not an interval")
            marks = {strings[m["name"][i]]: (m["startTime"][i], m["endTime"][i]) for i in range(m["length"])}
            for pid, r in rows:
                if str(pid) != t["pid"] or r["name"] not in marks:
                    continue
                start, end = marks.pop(r["name"])
                if zero is None:  # the file's time 0, from the first marker
                    zero = r["start_ns"] - round(start * 1e6)
                ok = round(start * 1e6) + zero == r["start_ns"] and round(end * 1e6) + zero == r["end_ns"]
                print("  %s marker on thread %s: %.6f-%.6f ms: %s" % (r["name"], t["tid"], start, end, "at the row's times" if ok else "DIFFERENT"))
            if marks:
                fail("markers no row has: %s" % sorted(marks))
    else:
        raw = gzip.decompress(open(path, "rb").read())
        msg = fields(raw)
        strings = [v.decode("utf-8", "replace") for f, _, v in msg if f == 6]
        by = Counter()
        for f, _, v in msg:
            if f != 2:
                continue
            s = fields(v)
            vals = [x for g, _, y in s if g == 2 for x in ints(y)]
            labels = [dict((h, x) for h, _, x in fields(y)) for g, _, y in s if g == 3]
            phase = [strings[l[2]] for l in labels if strings[l[1]] == "phase"]
            by[phase[0] if phase else "(none)"] += vals[-1]
        for name, w in sorted(by.items(), key=lambda kv: (-kv[1], kv[0])):
            print("  phase label %s: %d" % (name, w))
        print("  labelled %d of %d" % (sum(w for k, w in by.items() if k != "(none)"), sum(by.values())))


def inlined(path):
    """pprof: the locations with several lines (frames inlined into one
    physical frame), innermost first as profile.proto orders them."""
    msg = fields(gzip.decompress(open(path, "rb").read()))
    strings = [v.decode("utf-8", "replace") for f, _, v in msg if f == 6]
    funcs = {d[1]: d for d in (dict((f, v) for f, _, v in fields(v)) for f, _, v in msg if f == 5)}
    nlocs, chains = 0, set()
    for f, _, v in msg:
        if f == 4:
            nlocs += 1
            lines = [dict((g, x) for g, _, x in fields(x)) for g, _, x in fields(v) if g == 4]
            if len(lines) > 1:
                chains.add(" < ".join("%s:%d" % (strings[funcs[l[1]][2]], l.get(2, 0)) for l in lines))
    print("  %d locations, %d with inlined lines" % (nlocs, len(chains)))
    for c in sorted(chains):
        print("  " + c)


def main():
    if sys.argv[1] == "inlined":
        inlined(sys.argv[2])
        return
    if sys.argv[1] == "phases":
        phases(sys.argv[2], sys.argv[3], sys.argv[4])
        return
    kind, path = sys.argv[1], sys.argv[2]
    n, total, leaves, what = {"speedscope": speedscope, "firefox": firefox, "pprof": pprof}[kind](path)
    print("%s: valid; %d %s; %s; total %d" % (kind, n, "label keys" if kind == "pprof" else "profiles" if kind == "speedscope" else "threads", what, total))
    if len(sys.argv) > 3:
        ft = folded_total(sys.argv[3])
        print("  folded total %d: %s" % (ft, "equal" if ft == total else "DIFFERENT"))
    for name, w in sorted(leaves.items(), key=lambda kv: (-kv[1], kv[0]))[:4]:
        print("  %s %d" % (name, w))


main()
