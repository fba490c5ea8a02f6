# dump.awk - `perf report -D` -> one line per record perf delivered, in its
# delivery order:  TIME OFFSET SIZE TYPE [MISC PID/TID IP PERIOD CHAIN_NR]
# (SAMPLE lines carry the part in brackets; CHAIN_NR counts the raw
# callchain entries, context markers included; "-" when there is none).
function flush() { if (pending != "") { print pending " " chain; pending = "" } }
# With several events perf prints the CPU first: "CPU TIME OFFSET [SIZE]: ...".
# The first record of a file has offset "0", not "0x0".
/^(-?[0-9]+ )*(0x[0-9a-f]+|0) \[0x[0-9a-f]+\]: PERF_RECORD_/ {
	flush()
	for (k = 2; $k !~ /^\[0x/; k++) ;
	k--
	t = k > 1 ? $(k - 1) : "-"; off = $k; sz = $(k + 1); rest = k + 2
	type = $rest; sub(/^PERF_RECORD_/, "", type); sub(/[(:].*$/, "", type)
	gsub(/[\[\]:]/, "", sz)
	if (type == "SAMPLE") {
		misc = $(rest + 1); sub(/\)?:$/, "", misc); sub(/,$/, "", misc)
		pt = $(rest + 2); sub(/:$/, "", pt)
		ip = $(rest + 3); per = "-"
		for (i = rest + 4; i <= NF; i++) if ($i == "period:") per = $(i + 1)
		pending = t " " off " " sz " " type " " misc " " pt " " ip " " per; chain = "-"
	} else
		print t " " off " " sz " " type
	next
}
/^\.\.\. (FP )?chain: nr:/ { c = $NF; sub(/^nr:/, "", c); chain = c; next }
END { flush() }
