/* wasmperf-diff - two folded profiles -> differential folded stacks, a
 * drop-in for difffolded.pl (see wasmperf-diff(1)). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bundle.h"
#include "fold_args.h"
#include "folded_read.h"
#include "input.h"
#include "output.h"

static const struct wp_option options[] = {
	{"normalize", 'n', WP_OPT_NONE, NULL, "scale the first profile's counts to the second's total"},
	{"strip-hex", 's', WP_OPT_NONE, NULL, "replace hex numbers (0x...) in stacks before matching"},
	FOLD_OPTIONS,
	{"output", 'o', WP_OPT_REQUIRED, "FILE", "write to FILE instead of standard output"},
	{"quiet", 'q', WP_OPT_NONE, NULL, "no warnings"},
	{NULL, 0, 0, NULL, NULL},
};

static const struct wp_cli cli = {
	"wasmperf-diff", "[OPTIONS] BEFORE AFTER",
	"Join two profiles into \"stack before after\" lines for wasmperf-flame. BEFORE and AFTER\n"
	"are folded stacks, or perf.data or perf script text, folded first with wasmperf-fold's\n"
	"options (--pid ... --perl-compat, --wasm ... below).\n\n"
	"  wasmperf diff -n before.data after.data | wasmperf flame > diff.svg",
	options,
};

struct args {
	bool normalize, strip_hex, quiet, folded_any;
	const char *output;
	struct fold_args fold;
};

static int on_option(int key, const char *arg, void *ctx)
{
	struct args *a = ctx;
	switch (key) {
	case 'n': a->normalize = true; break;
	case 's': a->strip_hex = true; break;
	case 'q': a->quiet = true; fold_args_quiet(&a->fold); break;
	case 'o': a->output = arg; break;
	default: /* wasmperf-fold's, for recordings */
		return fold_args_option(&a->fold, &cli, key, arg) < 0 ? -1 : 0;
	}
	return 0;
}

static int read_folded(struct fg_diff *d, int side, const char *path);

struct side {
	struct fg_diff *d;
	int which;
};

static int read_folded_side(void *ctx, const char *folded_path)
{
	struct side *sd = ctx;
	return read_folded(sd->d, sd->which, folded_path);
}

/* A recording is folded first, into a temporary file read back. */
static int read_recording(struct args *a, struct fg_diff *d, int side, const char *path,
			  bool data)
{
	char *paths[1] = {(char *)path};
	struct side sd = {d, side};
	a->folded_any = true;
	return fold_via_tmpfile(&a->fold.cfg, path ? paths : NULL, path ? 1 : 0, data,
				read_folded_side, &sd);
}

/* Reads one side as what it is; 0, or the exit status after a message. */
static int read_side(struct args *a, struct fg_diff *d, int side, const char *path)
{
	char what[128];
	enum input_kind kind = input_sniff(cli.prog, path, what, sizeof what);
	if (input_refuse(cli.prog, path, kind, what, INPUT_FOLDS))
		return 1;
	if (kind == INPUT_PERFDATA || kind == INPUT_SCRIPT)
		return read_recording(a, d, side, path, kind == INPUT_PERFDATA);
	return read_folded(d, side, path);
}

/* A bundle or run directory is read as its perf.data, translated with its
 * own modules (each side may be another build of the program) unless
 * --wasm was given (bundle.h). */
static int read_bundle_side(struct args *a, struct fg_diff *d, int side, const char *path)
{
	struct bundle b;
	struct sym_names *own = NULL, *common = a->fold.cfg.names;
	int status = bundle_open(&b, cli.prog, path);
	status = status ? status : bundle_own_names(&b, &a->fold.names, &own);
	if (!status) {
		if (own)
			a->fold.cfg.names = own;
		status = read_side(a, d, side, b.data);
		a->fold.cfg.names = common;
	}
	sym_names_free(own);
	bundle_release(&b);
	return status;
}

static int read_folded(struct fg_diff *d, int side, const char *path)
{
	return folded_read_diff(cli.prog, d, side, path);
}

int main(int argc, char **argv)
{
	struct args a = {0};
	if (fold_args_init(&a.fold, cli.prog))
		return 1;
	int first = wp_cli_parse(&cli, argc, argv, on_option, &a);
	int status = first < 0 ? (first == -2 ? 0 : 2) : 0;
	if (first >= 0 && argc - first != 2) {
		wp_cli_error(&cli, "needs two profiles, BEFORE and AFTER (see --help)");
		status = 2;
	}
	if (first < 0 || status || (status = fold_args_finish(&a.fold)) != 0) {
		fold_args_release(&a.fold);
		return status;
	}
	struct fg_diff *d = fg_diff_new(a.strip_hex);
	if (!d) {
		wp_cli_error(&cli, "out of memory");
		fold_args_release(&a.fold);
		return 1;
	}
	status = read_bundle_side(&a, d, 0, argv[first]);
	status = status ? status : read_bundle_side(&a, d, 1, argv[first + 1]);
	if (!status && a.fold.given && !a.folded_any && !a.quiet)
		wp_cli_error(&cli, "warning: the fold options apply to perf.data and perf script inputs "
			     "only; the inputs were folded stacks, compared as they are");
	const struct fg_diff_stats *st = fg_diff_stats(d);
	if (!a.quiet && st->bad_lines)
		wp_cli_error(&cli, "ignored %llu lines with invalid format", (unsigned long long)st->bad_lines);
	if (!a.quiet && st->fractional)
		wp_cli_error(&cli, "truncated %llu fractional counts to integers", (unsigned long long)st->fractional);
	FILE *out = tool_output_open(&cli, a.output);
	if (!out) {
		status = 1;
	} else {
		int werr = status ? 0 : fg_diff_write(d, out, a.normalize);
		if (werr == WP_E_NOMEM)
			wp_cli_error(&cli, "out of memory");
		if (tool_output_close(&cli, a.output, out) || werr)
			status = 1;
	}
	fg_diff_free(d);
	fold_args_release(&a.fold);
	return status;
}
