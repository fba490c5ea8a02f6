/* wasmperf-flame - folded stacks -> interactive flame graph SVG, a drop-in
 * for flamegraph.pl with a `wasm` palette (see wasmperf-flame(1)). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bundle.h"
#include "fold_args.h"
#include "folded_read.h"
#include "input.h"
#include "output.h"

/* flamegraph.pl's options are set by their name (fg_flame_options_set);
 * the tool handles --nameattr and --cp (files) itself. */
enum {
	OPT_TITLE = 0x100, OPT_SUBTITLE, OPT_WIDTH, OPT_HEIGHT, OPT_MINWIDTH, OPT_FONTTYPE,
	OPT_FONTSIZE, OPT_FONTWIDTH, OPT_COUNTNAME, OPT_NAMETYPE, OPT_COLORS, OPT_BGCOLORS,
	OPT_HASH, OPT_RANDOM, OPT_DETERMINISTIC, OPT_REVERSE, OPT_INVERTED, OPT_FLAMECHART,
	OPT_NEGATE, OPT_NOTES, OPT_TOTAL, OPT_FACTOR, OPT_ENCODING,
	OPT_CP, OPT_NAMEATTR,
};

static const struct wp_option options[] = {
	{"title", OPT_TITLE, WP_OPT_REQUIRED, "TEXT", "title (Flame Graph, Icicle Graph or Flame Chart)"},
	{"subtitle", OPT_SUBTITLE, WP_OPT_REQUIRED, "TEXT", "second title line"},
	{"width", OPT_WIDTH, WP_OPT_REQUIRED, "NUM", "image width in px (1200)"},
	{"height", OPT_HEIGHT, WP_OPT_REQUIRED, "NUM", "frame height in px (16)"},
	{"minwidth", OPT_MINWIDTH, WP_OPT_REQUIRED, "NUM[%]", "omit frames narrower than NUM px or NUM% of the total (0.1)"},
	{"fonttype", OPT_FONTTYPE, WP_OPT_REQUIRED, "FONT", "font family (Verdana)"},
	{"fontsize", OPT_FONTSIZE, WP_OPT_REQUIRED, "NUM", "font size in px (12)"},
	{"fontwidth", OPT_FONTWIDTH, WP_OPT_REQUIRED, "NUM", "average glyph width / font size, for labels (0.59)"},
	{"countname", OPT_COUNTNAME, WP_OPT_REQUIRED, "TEXT", "count unit in tooltips (samples)"},
	{"nametype", OPT_NAMETYPE, WP_OPT_REQUIRED, "TEXT", "hover line prefix (Function:)"},
	{"colors", OPT_COLORS, WP_OPT_REQUIRED, "PALETTE", "colour palette (hot):" FG_FLAME_PALETTE_WORDS},
	{"bgcolors", OPT_BGCOLORS, WP_OPT_REQUIRED, "COLOR", "background: yellow blue green grey or #rrggbb"},
	{"hash", OPT_HASH, WP_OPT_NONE, NULL, "colours from a hash of the name (flamegraph.pl's)"},
	{"random", OPT_RANDOM, WP_OPT_NONE, NULL, "random colours"},
	{"deterministic", OPT_DETERMINISTIC, WP_OPT_NONE, NULL, "stable colours per name (FNV hash, as inferno)"},
	{"cp", OPT_CP, WP_OPT_NONE, NULL, "consistent palette: read and update palette.map in the cwd"},
	{"reverse", OPT_REVERSE, WP_OPT_NONE, NULL, "reverse each stack (merge from the leaf)"},
	{"inverted", OPT_INVERTED, WP_OPT_NONE, NULL, "icicle graph (root at the top)"},
	{"flamechart", OPT_FLAMECHART, WP_OPT_NONE, NULL, "keep input order, merge only adjacent stacks"},
	{"negate", OPT_NEGATE, WP_OPT_NONE, NULL, "swap differential red and blue"},
	{"notes", OPT_NOTES, WP_OPT_REQUIRED, "TEXT", "notes in an SVG comment"},
	{"total", OPT_TOTAL, WP_OPT_REQUIRED, "NUM", "width denominator when larger than the input's total"},
	{"factor", OPT_FACTOR, WP_OPT_REQUIRED, "NUM", "multiply displayed counts by NUM (1)"},
	{"encoding", OPT_ENCODING, WP_OPT_REQUIRED, "NAME", "encoding label in the XML declaration"},
	{"nameattr", OPT_NAMEATTR, WP_OPT_REQUIRED, "FILE", "extra SVG attributes per function name"},
	FOLD_OPTIONS,
	{"output", 'o', WP_OPT_REQUIRED, "FILE", "write to FILE instead of standard output"},
	{"quiet", 'q', WP_OPT_NONE, NULL, "no warnings"},
	{NULL, 0, 0, NULL, NULL},
};

static const struct wp_cli cli = {
	"wasmperf-flame", "[OPTIONS] [FILE...]",
	"Render folded stacks (\"a;b;c COUNT\") as an interactive flame graph SVG. FILE (or standard\n"
	"input) is folded stacks, or perf.data or perf script text, folded first with wasmperf-fold's\n"
	"options (--pid ... --perl-compat, --wasm ... below).\n\n"
	"  wasmperf flame --colors wasm --wasm app.wasm perf.data > app.svg",
	options,
};

struct args {
	struct fg_flame_options o;
	struct fold_args fold;
	const char *output, *nameattr;
	bool quiet, cp, folded_any;
	bool refused;               /* an input of the wrong kind: no output at all */
};

static void warn(void *ctx, const char *msg)
{
	if (!((struct args *)ctx)->quiet)
		wp_cli_error(&cli, "%s", msg);
}

