/* fold_text_threads.c - perf script text folded by worker threads, with
 * the one-thread path's output byte for byte.
 *
 * The input is cut into jobs after blank lines (text_chunks.c): a pipe's
 * by the calling thread, a named file's by the workers, each reading its
 * job with pread. Each worker parses a job with a reader of its own that
 * serves the lines in place from the job's chunks, names offsets as the
 * whole stream's reader would and numbers lines from the job's start (the
 * lines before it are only known when the job is merged: counting them on
 * the reading thread took a quarter of its time), and collapses its
 * samples into collapsers of its own (one per event: which event is
 * folded is only known in input order). When a job is parsed its
 * worker waits for its turn (jobs are merged in input order) and then,
 * alone, adds the job to the run: the job's events registered in the
 * order they first appeared, the chosen event's stacks summed into the
 * run's collapser (names interned there; the output is sorted by name, so
 * interning order does not show), the first warning of each kind (its
 * line renumbered), the --time span, the reader's counts, an error. An
 * error stops the run where one thread would have stopped: later jobs are
 * not merged.
 *
 * A worker keeps its collapsers (and their caches of tidied frames)
 * across jobs, and their stack tables too: a job's merge adds only the
 * stacks the job counted (noted as it went), each to the run's entry it
 * was merged into before, looked up and translated only the first time
 * (that lookup once per job and stack was a tenth of the threads' time),
 * and then sets their counts back to 0; a table holding many more stacks
 * than its jobs count is emptied, so that each worker keeps the stacks of
 * its last few jobs rather than a copy of all of the run's. It starts its
 * next job only after merging, so its names are those of merged jobs. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aot_names.h"
#include "fold_text.h"
#include "text_chunks.h"

#define MAX_LINE (256u << 20)
#define MAX_THREADS 64
#define CHUNK_BYTES (512u << 10) /* stays in cache between the reader and a worker */
#define KEEP_STACKS 1024 /* a worker's stack table is emptied past this many... */
#define KEEP_JOBS 4      /* ...and this many times those of its last job */

struct job_warning {
	bool has;
	uint64_t lineno;
	char text[201];            /* the first 200 bytes (all the message shows) */
	size_t len;                /* the line's whole length */
};

/* A stack of a worker's collapser. */
struct stack_link {
	size_t run;                /* 1 + the run's entry it was merged into, 0 before */
	bool touched;              /* counted in the current job */
};

/* An event (by base name) as a worker sees it. */
struct worker_event {
	char *base;
	size_t base_n;
	bool filter_kept;          /* --event-filter matches it */
	bool decided, kept;        /* the run's choice, once it is final */
	struct fg_collapser *c;    /* NULL until a sample is folded */
	uint32_t *map;             /* c's name ids -> the run's */
	size_t mapped, map_cap;
	struct stack_link *links;  /* per stack of c */
	size_t links_cap;
	size_t *touched;           /* c's stacks counted in the job, first seen first */
	size_t ntouched, touched_cap;
	/* in the current job */
	bool in_job;
	char *spelling;            /* the first name seen, as printed */
	size_t spelling_n;
	uint64_t samples;          /* inside --time */
	uint64_t first_counted;    /* line of the first of them */
	size_t slot;               /* in the run's events while merging (SIZE_MAX: dropped) */
};

struct shared;

struct worker {
	struct shared *sh;
	pthread_t thread;
	struct worker_event *ev;
	size_t nev, ev_cap;
	size_t *order;             /* events in the order the job showed them */
	size_t norder, order_cap;
	size_t last;               /* event of the previous sample */
	char last_raw[64];
	size_t last_raw_n;
	struct fold_events matcher; /* asks --event-filter about new events */
	struct fold_time time0;    /* --time as resolved, nothing seen */
	struct fold_time time;     /* the job's --time span */
	struct job_warning warn[PP_SCRIPT_WARNING_KINDS];
	struct wp_buf renamed;     /* an AOT name, copied out under the lock */
	uint32_t *ids;
	size_t ids_cap;
};

