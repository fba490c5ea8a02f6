/* wasmperf-names - jitted/AOT Wasm names back to name-section names, in
 * folded stacks, perf script text or perf maps (see wasmperf-names(1)). */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "input.h"
#include "names.h"
#include "output.h"

enum { OPT_FORMAT = 256, OPT_LIST };

static const struct wp_option options[] = {
	NAMES_OPTIONS,
	{"format", OPT_FORMAT, WP_OPT_REQUIRED, "FMT", "input format: auto (default), folded, script, map, jitdump"},
	{"list", OPT_LIST, WP_OPT_NONE, NULL, "print each --wasm module's function index space and names"},
	{"output", 'o', WP_OPT_REQUIRED, "FILE", "write to FILE instead of standard output"},
	{"quiet", 'q', WP_OPT_NONE, NULL, "no warnings"},
	{NULL, 0, 0, NULL, NULL},
};

static const struct wp_cli cli = {
	"wasmperf-names", "[OPTIONS] [FILE]",
	"Translate jitted Wasm frame names (aot_func#N, wasm-function[N], ...) to their names.",
	options,
};

struct args {
	struct names_config names;
	enum names_format format;
	const char *output;
	bool list;
};

static int on_option(int key, const char *arg, void *ctx)
{
	struct args *a = ctx;
	int rc = names_config_option(&a->names, key, arg);
	if (rc <= 0)
		return rc;
	switch (key) {
	case 'o': a->output = arg; break;
	case 'q': a->names.warn.quiet = true; break;
	case OPT_LIST: a->list = true; break;
	case OPT_FORMAT:
		if (!strcmp(arg, "auto")) a->format = NAMES_AUTO;
		else if (!strcmp(arg, "folded")) a->format = NAMES_FOLDED;
		else if (!strcmp(arg, "script")) a->format = NAMES_SCRIPT;
		else if (!strcmp(arg, "map")) a->format = NAMES_MAP;
		else if (!strcmp(arg, "jitdump")) a->format = NAMES_JITDUMP;
		else {
			wp_cli_error(&cli, "--format takes auto, folded, script, map or jitdump, not '%s'", arg);
			return -1;
		}
		break;
	}
	return 0;
}

/* A bundle (or run directory) is a recording, which wasmperf fold reads
 * with the bundle's modules: said as a usage error, before anything. */
static bool is_recording_dir(const char *path)
{
	char data[4096];
	struct stat st;
	return path && stat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
	       snprintf(data, sizeof data, "%s/perf.data", path) < (int)sizeof data &&
	       stat(data, &st) == 0;
}

int main(int argc, char **argv)
{
	struct args a = {.format = NAMES_AUTO};
	names_config_init(&a.names, cli.prog);
	int first = wp_cli_parse(&cli, argc, argv, on_option, &a);
	if (first < 0)
		return first == -2 ? 0 : 2;
	if (argc - first > 1) {
		wp_cli_error(&cli, "reads one input (a file or standard input)");
		return 2;
	}
	if (!a.list && first < argc && is_recording_dir(argv[first])) {
		fprintf(stderr, "%s: '%s': is a recording (a directory holding perf.data), and %s "
			"rewrites text: fold it with wasmperf fold '%s' (a bundle's Wasm modules name "
			"the frames with no option)\n", cli.prog, argv[first], cli.prog, argv[first]);
		return 2;
	}
	int status = 0;
	/* --list shows damaged modules as far as they read; translating refuses them. */
	struct sym_names *n = a.list ? NULL : names_build(&a.names, &status);
	if (!n && !a.list)
		return status;
	/* A recording is folded (and translated) by wasmperf fold; the rest
	 * is said for what it is. */
	char what[128];
	const char *input = first < argc ? argv[first] : NULL;
	if (!a.list && a.format == NAMES_AUTO && input_refuse(cli.prog, input, input_sniff(cli.prog, input, what, sizeof what),
				    what, INPUT_TEXTS)) {
		sym_names_free(n);
		return 1;
	}
	FILE *out = tool_output_open(&cli, a.output);
	if (!out) {
		status = 1;
	} else {
		status = a.list ? names_list(&a.names, out)
				: names_run(n, &a.names, a.format, first < argc ? argv[first] : NULL, out);
		if (tool_output_close(&cli, a.output, out))
			status = 1;
		/* After all output: frames outside the module, or the wrong one. */
		if (n && names_report(n, cli.prog, a.names.warn.quiet, false))
			status = 1;
	}
	sym_names_free(n);
	return status;
}
