/* wasmperf-fold - perf.data or perf script text -> folded stacks, a
 * drop-in for stackcollapse-perf.pl (see wasmperf-fold(1)); with --phases,
 * a perf.data's stacks under [phase:NAME] roots, as wasmperf phases --folded
 * writes them (phases_run.c). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "bundle.h"
#include "fold_args.h"
#include "output.h"
#include "phases_run.h"

enum { OPT_PHASES = 0x500 }; /* after FOLD_OPT_* (0x300) and NAMES_OPT_* (0x400) */

static const struct wp_option options[] = {
	FOLD_OPTIONS,
	{"phases", OPT_PHASES, WP_OPT_NONE, NULL,
	 "perf.data: root frame [phase:NAME], as wasmperf phases --folded"},
	{"output", 'o', WP_OPT_REQUIRED, "FILE", "write to FILE instead of standard output"},
	{"quiet", 'q', WP_OPT_NONE, NULL, "no warnings"},
	{NULL, 0, 0, NULL, NULL},
};

static const struct wp_cli cli = {
	"wasmperf-fold", "[OPTIONS] [FILE...]",
	"Fold recordings into folded stacks (\"frame;frame;leaf COUNT\"). FILE is perf.data (file or\n"
	"pipe mode, -z, a --threads directory), perf script text (.gz too) or folded stacks, each\n"
	"read as what it is; several are summed into one profile. Without FILE: standard input,\n"
	"or ./perf.data when standard input is a terminal. COUNT sums the samples' periods\n"
	"(nanoseconds for cpu-clock) unless --samples.\n\n"
	"  perf record -g -- node --perf-basic-prof app.js\n"
	"  wasmperf fold --wasm app.wasm perf.data > app.folded\n"
	"  wasmperf flame --colors wasm app.folded > app.svg",
	options,
};

struct args {
	struct fold_args fold;
	const char *output;
	bool phases;                /* --phases */
	bool other;                 /* an option --phases does not take */
};

static int on_option(int key, const char *arg, void *ctx)
{
	struct args *a = ctx;
	if (key == 'o') {
		a->output = arg;
		return 0;
	}
	if (key == 'q') {
		fold_args_quiet(&a->fold);
		return 0;
	}
	if (key == OPT_PHASES) {
		a->phases = true;
		return 0;
	}
	a->other = a->other || (key != FOLD_OPT_SYMFS && key != FOLD_OPT_KALLSYMS &&
				key != FOLD_OPT_BUILDID_DIR && key != FOLD_OPT_PERF_MAP_DIR &&
				key != FOLD_OPT_SAMPLES);
	return fold_args_option(&a->fold, &cli, key, arg) < 0 ? -1 : 0;
}

/* --phases: wasmperf phases --folded on one perf.data file. */
static int fold_phases(const struct args *a, char **inputs, size_t ninputs, FILE *out)
{
	const struct fold_config *c = &a->fold.cfg;
	struct phases_config pc = {
		.prog = cli.prog, .folded = true, .symfs = c->symfs, .kallsyms = c->kallsyms,
		.buildid_dir = c->buildid_dir, .perf_map_dir = c->perf_map_dir, .quiet = c->quiet,
		.count_samples = c->count_samples,
	};
	return phases_run(&pc, ninputs ? inputs[0] : NULL, out);
}

int main(int argc, char **argv)
{
	struct args a = {0};
	if (fold_args_init(&a.fold, cli.prog))
		return 1;
	int first = wp_cli_parse(&cli, argc, argv, on_option, &a);
	int status = first < 0 ? (first == -2 ? 0 : 2) : 0;
	char *default_input[] = {"perf.data"};
	char **inputs = argv + (first < 0 ? 0 : first);
	size_t ninputs = first < 0 ? 0 : (size_t)(argc - first);
	/* As perf script: a terminal on standard input means ./perf.data. */
	if (first >= 0 && !status && ninputs == 0 && isatty(0)) {
		if (access("perf.data", F_OK) != 0) {
			wp_cli_error(&cli, "no input: give a perf.data or perf script text, or pipe it in "
				     "(no ./perf.data here; see --help)");
			status = 2;
		}
		inputs = default_input;
		ninputs = 1;
	}
	if (first >= 0 && !status && a.phases && (a.other || ninputs > 1)) {
		wp_cli_error(&cli, "--phases folds one perf.data and takes only --symfs, --kallsyms, "
			     "--buildid-dir, --perf-map-dir, --samples, -o and -q");
		status = 2;
	}
	/* A bundle or run directory is read as its perf.data, its modules
	 * translating as --wasm would (bundle.h). */
	struct bundle_set bundles = {0};
	if (first >= 0 && !status && !(status = bundle_set_open(&bundles, cli.prog, inputs, ninputs)))
		inputs = bundles.paths;
	if (first >= 0 && !status && !(status = bundle_set_add_modules(&bundles, &a.fold.names)))
		status = fold_args_finish(&a.fold);
	if (first < 0 || status) {
		fold_args_release(&a.fold);
		bundle_set_release(&bundles);
		return status;
	}
	FILE *out = tool_output_open(&cli, a.output);
	if (!out) {
		status = 1;
	} else {
		status = a.phases ? fold_phases(&a, inputs, ninputs, out)
				  : fold_inputs(&a.fold.cfg, inputs, ninputs, out);
		if (tool_output_close(&cli, a.output, out))
			status = 1;
	}
	fold_args_release(&a.fold);
	bundle_set_release(&bundles);
	return status;
}
