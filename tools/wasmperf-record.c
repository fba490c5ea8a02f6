/* wasmperf-record - runs a Wasm runtime's COMMAND under perf record with
 * what the other tools need, and leaves a bundle directory: perf.data, the
 * run's perf maps and jitdumps, the .wasm modules of the command line and
 * meta.json (see wasmperf-record(1)). The runtime is detected; its
 * perf-map or jitdump flag is added; phase probes from the phases presets
 * are placed for the run and always removed. */
#include <stdlib.h>
#include <string.h>

#include "record.h"

enum { OPT_RUNTIME = 0x100, OPT_CALL_GRAPH, OPT_JITDUMP, OPT_NO_PROBES, OPT_DRY_RUN, OPT_FORCE };

static const struct wp_option options[] = {
	{"runtime", OPT_RUNTIME, WP_OPT_REQUIRED, "NAME",
	 "the runtime, not detected: node wamr wasmtime wasmer wasmedge wasm3"},
	{"event", 'e', WP_OPT_REQUIRED, "EVENT",
	 "sample EVENT instead of cpu-clock/freq=999/ (repeatable)"},
	{"call-graph", OPT_CALL_GRAPH, WP_OPT_REQUIRED, "MODE", "perf's --call-graph (fp, dwarf, lbr) instead of -g"},
	{"jitdump", OPT_JITDUMP, WP_OPT_NONE, NULL, "ask the runtime for a jitdump instead of a perf map (-k mono)"},
	{"no-probes", OPT_NO_PROBES, WP_OPT_NONE, NULL, "no phase probes"},
	{"dry-run", OPT_DRY_RUN, WP_OPT_NONE, NULL, "print the perf commands and change nothing"},
	{"force", OPT_FORCE, WP_OPT_NONE, NULL, "overwrite the bundle DIR when it exists"},
	{"output", 'o', WP_OPT_REQUIRED, "DIR", "the bundle directory (default wasmperf-DATE-COMMAND)"},
	{"quiet", 'q', WP_OPT_NONE, NULL, "no warnings or notes, perf -q"},
	{NULL, 0, 0, NULL, NULL},
};

static const struct wp_cli cli = {
	"wasmperf-record", "[OPTIONS] [-o DIR] -- COMMAND [ARGS...]",
	"Record a Wasm runtime running COMMAND with perf (as root: probes need it), into a bundle\n"
	"directory that every wasmperf tool reads: perf.data, meta.json, the run's perf maps and\n"
	"jitdumps, copies of the .wasm modules. The exit status is COMMAND's.\n\n"
	"  wasmperf record -o run1 -- node run-wasi.js compute.wasm\n"
	"  wasmperf phases run1; wasmperf flame run1 > run1.svg",
	options,
};

static int on_option(int key, const char *arg, void *ctx)
{
	struct record_options *o = ctx;
	switch (key) {
	case OPT_RUNTIME: o->runtime = arg; return 0;
	case OPT_CALL_GRAPH: o->call_graph = arg; return 0;
	case OPT_JITDUMP: o->jitdump = true; return 0;
	case OPT_NO_PROBES: o->no_probes = true; return 0;
	case OPT_DRY_RUN: o->dry_run = true; return 0;
	case OPT_FORCE: o->force = true; return 0;
	case 'o': o->output = arg; return 0;
	case 'q': o->quiet = true; return 0;
	case 'e':
		if (o->nevents == RECORD_MAX_EVENTS)
			return wp_cli_error(&cli, "-e: at most %d events", RECORD_MAX_EVENTS), -1;
		o->events[o->nevents++] = arg;
		return 0;
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct record_options o = {.prog = cli.prog};
	/* The options end at COMMAND: its own options are not ours. */
	setenv("POSIXLY_CORRECT", "1", 1);
	int first = wp_cli_parse(&cli, argc, argv, on_option, &o);
	unsetenv("POSIXLY_CORRECT");
	if (first < 0)
		return first == -2 ? 0 : 2;
	if (first >= argc) {
		wp_cli_error(&cli, "no COMMAND to record (see --help)");
		return 2;
	}
	if (o.output && !o.output[0]) {
		wp_cli_error(&cli, "-o wants a directory name");
		return 2;
	}
	o.command = argv + first;
	o.ncommand = (size_t)(argc - first);
	return record_session(&o);
}
