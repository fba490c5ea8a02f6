/* phases_run.c - perf.data -> the phase model (see phases_run.h).
 *
 * Markers: sched:sched_process_exec/exit tracepoints, or when they were
 * not recorded PERF_RECORD_COMM(exec)/EXIT (said once); uprobes (events of
 * a probe_* group) whose __probe_ip (entry) or __probe_func (return) field
 * symbolizes, at the sample's pid and time, to the function they sit on;
 * when the binary is absent the model takes the function from perf's event
 * name. Samples: those of --event (cpu-clock by default), their stacks
 * resolved by data_feed_frames as wasmperf fold resolves them (callchain, or
 * the DWARF unwinder for --call-graph dwarf). --folded reads the file a second
 * time, once the phase intervals are known, so that memory never grows
 * with the samples. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "data_feed.h"
#include "fold.h"
#include "perfparse.h"
#include "phases_run.h"
#include "symbolizer.h"

#define MAX_FRAMES 1024
#define MAX_HITS 100000 /* probe hits kept for --format chrome */

enum event_kind { EV_OTHER, EV_SAMPLE, EV_EXEC, EV_EXIT, EV_PROBE };

/* A --marks line: a named point on the recording's clock. */
struct mark {
	char *name;
	uint64_t ns;
};

struct run {
	const struct phases_config *cfg;
	const char *file;
	struct data_feed *feed;
	struct sym_native *sym;
	struct pp_data *data;
	/* events of the header */
	uint8_t *kind;
	size_t nkinds;
	bool exec_tp, exit_tp, any_probe, any_sample_event, said_records;
	bool events_final;               /* pipe mode: false until the first sample */
	char **probe_names;
	size_t nprobe_names;
	/* the model, and the rules of processes */
	struct ph_model *model;
	struct ph_catalog *catalog;
	struct ph_rules *own_rules;      /* --rules FILE */
	bool choose;                     /* a preset per process */
	struct wp_intern *pids;          /* pid -> slot */
	uint8_t *pid_state;              /* per slot: 1 rules set */
	size_t pid_cap;
	/* chrome */
	struct wp_intern *names;
	struct phases_probe_hit *hits;
	size_t nhits, hits_cap;
	bool hits_capped;
	bool silent;                     /* pass 2: its warnings were given */
	struct wp_intern *tids;
	struct phases_thread *threads;
	size_t threads_cap;
	/* --marks */
	struct mark *marks;
	size_t nmarks, next_mark;
	/* resolution */
	size_t nframes;
	struct sym_frame sframes[MAX_FRAMES];
	struct ph_frame frames[MAX_FRAMES];
	/* pass 2 (--folded) */
	struct fg_collapser *collapser;
	const struct ph_row *rows;
	const struct ph_process *procs;
	size_t nprocs;
	uint64_t samples, probes;
};

static void on_warning(void *ctx, const char *msg)
{
	const struct run *run = ctx;
	if (!run->cfg->quiet && !run->silent)
		fprintf(stderr, "%s: warning: %s\n", run->cfg->prog, msg);
}

static void on_error(void *ctx, const char *msg)
{
	const struct run *run = ctx;
	fprintf(stderr, "%s: %s\n", run->cfg->prog, msg);
}

static void warnf(struct run *run, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	wp_vwarnf(on_warning, run, fmt, ap);
	va_end(ap);
}

/* ---- events of the header ----
 * Pipe mode gives the attrs, then their names (HEADER_FEATURE records) in
 * band: until the first sample the kinds are worked out again whenever the
 * count or a name may have changed. */
