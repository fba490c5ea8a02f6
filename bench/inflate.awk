#!/usr/bin/awk -f
# inflate.awk -v TARGET=N file.folded [more.folded ...]
# Makes a bigger folded file out of real ones, for the flame graph timing:
# merges the inputs (equal stacks add up), prints them, then prints renamed
# copies (root frame FRAME becomes FRAME~v2, FRAME~v3, ...) until TARGET
# distinct stacks were printed. Every stack comes from a real profile; the
# output is unsorted (run.sh sorts it and says that it was inflated).
{
	c = $NF
	s = substr($0, 1, length($0) - length(c) - 1)
	if (!(s in cnt)) key[++n] = s
	cnt[s] += c
}
END {
	for (i = 1; i <= n; i++) printf "%s %.0f\n", key[i], cnt[key[i]]
	out = n
	for (v = 2; out < TARGET && n > 0; v++)
		for (i = 1; i <= n && out < TARGET; i++) {
			s = key[i]
			p = index(s, ";")
			if (p == 0) p = length(s) + 1
			printf "%s~v%d%s %.0f\n", substr(s, 1, p - 1), v, substr(s, p), cnt[s]
			out++
		}
}
