/* fuzz_flame.c - folded text through the flame graph builder and SVG
 * writer, with the options picked by the first byte. */
#include <stdint.h>
#include <stdio.h>

#include "flamegraph.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fg_flame_options o;
	fg_flame_options_init(&o);
	char err[256];
	uint8_t sel = size ? data[0] : 0;
	static const char *const palettes[] = {"hot", "wasm", "java", "js", "chain", "mem", "perl", "aqua"};
	fg_flame_options_set(&o, "colors", palettes[sel & 7], err, sizeof err);
	if (sel & 8)
		fg_flame_options_set(&o, "reverse", NULL, err, sizeof err);
	if (sel & 16)
		fg_flame_options_set(&o, "inverted", NULL, err, sizeof err);
	if (sel & 32)
		fg_flame_options_set(&o, "flamechart", NULL, err, sizeof err);
	if (sel & 64)
		fg_flame_options_set(&o, "minwidth", "0", err, sizeof err);
	struct fg_flame *f = fg_flame_new(&o);
	if (!f)
		return 0;
	struct wp_lines *lines;
	if (wp_lines_open_mem(&lines, (const char *)data, size, "fuzz") == 0) {
		const char *line;
		size_t len;
		while (wp_lines_next(lines, &line, &len) == 1)
			fg_flame_add_line(f, line, len);
	}
	wp_lines_free(lines);
	FILE *devnull = fopen("/dev/null", "w");
	if (devnull) {
		fg_flame_write_svg(f, devnull);
		fclose(devnull);
	}
	fg_flame_free(f);
	return 0;
}