/* The long name of the option with this key. */
static const char *option_name(int key)
{
	const struct wp_option *o = options;
	while (o->name && o->key != key)
		o++;
	return o->name;
}

static int on_option(int key, const char *arg, void *ctx)
{
	struct args *a = ctx;
	char err[256];
	switch (key) {
	case 'o':
		a->output = arg;
		return 0;
	case 'q':
		a->quiet = true;
		fold_args_quiet(&a->fold);
		return 0;
	case OPT_NAMEATTR:
		a->nameattr = arg;
		return 0;
	case OPT_CP:
		a->cp = true;
		return 0;
	}
	if (key >= FOLD_OPT_PID) /* wasmperf-fold's, for recordings */
		return fold_args_option(&a->fold, &cli, key, arg) < 0 ? -1 : 0;
	if (fg_flame_options_set(&a->o, option_name(key), arg, err, sizeof err)) {
		wp_cli_error(&cli, "%s", err);
		return -1;
	}
	return 0;
}

static int read_folded_into(void *ctx, const char *folded_path)
{
	return folded_read_flame(cli.prog, ctx, folded_path);
}

/* A recording is folded first, into a temporary file read back as folded
 * stacks (what was folded before an error is still drawn). */
static int read_recording(struct args *a, struct fg_flame *f, const char *path, bool data)
{
	char *paths[1] = {(char *)path};
	a->folded_any = true;
	return fold_via_tmpfile(&a->fold.cfg, path ? paths : NULL, path ? 1 : 0, data,
				read_folded_into, f);
}

/* Reads one input, as what it is; 0, or the exit status after a message. */
static int read_input(struct args *a, struct fg_flame *f, const char *path)
{
	char what[128];
	enum input_kind kind = input_sniff(cli.prog, path, what, sizeof what);
	if (input_refuse(cli.prog, path, kind, what, INPUT_FOLDS)) {
		a->refused = true;
		return 1;
	}
	/* standard input that is not perf.data is taken as folded stacks,
	 * streamed into the tree (folded_read_flame prints what went wrong) */
	if (kind == INPUT_PERFDATA || kind == INPUT_SCRIPT)
		return read_recording(a, f, path, kind == INPUT_PERFDATA);
	return folded_read_flame(cli.prog, f, path);
}

/* Writes the SVG (and palette.map for --cp); returns the exit status. */
static int write_output(struct args *a, struct fg_flame *f, int status)
{
	FILE *out = tool_output_open(&cli, a->output);
	if (!out)
		return 1;
	int rc = fg_flame_write_svg(f, out);
	if (rc == WP_E_NOTFOUND) {
		if (!status)
			wp_cli_error(&cli, "ERROR: No stack counts found");
		status = status ? status : 2;
	} else if (rc == WP_E_IO) {
		status = 1; /* tool_output_close() names the file */
	} else if (rc || (a->cp && fg_flame_palette_map_save(f, "palette.map"))) {
		wp_cli_error(&cli, "%s", rc ? wp_strerror(rc) : fg_flame_errmsg(f));
		status = 1;
	}
	if (tool_output_close(&cli, a->output, out) && (!rc || rc == WP_E_IO))
		status = 1;
	return status;
}

/* Reads every input (standard input when there is none) into f; what was
 * read before a bad input is still drawn, the status says 1. */
static int read_inputs(struct args *a, struct fg_flame *f, char **paths, int n)
{
	int status = n ? 0 : read_input(a, f, NULL);
	for (int i = 0; i < n && !status; i++)
		status = read_input(a, f, paths[i]);
	if (a->refused)
		return status;
	if (!status && a->fold.given && !a->folded_any && !a->quiet)
		wp_cli_error(&cli, "warning: the fold options apply to perf.data and perf script inputs "
			     "only; the inputs were folded stacks, drawn as they are");
	struct fg_flame_stats st;
	fg_flame_get_stats(f, &st);
	if (st.bad_lines && !a->quiet)
		wp_cli_error(&cli, "Ignored %llu lines with invalid format", (unsigned long long)st.bad_lines);
	return status;
}

int main(int argc, char **argv)
{
	struct args a = {.quiet = false};
	if (fold_args_init(&a.fold, cli.prog))
		return 1;
	fg_flame_options_init(&a.o);
	a.o.warn = warn;
	a.o.warn_ctx = &a;
	a.o.random_seed = (uint64_t)time(NULL) << 20 ^ (uint64_t)getpid();
	int first = wp_cli_parse(&cli, argc, argv, on_option, &a), status = 0;
	/* A bundle or run directory is drawn from its perf.data, its modules
	 * translating as --wasm would (bundle.h). */
	struct bundle_set bundles = {0};
	if (first >= 0 && ((status = bundle_set_open(&bundles, cli.prog, argv + first,
						     (size_t)(argc - first))) != 0 ||
			   (status = bundle_set_add_modules(&bundles, &a.fold.names)) != 0 ||
			   (status = fold_args_finish(&a.fold)) != 0))
		first = -1;
	if (first < 0) {
		fold_args_release(&a.fold);
		bundle_set_release(&bundles);
		return first == -2 ? 0 : status ? status : 2;
	}
	struct fg_flame *f = fg_flame_new(&a.o);
	if (!f || (a.nameattr && fg_flame_load_nameattr(f, a.nameattr)) ||
	    (a.cp && fg_flame_palette_map_load(f, "palette.map"))) {
		wp_cli_error(&cli, "%s", fg_flame_errmsg(f));
		status = 1;
	} else {
		status = read_inputs(&a, f, bundles.paths, argc - first);
		/* an input of the wrong kind: no output at all */
		status = a.refused ? 1 : write_output(&a, f, status);
	}
	fg_flame_free(f);
	fold_args_release(&a.fold);
	bundle_set_release(&bundles);
	return status;
}
