#!/usr/bin/awk -f
# agree.awk A.folded B.folded
# How far two folded files (stack COUNT per line) agree: the share of the
# weight on which they agree, sum over stacks of min(count_a, count_b)
# divided by the larger of the two totals; then the stacks that differ most
# (cut from the front: the difference may lie before the part shown), and
# the frame names found in one file only, by the weight of the stacks that
# hold them, which usually says why the stacks differ.
# awk -v TOP=N sets how many of each to list (default 8).
# Expected differences between wasmperf-fold and stackcollapse-perf.pl: the
# perl script keeps stack-less samples (a line with just the comm), strips
# quotes, and cuts C++ names at their first '(' (so that
# "(anonymous namespace)::f" or "f(int)" frames lose text or vanish).
function cut(s) { return length(s) > 110 ? "..." substr(s, length(s) - 106) : s }
{
	n = split($0, f, " ")
	c = f[n]
	s = substr($0, 1, length($0) - length(c) - 1)
	if (FILENAME == ARGV[1]) { a[s] += c; ta += c } else { b[s] += c; tb += c }
	all[s] = 1
}
function top(arr, what,    k, s, best, bd) {
	for (k = 0; k < TOP; k++) {
		best = ""; bd = 0
		for (s in arr) if (arr[s] > bd) { bd = arr[s]; best = s }
		if (bd == 0) break
		if (what == "stack")
			printf "  %7.3f%%  A %-14.0f B %-14.0f %s\n", 100 * bd / tot, a[best] + 0, b[best] + 0, cut(best)
		else
			printf "  %7.3f%%  %s\n", 100 * bd / tot, cut(best)
		delete arr[best]
	}
}
END {
	if (TOP == "") TOP = 8
	for (s in all) {
		x = a[s] + 0; y = b[s] + 0
		agree += (x < y ? x : y)
		d = x - y; if (d < 0) d = -d
		if (d > 0) diff[s] = d
		na += (x > 0); nb += (y > 0)
		m = split(s, fr, ";")
		for (i = 1; i <= m; i++) {
			if (x > 0 && !((fr[i], "a") in seen)) { fa[fr[i]] += x; seen[fr[i], "a"] = 1 }
			if (y > 0 && !((fr[i], "b") in seen)) { fb[fr[i]] += y; seen[fr[i], "b"] = 1 }
		}
		for (i = 1; i <= m; i++) { delete seen[fr[i], "a"]; delete seen[fr[i], "b"] }
	}
	tot = ta > tb ? ta : tb
	printf "agreement: %.4f of the weight (A: %d stacks, total %.0f; B: %d stacks, total %.0f)\n",
		tot ? agree / tot : 1, na, ta, nb, tb
	print "stacks that differ most (share of the weight, count in A and in B):"
	top(diff, "stack")
	for (s in fa) if (!(s in fb)) onlya[s] = fa[s]
	for (s in fb) if (!(s in fa)) onlyb[s] = fb[s]
	print "frames only in A (weight of the stacks holding them):"
	top(onlya, "frame")
	print "frames only in B:"
	top(onlyb, "frame")
}