struct shared {
	struct fold_run *run;
	struct text_chunks *q;
	struct wp_lines *input;    /* the reader's: its message when reading fails */
	pthread_mutex_t lock;      /* turn, stop, status, stats */
	pthread_cond_t turn_cv;
	uint64_t turn;             /* the job to merge next */
	bool stop;
	int status;
	struct pp_script_stats stats;
	uint64_t lines;            /* in the jobs merged so far */
	pthread_mutex_t aot_lock;  /* run->aot: one translator, read files cached */
};

unsigned fold_text_threads(const struct fold_config *cfg)
{
	if (cfg->sink || cfg->inline_frames)
		return 1;
	return fold_threads(cfg, MAX_THREADS);
}

/* The collapser's rename hook over the run's one AOT translator. */
static int locked_rename(void *ctx, const struct fg_raw_frame *f, const char **out, size_t *outlen)
{
	struct worker *w = ctx;
	pthread_mutex_lock(&w->sh->aot_lock);
	int rc = aot_names_rename(w->sh->run->aot, f, out, outlen);
	if (rc == 1) {
		wp_buf_reset(&w->renamed);
		rc = wp_buf_append(&w->renamed, *out, *outlen) ? WP_E_NOMEM : 1;
		*out = w->renamed.data;
	}
	pthread_mutex_unlock(&w->sh->aot_lock);
	return rc;
}

static struct worker_event *add_event(struct worker *w, struct pp_str name, struct pp_str base)
{
	if (wp_grow((void **)&w->ev, &w->ev_cap, w->nev + 1, sizeof *w->ev))
		return NULL;
	struct worker_event *ev = &w->ev[w->nev];
	*ev = (struct worker_event){.base = malloc(base.n + 1), .base_n = base.n};
	if (!ev->base)
		return NULL;
	memcpy(ev->base, base.p, base.n);
	size_t before = w->matcher.n;
	fold_events_keep(&w->matcher, name.p, name.n, false);
	ev->filter_kept = w->matcher.n > before && w->matcher.slots[w->matcher.n - 1].kept;
	w->nev++;
	return ev;
}

/* The worker's event of a sample's name, noted in the job. */
static struct worker_event *event_of(struct worker *w, struct pp_str name)
{
	struct worker_event *ev = NULL;
	if (w->last < w->nev && name.n == w->last_raw_n && memcmp(name.p, w->last_raw, name.n) == 0)
		ev = &w->ev[w->last];
	if (!ev) {
		struct pp_str base = pp_event_base_name(name);
		for (size_t i = 0; !ev && i < w->nev; i++)
			if (w->ev[i].base_n == base.n && memcmp(w->ev[i].base, base.p, base.n) == 0)
				ev = &w->ev[i];
		if (!ev && !(ev = add_event(w, name, base)))
			return NULL;
		w->last = (size_t)(ev - w->ev);
		w->last_raw_n = name.n <= sizeof w->last_raw ? name.n : SIZE_MAX;
		if (name.n <= sizeof w->last_raw)
			memcpy(w->last_raw, name.p, name.n);
	}
	if (!ev->in_job) {
		if (wp_grow((void **)&w->order, &w->order_cap, w->norder + 1, sizeof *w->order))
			return NULL;
		char *copy = malloc(name.n ? name.n : 1);
		if (!copy)
			return NULL;
		memcpy(copy, name.p, name.n);
		free(ev->spelling);
		ev->spelling = copy;
		ev->spelling_n = name.n;
		ev->samples = 0;
		ev->first_counted = UINT64_MAX;
		ev->in_job = true;
		w->order[w->norder++] = (size_t)(ev - w->ev);
	}
	return ev;
}

/* The stack the sample just collapsed into is one to merge. */
static int note_touched(struct worker_event *ev)
{
	size_t k = fg_collapser_last_stack(ev->c), old = ev->links_cap;
	if (k == SIZE_MAX) /* (a sample without frames adds no stack) */
		return 0;
	if (wp_grow((void **)&ev->links, &ev->links_cap, k + 1, sizeof *ev->links))
		return WP_E_NOMEM;
	if (ev->links_cap > old)
		memset(ev->links + old, 0, (ev->links_cap - old) * sizeof *ev->links);
	if (ev->links[k].touched)
		return 0;
	if (wp_grow((void **)&ev->touched, &ev->touched_cap, ev->ntouched + 1, sizeof *ev->touched))
		return WP_E_NOMEM;
	ev->links[k].touched = true;
	ev->touched[ev->ntouched++] = k;
	return 0;
}

