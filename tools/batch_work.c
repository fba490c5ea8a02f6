/* batch_work.c - one run of wasmperf-batch, in its worker process: the
 * input opened as every tool opens it (bundle.c), then the pipelines of
 * wasmperf fold (fold_inputs), flame (folded_read_flame, `wasm` palette)
 * and phases (phases_run, TSV) called as functions, and the summary pass
 * (batch_summary.c). Messages go to stderr, which is the run's log. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"
#include "bundle.h"
#include "fold_args.h"
#include "folded_read.h"
#include "input.h"
#include "phases_run.h"

struct work {
	const struct batch_options *o;
	struct batch_run *r;
	struct wp_cli cli;           /* for the option helpers' messages */
	struct bundle bundle;
	const char *data;            /* what is read */
	enum input_kind kind;
	struct fold_args fold;
	char *folded, *svg, *phases, *record;
};

/* The --wasm modules of the run's benchmark, else the bundle's. */
static int add_modules(struct work *w)
{
	size_t blen = strlen(w->r->bench), given = 0;
	for (size_t i = 0; i < w->o->nwasm; i++) {
		const char *m = w->o->wasm[i], *eq = strchr(m, '=');
		if (!eq || (size_t)(eq - m) != blen || strncmp(m, w->r->bench, blen))
			continue;
		given++;
		if (fold_args_option(&w->fold, &w->cli, NAMES_OPT_WASM, eq + 1) < 0)
			return 2;
	}
	for (size_t i = 0; !given && i < w->bundle.nmodules; i++)
		if (fold_args_option(&w->fold, &w->cli, NAMES_OPT_WASM, w->bundle.modules[i]) < 0)
			return 2;
	return fold_args_finish(&w->fold);
}

static int fold_step(struct work *w)
{
	FILE *out = fopen(w->folded, "w");
	if (!out) {
		fprintf(stderr, "%s: cannot write '%s': %s\n", w->o->prog, w->folded, strerror(errno));
		return 1;
	}
	char *paths[1] = {(char *)w->data};
	int status = fold_inputs(&w->fold.cfg, paths, 1, out);
	if (fclose(out) && !status) {
		fprintf(stderr, "%s: cannot write '%s'\n", w->o->prog, w->folded);
		status = 1;
	}
	w->r->has_folded = true;
	return status;
}

/* ---- the hottest Wasm functions: each stack's innermost Wasm frame ---- */
struct hot_table {
	struct wp_intern *names;
	uint64_t *count;             /* per name id; n of them set */
	size_t n, cap;
};

static int hot_line(struct hot_table *t, const char *line, size_t len)
{
	struct fg_folded_line fl;
	if (fg_folded_parse_line(line, len, &fl) || fl.has_count2)
		return 0;
	const char *s = fl.stack, *leaf = NULL;
	size_t n = fl.stack_len, mark = strlen(WP_WASM_MARK);
	for (size_t i = 0; i + mark <= n; i++)
		if ((i == 0 || s[i - 1] == ';') && memcmp(s + i, WP_WASM_MARK, mark) == 0)
			leaf = s + i;
	if (!leaf)
		return 0;
	const char *end = memchr(leaf, ';', (size_t)(s + n - leaf));
	uint32_t id;
	int rc = wp_intern_get(t->names, leaf + mark, (size_t)((end ? end : s + n) - leaf) - mark, &id);
	if (rc || wp_grow((void **)&t->count, &t->cap, id + 1, sizeof *t->count))
		return WP_E_NOMEM;
	while (t->n <= id)
		t->count[t->n++] = 0;
	t->count[id] += fl.count;
	return 0;
}

static void hot_step(struct work *w)
{
	struct hot_table t = {.names = wp_intern_new()};
	struct wp_lines *lines = NULL;
	if (t.names && wp_lines_open(&lines, w->folded, 1u << 28) == 0) {
		const char *line;
		size_t len;
		while (wp_lines_next(lines, &line, &len) == 1 && hot_line(&t, line, len) == 0)
			;
	}
	wp_lines_free(lines);
	size_t n = t.n;
	for (struct batch_run *r = w->r; r->nhot < BATCH_TOP;) {
		uint32_t best = UINT32_MAX;
		for (uint32_t i = 0; i < n; i++)
			if (t.count[i] && (best == UINT32_MAX || t.count[i] > t.count[best]))
				best = i;
		if (best == UINT32_MAX)
			break;
		r->hot[r->nhot].name = strdup(wp_intern_str(t.names, best, NULL));
		if (!r->hot[r->nhot].name)
			break;
		r->hot[r->nhot++].count = t.count[best];
		t.count[best] = 0;
	}
	free(t.count);
	wp_intern_free(t.names);
}

static void flame_warn(void *ctx, const char *msg)
{
	fprintf(stderr, "%s: warning: %s\n", (const char *)ctx, msg);
}