static int learn_events(struct run *run)
{
	size_t n = pp_data_nevents(run->data);
	if (run->events_final && n == run->nkinds)
		return 0;
	uint8_t *k = realloc(run->kind, n ? n : 1);
	if (!k)
		return WP_E_NOMEM;
	run->kind = k;
	for (size_t i = 0; i < run->nprobe_names; i++)
		free(run->probe_names[i]);
	run->nprobe_names = 0;
	run->exec_tp = run->exit_tp = run->any_probe = run->any_sample_event = false;
	const char *filter = run->cfg->event ? run->cfg->event : "cpu-clock";
	struct pp_str want = {filter, strlen(filter)};
	for (size_t i = 0; i < n; i++) {
		const char *name = pp_data_event_name(run->data, i);
		struct pp_str ev = {name, strlen(name)};
		if (pp_event_matches(ev, want)) {
			k[i] = EV_SAMPLE;
			run->any_sample_event = true;
		} else if (!strcmp(name, "sched:sched_process_exec")) {
			k[i] = EV_EXEC;
			run->exec_tp = true;
		} else if (!strcmp(name, "sched:sched_process_exit")) {
			k[i] = EV_EXIT;
			run->exit_tp = true;
		} else if (!strncmp(name, "probe_", 6) && strchr(name, ':')) {
			k[i] = EV_PROBE;
			run->any_probe = true;
			char **p = realloc(run->probe_names, (run->nprobe_names + 1) * sizeof *p);
			if (!p)
				return WP_E_NOMEM;
			run->probe_names = p;
			if (!(p[run->nprobe_names] = strdup(name)))
				return WP_E_NOMEM;
			run->nprobe_names++;
		} else {
			k[i] = EV_OTHER;
		}
	}
	run->nkinds = n;
	run->events_final = !pp_data_info(run->data)->pipe_mode;
	return 0;
}

static int event_kind(struct run *run, size_t event)
{
	if ((event >= run->nkinds || !run->events_final) && learn_events(run))
		return -1;
	run->events_final = true; /* the names come before the first sample */
	return event < run->nkinds ? run->kind[event] : EV_OTHER;
}

/* ---- which processes, and their rules ---- */
static const char *proc_comm(const struct run *run, uint32_t tid)
{
	size_t len;
	const char *c = data_feed_comm(run->feed, tid, &len);
	return c ? c : "";
}

static bool keep_pid(const struct run *run, int32_t pid)
{
	const struct phases_config *cfg = run->cfg;
	bool ok = cfg->npids == 0;
	for (size_t i = 0; !ok && i < cfg->npids; i++)
		ok = cfg->pids[i] == pid;
	if (!ok || cfg->ncomms == 0)
		return ok;
	const char *comm = proc_comm(run, (uint32_t)pid);
	for (size_t i = 0; i < cfg->ncomms; i++)
		if (!strcmp(cfg->comms[i], comm))
			return true;
	return false;
}

static int pid_slot(struct run *run, int32_t pid, uint8_t **state)
{
	uint32_t slot;
	int rc = wp_intern_get(run->pids, (const char *)&pid, sizeof pid, &slot);
	if (rc)
		return rc;
	size_t old = run->pid_cap;
	if (wp_grow((void **)&run->pid_state, &run->pid_cap, (size_t)slot + 1, 1))
		return WP_E_NOMEM;
	if (run->pid_cap > old)
		memset(run->pid_state + old, 0, run->pid_cap - old);
	*state = &run->pid_state[slot];
	return 0;
}

/* The preset of a process, chosen from its binary and the recording's
 * probes (until one matches: `sh -c` may exec again in the same pid). */
static int choose_rules(struct run *run, int32_t pid, const char *binary)
{
	if (!run->choose)
		return 0; /* --preset or --rules: one rule set for all */
	uint8_t *state;
	int rc = pid_slot(run, pid, &state);
	if (rc || *state)
		return rc;
	struct ph_target t = {
		.binary = binary,
		.probes = (const char *const *)run->probe_names, .nprobes = run->nprobe_names,
	};
	struct ph_rules *r = ph_catalog_choose(run->catalog, &t, NULL);
	if (!r)
		return 0;
	*state = 1;
	return ph_model_set_rules(run->model, pid, r);
}

/* ---- chrome: threads and probe hits ---- */
static int note_thread(struct run *run, int32_t pid, int32_t tid)
{
	if (run->cfg->format != PHASES_CHROME)
		return 0;
	uint32_t slot, n = wp_intern_count(run->tids);
	int rc = wp_intern_get(run->tids, (const char *)&tid, sizeof tid, &slot);
	if (rc)
		return rc;
	if (slot < n)
		return 0;
	if (wp_grow((void **)&run->threads, &run->threads_cap, (size_t)slot + 1, sizeof *run->threads))
		return WP_E_NOMEM;
	run->threads[slot] = (struct phases_thread){pid, tid, NULL};
	return 0;
}

