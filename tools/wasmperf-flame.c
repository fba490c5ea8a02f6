/* wasmperf-flame - folded stacks -> interactive flame graph SVG, a drop-in
 * for flamegraph.pl with a `wasm` palette (see wasmperf-flame(1)). */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fold_args.h"
#include "folded_read.h"
#include "input.h"

/* Keys >= 256 are indices into this table plus 256: those options are set
 * by name with fg_flame_options_set(), except the ones handled here. */
static const struct wp_option options[] = {
	{"title", 256, WP_OPT_REQUIRED, "TEXT", "title (Flame Graph, Icicle Graph or Flame Chart)"},
	{"subtitle", 257, WP_OPT_REQUIRED, "TEXT", "second title line"},
	{"width", 258, WP_OPT_REQUIRED, "NUM", "image width in px (1200)"},
	{"height", 259, WP_OPT_REQUIRED, "NUM", "frame height in px (16)"},
	{"minwidth", 260, WP_OPT_REQUIRED, "NUM[%]", "omit frames narrower than NUM px or NUM% of the total (0.1)"},
	{"fonttype", 261, WP_OPT_REQUIRED, "FONT", "font family (Verdana)"},
	{"fontsize", 262, WP_OPT_REQUIRED, "NUM", "font size in px (12)"},
	{"fontwidth", 263, WP_OPT_REQUIRED, "NUM", "average glyph width / font size, for labels (0.59)"},
	{"countname", 264, WP_OPT_REQUIRED, "TEXT", "count unit in tooltips (samples)"},
	{"nametype", 265, WP_OPT_REQUIRED, "TEXT", "hover line prefix (Function:)"},
	{"colors", 266, WP_OPT_REQUIRED, "PALETTE", "hot (default) mem io wakeup chain java js perl wasm red green blue aqua yellow purple orange"},
	{"bgcolors", 267, WP_OPT_REQUIRED, "COLOR", "background: yellow blue green grey or #rrggbb"},
	{"hash", 268, WP_OPT_NONE, NULL, "colours from a hash of the name (flamegraph.pl's)"},
	{"random", 269, WP_OPT_NONE, NULL, "random colours"},
	{"deterministic", 270, WP_OPT_NONE, NULL, "stable colours per name (FNV hash, as inferno)"},
	{"cp", 271, WP_OPT_NONE, NULL, "consistent palette: read and update palette.map in the cwd"},
	{"reverse", 272, WP_OPT_NONE, NULL, "reverse each stack (merge from the leaf)"},
	{"inverted", 273, WP_OPT_NONE, NULL, "icicle graph (root at the top)"},
	{"flamechart", 274, WP_OPT_NONE, NULL, "keep input order, merge only adjacent stacks"},
	{"negate", 275, WP_OPT_NONE, NULL, "swap differential red and blue"},
	{"notes", 276, WP_OPT_REQUIRED, "TEXT", "notes in an SVG comment"},
	{"total", 277, WP_OPT_REQUIRED, "NUM", "width denominator when larger than the input's total"},
	{"factor", 278, WP_OPT_REQUIRED, "NUM", "multiply displayed counts by NUM (1)"},
	{"encoding", 279, WP_OPT_REQUIRED, "NAME", "encoding label in the XML declaration"},
	{"nameattr", 280, WP_OPT_REQUIRED, "FILE", "extra SVG attributes per function name"},
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

static int on_option(int key, const char *arg, void *ctx)
{
	struct args *a = ctx;
	char err[256];
	if (key == 'o' || key == 'q') {
		if (key == 'q')
			fold_args_quiet(&a->fold);
		return key == 'o' ? (a->output = arg, 0) : (a->quiet = true, 0);
	}
	if (key >= FOLD_OPT_PID) /* wasmperf-fold's, for recordings */
		return fold_args_option(&a->fold, &cli, key, arg) < 0 ? -1 : 0;
	const char *name = options[key - 256].name;
	if (!strcmp(name, "nameattr") || !strcmp(name, "cp"))
		return *name == 'n' ? (a->nameattr = arg, 0) : (a->cp = true, 0);
	int rc = fg_flame_options_set(&a->o, name, arg, err, sizeof err);
	if (rc)
		wp_cli_error(&cli, "%s", err);
	return rc ? -1 : 0;
}

static int read_folded(struct fg_flame *f, const char *path);

/* A recording is folded first, into a temporary file read back as folded
 * stacks. */
static int read_recording(struct args *a, struct fg_flame *f, const char *path)
{
	FILE *tmp = tmpfile();
	if (!tmp) {
		wp_cli_error(&cli, "cannot create a temporary file: %m");
		return 1;
	}
	char *paths[1] = {(char *)path};
	int status = fold_inputs(&a->fold.cfg, path ? paths : NULL, path ? 1 : 0, tmp);
	char self[64];
	snprintf(self, sizeof self, "/dev/fd/%d", fileno(tmp));
	/* what was folded before an error is still drawn */
	int rc = fflush(tmp) || ferror(tmp) ? 1 : read_folded(f, self);
	fclose(tmp);
	a->folded_any = true;
	return status ? status : rc;
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
	/* standard input that is not perf.data is taken as folded stacks */
	if (kind == INPUT_PERFDATA || kind == INPUT_SCRIPT)
		return read_recording(a, f, path);
	return read_folded(f, path);
}

/* Streams folded stacks into the tree; 0, or 1 with a message printed. */
static int read_folded(struct fg_flame *f, const char *path)
{
	return folded_read_flame(cli.prog, f, path);
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
	int first = wp_cli_parse(&cli, argc, argv, on_option, &a), status = 0, rc;
	if (first >= 0 && (status = fold_args_finish(&a.fold)) != 0)
		first = -1;
	if (first < 0) {
		fold_args_release(&a.fold);
		return first == -2 ? 0 : status ? status : 2;
	}
	struct fg_flame *f = fg_flame_new(&a.o);
	if (!f || (a.nameattr && fg_flame_load_nameattr(f, a.nameattr)) ||
	    (a.cp && fg_flame_palette_map_load(f, "palette.map"))) {
		wp_cli_error(&cli, "%s", fg_flame_errmsg(f));
		fg_flame_free(f);
		fold_args_release(&a.fold);
		return 1;
	}
	/* What was read before a bad input is still drawn; the status says 1. */
	for (int i = first; i < argc && !status; i++)
		status = read_input(&a, f, argv[i]);
	if (first == argc)
		status = read_input(&a, f, NULL);
	if (a.refused) {
		fg_flame_free(f);
		fold_args_release(&a.fold);
		return 1;
	}
	if (!status && a.fold.given && !a.folded_any && !a.quiet)
		wp_cli_error(&cli, "warning: the fold options apply to perf.data and perf script inputs "
			     "only; the inputs were folded stacks, drawn as they are");
	struct fg_flame_stats st;
	fg_flame_get_stats(f, &st);
	if (st.bad_lines && !a.quiet)
		wp_cli_error(&cli, "Ignored %llu lines with invalid format", (unsigned long long)st.bad_lines);
	const char *name = a.output ? a.output : "<stdout>";
	FILE *out = a.output ? fopen(a.output, "w") : stdout;
	if (!out) {
		wp_cli_error(&cli, "cannot write '%s': %m", name);
		fg_flame_free(f);
		fold_args_release(&a.fold);
		return 1;
	}
	if ((rc = fg_flame_write_svg(f, out)) == WP_E_NOTFOUND) {
		if (!status)
			wp_cli_error(&cli, "ERROR: No stack counts found");
		status = status ? status : 2;
	} else if (rc || (a.cp && fg_flame_palette_map_save(f, "palette.map"))) {
		wp_cli_error(&cli, "%s", rc == WP_E_IO ? "write error" : rc ? wp_strerror(rc) : fg_flame_errmsg(f));
		status = 1;
	}
	if ((fflush(out) | ferror(out) | (a.output ? fclose(out) : 0)) && !rc) {
		wp_cli_error(&cli, "cannot write '%s'", name);
		status = 1;
	}
	fg_flame_free(f);
	fold_args_release(&a.fold);
	return status;
}
