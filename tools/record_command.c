/* record_command.c - the command lines of a recording: the workload with
 * what its runtime needs to name its jitted code (only flags the binary
 * knows: their names are in its help text), and perf record's. The sampling
 * frequency goes on the sampling event only (cpu-clock/freq=999/): a global
 * -F would open the tracepoints and uprobes in frequency mode too, and the
 * kernel then drops hits of a probe that fires often. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

int record_argv_add(struct record_argv *a, const char *s)
{
	if (wp_grow((void **)&a->v, &a->cap, a->n + 2, sizeof *a->v))
		return WP_E_NOMEM;
	if (!(a->v[a->n] = strdup(s)))
		return WP_E_NOMEM;
	a->v[++a->n] = NULL;
	return 0;
}

int record_argv_addf(struct record_argv *a, const char *fmt, ...)
{
	struct wp_buf b;
	wp_buf_init(&b, WP_BUF_UNLIMITED);
	va_list ap;
	va_start(ap, fmt);
	int rc = wp_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	rc = rc ? rc : record_argv_add(a, b.data);
	wp_buf_release(&b);
	return rc;
}

void record_argv_release(struct record_argv *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	memset(a, 0, sizeof *a);
}

/* Single quotes around anything a shell would read otherwise. */
static void print_quoted(FILE *f, const char *s)
{
	bool plain = s[0] != '\0';
	for (const char *c = s; *c && plain; c++)
		plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			       "_-+=/.,:@%", *c) != NULL;
	if (plain) {
		fputs(s, f);
		return;
	}
	fputc('\'', f);
	for (const char *c = s; *c; c++)
		if (*c == '\'')
			fputs("'\\''", f);
		else
			fputc(*c, f);
	fputc('\'', f);
}

void record_argv_print(FILE *f, char *const *v)
{
	for (size_t i = 0; v && v[i]; i++) {
		if (i)
			fputc(' ', f);
		print_quoted(f, v[i]);
	}
	fputc('\n', f);
}

static bool given(const struct record_options *opts, const char *flag)
{
	for (size_t i = 1; i < opts->ncommand; i++)
		if (strncmp(opts->command[i], flag, strlen(flag)) == 0)
			return true;
	return false;
}

/* The runtime's flag, inserted after the program name (after `run` for
 * wasmtime's subcommand), when the binary knows it and it was not given. */
struct runtime_flag {
	const char *runtime;
	bool jitdump;              /* for --jitdump, else for perf maps */
	const char *known_by;      /* text the binary holds when it takes the flag */
	const char *flag;
	bool writes_jitdump;
};

static const struct runtime_flag flags[] = {
	{"node", false, "perf-basic-prof", "--perf-basic-prof", false},
	{"node", true, "perf-prof", "--perf-prof", true},
	{"wamr", false, "--enable-linux-perf", "--enable-linux-perf", false},
	{"wamr", true, "--enable-linux-perf", "--enable-linux-perf", false},
	{"wasmtime", false, "perfmap", "--profile=perfmap", false},
	{"wasmtime", true, "jitdump", "--profile=jitdump", true},
};

static int add_runtime_flags(struct record_plan *plan, const struct record_options *opts,
			     const struct record_runtime *rt, struct record_elf *elf,
			     const char *dir, struct wp_buf *note)
{
	const struct runtime_flag *chosen = NULL;
	for (size_t i = 0; rt->name && i < sizeof flags / sizeof flags[0]; i++)
		if (!strcmp(flags[i].runtime, rt->name) && flags[i].jitdump == opts->jitdump)
			chosen = &flags[i];
	bool known = chosen && elf && record_elf_contains(elf, chosen->known_by);
	bool already = chosen && given(opts, chosen->flag);
	size_t after = rt->name && !strcmp(rt->name, "wasmtime") && opts->ncommand > 1 &&
				       !strcmp(opts->command[1], "run") ? 2 : 1;
	int rc = 0;
	for (size_t i = 0; i < opts->ncommand && !rc; i++) {
		if (i == after && known && !already)
			rc = record_argv_add(&plan->workload, chosen->flag);
		rc = rc ? rc : record_argv_add(&plan->workload, opts->command[i]);
	}
	if (!rc && after >= opts->ncommand && known && !already)
		rc = record_argv_add(&plan->workload, chosen->flag);
	if (known && !already)
		wp_buf_printf(note, " %s", chosen->flag);
	plan->mono = (known || already) && chosen->writes_jitdump;
	/* WAMR's LLVM JIT writes its jitdump into $JITDUMPDIR when built to:
	 * into the bundle, with a clock perf can compare. */
	if (!rc && rt->name && !strcmp(rt->name, "wamr")) {
		rc = record_argv_addf(&plan->env, "JITDUMPDIR=%s", dir);
		plan->mono = true;
		wp_buf_printf(note, " JITDUMPDIR=%s", dir);
	}
	if (chosen && !known && !already && !opts->quiet)
		fprintf(stderr, "%s: warning: '%s' does not seem to take %s: recorded without it "
			"(jitted code may show as addresses)\n", opts->prog, rt->exe, chosen->flag);
	return rc;
}

