/* fold_args.c - the fold options, parsed once for every tool that folds. */
#include <stdlib.h>
#include <string.h>

#include "fold_args.h"

int fold_args_init(struct fold_args *a, const char *prog)
{
	memset(a, 0, sizeof *a);
	fg_collapse_options_init(&a->cfg.collapse);
	names_config_init(&a->names, prog);
	a->cfg.prog = prog;
	a->cfg.names_opt = &a->names.opt;
	a->cfg.comms = a->comms;
	a->cfg.jitdumps = a->jitdumps;
	a->cfg.filter = fg_filter_new();
	if (!a->cfg.filter) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return -1;
	}
	return 0;
}

static int add_to(const struct wp_cli *cli, const char **list, size_t *n, size_t cap,
		  const char *opt, const char *arg)
{
	if (*n == cap) {
		wp_cli_error(cli, "too many %s options", opt);
		return -1;
	}
	list[(*n)++] = arg;
	return 0;
}

static int filter_option(struct fold_config *c, const struct wp_cli *cli, int key, const char *arg)
{
	char err[512];
	int rc = (key == FOLD_OPT_INCLUDE ? fg_filter_include : fg_filter_exclude)(c->filter, arg, err,
										     sizeof err);
	if (rc)
		wp_cli_error(cli, "%s", err);
	return rc ? -1 : 0;
}

/* -j N: 1 is the one-thread path; beyond 64 no machine gains. */
static int threads_option(struct fold_args *a, const struct wp_cli *cli, const char *arg)
{
	char *end;
	long n = strtol(arg, &end, 10);
	if (end == arg || *end || n < 1 || n > 64) {
		wp_cli_error(cli, "--threads wants a number from 1 to 64, not '%s'", arg);
		return -1;
	}
	a->cfg.threads = (unsigned)n;
	a->given = true;
	return 0;
}

int fold_args_option(struct fold_args *a, const struct wp_cli *cli, int key, const char *arg)
{
	struct fold_config *c = &a->cfg;
	int handled = names_config_option(&a->names, key, arg);
	if (handled <= 0) {
		a->given = true;
		return handled;
	}
	if (key == 'j')
		return threads_option(a, cli, arg);
	if (key < FOLD_OPT_PID || key > FOLD_OPT_JITDUMP)
		return 1;
	a->given = true;
	switch (key) {
	case FOLD_OPT_PID: c->collapse.include_pid = true; break;
	case FOLD_OPT_TID: c->collapse.include_tid = true; break;
	case FOLD_OPT_KERNEL: c->collapse.annotate_kernel = true; break;
	case FOLD_OPT_JIT: c->collapse.annotate_jit = true; break;
	case FOLD_OPT_ALL: c->collapse.annotate_kernel = c->collapse.annotate_jit = true; break;
	case FOLD_OPT_ADDRS: c->collapse.include_addrs = true; break;
	case FOLD_OPT_EVENT: c->event_filter = arg; break;
	case FOLD_OPT_INLINE: c->inline_frames = true; break;
	case FOLD_OPT_CONTEXT: c->context = true; break;
	case FOLD_OPT_SRCLINE: c->srcline = true; break;
	case FOLD_OPT_SAMPLES: c->count_samples = true; break;
	case FOLD_OPT_SYMFS: c->symfs = arg; break;
	case FOLD_OPT_KALLSYMS: c->kallsyms = arg; break;
	case FOLD_OPT_BUILDID_DIR: c->buildid_dir = arg; break;
	case FOLD_OPT_PERF_MAP_DIR: c->perf_map_dir = arg; break;
	case FOLD_OPT_JITDUMP:
		return add_to(cli, a->jitdumps, &c->njitdumps, 64, "--jitdump", arg);
	case FOLD_OPT_COMM:
		return add_to(cli, a->comms, &c->ncomms, 64, "--comm", arg);
	case FOLD_OPT_TIME:
		if (fold_time_parse(&a->time, arg)) {
			wp_cli_error(cli, "--time wants perf's forms: START,END in seconds (either may be "
				     "empty; several ranges separated by blanks), A%%-B%%[,C%%-D%%...] or "
				     "P%%/N[,P%%/M...] of the recording's span, not '%s'", arg);
			return -1;
		}
		c->time = &a->time;
		break;
	case FOLD_OPT_NO_TIDY:
		c->collapse.tidy_generic = c->collapse.tidy_java = c->collapse.rust_fix = false;
		break;
	case FOLD_OPT_PERL_COMPAT: c->collapse.perl_compat = true; break;
	case FOLD_OPT_INCLUDE:
	case FOLD_OPT_EXCLUDE:
		return filter_option(c, cli, key, arg);
	}
	return 0;
}

void fold_args_quiet(struct fold_args *a)
{
	a->cfg.quiet = a->names.warn.quiet = true;
}

int fold_args_finish(struct fold_args *a)
{
	if (fold_check_paths(&a->cfg))
		return 2;
	if (!a->names.given)
		return 0;
	int status = 1;
	a->cfg.names = names_build(&a->names, &status);
	return a->cfg.names ? 0 : status;
}

void fold_args_release(struct fold_args *a)
{
	fg_filter_free(a->cfg.filter);
	sym_names_free(a->cfg.names);
	a->cfg.filter = NULL;
	a->cfg.names = NULL;
}