/* fold_text.c's fold_sample, with the event's fate left to the merge. */
static int worker_sample(struct worker *w, const struct pp_script_sample *s)
{
	const struct fold_config *cfg = w->sh->run->cfg;
	bool in = !w->time.arg || fold_time_keep(&w->time, s->has_time, s->time);
	struct worker_event *ev = event_of(w, s->event);
	if (!ev)
		return WP_E_NOMEM;
	if (!in)
		return 0;
	if (!ev->samples++)
		ev->first_counted = s->lineno;
	bool maybe = ev->decided ? ev->kept : !cfg->event_filter || ev->filter_kept;
	if (!maybe || !fold_keep_comm(cfg, s->comm.p, s->comm.n))
		return 0;
	if (!ev->c) {
		struct fg_collapse_options co = cfg->collapse;
		co.rename = locked_rename;
		co.rename_ctx = w;
		if (!(ev->c = fg_collapser_new(&co)))
			return WP_E_NOMEM;
	}
	uint64_t weight;
	int rc = fold_text_collapse(cfg, ev->c, NULL, s, &weight);
	return rc ? rc : note_touched(ev);
}

static void on_warning(void *ctx, enum pp_script_warning kind, const char *line, size_t len,
		       uint64_t lineno)
{
	struct worker *w = ctx;
	struct job_warning *jw = &w->warn[kind];
	if (jw->has)
		return;
	jw->has = true;
	jw->lineno = lineno;
	jw->len = len;
	memcpy(jw->text, line, len < 200 ? len : 200);
}

/* ---- the merge, in input order, one worker at a time ---- */

static size_t find_slot(const struct fold_events *e, const struct worker_event *ev)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->slots[i].base_n == ev->base_n && memcmp(e->slots[i].name, ev->base, ev->base_n) == 0)
			return i;
	return SIZE_MAX;
}

/* The run's slot of a job's event, registered as one thread would have on
 * its first sample; SIZE_MAX past the cap of distinct events (dropped). */
static size_t run_slot(struct fold_events *e, const struct worker_event *ev)
{
	fold_events_keep(e, ev->spelling, ev->spelling_n, false);
	return find_slot(e, ev);
}

/* The job's stacks of ev into the run's collapser: its new names
 * interned there, then each stack's counts added to the run's entry
 * (found once, with its ids translated). */
static int merge_stacks(struct worker *w, struct worker_event *ev)
{
	struct fg_collapser *into = w->sh->run->collapser;
	struct wp_intern *from = fg_collapser_names(ev->c), *to = fg_collapser_names(into);
	uint32_t n = wp_intern_count(from);
	if (wp_grow((void **)&ev->map, &ev->map_cap, n, sizeof *ev->map))
		return WP_E_NOMEM;
	for (; ev->mapped < n; ev->mapped++) {
		size_t len;
		const char *s = wp_intern_str(from, (uint32_t)ev->mapped, &len);
		int rc = wp_intern_get(to, s, len, &ev->map[ev->mapped]);
		if (rc)
			return rc;
	}
	struct wp_stacks *st = fg_collapser_stacks(ev->c), *run_st = fg_collapser_stacks(into);
	for (size_t t = 0; t < ev->ntouched; t++) {
		size_t i = ev->touched[t], at;
		const uint32_t *ids;
		size_t len;
		uint64_t c, c2;
		wp_stacks_get(st, i, &ids, &len, &c, &c2);
		if (ev->links[i].run) {
			int rc = wp_stacks_add_to(run_st, ev->links[i].run - 1, c, c2);
			if (rc)
				return rc;
			continue;
		}
		if (wp_grow((void **)&w->ids, &w->ids_cap, len ? len : 1, sizeof *w->ids))
			return WP_E_NOMEM;
		for (size_t k = 0; k < len; k++)
			w->ids[k] = ev->map[ids[k]];
		int rc = wp_stacks_add_at(run_st, w->ids, len, c, c2, &at);
		if (rc)
			return rc;
		ev->links[i].run = at + 1;
	}
	return 0;
}