static int note_hit(struct run *run, int32_t pid, int32_t tid, uint64_t t, const char *name)
{
	if (run->cfg->format != PHASES_CHROME)
		return 0;
	if (run->nhits == MAX_HITS) {
		if (!run->hits_capped)
			warnf(run, "more than %u probe hits: later ones are not in the trace", MAX_HITS);
		run->hits_capped = true;
		return 0;
	}
	uint32_t id;
	int rc = wp_intern_get(run->names, name, strlen(name), &id);
	if (rc)
		return rc;
	if (wp_grow((void **)&run->hits, &run->hits_cap, run->nhits + 1, sizeof *run->hits))
		return WP_E_NOMEM;
	run->hits[run->nhits++] = (struct phases_probe_hit){pid, tid, t, wp_intern_str(run->names, id, NULL)};
	return 0;
}

/* ---- --marks: points fed, in time order, to the processes running then ---- */
static int feed_marks(struct run *run, uint64_t upto)
{
	while (run->next_mark < run->nmarks && run->marks[run->next_mark].ns <= upto) {
		const struct mark *mk = &run->marks[run->next_mark++];
		for (uint32_t i = 0; i < wp_intern_count(run->pids); i++) {
			size_t len;
			int32_t pid;
			memcpy(&pid, wp_intern_str(run->pids, i, &len), sizeof pid);
			char event[PH_MAX_NAME + 8];
			snprintf(event, sizeof event, "mark:%s", mk->name);
			struct ph_probe p = {.event = event, .function = mk->name, .is_return = false};
			int rc = ph_model_probe(run->model, pid, pid, mk->ns, &p);
			rc = rc ? rc : note_hit(run, pid, pid, mk->ns, event);
			if (rc)
				return rc;
		}
	}
	return 0;
}

static int cmp_mark(const void *a, const void *b)
{
	const struct mark *x = a, *y = b;
	return x->ns < y->ns ? -1 : x->ns > y->ns;
}

/* `NAME NS` lines (also `mark NAME NS`, as node's runner writes them);
 * '#' comments and blank lines skipped. 0, or 2 after a message. */
static int load_marks(struct run *run, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "%s: --marks '%s': cannot open: %s\n", run->cfg->prog, path, strerror(errno));
		return 2;
	}
	char line[512];
	unsigned lineno = 0;
	int status = 0;
	while (!status && fgets(line, sizeof line, f)) {
		lineno++;
		char a[PH_MAX_NAME + 8], b[PH_MAX_NAME + 8], c[32];
		int n = sscanf(line, "%71s %71s %31s", a, b, c);
		if (n <= 0 || a[0] == '#')
			continue;
		const char *name = n == 3 && !strcmp(a, "mark") ? b : a;
		const char *ns = n == 3 && !strcmp(a, "mark") ? c : b;
		char *end;
		unsigned long long v = n >= 2 ? strtoull(ns, &end, 10) : 0;
		if (n < 2 || *end || strlen(name) >= PH_MAX_NAME) {
			fprintf(stderr, "%s: '%s': line %u: expected NAME NS\n", run->cfg->prog, path, lineno);
			status = 2;
			break;
		}
		struct mark *m = realloc(run->marks, (run->nmarks + 1) * sizeof *m);
		if (!m || !(m[run->nmarks].name = strdup(name))) {
			run->marks = m ? m : run->marks;
			status = 1;
			break;
		}
		run->marks = m;
		m[run->nmarks++].ns = v;
	}
	fclose(f);
	if (run->nmarks)
		qsort(run->marks, run->nmarks, sizeof *run->marks, cmp_mark);
	return status;
}

/* ---- stacks, resolved as wasmperf-fold resolves them ---- */
static int push_frame(void *ctx, const struct pp_sample *s, uint64_t addr, bool kernel)
{
	struct run *run = ctx;
	if (run->nframes == MAX_FRAMES)
		return 0;
	uint64_t time = (s->fields & PP_SAMPLE_TIME) ? s->time : UINT64_MAX;
	int rc = sym_native_resolve(run->sym, (int32_t)s->pid, time, addr, kernel,
				    &run->sframes[run->nframes]);
	if (!rc)
		run->nframes++;
	return rc;
}

/* Frames leaf first into run->sframes (data_feed_frames' order). */
static int resolve_stack(struct run *run, const struct pp_sample *s, size_t *n)
{
	run->nframes = 0;
	int rc = data_feed_frames(run->feed, s, push_frame, run);
	*n = run->nframes;
	return rc;
}

