/* wasmperf-fold - perf script text -> folded stacks, a drop-in for
 * stackcollapse-perf.pl (see wasmperf-fold(1)). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fold.h"

enum {
	OPT_PID = 256, OPT_TID, OPT_KERNEL, OPT_JIT, OPT_ALL, OPT_ADDRS, OPT_EVENT, OPT_INLINE,
	OPT_CONTEXT, OPT_SRCLINE, OPT_SAMPLES, OPT_INCLUDE, OPT_EXCLUDE, OPT_COMM, OPT_SYMFS,
	OPT_NO_TIDY, OPT_PERL_COMPAT, OPT_TIME, OPT_KALLSYMS, OPT_BUILDID_DIR, OPT_PERF_MAP_DIR,
	OPT_JITDUMP,
};

static const struct wp_option options[] = {
	{"pid", OPT_PID, WP_OPT_NONE, NULL, "root frame is COMM-PID"},
	{"tid", OPT_TID, WP_OPT_NONE, NULL, "root frame is COMM-PID/TID"},
	{"kernel", OPT_KERNEL, WP_OPT_NONE, NULL, "mark kernel frames with _[k]"},
	{"jit", OPT_JIT, WP_OPT_NONE, NULL, "mark JIT frames (perf maps, jitted-*.so) with _[j]"},
	{"all", OPT_ALL, WP_OPT_NONE, NULL, "--kernel and --jit"},
	{"addrs", OPT_ADDRS, WP_OPT_NONE, NULL, "unknown frames show their address: [module <pc>]"},
	{"event-filter", OPT_EVENT, WP_OPT_REQUIRED, "EVENT", "fold only EVENT, named with or without modifiers and terms (default: perf.data's first event, text's first seen)"},
	{"inline", OPT_INLINE, WP_OPT_NONE, NULL, "expand inlined calls from DWARF debug info"},
	{"context", OPT_CONTEXT, WP_OPT_NONE, NULL, "with --inline, add :file:line to expanded frames"},
	{"srcline", OPT_SRCLINE, WP_OPT_NONE, NULL, "append the source lines of perf script -F+srcline"},
	{"samples", OPT_SAMPLES, WP_OPT_NONE, NULL, "count samples instead of summing their periods"},
	{"include", OPT_INCLUDE, WP_OPT_REQUIRED, "REGEX", "keep only stacks matching REGEX (repeatable)"},
	{"exclude", OPT_EXCLUDE, WP_OPT_REQUIRED, "REGEX", "drop stacks matching REGEX (repeatable)"},
	{"comm", OPT_COMM, WP_OPT_REQUIRED, "NAME", "keep only samples of process NAME (repeatable)"},
	{"symfs", OPT_SYMFS, WP_OPT_REQUIRED, "DIR", "look for recorded files under DIR (perf.data, --inline)"},
	{"kallsyms", OPT_KALLSYMS, WP_OPT_REQUIRED, "FILE", "perf.data: kernel symbols from FILE"},
	{"buildid-dir", OPT_BUILDID_DIR, WP_OPT_REQUIRED, "DIR", "perf.data: perf's build-id cache (default ~/.debug)"},
	{"perf-map-dir", OPT_PERF_MAP_DIR, WP_OPT_REQUIRED, "DIR", "perf.data: look for perf-PID.map files in DIR first"},
	{"jitdump", OPT_JITDUMP, WP_OPT_REQUIRED, "FILE|DIR", "perf.data: JIT code names from this jit-PID.dump, or the dumps in DIR (repeatable)"},
	{"time", OPT_TIME, WP_OPT_REQUIRED, "START,END", "only samples in this span, in perf script's forms (seconds, A%-B%, P%/N, several ranges)"},
	{"no-tidy", OPT_NO_TIDY, WP_OPT_NONE, NULL, "keep argument lists and Java/Rust names as printed"},
	{"perl-compat", OPT_PERL_COMPAT, WP_OPT_NONE, NULL,
	 "name clean-up, '(' frames and frame-less samples as stackcollapse-perf.pl"},
	NAMES_OPTIONS,
	{"output", 'o', WP_OPT_REQUIRED, "FILE", "write to FILE instead of standard output"},
	{"quiet", 'q', WP_OPT_NONE, NULL, "no warnings"},
	{NULL, 0, 0, NULL, NULL},
};

static const struct wp_cli cli = {
	"wasmperf-fold", "[OPTIONS] [FILE...]",
	"Fold perf script output (FILE, or standard input; .gz read too) into folded stacks.",
	options,
};

struct args {
	struct fold_config cfg;
	struct names_config names;
	const char *output;
	const char *comms[64];
	const char *jitdumps[64];
	struct fold_time time;
};

static int on_option(int key, const char *arg, void *ctx)
{
	struct args *a = ctx;
	struct fold_config *c = &a->cfg;
	char err[512];
	int handled = names_config_option(&a->names, key, arg);
	if (handled <= 0)
		return handled;
	switch (key) {
	case OPT_PID: c->collapse.include_pid = true; break;
	case OPT_TID: c->collapse.include_tid = true; break;
	case OPT_KERNEL: c->collapse.annotate_kernel = true; break;
	case OPT_JIT: c->collapse.annotate_jit = true; break;
	case OPT_ALL: c->collapse.annotate_kernel = c->collapse.annotate_jit = true; break;
	case OPT_ADDRS: c->collapse.include_addrs = true; break;
	case OPT_EVENT: c->event_filter = arg; break;
	case OPT_INLINE: c->inline_frames = true; break;
	case OPT_CONTEXT: c->context = true; break;
	case OPT_SRCLINE: c->srcline = true; break;
	case OPT_SAMPLES: c->count_samples = true; break;
	case OPT_SYMFS: c->symfs = arg; break;
	case OPT_KALLSYMS: c->kallsyms = arg; break;
	case OPT_BUILDID_DIR: c->buildid_dir = arg; break;
	case OPT_JITDUMP:
		if (c->njitdumps == sizeof a->jitdumps / sizeof a->jitdumps[0]) {
			wp_cli_error(&cli, "too many --jitdump options");
			return -1;
		}
		a->jitdumps[c->njitdumps++] = arg;
		break;
	case OPT_PERF_MAP_DIR: c->perf_map_dir = arg; break;
	case OPT_TIME:
		if (fold_time_parse(&a->time, arg)) {
			wp_cli_error(&cli, "--time wants perf's forms: START,END in seconds (either may be "
				     "empty; several ranges separated by blanks), A%%-B%%[,C%%-D%%...] or "
				     "P%%/N[,P%%/M...] of the recording's span, not '%s'", arg);
			return -1;
		}
		c->time = &a->time;
		break;
	case OPT_NO_TIDY:
		c->collapse.tidy_generic = c->collapse.tidy_java = c->collapse.rust_fix = false;
		break;
	case OPT_PERL_COMPAT: c->collapse.perl_compat = true; break;
	case 'o': a->output = arg; break;
	case 'q': c->quiet = a->names.quiet = true; break;
	case OPT_COMM:
		if (c->ncomms == sizeof a->comms / sizeof a->comms[0]) {
			wp_cli_error(&cli, "too many --comm options");
			return -1;
		}
		a->comms[c->ncomms++] = arg;
		break;
	case OPT_INCLUDE:
	case OPT_EXCLUDE:
		if ((key == OPT_INCLUDE ? fg_filter_include : fg_filter_exclude)(c->filter, arg, err,
										     sizeof err)) {
			wp_cli_error(&cli, "%s", err);
			return -1;
		}
		break;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct args a = {0};
	fg_collapse_options_init(&a.cfg.collapse);
	names_config_init(&a.names, cli.prog);
	a.cfg.prog = cli.prog;
	a.cfg.names_opt = &a.names.opt;
	a.cfg.comms = a.comms;
	a.cfg.jitdumps = a.jitdumps;
	a.cfg.filter = fg_filter_new();
	int first = a.cfg.filter ? wp_cli_parse(&cli, argc, argv, on_option, &a) : -1;
	if (first < 0) {
		fg_filter_free(a.cfg.filter);
		return first == -2 ? 0 : 2;
	}
	int status = 1;
	if (a.names.given) {
		a.cfg.names = names_build(&a.names, &status);
		if (!a.cfg.names) {
			fg_filter_free(a.cfg.filter);
			return status;
		}
	}
	FILE *out = a.output ? fopen(a.output, "w") : stdout;
	status = 1;
	if (!out) {
		perror(a.output);
	} else {
		int kind = fold_input_is_perfdata(cli.prog, first < argc ? argv[first] : NULL);
		if (kind == 1 && argc - first > 1) {
			wp_cli_error(&cli, "folds one perf.data at a time");
			status = 2;
		} else if (kind == 1) {
			status = fold_data_run(&a.cfg, first < argc ? argv[first] : NULL, out);
		} else if (kind == 0) {
			status = fold_text_run(&a.cfg, argv + first, (size_t)(argc - first), out);
		}
		if (fflush(out) != 0 || ferror(out) || (a.output && fclose(out) != 0)) {
			fprintf(stderr, "%s: cannot write '%s'\n", cli.prog, a.output ? a.output : "<stdout>");
			status = 1;
		}
	}
	fg_filter_free(a.cfg.filter);
	sym_names_free(a.cfg.names);
	return status;
}