/* The job's counts are merged (or not wanted): its stacks start again at
 * 0, or all are forgotten when the table outgrew what its jobs use (the
 * memory of a worker stays that of a few jobs however long the run). */
static void reset_touched(struct worker_event *ev)
{
	if (!ev->c)
		return;
	struct wp_stacks *st = fg_collapser_stacks(ev->c);
	size_t n = wp_stacks_count(st);
	if (n > KEEP_STACKS && n > KEEP_JOBS * ev->ntouched) {
		wp_stacks_clear(st);
		memset(ev->links, 0, ev->links_cap * sizeof *ev->links);
		ev->ntouched = 0;
		return;
	}
	for (size_t t = 0; t < ev->ntouched; t++) {
		size_t i = ev->touched[t];
		wp_stacks_set_counts(st, i, 0, 0);
		ev->links[i].touched = false;
	}
	ev->ntouched = 0;
}

/* The job's events into the run's registry; the chosen event (the first
 * counted one, when no --event-filter chose) and its stacks. */
static int merge_events(struct worker *w)
{
	struct fold_run *run = w->sh->run;
	struct fold_events *e = &run->events;
	struct worker_event *first = NULL;
	for (size_t i = 0; i < w->norder; i++) {
		struct worker_event *ev = &w->ev[w->order[i]];
		ev->slot = run_slot(e, ev);
		if (ev->slot != SIZE_MAX && ev->samples &&
		    (!first || ev->first_counted < first->first_counted))
			first = ev;
	}
	int rc = 0;
	for (size_t i = 0; i < w->norder; i++) {
		struct worker_event *ev = &w->ev[w->order[i]];
		struct fold_event_slot *slot = ev->slot == SIZE_MAX ? NULL : &e->slots[ev->slot];
		if (slot && ev == first && !e->chosen)
			slot->kept = e->chosen = true;
		if (slot) {
			slot->samples += ev->samples;
			if (slot->kept)
				run->kept += ev->samples;
		}
		if (!rc && slot && slot->kept && ev->c)
			rc = merge_stacks(w, ev);
	}
	/* what the run decided, for the next jobs (final once chosen) */
	for (size_t i = 0; i < w->nev; i++) {
		struct worker_event *ev = &w->ev[i];
		reset_touched(ev);
		ev->in_job = false;
		if (!e->chosen || ev->decided)
			continue;
		/* every event this worker saw is registered by now, or dropped */
		size_t k = find_slot(e, ev);
		ev->decided = true;
		ev->kept = k != SIZE_MAX && e->slots[k].kept;
	}
	w->norder = 0;
	return rc;
}

static void merge_time(struct fold_time *into, const struct fold_time *t)
{
	into->untimed += t->untimed;
	if (!t->seen)
		return;
	if (!into->seen || t->first < into->first)
		into->first = t->first;
	if (!into->seen || t->last > into->last)
		into->last = t->last;
	into->seen = true;
}

static void merge_stats(struct pp_script_stats *into, const struct pp_script_stats *st)
{
	into->lines += st->lines;
	into->bytes += st->bytes;
	into->samples += st->samples;
	for (int k = 0; k < PP_SCRIPT_WARNING_KINDS; k++)
		into->weird[k] += st->weird[k];
	into->weird_bytes += st->weird_bytes;
}

/* The first warning of each kind not warned yet, in line order; `before`
 * lines preceded the job. */
static void merge_warnings(struct worker *w, uint64_t before)
{
	struct fold_run *run = w->sh->run;
	for (;;) {
		struct job_warning *next = NULL;
		int kind = 0;
		for (int k = 0; k < PP_SCRIPT_WARNING_KINDS; k++)
			if (w->warn[k].has && !run->warned[k] && (!next || w->warn[k].lineno < next->lineno))
				next = &w->warn[k], kind = k;
		if (!next || run->cfg->quiet)
			break;
		run->warned[kind] = true;
		/* (only the first 200 bytes are shown; the length says "...") */
		fold_text_warning(run->cfg, run->file, (enum pp_script_warning)kind, next->text,
				  next->len, before + next->lineno);
	}
	memset(w->warn, 0, sizeof w->warn);
}