static const char *frame_symbol(const struct sym_frame *f)
{
	const char *sym = f->symbol ? f->symbol : "[unknown]";
	while (*sym == ' ') /* WAMR's two-space perf maps, as fold_data.c */
		sym++;
	return sym;
}

/* ---- pass 1: the model ---- */
static int on_exec(struct run *run, int32_t pid, int32_t tid, uint64_t t, const char *binary)
{
	if (!keep_pid(run, pid))
		return 0;
	int rc = choose_rules(run, pid, binary);
	uint8_t *state;
	rc = rc ? rc : pid_slot(run, pid, &state); /* known to --marks */
	rc = rc ? rc : note_thread(run, pid, tid);
	const char *comm = proc_comm(run, (uint32_t)tid);
	return rc ? rc : ph_model_exec(run->model, pid, tid, t, comm[0] ? comm : binary);
}

static int on_probe(struct run *run, const struct pp_sample *s)
{
	int32_t pid = (int32_t)s->pid, tid = (int32_t)s->tid;
	if (!keep_pid(run, pid))
		return 0;
	run->probes++;
	const char *event = pp_sample_event_name(run->data, s);
	uint64_t addr = 0;
	struct ph_probe p = {.event = event};
	if (pp_sample_field_u64(run->data, s, "__probe_func", &addr) == 0)
		p.is_return = true;
	else if (pp_sample_field_u64(run->data, s, "__probe_ip", &addr) != 0)
		addr = 0;
	if (addr) {
		struct sym_frame f;
		uint64_t t = (s->fields & PP_SAMPLE_TIME) ? s->time : UINT64_MAX;
		int rc = sym_native_resolve(run->sym, pid, t, addr, false, &f);
		if (rc)
			return rc;
		if (f.symbol && !f.unmapped)
			p.function = frame_symbol(&f);
	}
	/* a return probe named by perf is also known by its suffix */
	size_t len = strlen(event);
	if (len > 8 && !strcmp(event + len - 8, "__return"))
		p.is_return = true;
	int rc = choose_rules(run, pid, proc_comm(run, (uint32_t)pid));
	rc = rc ? rc : note_thread(run, pid, tid);
	rc = rc ? rc : note_hit(run, pid, tid, s->time, event);
	return rc ? rc : ph_model_probe(run->model, pid, tid, s->time, &p);
}

/* The frames of a sample of a kept process into run->sframes: 1 with *n,
 * 0 for a process not asked for, < 0 on an error. */
static int kept_stack(struct run *run, const struct pp_sample *s, size_t *n)
{
	if (!keep_pid(run, (int32_t)s->pid))
		return 0;
	int rc = resolve_stack(run, s, n);
	return rc ? rc : 1;
}

static int on_sample_model(struct run *run, const struct pp_sample *s)
{
	int32_t pid = (int32_t)s->pid;
	size_t n;
	int rc = kept_stack(run, s, &n);
	if (rc <= 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		const struct sym_frame *f = &run->sframes[i];
		const char *sym = frame_symbol(f);
		run->frames[i] = (struct ph_frame){sym, strlen(sym), f->module, strlen(f->module)};
	}
	run->samples++;
	rc = note_thread(run, pid, (int32_t)s->tid);
	return rc ? rc : ph_model_sample(run->model, pid, (int32_t)s->tid, s->time,
					 s->period ? s->period : 1, run->frames, n);
}

