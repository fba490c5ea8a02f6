/* wasmperf-export - a recording (perf.data, a bundle, perf script text) or
 * folded stacks -> a profile for another viewer: speedscope's JSON, the
 * Firefox Profiler's processed JSON, or pprof's gzipped profile.proto
 * (see wasmperf-export(1)). Folds as wasmperf fold does (its options
 * apply) and keeps each sample's time and thread (export_run.c). */
#include <stdio.h>
#include <unistd.h>

#include "bundle.h"
#include "export_run.h"
#include "fold_args.h"
#include "output.h"

enum { OPT_FORMAT = 'f' };

static const struct wp_option options[] = {
	{"format", OPT_FORMAT, WP_OPT_REQUIRED, "FORMAT", "speedscope, firefox or pprof (required)"},
	FOLD_OPTIONS,
	{"output", 'o', WP_OPT_REQUIRED, "FILE", "write to FILE instead of standard output"},
	{"quiet", 'q', WP_OPT_NONE, NULL, "no warnings"},
	{NULL, 0, 0, NULL, NULL},
};

static const struct wp_cli cli = {
	"wasmperf-export", "--format FORMAT [OPTIONS] [INPUT]",
	"Write a profile for another viewer: speedscope (JSON, a profile per thread, samples in\n"
	"time order), firefox (the Firefox Profiler's processed JSON, also read by Perfetto) or\n"
	"pprof (gzipped profile.proto for go tool pprof, Pyroscope, Parca). INPUT is perf.data, a\n"
	"bundle or run directory, perf script text or folded stacks, folded as wasmperf fold does\n"
	"(the same options). Without INPUT: standard input, or ./perf.data on a terminal.\n\n"
	"  wasmperf export --format speedscope --wasm app.wasm perf.data -o app.speedscope.json\n"
	"  wasmperf export --format pprof perf.data -o app.pb.gz && go tool pprof -top app.pb.gz",
	options,
};

struct args {
	struct fold_args fold;
	const char *output;
	const char *format_name;
	enum export_format format;
};

static int on_option(int key, const char *arg, void *ctx)
{
	struct args *a = ctx;
	switch (key) {
	case 'o': a->output = arg; return 0;
	case 'q': fold_args_quiet(&a->fold); return 0;
	case OPT_FORMAT:
		a->format_name = arg;
		if (export_format_parse(arg, &a->format) == 0)
			return 0;
		wp_cli_error(&cli, "--format wants speedscope, firefox or pprof, not '%s'", arg);
		return -1;
	default:
		return fold_args_option(&a->fold, &cli, key, arg) < 0 ? -1 : 0;
	}
}

/* Usage: a format, one input at most. 0, or the exit status. */
static int check_usage(const struct args *a, size_t ninputs)
{
	if (!a->format_name) {
		wp_cli_error(&cli, "no --format: give speedscope, firefox or pprof");
		return 2;
	}
	if (ninputs > 1) {
		wp_cli_error(&cli, "one input at a time (fold several into one with wasmperf fold first)");
		return 2;
	}
	if (ninputs == 0 && isatty(0) && access("perf.data", F_OK) != 0) {
		wp_cli_error(&cli, "no input: give a perf.data, a bundle or perf script text, or pipe "
			     "it in (no ./perf.data here; see --help)");
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct args a = {0};
	if (fold_args_init(&a.fold, cli.prog))
		return 1;
	int first = wp_cli_parse(&cli, argc, argv, on_option, &a), status = 0;
	size_t ninputs = first < 0 ? 0 : (size_t)(argc - first);
	char *default_input[] = {"perf.data"};
	char **inputs = ninputs ? argv + first : isatty(0) ? default_input : NULL;
	struct bundle_set bundles = {0};
	if (first >= 0 && ((status = check_usage(&a, ninputs)) != 0 ||
			   (inputs && (status = bundle_set_open(&bundles, cli.prog, inputs, 1)) != 0) ||
			   (status = bundle_set_add_modules(&bundles, &a.fold.names)) != 0 ||
			   (status = fold_args_finish(&a.fold)) != 0))
		first = -1;
	if (first < 0) {
		fold_args_release(&a.fold);
		bundle_set_release(&bundles);
		return first == -2 ? 0 : status ? status : 2;
	}
	FILE *out = tool_output_open(&cli, a.output);
	if (!out) {
		status = 1;
	} else {
		status = export_run(&a.fold.cfg, a.format, inputs ? bundles.paths[0] : NULL, out);
		if (tool_output_close(&cli, a.output, out))
			status = status ? status : 1;
	}
	fold_args_release(&a.fold);
	bundle_set_release(&bundles);
	return status;
}