struct job_result {
	int rc;                    /* the reader's or the collapse's error */
	bool input_failed;         /* rc is the input's: input_msg, or the reader thread's message */
	char input_msg[320];
	bool lines_failed;         /* rc is the job's line reader's (a line too long) */
	struct pp_script_reader *r; /* until the merge: its lines renumbered then */
	struct wp_lines *lines;
	uint64_t nlines;
	struct pp_script_stats stats;
};

/* The job's turn: merged unless an earlier job stopped the run. */
static void merge_job(struct worker *w, uint64_t seq, struct job_result *res)
{
	struct shared *sh = w->sh;
	pthread_mutex_lock(&sh->lock);
	while (sh->turn != seq && !sh->stop)
		pthread_cond_wait(&sh->turn_cv, &sh->lock);
	if (sh->stop) {
		pthread_mutex_unlock(&sh->lock);
		return;
	}
	struct fold_run *run = sh->run;
	merge_warnings(w, sh->lines);
	int rc = merge_events(w);
	merge_time(&run->time, &w->time);
	merge_stats(&sh->stats, &res->stats);
	if (!res->rc && rc)
		res->rc = rc;
	if (res->rc) {
		if (res->lines_failed)
			wp_lines_renumber(res->lines, sh->lines);
		const char *msg = res->input_failed ? (res->input_msg[0] ? res->input_msg
							 : wp_lines_errmsg(sh->input))
				  : res->lines_failed ? wp_lines_errmsg(res->lines)
				  : NULL;
		if (msg)
			fprintf(stderr, "%s: %s\n", run->cfg->prog, msg);
		else /* (the file named, as fold_text.c does) */
			fprintf(stderr, "%s: %s: %s\n", run->cfg->prog, run->file, wp_strerror(res->rc));
		sh->status = 1;
		sh->stop = true;
		text_chunks_stop(sh->q);
	}
	sh->lines += res->nlines;
	sh->turn++;
	pthread_cond_broadcast(&sh->turn_cv);
	pthread_mutex_unlock(&sh->lock);
}

static void parse_job(struct worker *w, struct text_job *job, struct job_result *res)
{
	const struct fold_run *run = w->sh->run;
	struct wp_lines *lines;
	memset(res, 0, sizeof *res);
	w->time = w->time0;
	res->rc = wp_lines_open_segments(&lines, run->file, MAX_LINE, text_job_segment, job,
					 text_job_first_offset(job));
	struct pp_script_reader *r = res->rc ? NULL : pp_script_new(lines, on_warning, w);
	if (!r) {
		if (!res->rc)
			res->rc = WP_E_NOMEM;
		else
			wp_lines_free(lines);
		return;
	}
	if (w->time0.arg)
		pp_script_want_times(r);
	const struct pp_script_sample *s;
	int rc;
	while ((rc = pp_script_next(r, &s)) == 1)
		if ((rc = worker_sample(w, s)) < 0)
			break;
	if (rc < 0) {
		res->rc = rc;
		res->input_failed = text_job_failed(job);
		if (res->input_failed && text_job_errmsg(job))
			snprintf(res->input_msg, sizeof res->input_msg, "%s", text_job_errmsg(job));
		/* (the script reader's only messages are its line reader's) */
		res->lines_failed = !res->input_failed && pp_script_errmsg(r)[0];
	}
	res->stats = *pp_script_stats(r);
	res->nlines = wp_lines_lineno(lines);
	res->r = r;
	res->lines = lines;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct text_job *job;
	struct job_result res;
	while ((job = text_chunks_next(w->sh->q))) {
		pthread_mutex_lock(&w->sh->lock);
		bool stopped = w->sh->stop;
		pthread_mutex_unlock(&w->sh->lock);
		if (!stopped)
			parse_job(w, job, &res);
		uint64_t seq = text_job_seq(job);
		text_job_done(job);
		if (!stopped) {
			merge_job(w, seq, &res);
			pp_script_free(res.r);
		}
	}
	return NULL;
}

