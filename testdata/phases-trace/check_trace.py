#!/usr/bin/env python3
"""check_trace.py FILE [chrome|json] - checks wasmperf-phases' JSON outputs.

The bytes must be UTF-8 (RFC 8259 8.1) and parse as JSON. For a Chrome trace
(the Trace Event Format that Perfetto and chrome://tracing open): every
event has ph, ts, pid and tid; ph is X (complete), i (instant) or M
(metadata); X events have a name and dur >= 0 and, on one thread, nest
(each starts after the enclosing one ends, or ends inside it); i events
have a scope; M events are process_name or thread_name with a string
args.name; every pid has a process_name and every thread with an instant
event a thread_name. Prints what it checked; exit 1 on the first breach."""
import decimal
import json
import sys


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def chrome(doc):
    ev = doc.get("traceEvents")
    if not isinstance(ev, list):
        fail("no traceEvents list")
    kinds, procs, threads, used = {}, set(), set(), set()
    xs = {}
    for e in ev:
        for k in ("ph", "ts", "pid", "tid"):
            if k not in e:
                fail("event without %s: %r" % (k, e))
        if not isinstance(e["ts"], (int, decimal.Decimal)) or not isinstance(e["pid"], int):
            fail("ts or pid not a number: %r" % e)
        ph = e["ph"]
        kinds[ph] = kinds.get(ph, 0) + 1
        if ph == "X":
            if not isinstance(e.get("name"), str) or not isinstance(e.get("dur"), (int, decimal.Decimal)) \
                    or e["dur"] < 0:
                fail("bad complete event: %r" % e)
            xs.setdefault((e["pid"], e["tid"]), []).append((e["ts"], e["ts"] + e["dur"], e["name"]))
            used.add(e["pid"])
        elif ph == "i":
            if e.get("s") not in ("t", "p", "g") or not isinstance(e.get("name"), str):
                fail("bad instant event: %r" % e)
            used.add(e["pid"])
            threads.add((e["pid"], e["tid"]))
        elif ph == "M":
            if e.get("name") not in ("process_name", "thread_name") or \
                    not isinstance(e.get("args", {}).get("name"), str):
                fail("bad metadata event: %r" % e)
            (procs if e["name"] == "process_name" else threads).add(
                e["pid"] if e["name"] == "process_name" else ("named", e["pid"], e["tid"]))
        else:
            fail("unexpected ph %r" % ph)
    for pid in used:
        if pid not in procs:
            fail("pid %d has no process_name" % pid)
    for t in [t for t in threads if t[0] != "named"]:
        if ("named",) + t not in threads:
            fail("thread %d/%d has no thread_name" % t)
    for key, spans in xs.items():
        stack = []
        for start, end, name in sorted(spans, key=lambda s: (s[0], -s[1])):
            while stack and start >= stack[-1][1]:
                stack.pop()
            if stack and end > stack[-1][1]:
                fail("%s [%s, %s] overlaps %s on %r" % (name, start, end, stack[-1][2], key))
            stack.append((start, end, name))
    names = sorted(e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "process_name")
    print("chrome trace: %s; process names %s" % (
        ", ".join("%d %s" % (kinds[k], k) for k in sorted(kinds)), names))


def phases_json(doc):
    procs = doc.get("processes")
    if not isinstance(procs, list):
        fail("no processes list")
    for p in procs:
        if not isinstance(p.get("comm"), str) or not isinstance(p.get("phases"), list):
            fail("bad process: %r" % p)
    print("json: %d processes, comms %s" % (len(procs), [p["comm"] for p in procs]))


def main():
    raw = open(sys.argv[1], "rb").read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        fail("not UTF-8: %s" % e)
    try:
        doc = json.loads(text, parse_float=decimal.Decimal)  # exact sums of ts + dur
    except ValueError as e:
        fail("not JSON: %s" % e)
    (chrome if sys.argv[2:] == ["chrome"] else phases_json)(doc)


main()
