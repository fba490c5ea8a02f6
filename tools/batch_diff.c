/* batch_diff.c - per benchmark, a differential flame graph of each runtime
 * against the baseline runtime, as `wasmperf diff -n BASE RUN | wasmperf
 * flame` draws it: widths are the run's profile, colours the change from
 * the baseline's profile scaled to the run's total (red: more, blue: less).
 * The runtimes' own frames differ; the Wasm functions (same names in every
 * runtime once translated) are what lines up. Made in worker processes
 * like the runs; reused while both runs' keys are unchanged. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "batch.h"
#include "folded_read.h"

struct diff_stage {
	struct batch *b;
	size_t *todo;
	size_t ntodo;
};

static char *out_path(const struct batch_options *o, const char *dir, const char *suffix)
{
	size_t n = strlen(o->out) + strlen(dir) + strlen(suffix) + 8;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/diff/%s%s", o->out, dir, suffix);
	return p;
}

/* The first successful run of (bench, runtime) with folded stacks. */
static size_t find_run(const struct batch *b, size_t bench, size_t rt)
{
	for (size_t i = 0; i < b->nruns; i++) {
		const struct batch_run *r = &b->runs[i];
		if (!r->failed && r->has_folded && !strcmp(r->bench, b->benches[bench]) &&
		    !strcmp(r->runtime, b->runtimes[rt]))
			return i;
	}
	return SIZE_MAX;
}

static void flame_warn(void *ctx, const char *msg)
{
	fprintf(stderr, "%s: warning: %s\n", (const char *)ctx, msg);
}

/* Draws the joined profile in f (rewound) as out. */
static int draw(const struct batch *b, const struct batch_diff *d, FILE *joined, const char *out)
{
	const struct batch_options *o = b->opt;
	char title[512], subtitle[512];
	snprintf(title, sizeof title, "%s: %s vs %s", b->benches[d->bench], b->runtimes[d->runtime],
		 b->runtimes[b->baseline]);
	snprintf(subtitle, sizeof subtitle, "widths: %s; red: more than %s (scaled to the same total), "
		 "blue: less", b->runtimes[d->runtime], b->runtimes[b->baseline]);
	struct fg_flame_options fo;
	fg_flame_options_init(&fo);
	fo.title = title;
	fo.subtitle = subtitle;
	fo.warn = flame_warn;
	fo.warn_ctx = (void *)o->prog;
	struct fg_flame *f = fg_flame_new(&fo);
	int rc = f ? 0 : WP_E_NOMEM;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	rewind(joined);
	while (!rc && (len = getline(&line, &cap, joined)) > 0)
		rc = fg_flame_add_line(f, line, (size_t)len - (line[len - 1] == '\n'));
	free(line);
	FILE *svg = rc ? NULL : fopen(out, "w");
	if (svg) {
		rc = fg_flame_write_svg(f, svg);
		rc = rc == WP_E_NOTFOUND ? 0 : rc; /* both empty: an empty graph says so */
		if (fclose(svg))
			rc = WP_E_IO;
	} else if (!rc) {
		rc = WP_E_IO;
	}
	if (rc)
		fprintf(stderr, "%s: '%s': %s\n", o->prog, out,
			rc == WP_E_IO ? strerror(errno) : f ? fg_flame_errmsg(f) : wp_strerror(rc));
	fg_flame_free(f);
	return rc ? 1 : 0;
}

static int job(void *ctx, size_t i)
{
	struct diff_stage *s = ctx;
	const struct batch *b = s->b;
	const struct batch_diff *d = &b->diffs[s->todo[i]];
	const struct batch_options *o = b->opt;
	char *before = batch_path(o, b->runs[d->base_run].dir, "stacks.folded");
	char *after = batch_path(o, b->runs[d->run].dir, "stacks.folded");
	char *svg = out_path(o, b->runs[d->run].dir, ".svg");
	struct fg_diff *diff = fg_diff_new(false);
	FILE *joined = tmpfile();
	int status = before && after && svg && diff && joined ? 0 : 1;
	if (status)
		fprintf(stderr, "%s: out of memory or no temporary file\n", o->prog);
	status = status ? status : folded_read_diff(o->prog, diff, 0, before);
	status = status ? status : folded_read_diff(o->prog, diff, 1, after);
	if (!status && (fg_diff_write(diff, joined, true) || fflush(joined))) {
		fprintf(stderr, "%s: cannot write a temporary file\n", o->prog);
		status = 1;
	}
	status = status ? status : draw(b, d, joined, svg);
	if (joined)
		fclose(joined);
	fg_diff_free(diff);
	free(before);
	free(after);
	free(svg);
	return status;
}

static char *log_path(void *ctx, size_t i)
{
	struct diff_stage *s = ctx;
	return out_path(s->b->opt, s->b->runs[s->b->diffs[s->todo[i]].run].dir, ".log");
}