static int add_perf_command(struct record_plan *plan, const struct record_options *opts,
			    const struct record_probes *probes, const char *data)
{
	struct record_argv *a = &plan->perf;
	int rc = record_argv_add(a, "perf") || record_argv_add(a, "record") ||
		 record_argv_add(a, "-o") || record_argv_add(a, data);
	if (opts->quiet)
		rc = rc || record_argv_add(a, "-q");
	if (opts->call_graph)
		rc = rc || record_argv_add(a, "--call-graph") || record_argv_add(a, opts->call_graph);
	else
		rc = rc || record_argv_add(a, "-g");
	if (plan->mono)
		rc = rc || record_argv_add(a, "-k") || record_argv_add(a, "mono");
	for (size_t i = 0; i < opts->nevents; i++)
		rc = rc || record_argv_add(a, "-e") || record_argv_add(a, opts->events[i]);
	if (!opts->nevents)
		rc = rc || record_argv_add(a, "-e") || record_argv_add(a, "cpu-clock/freq=999/");
	rc = rc || record_argv_add(a, "-e") || record_argv_add(a, "sched:sched_process_exec") ||
	     record_argv_add(a, "-e") || record_argv_add(a, "sched:sched_process_exit");
	if (probes->n)
		rc = rc || record_argv_add(a, "-e") || record_argv_addf(a, "%s:*", probes->group);
	rc = rc || record_argv_add(a, "--");
	for (size_t i = 0; i < plan->workload.n && !rc; i++)
		rc = record_argv_add(a, plan->workload.v[i]);
	return rc;
}

int record_plan_build(struct record_plan *plan, const struct record_options *opts,
		      const struct record_runtime *rt, struct record_elf *elf,
		      const struct record_probes *probes, const char *dir, const char *data)
{
	memset(plan, 0, sizeof *plan);
	struct wp_buf note;
	wp_buf_init(&note, 4096);
	int rc = add_runtime_flags(plan, opts, rt, elf, dir, &note);
	rc = rc ? rc : add_perf_command(plan, opts, probes, data);
	plan->flags_note = wp_buf_detach(&note, NULL);
	if (rc || !plan->flags_note) {
		fprintf(stderr, "%s: out of memory\n", opts->prog);
		return 1;
	}
	return 0;
}

void record_plan_release(struct record_plan *plan)
{
	record_argv_release(&plan->workload);
	record_argv_release(&plan->env);
	record_argv_release(&plan->perf);
	free(plan->flags_note);
	memset(plan, 0, sizeof *plan);
}

void record_plan_drop_probes(struct record_plan *plan, const struct record_probes *probes)
{
	char event[48];
	snprintf(event, sizeof event, "%s:*", probes->group);
	struct record_argv *a = &plan->perf;
	for (size_t i = 0; i + 1 < a->n; i++) {
		if (strcmp(a->v[i], "-e") || strcmp(a->v[i + 1], event))
			continue;
		free(a->v[i]);
		free(a->v[i + 1]);
		memmove(a->v + i, a->v + i + 2, (a->n - i - 1) * sizeof *a->v); /* with the NULL */
		a->n -= 2;
		return;
	}
}
