# folded_vs_tsv TSV FOLDED (sourced by the phases-* cases): the samples of
# every phase row of `wasmperf-phases --format tsv` equal those of the
# `--folded --samples` stacks whose [phase:Y] root lies inside that phase
# (--folded puts a sample under the shortest phase holding it; the TSV
# counts it in every phase holding it). One line: how many rows hold.
folded_vs_tsv() {
	awk -F'\t' 'NR == FNR { if (FNR > 1 && $3 !~ /^stack:/) { n++; name[n] = $3; s[n] = $4; e[n] = $5; want[n] = $7; at[$3] = n } next }
		{ root = $0; sub(/;.*/, "", root); c = $0; sub(/.* /, "", c)
		  if (root ~ /^\[phase:.*\]$/) got[substr(root, 8, length(root) - 8)] += c }
		END { for (i = 1; i <= n; i++) { sum = 0
			for (y in got) if (y in at && s[at[y]] >= s[i] && e[at[y]] <= e[i]) sum += got[y]
			if (sum != want[i]) { bad++; print "DIFFERS: " name[i] ": tsv " want[i] ", folded " sum } }
		  printf "--folded and the TSV: %d of %d phases hold as many samples\n", n - bad, n }' "$1" "$2"
}
