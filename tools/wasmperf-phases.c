/* wasmperf-phases - perf.data -> wall and CPU time per phase of each
 * WebAssembly runtime process (startup, load, instantiate, execute, ...),
 * from probes, sched tracepoints and classified stacks: a text table, TSV,
 * JSON, a Chrome trace (and with --svg a stacked-bar chart), or folded
 * stacks under [phase:NAME] roots (see
 * wasmperf-phases(1); the rule format is wasmperf-phases-rules(5)). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "names.h"
#include "output.h"
#include "phases_run.h"

enum { OPT_FORMAT = 256, OPT_FOLDED, OPT_SAMPLES, OPT_SVG, OPT_PRESET, OPT_RULES, OPT_PID, OPT_COMM,
       OPT_EVENT, OPT_MARKS, OPT_SYMFS, OPT_KALLSYMS, OPT_BUILDID_DIR, OPT_PERF_MAP_DIR, OPT_JITDUMP };

static const struct wp_option options[] = {
	{"format", OPT_FORMAT, WP_OPT_REQUIRED, "FMT", "text (default), tsv, json or chrome (trace events)"},
	{"folded", OPT_FOLDED, WP_OPT_NONE, NULL, "write folded stacks under a [phase:NAME] root instead"},
	{"samples", OPT_SAMPLES, WP_OPT_NONE, NULL, "with --folded: count samples, not their periods"},
	{"svg", OPT_SVG, WP_OPT_REQUIRED, "FILE", "also write a stacked-bar chart of the phases to FILE"},
	{"preset", OPT_PRESET, WP_OPT_REQUIRED, "NAME", "rules for every process (default: chosen per process)"},
	{"rules", OPT_RULES, WP_OPT_REQUIRED, "FILE", "rules from FILE (wasmperf-phases-rules(5))"},
	{"pid", OPT_PID, WP_OPT_REQUIRED, "PID", "only this process (repeatable)"},
	{"comm", OPT_COMM, WP_OPT_REQUIRED, "COMM", "only processes of this name (repeatable)"},
	{"event", OPT_EVENT, WP_OPT_REQUIRED, "EVENT", "the samples counted (default cpu-clock)"},
	{"marks", OPT_MARKS, WP_OPT_REQUIRED, "FILE", "extra markers: `NAME NS` lines, recording clock"},
	{"symfs", OPT_SYMFS, WP_OPT_REQUIRED, "DIR", "look for recorded binaries under DIR"},
	{"kallsyms", OPT_KALLSYMS, WP_OPT_REQUIRED, "FILE", "kernel symbols from FILE"},
	{"buildid-dir", OPT_BUILDID_DIR, WP_OPT_REQUIRED, "DIR", "perf build-id cache (default ~/.debug)"},
	{"perf-map-dir", OPT_PERF_MAP_DIR, WP_OPT_REQUIRED, "DIR", "perf-PID.map files (default: beside the data, /tmp)"},
	{"jitdump", OPT_JITDUMP, WP_OPT_REQUIRED, "FILE|DIR", "JIT code names from this jit-PID.dump, or the dumps in DIR (repeatable)"},
	NAMES_OPTIONS,
	{"output", 'o', WP_OPT_REQUIRED, "FILE", "write to FILE instead of standard output"},
	{"quiet", 'q', WP_OPT_NONE, NULL, "no warnings"},
	{NULL, 0, 0, NULL, NULL},
};

static const struct wp_cli cli = {
	"wasmperf-phases", "[OPTIONS] [perf.data]",
	"Per-phase wall and CPU time of WebAssembly runtime processes (startup, load, instantiate,\n"
	"execute, teardown, WarpDiff's three phases) from a perf.data with uprobes on the runtime's\n"
	"phase functions and sched:sched_process_exec/exit, plus CPU per phase from the stacks.\n"
	"Without perf.data: standard input.\n\n"
	"  perf record -k mono -g -e cpu-clock -e sched:sched_process_exec \\\n"
	"      -e sched:sched_process_exit -e 'probe_iwasm:*' -- iwasm app.aot\n"
	"  wasmperf phases perf.data",
	options,
};

#define MAX_SELECT 64

struct args {
	struct phases_config cfg;
	struct names_config names;      /* --wasm and the other naming options */
	int32_t pids[MAX_SELECT];
	const char *comms[MAX_SELECT];
	const char *jitdumps[MAX_SELECT];
	const char *output;
};