static void worker_release(struct worker *w)
{
	for (size_t i = 0; i < w->nev; i++) {
		free(w->ev[i].base);
		free(w->ev[i].spelling);
		free(w->ev[i].map);
		free(w->ev[i].links);
		free(w->ev[i].touched);
		fg_collapser_free(w->ev[i].c);
	}
	free(w->ev);
	free(w->order);
	free(w->ids);
	fold_events_release(&w->matcher);
	wp_buf_release(&w->renamed);
}

static size_t chunk_bytes(void)
{
	/* tests make small inputs span many chunks */
	const char *env = getenv("WASMPERF_CHUNK_BYTES");
	long n = env ? atol(env) : 0;
	return n > 0 ? (size_t)n : CHUNK_BYTES;
}

/* The size of a regular file named on the command line, that is not
 * gzip: its workers read it themselves; -1 for a stream. */
static int64_t file_size(const struct wp_lines *input)
{
	int fd = wp_lines_fd(input);
	struct stat st;
	unsigned char magic[2];
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return -1;
	if (pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
		return -1; /* inflated on the way, as a stream */
	return st.st_size;
}

int fold_text_threaded(struct fold_run *run, const char *path, unsigned threads)
{
	const struct fold_config *cfg = run->cfg;
	struct shared sh = {.run = run};
	run->file = path && strcmp(path, "-") ? path : "<stdin>";
	if (wp_lines_open(&sh.input, path, MAX_LINE)) {
		fprintf(stderr, "%s: %s\n", cfg->prog, wp_lines_errmsg(sh.input));
		wp_lines_free(sh.input);
		return 1;
	}
	struct worker *w = calloc(threads, sizeof *w);
	/* a stream: one chunk per worker, one being filled, one queued; a
	 * file: one per worker */
	int64_t size = file_size(sh.input);
	sh.q = size >= 0 ? text_chunks_new_file(wp_lines_fd(sh.input), (uint64_t)size, run->file,
						chunk_bytes(), threads)
			 : text_chunks_new(chunk_bytes(), threads + 2);
	if (!w || !sh.q) {
		fprintf(stderr, "%s: out of memory\n", cfg->prog);
		free(w);
		text_chunks_free(sh.q);
		wp_lines_free(sh.input);
		return 1;
	}
	pthread_mutex_init(&sh.lock, NULL);
	pthread_cond_init(&sh.turn_cv, NULL);
	pthread_mutex_init(&sh.aot_lock, NULL);
	/* nothing seen yet: each job notes its own span. Taken before any
	 * worker starts: a worker reading a file by itself may merge its first
	 * job into run->time while the next ones are being started. */
	struct fold_time time0 = run->time;
	time0.seen = false;
	time0.untimed = 0;
	unsigned started = 0;
	for (; started < threads; started++) {
		w[started].sh = &sh;
		if (time0.arg)
			w[started].time0 = time0;
		fold_events_init(&w[started].matcher, cfg->event_filter);
		wp_buf_init(&w[started].renamed, WP_BUF_UNLIMITED);
		if (pthread_create(&w[started].thread, NULL, work, &w[started])) {
			worker_release(&w[started]);
			break;
		}
	}
	int rc = WP_E_NOMEM;
	if (started)
		rc = text_chunks_fill(sh.q, sh.input);
	else
		text_chunks_stop(sh.q);
	for (unsigned i = 0; i < started; i++) {
		pthread_join(w[i].thread, NULL);
		worker_release(&w[i]);
	}
	/* the reader's own failures reach a job, whose turn reports them;
	 * not so running out of memory or threads */
	if (rc == WP_E_NOMEM && !sh.status) {
		fprintf(stderr, "%s: %s\n", cfg->prog, started ? "out of memory" : "cannot start threads");
		sh.status = 1;
	}
	fold_text_report_skipped(cfg, run->file, &sh.stats);
	pthread_mutex_destroy(&sh.lock);
	pthread_cond_destroy(&sh.turn_cv);
	pthread_mutex_destroy(&sh.aot_lock);
	text_chunks_free(sh.q);
	wp_lines_free(sh.input);
	free(w);
	return sh.status;
}