static int flame_step(struct work *w)
{
	const struct batch_run *r = w->r;
	char subtitle[512];
	if (r->runtime[0] || r->bench[0])
		snprintf(subtitle, sizeof subtitle, "runtime %s, benchmark %s", r->runtime, r->bench);
	else
		snprintf(subtitle, sizeof subtitle, "%s", r->input);
	struct fg_flame_options fo;
	fg_flame_options_init(&fo);
	fo.title = r->name;
	fo.subtitle = subtitle;
	fo.palette = "wasm";
	fo.warn = flame_warn;
	fo.warn_ctx = (void *)w->o->prog;
	struct fg_flame *f = fg_flame_new(&fo);
	if (!f) {
		fprintf(stderr, "%s: out of memory\n", w->o->prog);
		return 1;
	}
	int status = folded_read_flame(w->o->prog, f, w->folded);
	FILE *out = fopen(w->svg, "w");
	int rc = out ? fg_flame_write_svg(f, out) : WP_E_IO;
	if (rc == WP_E_NOTFOUND && !w->o->quiet)
		fprintf(stderr, "%s: warning: '%s': no stack counts: the flame graph is empty\n",
			w->o->prog, r->input);
	if ((rc && rc != WP_E_NOTFOUND) || (out && fclose(out))) {
		fprintf(stderr, "%s: cannot write '%s': %s\n", w->o->prog, w->svg,
			rc == WP_E_NOMEM ? "out of memory" : strerror(errno));
		status = 1;
	}
	fg_flame_free(f);
	w->r->has_svg = out != NULL;
	return status;
}

/* ---- phases: phases_run's TSV, the profiled process's rows ---- */
static bool overlaps(const struct batch_phase *a, const struct batch_phase *b)
{
	return a->start_ns < b->start_ns + b->dur_ns && b->start_ns < a->start_ns + a->dur_ns;
}

/* As phases_svg.c draws them: a phase overlapping none drawn before it is
 * in the bar (depth 0), one inside a drawn one is a strip under it (depth
 * 1), others (total, WarpDiff's phases covering several) are compared but
 * not drawn (-1). */
static void phase_depths(struct batch_run *r)
{
	for (size_t i = 0; i < r->nphases; i++) {
		struct batch_phase *p = &r->phases[i];
		p->depth = 0;
		for (size_t j = 0; j < i && p->depth == 0; j++) {
			const struct batch_phase *q = &r->phases[j];
			if (q->depth != 0 || !overlaps(p, q))
				continue;
			bool inside = p->start_ns >= q->start_ns &&
				      p->start_ns + p->dur_ns <= q->start_ns + q->dur_ns;
			bool same = p->start_ns == q->start_ns && p->dur_ns == q->dur_ns;
			p->depth = inside && !same ? 1 : -1;
		}
	}
}

static int phase_row(struct batch_run *r, char *line, uint64_t exec_ns)
{
	char *f[7 + PH_NCAT];
	size_t n = 0;
	for (char *p = line, *tab; n < 7 + PH_NCAT; p = tab + 1) {
		f[n++] = p;
		if (!(tab = strchr(p, '\t')))
			break;
		*tab = '\0';
	}
	if (n != 7 + PH_NCAT || strtoll(f[0], NULL, 10) != r->pid || !strncmp(f[2], "stack:", 6) ||
	    !strcmp(f[2], "total"))
		return 0;
	struct batch_phase p = {.name = strdup(f[2])};
	uint64_t start = strtoull(f[3], NULL, 10);
	p.start_ns = start >= exec_ns ? start - exec_ns : 0;
	p.dur_ns = strtoull(f[5], NULL, 10);
	p.samples = strtoull(f[6], NULL, 10);
	for (int c = 0; c < PH_NCAT; c++)
		p.cat[c] = strtoull(f[7 + c], NULL, 10);
	struct batch_phase *grown = p.name ? realloc(r->phases, (r->nphases + 1) * sizeof *grown) : NULL;
	if (!grown) {
		free(p.name);
		return WP_E_NOMEM;
	}
	r->phases = grown;
	r->phases[r->nphases++] = p;
	return 0;
}

static int phases_step(struct work *w, uint64_t exec_ns)
{
	FILE *out = fopen(w->phases, "w+");
	if (!out) {
		fprintf(stderr, "%s: cannot write '%s': %s\n", w->o->prog, w->phases, strerror(errno));
		return 1;
	}
	/* its warnings (absent markers) would bury the one-line error */
	struct phases_config pc = {.prog = w->o->prog, .format = PHASES_TSV, .quiet = true};
	int status = phases_run(&pc, w->data, out);
	rewind(out);
	char line[4096];
	bool header = true;
	while (!status && fgets(line, sizeof line, out)) {
		line[strcspn(line, "\n")] = '\0';
		if (!header && phase_row(w->r, line, exec_ns)) {
			fprintf(stderr, "%s: out of memory\n", w->o->prog);
			status = 1;
		}
		header = false;
	}
	if (fclose(out) && !status) {
		fprintf(stderr, "%s: cannot write '%s'\n", w->o->prog, w->phases);
		status = 1;
	}
	phase_depths(w->r);
	w->r->has_phases = w->r->nphases > 0;
	return status;
}