static const char *label(void *ctx, size_t i)
{
	struct diff_stage *s = ctx;
	return s->b->diffs[s->todo[i]].svg;
}

/* The two runs' keys: an unchanged pair needs no new graph. */
static char *pair_key(const struct batch *b, const struct batch_diff *d)
{
	const char *k1 = b->runs[d->base_run].key, *k2 = b->runs[d->run].key;
	size_t n = (k1 ? strlen(k1) : 0) + (k2 ? strlen(k2) : 0) + 3;
	char *k = malloc(n);
	if (k)
		snprintf(k, n, "%s+%s\n", k1 ? k1 : "", k2 ? k2 : "");
	return k;
}

static bool up_to_date(const struct batch *b, const struct batch_diff *d)
{
	char *kpath = out_path(b->opt, b->runs[d->run].dir, ".key");
	char *svg = out_path(b->opt, b->runs[d->run].dir, ".svg");
	char *want = pair_key(b, d), *have = NULL;
	size_t len;
	struct stat st;
	bool same = kpath && svg && want && stat(svg, &st) == 0 &&
		    wp_read_file(kpath, 4096, &have, &len) == 0 && strcmp(have, want) == 0;
	free(kpath);
	free(svg);
	free(want);
	free(have);
	return same;
}

static void save_key(const struct batch *b, const struct batch_diff *d)
{
	char *kpath = out_path(b->opt, b->runs[d->run].dir, ".key");
	char *want = pair_key(b, d);
	FILE *f = kpath && want ? fopen(kpath, "w") : NULL;
	if (f) {
		fputs(want, f);
		fclose(f);
	}
	free(kpath);
	free(want);
}

static void done(void *ctx, size_t i, int status)
{
	struct diff_stage *s = ctx;
	struct batch_diff *d = &s->b->diffs[s->todo[i]];
	if (status == 0) {
		save_key(s->b, d);
		return;
	}
	d->failed = true;
	char *log = log_path(ctx, i);
	char why[256];
	snprintf(why, sizeof why, "%s: %s: the worker %s", s->b->opt->prog, d->svg,
		 status >= 128 ? "was killed" : "failed");
	d->error = log && status < 128 ? batch_log_error(log, why) : strdup(why);
	free(log);
}

/* The diffs to draw: every (bench, runtime) whose run and baseline run
 * succeeded. */
static int plan(struct batch *b)
{
	size_t max = b->nbenches * b->nruntimes;
	b->diffs = calloc(max ? max : 1, sizeof *b->diffs);
	if (!b->diffs)
		return -1;
	for (size_t bench = 0; bench < b->nbenches; bench++) {
		size_t base = find_run(b, bench, b->baseline);
		for (size_t rt = 0; base != SIZE_MAX && rt < b->nruntimes; rt++) {
			size_t run = rt == b->baseline ? SIZE_MAX : find_run(b, bench, rt);
			if (run == SIZE_MAX)
				continue;
			struct batch_diff *d = &b->diffs[b->ndiffs];
			*d = (struct batch_diff){.bench = bench, .runtime = rt, .base_run = base, .run = run};
			size_t n = strlen(b->runs[run].dir) + 16;
			if (!(d->svg = malloc(n)))
				return -1;
			snprintf(d->svg, n, "diff/%s.svg", b->runs[run].dir);
			b->ndiffs++;
		}
	}
	return 0;
}

int batch_diffs(struct batch *b)
{
	const struct batch_options *o = b->opt;
	if (plan(b))
		return -1;
	if (b->ndiffs == 0)
		return 0;
	char *dir = out_path(o, "", "");
	if (!dir || (mkdir(dir, 0755) && errno != EEXIST)) {
		fprintf(stderr, "%s: cannot create '%s': %s\n", o->prog, dir ? dir : o->out, strerror(errno));
		free(dir);
		return -1;
	}
	free(dir);
	struct diff_stage s = {.b = b, .todo = calloc(b->ndiffs, sizeof *s.todo)};
	if (!s.todo)
		return -1;
	for (size_t i = 0; i < b->ndiffs; i++)
		if (!up_to_date(b, &b->diffs[i]))
			s.todo[s.ntodo++] = i;
	struct batch_jobs j = {
		.n = s.ntodo, .jobs = o->jobs ? o->jobs : batch_cores(), .progress = o->progress,
		.ctx = &s, .job = job, .log_path = log_path, .label = label, .done = done,
	};
	int rc = s.ntodo ? batch_jobs_run(&j, o->prog) : 0;
	free(s.todo);
	if (rc)
		return -1;
	for (size_t i = 0; i < b->ndiffs; i++)
		if (b->diffs[i].failed)
			return 1;
	return 0;
}
