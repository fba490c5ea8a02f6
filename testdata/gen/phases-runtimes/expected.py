#!/usr/bin/env python3
"""expected.py RUN SCRIPT_TXT ROLE=EVENT[,EVENT...]... > expected-phases.tsv

The phase table of ../shared/phases/README.md computed from perf script
text alone (`perf script -F comm,pid,tid,time,event --ns`), independently of
wasmperf: the probes are known by the event names gen.sh gave them, not by
symbolizing their addresses. ROLE is load, instantiate or execute; each
EVENT is an entry probe whose return probe is EVENT__return (when several
are given, the one entered first plays the role).

Per process (a pid with a sched:sched_process_exec): T_exec its first exec,
T_exit the last sched:sched_process_exit of any of its threads; a role's
points are the first entry of its events and the first return of that
same function after it, on any thread of the process. Intervals are
[start, end), except those ending at T_exit, which are closed. Samples:
the cpu-clock samples of the process's threads inside the interval. A phase
whose point is missing, or that would end before it starts, is left out."""
import re
import sys

run, script = sys.argv[1], sys.argv[2]
roles = {}
for arg in sys.argv[3:]:
    role, events = arg.split('=', 1)
    roles[role] = events.split(',')

line_re = re.compile(r'^\s*(.+?)\s+(\d+)/(\d+)\s+(\d+)\.(\d{9}):\s+(\S+?):?\s*$')
procs = {}      # pid -> dict(exec=, exit=, hits=[(t, event)], samples=[t])
for line in open(script):
    m = line_re.match(line)
    if not m:
        if line.strip():
            sys.exit('expected.py: %s: cannot read: %r' % (script, line))
        continue
    pid, t, ev = int(m.group(2)), int(m.group(4)) * 10**9 + int(m.group(5)), m.group(6)
    p = procs.setdefault(pid, dict(exec=None, exit=None, hits=[], samples=[]))
    if ev == 'sched:sched_process_exec':
        if p['exec'] is None:
            p['exec'] = t
    elif ev == 'sched:sched_process_exit':
        p['exit'] = t if p['exit'] is None else max(p['exit'], t)
    elif ev.startswith('cpu-clock'):
        p['samples'].append(t)
    else:
        p['hits'].append((t, ev))


def role_points(hits, events):
    """(entry, return) of the event entered first, and whether any of the
    role's events has a return probe in the recording."""
    entries = [(t, e) for (t, e) in hits if e in events]
    if not entries:
        return None, None
    t0, ev = min(entries)
    rets = [t for (t, e) in hits if e == ev + '__return' and t >= t0]
    return t0, (min(rets) if rets else None)


print('run\tpid\tphase\tstart_ns\tend_ns\tdur_ns\tsamples')
for pid in sorted(procs):
    p = procs[pid]
    if p['exec'] is None or p['exit'] is None:
        continue
    pt = {'exec': p['exec'], 'exit': p['exit']}
    for role, events in roles.items():
        pt[role], pt[role + '.return'] = role_points(p['hits'], events)
    phases = [
        ('startup', 'exec', 'load'), ('load', 'load', 'load.return'),
        ('load->inst gap', 'load.return', 'instantiate'),
        ('instantiate', 'instantiate', 'instantiate.return'),
        ('inst->exec gap', 'instantiate.return', 'execute'),
        ('execute', 'execute', 'exit'), ('execute-main', 'execute', 'execute.return'),
        ('teardown', 'execute.return', 'exit'), ('TOTAL exec->exit', 'exec', 'exit'),
        ('warpdiff-start', 'exec', 'load'), ('warpdiff-loaded', 'load', 'execute'),
        ('warpdiff-execution', 'execute', 'exit')]
    for name, a, b in phases:
        s, e = pt.get(a), pt.get(b)
        if s is None or e is None or e < s:
            continue
        closed = b == 'exit'
        n = sum(1 for t in p['samples'] if s <= t and (t <= e if closed else t < e))
        print('%s\t%d\t%s\t%d\t%d\t%d\t%d' % (run, pid, name, s, e, e - s, n))
