/* batch_runs.c - the runs stage of wasmperf-batch: each run whose cache key
 * (batch_key.c) matches its record.tsv from an earlier success is reused
 * as it is; the others go to the workers (batch_jobs.c, batch_work.c) and
 * their records are read back. A run that could not even start (a name
 * --layout does not match) gets a failed record of its own. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "batch.h"

struct stage {
	struct batch *b;
	size_t *todo;                /* run indices given to workers */
	size_t ntodo;
};

static int make_dir(const char *path)
{
	return mkdir(path, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

/* OUT, OUT/runs and OUT/runs/DIR. */
static int make_run_dir(const struct batch_options *o, const char *dir)
{
	char *runs = batch_path(o, "", "");
	char *own = batch_path(o, dir, "");
	int rc = runs && own && make_dir(o->out) == 0 && make_dir(runs) == 0 && make_dir(own) == 0 ? 0 : -1;
	if (rc)
		fprintf(stderr, "%s: cannot create '%s': %s\n", o->prog, own ? own : o->out,
			strerror(errno));
	free(runs);
	free(own);
	return rc;
}

/* The earlier result when its key is this run's and it succeeded. */
static bool reuse(struct batch_run *r, const struct batch_options *o)
{
	char *path = batch_path(o, r->dir, "record.tsv");
	struct batch_run old = {.name = r->name, .pid = -1};
	char err[512];
	bool same = path && batch_record_read(path, &old, err, sizeof err) == 0 && !old.failed &&
		    old.key && strcmp(old.key, r->key) == 0;
	if (same) {
		batch_record_read(path, r, err, sizeof err);
		r->cached = true;
	}
	old.name = NULL; /* r's */
	batch_run_release(&old);
	free(path);
	return same;
}

static int write_record(const struct batch_options *o, const struct batch_run *r)
{
	char *path = batch_path(o, r->dir, "record.tsv");
	FILE *f = path ? fopen(path, "w") : NULL;
	int rc = f && batch_record_write(f, r) == 0 ? 0 : -1;
	if (f && fclose(f))
		rc = -1;
	if (rc)
		fprintf(stderr, "%s: cannot write '%s'\n", o->prog, path ? path : "record.tsv");
	free(path);
	return rc;
}

static int job(void *ctx, size_t i)
{
	struct stage *s = ctx;
	return batch_work(s->b->opt, &s->b->runs[s->todo[i]]);
}

static char *log_path(void *ctx, size_t i)
{
	struct stage *s = ctx;
	return batch_path(s->b->opt, s->b->runs[s->todo[i]].dir, "log");
}

static const char *label(void *ctx, size_t i)
{
	struct stage *s = ctx;
	return s->b->runs[s->todo[i]].name;
}

/* The worker's record, or a failed row saying what happened to it. */
static void done(void *ctx, size_t i, int status)
{
	struct stage *s = ctx;
	struct batch_run *r = &s->b->runs[s->todo[i]];
	const struct batch_options *o = s->b->opt;
	char *path = batch_path(o, r->dir, "record.tsv");
	char err[512] = "out of memory";
	if (status < 128 && path && batch_record_read(path, r, err, sizeof err) == 0) {
		free(path);
		return;
	}
	free(path);
	r->failed = true;
	free(r->error);
	char *log = batch_path(o, r->dir, "log");
	char why[600];
	if (status >= 128)
		snprintf(why, sizeof why, "%s: '%s': the worker was killed by signal %d (%s)", o->prog,
			 r->input, status - 128, strsignal(status - 128));
	else
		snprintf(why, sizeof why, "%s: %s", o->prog, err);
	r->error = log && status < 128 ? batch_log_error(log, why) : strdup(why);
	free(log);
	write_record(o, r);
}

int batch_run_all(struct batch *b)
{
	const struct batch_options *o = b->opt;
	struct stage s = {.b = b, .todo = calloc(b->nruns ? b->nruns : 1, sizeof *s.todo)};
	if (!s.todo)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < b->nruns && !rc; i++) {
		struct batch_run *r = &b->runs[i];
		if (batch_key(o, r) || make_run_dir(o, r->dir))
			rc = -1;
		else if (r->failed)
			rc = write_record(o, r);
		else if (!reuse(r, o))
			s.todo[s.ntodo++] = i;
	}
	struct batch_jobs j = {
		.n = s.ntodo, .jobs = o->jobs ? o->jobs : batch_cores(), .progress = o->progress,
		.ctx = &s, .job = job, .log_path = log_path, .label = label, .done = done,
	};
	if (!rc && s.ntodo)
		rc = batch_jobs_run(&j, o->prog);
	free(s.todo);
	if (rc)
		return -1;
	for (size_t i = 0; i < b->nruns; i++)
		if (b->runs[i].failed)
			return 1;
	return 0;
}

/* The whole batch: runs (or --merge's), diffs, comparison, page. */
int batch_make(const struct batch_options *o, char **paths, size_t n)
{
	struct batch b = {.opt = o};
	int status = o->merge ? batch_merge_inputs(&b, paths, n) : batch_inputs(&b, paths, n) ? -1 : 0;
	if (status < 0)
		fprintf(stderr, "%s: out of memory\n", o->prog);
	if (status == 0 && b.nruns == 0) {
		fprintf(stderr, "%s: no input in this shard (%zu inputs, --shard %u/%u)\n", o->prog, n,
			o->shard_k, o->shard_n);
		status = 2;
	}
	if (status == 0)
		status = batch_index_runs(&b);
	if (status == 0 && !o->merge)
		status = batch_run_all(&b);
	int diffs = status == 0 || status == 1 ? batch_diffs(&b) : 0;
	struct batch_comparison c = {0};
	if (status == 0 || status == 1) {
		if (batch_compare(&b, &c)) {
			fprintf(stderr, "%s: out of memory\n", o->prog);
			status = -1;
		}
		/* a --merge stopped by its first record has not made OUT yet */
		if (status >= 0 && make_dir(o->out)) {
			fprintf(stderr, "%s: cannot create '%s': %s\n", o->prog, o->out, strerror(errno));
			status = -1;
		}
		if (status >= 0 && (batch_write_runs_list(&b) | batch_write_summary_tsv(&b) |
				    batch_write_comparison_tsv(&b, &c) | batch_write_json(&b, &c) |
				    batch_write_html(&b, &c)))
			status = -1;
		if (status >= 0 && b.nruntimes == 0 && !o->quiet)
			fprintf(stderr, "%s: warning: no run has a runtime and a benchmark (give --layout, "
				"or bundles with meta.json): nothing to compare\n", o->prog);
		if (status == 0 && diffs)
			status = 1;
	}
	batch_comparison_release(&c);
	batch_release(&b);
	return status < 0 ? 1 : status;
}
