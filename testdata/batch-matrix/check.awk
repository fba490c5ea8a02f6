# check.awk - compares wasmperf-batch's output with the matrix's expected
# results (computed independently by compare.py, see README of
# ../shared/phases): summary.tsv's pid, exec_exit_ns and samples_proc with
# expected-comparison.tsv, and comparison.tsv's exec-exit rows with the
# distances and deviations of expected-comparison.txt's "perf exec -> last
# exit" section (6 decimals there: equal within 1e-6).
# usage: awk -f check.awk expected-comparison.tsv expected-comparison.txt summary.tsv comparison.tsv
function abs(x) { return x < 0 ? -x : x }
FNR == 1 { file++ }
file == 1 && FNR > 1 { pid[$1] = $5; ns[$1] = $7; proc[$1] = $12; nexp++ }
file == 2 && /time base: perf exec -> last exit/ { perf = 1 }
file == 2 && perf && /runtimes in order:/ { sub(/.*runtimes in order: /, ""); nrt = split($0, rt, /, /) }
file == 2 && perf && $1 ~ /^(compute|trees)$/ && $2 ~ /^[0-9.]+$/ && NF == nrt + 4 {
	dist[$1] = $2
	for (i = 1; i <= nrt; i++) dev[$1, rt[i]] = $(2 + i)
}
file == 3 && FNR > 1 {
	nrun++
	if (pid[$1] != $4 || ns[$1] != $5 || proc[$1] != $7) { print "MISMATCH summary " $0; bad++ }
	else ok++
}
file == 4 && $1 == "exec-exit" {
	nrow++
	if (!(($2, $4) in dev) || abs(dist[$2] - $3) > 1e-6 || abs(dev[$2, $4] - $5) > 1e-6) {
		print "MISMATCH comparison " $0 " want " dist[$2] " " dev[$2, $4]; bad++
	} else cmpok++
}
END {
	printf "summary: %d of %d runs match (%d expected)\n", ok, nrun, nexp
	printf "comparison exec-exit: %d of %d rows match (%d runtimes)\n", cmpok, nrow, nrt
	if (bad || ok != nexp || nrow != 2 * nrt || nrt == 0) { print "FAILED"; exit 1 }
}