static int on_option(int key, const char *arg, void *ctx)
{
	struct args *a = ctx;
	struct phases_config *c = &a->cfg;
	uint64_t v;
	int named = names_config_option(&a->names, key, arg);
	if (named <= 0)
		return named;
	switch (key) {
	case OPT_FORMAT:
		if (!strcmp(arg, "text"))
			c->format = PHASES_TEXT;
		else if (!strcmp(arg, "tsv"))
			c->format = PHASES_TSV;
		else if (!strcmp(arg, "json"))
			c->format = PHASES_JSON;
		else if (!strcmp(arg, "chrome"))
			c->format = PHASES_CHROME;
		else
			return wp_cli_error(&cli, "--format '%s': expected text, tsv, json or chrome", arg), -1;
		return 0;
	case OPT_FOLDED: c->folded = true; return 0;
	case OPT_SAMPLES: c->count_samples = true; return 0;
	case OPT_SVG: c->svg = arg; return 0;
	case OPT_PRESET: c->preset = arg; return 0;
	case OPT_RULES: c->rules_file = arg; return 0;
	case OPT_PID:
		if (wp_cli_parse_u64(&cli, "--pid", arg, &v) || v > INT32_MAX)
			return -1;
		if (c->npids == MAX_SELECT)
			return wp_cli_error(&cli, "--pid: at most %d", MAX_SELECT), -1;
		a->pids[c->npids++] = (int32_t)v;
		return 0;
	case OPT_COMM:
		if (c->ncomms == MAX_SELECT)
			return wp_cli_error(&cli, "--comm: at most %d", MAX_SELECT), -1;
		a->comms[c->ncomms++] = arg;
		return 0;
	case OPT_EVENT: c->event = arg; return 0;
	case OPT_MARKS: c->marks = arg; return 0;
	case OPT_SYMFS: c->symfs = arg; return 0;
	case OPT_KALLSYMS: c->kallsyms = arg; return 0;
	case OPT_BUILDID_DIR: c->buildid_dir = arg; return 0;
	case OPT_PERF_MAP_DIR: c->perf_map_dir = arg; return 0;
	case OPT_JITDUMP:
		if (c->njitdumps == MAX_SELECT)
			return wp_cli_error(&cli, "--jitdump: at most %d", MAX_SELECT), -1;
		a->jitdumps[c->njitdumps++] = arg;
		return 0;
	case 'o': a->output = arg; return 0;
	case 'q': c->quiet = a->names.warn.quiet = true; return 0;
	default: return -1;
	}
}

/* Wasm names: --wasm and the other naming options, else the modules of
 * a bundle, as wasmperf fold names them. 0 or an exit status. */
static int build_names(struct args *a, const struct bundle *b)
{
	int status = bundle_own_names(b, &a->names, &a->cfg.names);
	if (!status && !a->cfg.names && a->names.given)
		a->cfg.names = names_build(&a->names, &status);
	a->cfg.names_opt = &a->names.opt;
	return status;
}

int main(int argc, char **argv)
{
	struct args a = {.cfg = {.prog = cli.prog}};
	a.cfg.pids = a.pids;
	a.cfg.comms = a.comms;
	a.cfg.jitdumps = a.jitdumps;
	names_config_init(&a.names, cli.prog);
	int first = wp_cli_parse(&cli, argc, argv, on_option, &a);
	if (first < 0)
		return first == -2 ? 0 : 2;
	if (argc - first > 1) {
		wp_cli_error(&cli, "one perf.data at a time (got %d)", argc - first);
		return 2;
	}
	if (a.cfg.preset && a.cfg.rules_file) {
		wp_cli_error(&cli, "--preset and --rules exclude each other");
		return 2;
	}
	if (a.cfg.folded && a.cfg.format != PHASES_TEXT) {
		wp_cli_error(&cli, "--folded writes folded stacks: no --format with it");
		return 2;
	}
	if (a.cfg.folded && a.cfg.svg) {
		wp_cli_error(&cli, "--folded and --svg exclude each other");
		return 2;
	}
	if (a.cfg.count_samples && !a.cfg.folded) {
		wp_cli_error(&cli, "--samples counts the samples of --folded stacks (the tables count both)");
		return 2;
	}
	FILE *out = tool_output_open(&cli, a.output);
	if (!out)
		return 1;
	/* A bundle or run directory is read as its perf.data (bundle.h). */
	struct bundle b;
	int status = bundle_open(&b, cli.prog, first < argc ? argv[first] : NULL);
	status = status ? status : build_names(&a, &b);
	status = status ? status : phases_run(&a.cfg, b.data, out);
	if (tool_output_close(&cli, a.output, out) && status != 2)
		status = 1;
	sym_names_free(a.cfg.names);
	bundle_release(&b);
	return status;
}