static int on_record_model(struct run *run, const struct pp_record *r)
{
	if (r->has_time && run->nmarks) {
		int rc = feed_marks(run, r->time);
		if (rc)
			return rc;
	}
	if (r->type != PP_RECORD_SAMPLE) {
		int rc = data_feed_record(run->feed, r);
		if (rc)
			return rc;
		/* the records stand in for tracepoints that were not recorded */
		if (learn_events(run))
			return WP_E_NOMEM;
		if (r->type == PP_RECORD_COMM && r->u.comm.exec && !run->exec_tp) {
			if (!run->said_records)
				warnf(run, "%s: no sched:sched_process_exec/exit events recorded: processes "
				      "start and end at their PERF_RECORD_COMM(exec) and EXIT records "
				      "(record with -e sched:sched_process_exec -e sched:sched_process_exit)",
				      run->file);
			run->said_records = true;
			return on_exec(run, (int32_t)r->u.comm.pid, (int32_t)r->u.comm.tid, r->time,
				       r->u.comm.comm);
		}
		if (r->type == PP_RECORD_EXIT && !run->exit_tp && keep_pid(run, (int32_t)r->u.fork.pid))
			return ph_model_exit(run->model, (int32_t)r->u.fork.pid, (int32_t)r->u.fork.tid,
					     r->u.fork.time);
		return 0;
	}
	const struct pp_sample *s = &r->u.sample;
	int rc = data_feed_sample(run->feed, run->data, s);
	if (rc)
		return rc;
	switch (event_kind(run, s->event)) {
	case -1:
		return WP_E_NOMEM;
	case EV_SAMPLE:
		return on_sample_model(run, s);
	case EV_PROBE:
		return on_probe(run, s);
	case EV_EXEC: {
		struct pp_str fn = {"", 0};
		char binary[4096];
		pp_sample_field_str(run->data, s, "filename", &fn);
		snprintf(binary, sizeof binary, "%.*s", (int)fn.n, fn.p);
		return on_exec(run, (int32_t)s->pid, (int32_t)s->tid, s->time, binary);
	}
	case EV_EXIT:
		if (!keep_pid(run, (int32_t)s->pid))
			return 0;
		return ph_model_exit(run->model, (int32_t)s->pid, (int32_t)s->tid, s->time);
	default:
		return 0;
	}
}

