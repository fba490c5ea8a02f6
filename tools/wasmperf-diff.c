/* wasmperf-diff - two folded profiles -> differential folded stacks, a
 * drop-in for difffolded.pl (see wasmperf-diff(1)). */
#include <stdio.h>
#include <string.h>

#include "flamegraph.h"

static const struct wp_option options[] = {
	{"normalize", 'n', WP_OPT_NONE, NULL, "scale the first profile's counts to the second's total"},
	{"strip-hex", 's', WP_OPT_NONE, NULL, "replace hex numbers (0x...) in stacks before matching"},
	{"output", 'o', WP_OPT_REQUIRED, "FILE", "write to FILE instead of standard output"},
	{"quiet", 'q', WP_OPT_NONE, NULL, "no warnings"},
	{NULL, 0, 0, NULL, NULL},
};

static const struct wp_cli cli = {
	"wasmperf-diff", "[OPTIONS] BEFORE AFTER",
	"Join two folded profiles into \"stack before after\" lines for wasmperf-flame.",
	options,
};

struct args {
	bool normalize, strip_hex, quiet;
	const char *output;
};

static int on_option(int key, const char *arg, void *ctx)
{
	struct args *a = ctx;
	switch (key) {
	case 'n': a->normalize = true; break;
	case 's': a->strip_hex = true; break;
	case 'q': a->quiet = true; break;
	case 'o': a->output = arg; break;
	}
	return 0;
}

static int read_side(struct fg_diff *d, int side, const char *path)
{
	struct wp_lines *lines;
	int rc = wp_lines_open(&lines, path, 256u << 20);
	const char *line;
	size_t len;
	while (rc == 0 && (rc = wp_lines_next(lines, &line, &len)) == 1)
		rc = fg_diff_add_line(d, side, line, len);
	if (rc < 0)
		wp_cli_error(&cli, "%s", rc == WP_E_NOMEM ? "out of memory" : wp_lines_errmsg(lines));
	wp_lines_free(lines);
	return rc < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct args a = {0};
	int first = wp_cli_parse(&cli, argc, argv, on_option, &a);
	if (first < 0)
		return first == -2 ? 0 : 2;
	if (argc - first != 2) {
		wp_cli_error(&cli, "needs two folded files, BEFORE and AFTER (see --help)");
		return 2;
	}
	struct fg_diff *d = fg_diff_new(a.strip_hex);
	if (!d) {
		wp_cli_error(&cli, "out of memory");
		return 1;
	}
	int status = read_side(d, 0, argv[first]) || read_side(d, 1, argv[first + 1]);
	const struct fg_diff_stats *st = fg_diff_stats(d);
	if (!a.quiet && st->bad_lines)
		wp_cli_error(&cli, "ignored %llu lines with invalid format", (unsigned long long)st->bad_lines);
	if (!a.quiet && st->fractional)
		wp_cli_error(&cli, "truncated %llu fractional counts to integers", (unsigned long long)st->fractional);
	FILE *out = a.output ? fopen(a.output, "w") : stdout;
	if (!out) {
		perror(a.output);
		status = 1;
	} else if (!status) {
		if (fg_diff_write(d, out, a.normalize) || fflush(out) || ferror(out) ||
		    (a.output && fclose(out))) {
			wp_cli_error(&cli, "cannot write '%s'", a.output ? a.output : "<stdout>");
			status = 1;
		}
	}
	fg_diff_free(d);
	return status;
}
