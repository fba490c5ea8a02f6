#!/usr/bin/env python3
"""extract-events.py RUN_DIR OUT_DIR - the inputs of the phase model, taken
from one recording of ../shared/phases/runs/RUN (see its commands.sh), for
tests/unit/test_phases.c.

Reads RUN_DIR/perf-script-F.txt.xz (`perf script -F comm,pid,tid,time,event,
ip,sym --ns`, made on the recording machine, where the runtime binary and its
symbols were present), RUN_DIR/probes.txt (`perf probe -l`: which function
each probe event sits on, standing in for symbolizing __probe_ip/__probe_func)
and the periods of RUN_DIR/perf.data (`perf script -F time,period --ns`, in
the same order), and writes OUT_DIR/events.txt.gz, tab-separated, one event
a line, in file (time) order:

  exec   TIME_NS PID TID COMM
  exit   TIME_NS PID TID
  probe  TIME_NS PID TID EVENT entry|return FUNCTION
  sample TIME_NS PID TID PERIOD FRAMES

FRAMES: leaf first, joined by ';', kernel frames (ip >= 0xffff800000000000)
suffixed with _[k]. The expected table is copied beside it unchanged.

Usage: testdata/gen/phases/extract-events.py ../shared/phases/runs/wamr-aot--compute \
           testdata/phases-model/wamr-aot--compute
"""
import gzip, lzma, os, re, shutil, subprocess, sys

run, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)

funcs = {}
for line in open(os.path.join(run, "probes.txt")):
    m = re.match(r"\s+(\S+)\s+\(on (.*) in (\S+)\)$", line)
    if not m:
        continue
    f = m.group(2)
    f = re.sub(r"%return", "", f)
    f = re.sub(r"@\S+$", "", f)        # wasm_runtime_load@common/x.c
    funcs[m.group(1)] = f

periods = subprocess.run(["perf", "script", "-i", os.path.join(run, "perf.data"),
                          "-F", "time,period", "--ns"], capture_output=True,
                         text=True, check=True).stdout.split("\n")
periods = [l.split() for l in periods if l.strip()]

head = re.compile(r"^(.+?)\s+(\d+)/(\d+)\s+(\d+)\.(\d+):\s+(\S+):\s*$")
rows, cur, k = [], None, 0

def flush():
    global cur
    if cur is None:
        return
    t, pid, tid, comm, ev, frames = cur
    if ev == "cpu-clock":
        rows.append(f"sample\t{t}\t{pid}\t{tid}\t{cur_period}\t{';'.join(frames)}")
    elif ev == "sched:sched_process_exec":
        rows.append(f"exec\t{t}\t{pid}\t{tid}\t{comm}")
    elif ev == "sched:sched_process_exit":
        rows.append(f"exit\t{t}\t{pid}\t{tid}")
    else:
        kind = "return" if ev.endswith("__return") else "entry"
        rows.append(f"probe\t{t}\t{pid}\t{tid}\t{ev}\t{kind}\t{funcs.get(ev, '')}")
    cur = None

with lzma.open(os.path.join(run, "perf-script-F.txt.xz"), "rt") as f:
    for line in f:
        line = line.rstrip("\n")
        m = head.match(line)
        if m:
            flush()
            comm, pid, tid, s, ns, ev = m.groups()
            t = int(s) * 1000000000 + int(ns)
            pt = periods[k]
            k += 1
            if pt[0].rstrip(":") != f"{s}.{ns}":
                sys.exit(f"event {k}: time {s}.{ns} != {pt[0]} in perf.data")
            cur_period = pt[1]
            cur = (t, pid, tid, comm, ev, [])
        elif line.strip() and cur is not None:
            ip, _, sym = line.strip().partition(" ")
            name = sym.strip() or "[unknown]"
            if int(ip, 16) >= 0xffff800000000000:
                name += "_[k]"
            cur[5].append(name.replace(";", ":"))
    flush()

with gzip.GzipFile(os.path.join(out, "events.txt.gz"), "wb", mtime=0) as g:
    g.write(("\n".join(rows) + "\n").encode())
shutil.copy(os.path.join(run, "expected-phases.tsv"), out)
