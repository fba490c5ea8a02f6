#!/usr/bin/env python3
"""perf_symfind.py ELF DSO < SCRIPT_TEXT

Checks that perf 6.1's own symbol lookup, run over ELF's .symtab, names every
frame of DSO in SCRIPT_TEXT (`perf script` output: "ADDR SYM+0xOFF (DSO)")
as perf printed it (a symbol starting at ADDR - OFF). Exit 1 otherwise.

perf keeps a file's symbols in a red-black tree (tools/perf/util/symbol.c):
symbols__insert() in .symtab order keyed by start, symbols__fixup_duplicate()
erasing all but one symbol per start, symbols__fixup_end(), and
symbols__find() returning the first node on the search path whose
[start, end] holds the address. When symbols nest (a label inside a sized
function, as V8's construct_stub_create_deopt_addr inside
Builtins_JSConstructStubGeneric), which one is found depends on the tree's
shape; this emulates the tree (the classic red-black insert and erase, which
lib/rbtree.c implements) to tell which. gen.sh uses it to check that node's
symbol stub is named as perf names the real node, under perf's own rule and
not only under wasmperf's."""
import os
import re
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from symstub import load_symbols  # noqa: E402

RED, BLACK = 0, 1


class Node:
    __slots__ = ('s', 'l', 'r', 'p', 'c')

    def __init__(self, sym):
        self.s, self.l, self.r, self.p, self.c = sym, None, None, None, RED


class Tree:
    def __init__(self):
        self.root = None

    def _rot_left(self, x):
        y = x.r
        x.r = y.l
        if y.l:
            y.l.p = x
        self._replace(x, y)
        y.l, x.p = x, y

    def _rot_right(self, x):
        y = x.l
        x.l = y.r
        if y.r:
            y.r.p = x
        self._replace(x, y)
        y.r, x.p = x, y

    def _replace(self, u, v):  # v takes u's place under u's parent
        if v:
            v.p = u.p
        if not u.p:
            self.root = v
        elif u is u.p.l:
            u.p.l = v
        else:
            u.p.r = v

    def insert(self, sym):  # __symbols__insert(): equal starts go right
        z, y, x = Node(sym), None, self.root
        while x:
            y = x
            x = x.l if sym['start'] < x.s['start'] else x.r
        z.p = y
        if not y:
            self.root = z
        elif sym['start'] < y.s['start']:
            y.l = z
        else:
            y.r = z
        while z.p and z.p.c == RED:
            g = z.p.p
            left = z.p is g.l
            u = g.r if left else g.l
            if u and u.c == RED:
                z.p.c = u.c = BLACK
                g.c = RED
                z = g
                continue
            if left and z is z.p.r:
                z = z.p
                self._rot_left(z)
            elif not left and z is z.p.l:
                z = z.p
                self._rot_right(z)
            z.p.c, g.c = BLACK, RED
            (self._rot_right if left else self._rot_left)(g)
        self.root.c = BLACK

    @staticmethod
    def first(x):
        while x.l:
            x = x.l
        return x

    @staticmethod
    def next(x):
        if x.r:
            return Tree.first(x.r)
        while x.p and x is x.p.r:
            x = x.p
        return x.p

    def erase(self, z):
        y, yc = z, z.c
        if not z.l or not z.r:
            x = z.r if not z.l else z.l
            xp = z.p
            self._replace(z, x)
        else:
            y = Tree.first(z.r)
            yc, x = y.c, y.r
            if y.p is z:
                xp = y
            else:
                xp = y.p
                self._replace(y, y.r)
                y.r = z.r
                y.r.p = y
            self._replace(z, y)
            y.l = z.l
            y.l.p = y
            y.c = z.c
        if yc == RED:
            return
        while x is not self.root and (x is None or x.c == BLACK):
            left = x is xp.l
            w = xp.r if left else xp.l
            if w.c == RED:
                w.c, xp.c = BLACK, RED
                (self._rot_left if left else self._rot_right)(xp)
                w = xp.r if left else xp.l
            near, far = (w.l, w.r) if left else (w.r, w.l)
            if (not near or near.c == BLACK) and (not far or far.c == BLACK):
                w.c = RED
                x, xp = xp, xp.p
                continue
            if not far or far.c == BLACK:
                near.c, w.c = BLACK, RED
                (self._rot_right if left else self._rot_left)(w)
                w = xp.r if left else xp.l
                far = w.r if left else w.l
            w.c, xp.c = xp.c, BLACK
            if far:
                far.c = BLACK
            (self._rot_left if left else self._rot_right)(xp)
            x = self.root
            break
        if x:
            x.c = BLACK


def choose_a(a, b):  # choose_best_symbol(a, b) == SYMBOL_A
    la, lb = a['end'] - a['start'], b['end'] - b['start']
    if la and not lb:
        return True
    if lb and not la:
        return False
    wa, wb = a['bind'] == 2, b['bind'] == 2
    if wa != wb:
        return wb
    ga, gb = a['bind'] == 1, b['bind'] == 1
    if ga != gb:
        return ga
    ua = len(a['name']) - len(a['name'].lstrip('_'))
    ub = len(b['name']) - len(b['name'].lstrip('_'))
    if ua != ub:
        return ua < ub
    if len(a['name']) != len(b['name']):
        return len(a['name']) > len(b['name'])
    return not a['name'].startswith(('SyS', 'compat_SyS'))


def build(path):
    t = Tree()
    for s in load_symbols(path):
        s['end'] = s['start'] + s['size']
        t.insert(s)
    cur = Tree.first(t.root)  # symbols__fixup_duplicate()
    while cur:
        n = Tree.next(cur)
        if not n:
            break
        if cur.s['start'] != n.s['start']:
            cur = n
        elif choose_a(cur.s, n.s):
            t.erase(n)
        else:
            n = Tree.next(cur)
            t.erase(cur)
            cur = n
    prev, cur = None, Tree.first(t.root)  # symbols__fixup_end(), not kallsyms
    while cur:
        if prev and prev.s['end'] == prev.s['start']:
            prev.s['end'] = cur.s['start']
        prev, cur = cur, Tree.next(cur)
    if prev and prev.s['end'] == prev.s['start']:
        prev.s['end'] = (prev.s['start'] + 4095) // 4096 * 4096 + 4096
    return t


def find(t, ip):  # symbols__find()
    n = t.root
    while n:
        s = n.s
        if ip < s['start']:
            n = n.l
        elif ip > s['end'] or (ip == s['end'] and ip != s['start']):
            n = n.r
        else:
            return s
    return None


def main():
    elf, dso = sys.argv[1], sys.argv[2]
    t = build(elf)
    frame = re.compile(r'^\s+([0-9a-f]+) .*\+0x([0-9a-f]+) \(' + re.escape(dso) + r'\)$')
    seen, bad = set(), 0
    for line in sys.stdin:
        m = frame.match(line.rstrip('\n'))
        if not m or m.group(1) in seen:
            continue
        seen.add(m.group(1))
        a, off = int(m.group(1), 16), int(m.group(2), 16)
        s = find(t, a)
        if not s or s['start'] != a - off:
            bad += 1
            print('perf_symfind: %x: perf printed %s, the tree gives %s' %
                  (a, line.split()[1], s and '%s+0x%x' % (s['name'], a - s['start'])))
    print('perf_symfind: %s: %d addresses of %s, %d named otherwise than perf printed' %
          (os.path.basename(elf), len(seen), dso, bad))
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