/* ---- pass 2 (--folded): each sample under the phase it falls in ---- */
static const struct ph_process *find_proc(const struct run *run, int32_t pid)
{
	size_t lo = 0, hi = run->nprocs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (run->procs[mid].pid == pid)
			return &run->procs[mid];
		if (run->procs[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The shortest present phase holding t (the first in rule order among
 * equals): execute-main rather than execute, startup rather than total. */
static const char *phase_at(const struct run *run, int32_t pid, uint64_t t)
{
	const struct ph_process *p = find_proc(run, pid);
	if (!p)
		return "none";
	const struct ph_row *best = NULL;
	for (size_t i = p->first_row; i < p->first_row + p->nrows; i++) {
		const struct ph_row *row = &run->rows[i];
		if (row->kind != PH_ROW_PHASE || !row->present || t < row->start_ns)
			continue;
		bool closed = p->has_exit && row->end_ns == p->exit_ns;
		if (t > row->end_ns || (t == row->end_ns && !closed))
			continue;
		if (!best || row->end_ns - row->start_ns < best->end_ns - best->start_ns)
			best = row;
	}
	if (best)
		return best->phase;
	return (p->has_exec && t < p->exec_ns) || (p->has_exit && t > p->exit_ns) ? "outside" : "none";
}

static int on_sample_folded(struct run *run, const struct pp_sample *s)
{
	int32_t pid = (int32_t)s->pid;
	size_t n;
	int rc = kept_stack(run, s, &n);
	if (rc <= 0)
		return rc;
	char root[PH_MAX_NAME + 16];
	int rlen = snprintf(root, sizeof root, "[phase:%s]", phase_at(run, pid, s->time));
	size_t clen;
	char unknown[16];
	const char *comm = data_feed_comm_shown(run->feed, s->tid, unknown, &clen);
	/* [phase:NAME] is the root, the process name the frame under it */
	rc = fg_collapser_begin(run->collapser, root, (size_t)rlen, NULL, 0, NULL, 0);
	for (size_t i = 0; !rc && i < n; i++) {
		const struct sym_frame *f = &run->sframes[i];
		const char *sym = frame_symbol(f);
		struct fg_raw_frame raw = {.sym = sym, .sym_len = strlen(sym), .module = f->module,
					   .module_len = strlen(f->module)};
		rc = fg_collapser_frame(run->collapser, &raw);
	}
	char name[256];
	size_t k = 0;
	for (; k < clen && k < sizeof name; k++)
		name[k] = comm[k] == ';' ? ':' : comm[k] == ' ' ? '_' : comm[k];
	rc = rc ? rc : fg_collapser_frame_name(run->collapser, name, k);
	if (rc) {
		fg_collapser_abort(run->collapser);
		return rc;
	}
	return fg_collapser_end(run->collapser, s->period ? s->period : 1);
}

static int on_record_folded(struct run *run, const struct pp_record *r)
{
	if (r->type != PP_RECORD_SAMPLE)
		return data_feed_record(run->feed, r);
	const struct pp_sample *s = &r->u.sample;
	int rc = data_feed_sample(run->feed, run->data, s);
	if (rc)
		return rc;
	int k = event_kind(run, s->event);
	return k < 0 ? WP_E_NOMEM : k == EV_SAMPLE ? on_sample_folded(run, s) : 0;
}

/* One pass over the recording; 0, or 1 after the one-line error (the
 * records before damage have been fed). */
static int read_pass(struct run *run, const char *path, bool folded)
{
	const struct phases_config *cfg = run->cfg;
	struct data_feed_config fc = {
		.symfs = cfg->symfs, .kallsyms = cfg->kallsyms, .buildid_dir = cfg->buildid_dir,
		.perf_map_dir = cfg->perf_map_dir,
	};
	run->feed = data_feed_new(&fc, path, on_warning, on_error, run);
	run->sym = run->feed ? data_feed_symbolizer(run->feed) : NULL;
	run->nkinds = 0;
	run->nprobe_names = 0;
	run->events_final = false;
	int status = 0;
	if (!run->sym) {
		fprintf(stderr, "%s: out of memory\n", cfg->prog);
		return 1;
	}
	int rc = pp_data_open(&run->data, path, folded ? NULL : on_warning, run);
	if (rc) {
		fprintf(stderr, "%s: %s\n", cfg->prog, run->data ? pp_data_errmsg(run->data) : "out of memory");
		return 1;
	}
	data_feed_build_ids(run->feed, run->data);
	rc = learn_events(run);
	const struct pp_record *r;
	while (!rc && (rc = pp_data_next(run->data, &r)) == 1)
		if ((rc = folded ? on_record_folded(run, r) : on_record_model(run, r)) < 0)
			break;
	if (!rc && !folded && run->nmarks)
		rc = feed_marks(run, UINT64_MAX);
	if (rc < 0) {
		const char *msg = pp_data_errmsg(run->data);
		if (!folded || !(msg && msg[0]))
			fprintf(stderr, "%s: %s\n", cfg->prog, msg && msg[0] ? msg : wp_strerror(rc));
		status = 1;
	}
	if (!folded && !rc && !run->any_sample_event)
		warnf(run, "%s: no '%s' events recorded: no CPU time per phase (see --event)", run->file,
		      cfg->event ? cfg->event : "cpu-clock");
	if (!folded && !rc && !run->any_probe)
		warnf(run, "%s: no probe events (probe_*:*) recorded: phases from exec and exit "
		      "only, and from stacks", run->file);
	if (data_feed_status(run->feed))
		status = 1;
	return status;
}

static void end_pass(struct run *run)
{
	pp_data_free(run->data);
	run->data = NULL;
	data_feed_free(run->feed);
	run->feed = NULL;
	for (size_t i = 0; i < run->nprobe_names; i++)
		free(run->probe_names[i]);
	run->nprobe_names = 0;
}

static void on_model_warning(void *ctx, const char *msg) { on_warning(ctx, msg); }

static int write_result(struct run *run, FILE *out)
{
	const struct phases_config *cfg = run->cfg;
	switch (cfg->format) {
	case PHASES_TSV:
		return ph_write_tsv(out, run->model);
	case PHASES_JSON:
		return ph_write_json(out, run->model);
	case PHASES_CHROME:
		return phases_write_chrome(out, run->model, run->hits, run->nhits, run->threads,
					   wp_intern_count(run->tids));
	default:
		return ph_write_text(out, run->model);
	}
}

/* --svg FILE, beside the main output: 0, or 1 after the message. */
static int write_svg(struct run *run, const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "%s: cannot open '%s': %s\n", run->cfg->prog, path, strerror(errno));
		return 1;
	}
	int rc = phases_write_svg(f, run->model);
	if (fclose(f) && !rc)
		rc = WP_E_IO;
	if (rc) {
		fprintf(stderr, "%s: '%s': cannot write: %s\n", run->cfg->prog, path, wp_strerror(rc));
		return 1;
	}
	return 0;
}

/* Thread names for the trace, while the last pass's feed still knows them. */
static int name_threads(struct run *run)
{
	for (size_t i = 0; i < wp_intern_count(run->tids); i++) {
		const char *c = proc_comm(run, (uint32_t)run->threads[i].tid);
		uint32_t id;
		if (wp_intern_get(run->names, c, strlen(c), &id))
			return WP_E_NOMEM;
		run->threads[i].comm = wp_intern_str(run->names, id, NULL);
	}
	return 0;
}

int phases_run(const struct phases_config *cfg, const char *path, FILE *out)
{
	struct run run = {.cfg = cfg};
	run.file = path && strcmp(path, "-") ? path : "<stdin>";
	struct stat st;
	if (cfg->folded && (!path || !strcmp(path, "-") || stat(path, &st) != 0 || !S_ISREG(st.st_mode))) {
		fprintf(stderr, "%s: folded stacks by phase read the recording twice: "
			"give a perf.data file, not %s\n", cfg->prog, run.file);
		return 2;
	}
	int status = 0;
	struct ph_rules *rules = NULL;
	if (cfg->rules_file) {
		if (ph_rules_load_file(&run.own_rules, cfg->rules_file)) {
			fprintf(stderr, "%s: %s\n", cfg->prog,
				run.own_rules ? ph_rules_errmsg(run.own_rules) : "out of memory");
			ph_rules_free(run.own_rules);
			return 2;
		}
		rules = run.own_rules;
	}
	if (ph_catalog_new(&run.catalog)) {
		fprintf(stderr, "%s: %s\n", cfg->prog,
			run.catalog ? ph_catalog_errmsg(run.catalog) : "out of memory");
		status = 1;
		goto out;
	}
	if (!rules && cfg->preset) {
		rules = ph_catalog_find(run.catalog, cfg->preset);
		if (!rules) {
			size_t n;
			const char *const *names = ph_preset_names(&n);
			fprintf(stderr, "%s: --preset '%s': no such preset (presets:", cfg->prog, cfg->preset);
			for (size_t i = 0; i < n; i++)
				fprintf(stderr, " %s", names[i]);
			fprintf(stderr, ")\n");
			status = 2;
			goto out;
		}
	}
	run.choose = rules == NULL; /* else one rule set for every process */
	run.model = ph_model_new(rules, on_model_warning, &run);
	run.pids = wp_intern_new();
	run.tids = wp_intern_new();
	run.names = wp_intern_new();
	if (!run.model || !run.pids || !run.tids || !run.names) {
		fprintf(stderr, "%s: out of memory\n", cfg->prog);
		status = 1;
		goto out;
	}
	if (cfg->marks && (status = load_marks(&run, cfg->marks)) != 0)
		goto out;
	status = read_pass(&run, path, false);
	if (cfg->format == PHASES_CHROME && run.feed && name_threads(&run)) {
		fprintf(stderr, "%s: out of memory\n", cfg->prog);
		status = 1;
	}
	end_pass(&run);
	if (ph_model_finish(run.model)) {
		fprintf(stderr, "%s: out of memory\n", cfg->prog);
		status = 1;
		goto out;
	}
	if (cfg->folded && status == 0) {
		ph_model_rows(run.model, &run.rows);
		run.nprocs = ph_model_processes(run.model, &run.procs);
		struct fg_collapse_options co;
		fg_collapse_options_init(&co);
		run.collapser = fg_collapser_new(&co);
		if (!run.collapser) {
			fprintf(stderr, "%s: out of memory\n", cfg->prog);
			status = 1;
			goto out;
		}
		run.silent = true;
		status = read_pass(&run, path, true);
		end_pass(&run);
		struct fold_config fcfg = {.prog = cfg->prog, .quiet = cfg->quiet};
		if (fold_write(&fcfg, run.collapser, out))
			status = 1;
		goto out;
	}
	if (write_result(&run, out)) {
		fprintf(stderr, "%s: cannot write the output\n", cfg->prog);
		status = 1;
	}
	if (cfg->svg && write_svg(&run, cfg->svg))
		status = 1;
out:
	end_pass(&run);
	fg_collapser_free(run.collapser);
	ph_model_free(run.model);
	ph_catalog_free(run.catalog);
	ph_rules_free(run.own_rules);
	wp_intern_free(run.pids);
	wp_intern_free(run.tids);
	wp_intern_free(run.names);
	free(run.pid_state);
	free(run.kind);
	free(run.probe_names);
	free(run.hits);
	free(run.threads);
	for (size_t i = 0; i < run.nmarks; i++)
		free(run.marks[i].name);
	free(run.marks);
	return status;
}