static int summary_step(struct work *w, uint64_t *exec_ns)
{
	struct batch_summary s;
	int status = batch_summary_data(w->o->prog, w->data, &s);
	struct batch_run *r = w->r;
	r->pid = s.pid;
	r->has_samples = true;
	r->samples_all = s.samples_all;
	r->samples_proc = s.samples_proc;
	r->samples_main = s.samples_main;
	r->threads = s.threads;
	r->has_exec_exit = s.has_exec_exit;
	r->exec_exit_ns = s.exit_ns - s.exec_ns;
	*exec_ns = s.exec_ns;
	if (!status && s.pid < 0 && !w->o->quiet)
		fprintf(stderr, "%s: warning: '%s': no process has samples after an exec: no "
			"profiled process, no exec -> exit time\n", w->o->prog, w->data);
	return status;
}

/* Everything from opening the input to the phase table; 0 or 1 (2 for a
 * bad module option), having printed why. */
static int steps(struct work *w)
{
	if (bundle_open(&w->bundle, w->o->prog, w->r->input))
		return 1;
	w->data = w->bundle.data;
	char what[128];
	w->kind = input_sniff(w->o->prog, w->data, what, sizeof what);
	if (input_refuse(w->o->prog, w->data, w->kind, what, INPUT_FOLDS))
		return 1;
	int status = add_modules(w);
	uint64_t exec_ns = 0;
	if (!status && w->kind == INPUT_PERFDATA)
		status = summary_step(w, &exec_ns);
	status = status ? status : fold_step(w);
	if (!status)
		hot_step(w);
	status = status ? status : flame_step(w);
	if (!status && w->kind == INPUT_PERFDATA && w->r->pid >= 0)
		status = phases_step(w, exec_ns);
	return status;
}

/* The cores shared among the -j workers, so that each run's folding
 * threads (perf.data symbol loading, text chunks) do not oversubscribe
 * the machine: at least one each. */
static unsigned worker_threads(unsigned jobs)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	if (cores < 1)
		cores = 1;
	if (jobs == 0 || jobs > (unsigned long)cores)
		jobs = (unsigned)cores;
	return (unsigned)(cores / jobs) ? (unsigned)(cores / jobs) : 1;
}

int batch_work(const struct batch_options *o, const struct batch_run *run)
{
	/* the worker's own copy: results land in record.tsv, not the parent */
	struct batch_run r = *run;
	r.hot[0].name = NULL;
	r.nhot = 0;
	r.phases = NULL;
	r.nphases = 0;
	struct work w = {.o = o, .r = &r, .cli = {o->prog, "", "", NULL}};
	int status = fold_args_init(&w.fold, o->prog);
	if (o->quiet)
		fold_args_quiet(&w.fold);
	w.fold.cfg.threads = worker_threads(o->jobs);
	w.folded = batch_path(o, r.dir, "stacks.folded");
	w.svg = batch_path(o, r.dir, "flame.svg");
	w.phases = batch_path(o, r.dir, "phases.tsv");
	w.record = batch_path(o, r.dir, "record.tsv");
	if (status || !w.folded || !w.svg || !w.phases || !w.record) {
		fprintf(stderr, "%s: out of memory\n", o->prog);
		status = 1;
	} else {
		unlink(w.phases); /* not there unless made now */
		status = steps(&w);
	}
	r.failed = status != 0;
	char *log = batch_path(o, r.dir, "log");
	fflush(stderr); /* the log is our stderr */
	r.error = r.failed && log ? batch_log_error(log, "failed (see its log)") : NULL;
	free(log);
	FILE *rec = w.record ? fopen(w.record, "w") : NULL;
	if (!rec || batch_record_write(rec, &r) || fclose(rec)) {
		fprintf(stderr, "%s: cannot write '%s'\n", o->prog, w.record ? w.record : "record.tsv");
		status = 1;
	}
	free(r.error);
	for (size_t i = 0; i < r.nhot; i++)
		free(r.hot[i].name);
	for (size_t i = 0; i < r.nphases; i++)
		free(r.phases[i].name);
	free(r.phases);
	bundle_release(&w.bundle);
	fold_args_release(&w.fold);
	free(w.folded);
	free(w.svg);
	free(w.phases);
	free(w.record);
	return status ? 1 : 0;
}
