/* wasmperf-batch - many recordings (bundles, run directories, perf.data,
 * perf script text, folded stacks) -> OUT/: per run folded stacks, a flame
 * graph and the phase table; per benchmark differential flame graphs
 * against a baseline runtime; WarpDiff's comparison across runtimes;
 * summary.tsv, comparison.tsv, summary.json and index.html (see
 * wasmperf-batch(1); the work is in tools/batch_*.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"

enum { OPT_LAYOUT = 0x100, OPT_WASM, OPT_BASELINE, OPT_SHARD, OPT_MERGE };

static const struct wp_option options[] = {
	{"layout", OPT_LAYOUT, WP_OPT_REQUIRED, "PATTERN",
	 "runtime and benchmark from each input's name, e.g. '{runtime}--{bench}' ({*}: any text)"},
	{"wasm", OPT_WASM, WP_OPT_REQUIRED, "BENCH=FILE", "translate BENCH's jitted names with FILE (repeatable)"},
	{"baseline", OPT_BASELINE, WP_OPT_REQUIRED, "RUNTIME", "runtime the differential graphs compare with (the first)"},
	{"jobs", 'j', WP_OPT_REQUIRED, "N", "runs at a time (the number of cores)"},
	{"shard", OPT_SHARD, WP_OPT_REQUIRED, "K/N", "take inputs K, K+N, K+2N, ... (K from 1)"},
	{"merge", OPT_MERGE, WP_OPT_NONE, NULL, "the operands are outputs of earlier runs (shards): join them"},
	{"output", 'o', WP_OPT_REQUIRED, "DIR", "write into DIR (required; made when missing)"},
	{"quiet", 'q', WP_OPT_NONE, NULL, "no warnings"},
	{NULL, 0, 0, NULL, NULL},
};

static const struct wp_cli cli = {
	"wasmperf-batch", "[OPTIONS] -o OUT INPUT...",
	"Turn many recordings into flame graphs, phase tables and a comparison across runtimes, with\n"
	"one page to read them: OUT/index.html. INPUT is a bundle of wasmperf record, a directory\n"
	"holding perf.data (with its perf maps and jitdumps), perf.data, perf script text or folded\n"
	"stacks. Unchanged inputs are not redone on a second run.\n\n"
	"  wasmperf batch --layout '{runtime}--{bench}' --wasm compute=compute.wasm -o out runs/*/\n"
	"  xdg-open out/index.html",
	options,
};

static int parse_shard(struct batch_options *o, const char *arg)
{
	char *end;
	unsigned long k = strtoul(arg, &end, 10), n = 0;
	if (*end == '/' && end > arg)
		n = strtoul(end + 1, &end, 10);
	if (*end || k == 0 || n == 0 || k > n || n > 1000000) {
		wp_cli_error(&cli, "--shard wants K/N with 1 <= K <= N, not '%s'", arg);
		return -1;
	}
	o->shard_k = (unsigned)k;
	o->shard_n = (unsigned)n;
	return 0;
}

static int on_option(int key, const char *arg, void *ctx)
{
	struct batch_options *o = ctx;
	uint64_t v;
	switch (key) {
	case OPT_LAYOUT: {
		char err[256];
		if (batch_layout_check(arg, err, sizeof err)) {
			wp_cli_error(&cli, "--layout %s", err);
			return -1;
		}
		o->layout = arg;
		return 0;
	}
	case OPT_WASM:
		if (!strchr(arg, '=') || arg[0] == '=' || !strchr(arg, '=')[1]) {
			wp_cli_error(&cli, "--wasm wants BENCH=FILE, not '%s'", arg);
			return -1;
		}
		if (o->nwasm == BATCH_MAX_WASM) {
			wp_cli_error(&cli, "too many --wasm options");
			return -1;
		}
		o->wasm[o->nwasm++] = arg;
		return 0;
	case OPT_BASELINE: o->baseline = arg; return 0;
	case OPT_SHARD: return parse_shard(o, arg);
	case OPT_MERGE: o->merge = true; return 0;
	case 'o': o->out = arg; return 0;
	case 'q': o->quiet = true; return 0;
	case 'j':
		if (wp_cli_parse_u64(&cli, "--jobs", arg, &v))
			return -1;
		if (v == 0 || v > 1024) {
			wp_cli_error(&cli, "--jobs wants 1 to 1024, not '%s'", arg);
			return -1;
		}
		o->jobs = (unsigned)v;
		return 0;
	}
	return -1;
}

/* What parsing cannot check alone; 0, or 2 after a message. */
static int check(const struct batch_options *o, char **paths, int n)
{
	const char *why = !o->out ? "needs -o OUT, the directory to write into"
			  : n == 0 ? "needs inputs (or, with --merge, the outputs to join)"
			  : o->merge && (o->shard_n || o->layout || o->nwasm) ? "--merge takes no --shard, --layout or --wasm: the runs were named when they were made"
			  : NULL;
	for (int i = 0; !why && i < n; i++)
		if (!strcmp(paths[i], "-"))
			why = "reads files, not standard input ('-')";
	if (why)
		wp_cli_error(&cli, "%s (see --help)", why);
	return why ? 2 : 0;
}

int main(int argc, char **argv)
{
	struct batch_options o = {.prog = cli.prog};
	int first = wp_cli_parse(&cli, argc, argv, on_option, &o);
	if (first < 0)
		return first == -2 ? 0 : 2;
	int status = check(&o, argv + first, argc - first);
	if (status)
		return status;
	o.progress = !o.quiet && isatty(2);
	return batch_make(&o, argv + first, (size_t)(argc - first));
}
