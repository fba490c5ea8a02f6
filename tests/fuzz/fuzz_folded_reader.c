/* fuzz_folded_reader.c - folded lines through the parser and the
 * differential joiner (wasmperf-diff, wasmperf-flame input). */
#include <stdint.h>
#include <stdio.h>

#include "flamegraph.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wp_lines *lines;
	if (wp_lines_open_mem(&lines, (const char *)data, size, "fuzz") != 0) {
		wp_lines_free(lines);
		return 0;
	}
	struct fg_diff *d = fg_diff_new(size && (data[0] & 1));
	const char *line;
	size_t len;
	int side = 0;
	while (d && wp_lines_next(lines, &line, &len) == 1) {
		struct fg_folded_line fl;
		if (fg_folded_parse_line(line, len, &fl) == 0 && fl.stack_len > len)
			__builtin_trap();
		fg_diff_add_line(d, side, line, len);
		side ^= 1;
	}
	if (d) {
		FILE *devnull = fopen("/dev/null", "w");
		if (devnull) {
			fg_diff_write(d, devnull, true);
			fclose(devnull);
		}
	}
	fg_diff_free(d);
	wp_lines_free(lines);
	return 0;
}
