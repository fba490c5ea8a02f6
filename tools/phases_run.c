/* phases_run.c - perf.data -> the phase model (see phases_run.h).
 *
 * Markers: sched:sched_process_exec/exit tracepoints, or when they were
 * not recorded PERF_RECORD_COMM(exec)/EXIT (said once); uprobes (events of
 * a probe_* group) whose __probe_ip (entry) or __probe_func (return) field
 * symbolizes, at the sample's pid and time, to the function they sit on;
 * when the binary is absent the model takes the function from perf's event
 * name; in a file that names none of its tracepoint events (cut before
 * its feature sections) by their raw data (phases_unnamed.c). The preset
 * of each process: phases_choose.c. Samples: those of --event (cpu-clock
 * by default), their stacks resolved by data_feed_frames as wasmperf fold
 * resolves them (callchain, or the DWARF unwinder for --call-graph dwarf)
 * and named as fold names them (WasmEdge AOT objects, --wasm). --folded
 * reads the file a second time, once the phase intervals are known, so that
 * memory never grows with the samples. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aot_names.h"
#include "data_feed.h"
#include "fold.h"
#include "perfparse.h"
#include "phases_choose.h"
#include "phases_run.h"
#include "phases_unnamed.h"
#include "symbolizer.h"

#define MAX_FRAMES 1024
#define MAX_HITS 100000 /* probe hits kept for --format chrome */

/* EV_UNNAMED: a tracepoint event whose name the file lacks (a file-mode
 * perf.data keeps names and formats in feature sections at its end: a cut
 * file has none); its samples are read as uprobe hits when their raw data
 * has a uprobe's layout (phases_unnamed.c). */
enum event_kind { EV_OTHER, EV_SAMPLE, EV_EXEC, EV_EXIT, EV_PROBE, EV_UNNAMED };

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
	struct aot_names *aot;           /* WasmEdge AOT objects' f<N>, as fold names them */
	struct pp_data *data;
	/* events of the header */
	uint8_t *kind;
	size_t nkinds;
	bool exec_tp, exit_tp, any_probe, any_sample_event, said_records, any_unnamed;
	struct phases_unnamed *unnamed;  /* what became of EV_UNNAMED samples */
	bool events_final;               /* pipe mode: false until the first sample */
	char **probe_names;
	size_t nprobe_names;
	/* the model, and the rules of processes */
	struct ph_model *model;
	struct ph_catalog *catalog;
	struct ph_rules *own_rules;      /* --rules FILE */
	struct phases_choose *chooser;   /* a preset per process, or NULL */
	struct wp_intern *pids;          /* pid -> slot (processes --marks apply to) */
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
	run->exec_tp = run->exit_tp = run->any_probe = run->any_sample_event = run->any_unnamed = false;
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
		} else if (phases_unnamed_event(name)) {
			k[i] = EV_UNNAMED;
			run->any_unnamed = true;
		} else {
			k[i] = EV_OTHER;
		}
	}
	run->nkinds = n;
	run->events_final = !pp_data_info(run->data)->pipe_mode;
	if (run->chooser)
		phases_choose_sources(run->chooser, run->sym, (const char *const *)run->probe_names,
				      run->nprobe_names);
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

/* A process --marks apply to. */
static int note_pid(struct run *run, int32_t pid)
{
	uint32_t slot;
	return wp_intern_get(run->pids, (const char *)&pid, sizeof pid, &slot);
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

/* A frame's name as the folded output shows it: a WasmEdge AOT object's
 * f<N> and (with --wasm ...) jitted names become Wasm names, so that the
 * rules classify what the flame graph shows. 0 or < 0 (WP_E_*). */
static int frame_name(struct run *run, const struct sym_frame *f, const char **name, size_t *len)
{
	*name = frame_symbol(f);
	*len = strlen(*name);
	int rc = 0;
	if (f->wasm_aot && f->symbol)
		rc = aot_names_translate(run->aot, f->wasm_aot, *name, *len, name, len);
	if (rc == 0 && run->cfg->names && !f->kernel) {
		struct sym_names_origin origin;
		rc = sym_names_translate(run->cfg->names, *name, *len, f->jit, name, len, &origin);
		if (rc < 0)
			fprintf(stderr, "%s: %s\n", run->cfg->prog, sym_names_errmsg(run->cfg->names));
	}
	return rc < 0 ? rc : 0;
}

/* ---- pass 1: the model ---- */
/* binary: the exec filename, or NULL for a COMM(exec) record. */
static int on_exec(struct run *run, int32_t pid, int32_t tid, uint64_t t, const char *binary)
{
	if (!keep_pid(run, pid))
		return 0;
	const char *comm = proc_comm(run, (uint32_t)tid);
	int rc = run->chooser ? phases_choose_exec(run->chooser, pid, binary, comm) : 0;
	rc = rc ? rc : note_pid(run, pid);
	rc = rc ? rc : note_thread(run, pid, tid);
	return rc ? rc : ph_model_exec(run->model, pid, tid, t, comm[0] ? comm : binary ? binary : "");
}

/* A probe hit at addr (its function's entry; 0: unknown), a return when
 * is_return. The function is what addr symbolizes to (*function, else
 * NULL: the model takes it from the event's name). 0 or < 0 (WP_E_*). */
static int probe_hit(struct run *run, const struct pp_sample *s, const char *event, uint64_t addr,
		     bool is_return, const char **function)
{
	int32_t pid = (int32_t)s->pid, tid = (int32_t)s->tid;
	run->probes++;
	struct ph_probe p = {.event = event, .is_return = is_return};
	if (addr) {
		struct sym_frame f;
		uint64_t t = (s->fields & PP_SAMPLE_TIME) ? s->time : UINT64_MAX;
		int rc = sym_native_resolve(run->sym, pid, t, addr, false, &f);
		if (rc)
			return rc;
		if (f.symbol && !f.unmapped)
			p.function = frame_symbol(&f);
	}
	*function = p.function;
	/* an event without a name is a probe only by its address */
	if (!p.function && phases_unnamed_event(event))
		return 0;
	int rc = run->chooser ? phases_choose_retry(run->chooser, pid) : 0;
	rc = rc ? rc : note_thread(run, pid, tid);
	/* the trace shows perf's name of the probe, when the file has one */
	const char *shown = phases_unnamed_event(event) && p.function ? p.function : event;
	rc = rc ? rc : note_hit(run, pid, tid, s->time, shown);
	return rc ? rc : ph_model_probe(run->model, pid, tid, s->time, &p);
}

static int on_probe(struct run *run, const struct pp_sample *s)
{
	if (!keep_pid(run, (int32_t)s->pid))
		return 0;
	const char *event = pp_sample_event_name(run->data, s);
	uint64_t addr = 0;
	bool is_return = false;
	if (pp_sample_field_u64(run->data, s, "__probe_func", &addr) == 0)
		is_return = true;
	else if (pp_sample_field_u64(run->data, s, "__probe_ip", &addr) != 0)
		addr = 0;
	/* a return probe named by perf is also known by its suffix */
	size_t len = strlen(event);
	if (len > 8 && !strcmp(event + len - 8, "__return"))
		is_return = true;
	const char *function;
	return probe_hit(run, s, event, addr, is_return, &function);
}

/* A sample of an event the file does not name: a probe hit when its raw
 * data is a uprobe's and its address names a function. */
static int on_unnamed(struct run *run, const struct pp_sample *s)
{
	if (!keep_pid(run, (int32_t)s->pid))
		return 0;
	uint64_t addr;
	bool is_return;
	const char *event = pp_sample_event_name(run->data, s), *function = NULL;
	int rc = 0;
	if (phases_unnamed_uprobe(s, &addr, &is_return))
		rc = probe_hit(run, s, event, addr, is_return, &function);
	return rc ? rc : phases_unnamed_count(run->unnamed, s->event, event, function);
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
		const char *name;
		size_t len;
		if ((rc = frame_name(run, f, &name, &len)))
			return rc;
		run->frames[i] = (struct ph_frame){name, len, f->module, strlen(f->module)};
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
		if (run->chooser && (r->type == PP_RECORD_MMAP || r->type == PP_RECORD_MMAP2) &&
		    keep_pid(run, (int32_t)r->u.mmap.pid) &&
		    (rc = phases_choose_mmap(run->chooser, &r->u.mmap, r->has_time ? r->time : 0)))
			return rc;
		/* a new image: its binary is the next mapping of code */
		if (run->chooser && r->type == PP_RECORD_COMM && r->u.comm.exec && run->exec_tp &&
		    keep_pid(run, (int32_t)r->u.comm.pid) &&
		    (rc = phases_choose_exec(run->chooser, (int32_t)r->u.comm.pid, NULL, r->u.comm.comm)))
			return rc;
		if (r->type == PP_RECORD_COMM && r->u.comm.exec && !run->exec_tp) {
			if (!run->said_records && run->any_unnamed)
				warnf(run, "%s: the file names none of its tracepoint events (the feature "
				      "sections after its data are missing: a cut file?): processes start "
				      "and end at their PERF_RECORD_COMM(exec) and EXIT records", run->file);
			else if (!run->said_records)
				warnf(run, "%s: no sched:sched_process_exec/exit events recorded: processes "
				      "start and end at their PERF_RECORD_COMM(exec) and EXIT records "
				      "(record with -e sched:sched_process_exec -e sched:sched_process_exit)",
				      run->file);
			run->said_records = true;
			return on_exec(run, (int32_t)r->u.comm.pid, (int32_t)r->u.comm.tid, r->time, NULL);
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
	case EV_UNNAMED:
		return on_unnamed(run, s);
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
		const char *sym = frame_symbol(f), *aot;
		size_t aot_len;
		/* fold_data.c's naming: AOT objects here, --wasm when written */
		if (f->wasm_aot && f->symbol &&
		    (rc = aot_names_translate(run->aot, f->wasm_aot, sym, strlen(sym), &aot, &aot_len))) {
			rc = rc < 0 ? rc : fg_collapser_frame_name(run->collapser, aot, aot_len);
			continue;
		}
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
	return fg_collapser_end(run->collapser,
				run->cfg->count_samples ? 1 : s->period ? s->period : 1);
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
		.perf_map_dir = cfg->perf_map_dir, .jitdumps = cfg->jitdumps,
		.njitdumps = cfg->njitdumps,
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
	if (!folded && run->unnamed)
		phases_unnamed_report(run->unnamed, run->file, on_warning, run);
	if (!folded && !rc && !run->any_probe && !run->any_unnamed)
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
	if (run->chooser) /* the symbolizer and the names are gone */
		phases_choose_sources(run->chooser, NULL, NULL, 0);
}

static void on_model_warning(void *ctx, const char *msg) { on_warning(ctx, msg); }

/* No process fits a preset: nothing but the process list would be
 * written, so say why (for the first process) and what to do. */
static void warn_no_preset(struct run *run)
{
	const struct ph_process *procs;
	size_t n = ph_model_processes(run->model, &procs);
	for (size_t i = 0; i < n; i++)
		if (procs[i].rules)
			return;
	if (n)
		warnf(run, "%s: no preset fits any process (pid %d (%s): %s): no phases; choose one "
		      "with --preset NAME or --rules FILE", run->file, (int)procs[0].pid, procs[0].comm,
		      procs[0].rules_why ? procs[0].rules_why : "?");
}

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
	run.model = ph_model_new(rules, on_model_warning, &run);
	/* without --preset or --rules, a preset per process */
	run.chooser = rules || !run.model ? NULL : phases_choose_new(run.catalog, run.model);
	run.pids = wp_intern_new();
	run.tids = wp_intern_new();
	run.names = wp_intern_new();
	run.unnamed = phases_unnamed_new();
	run.aot = aot_names_new(cfg->prog, cfg->names_opt, cfg->names, cfg->symfs, cfg->quiet);
	if (!run.model || (!rules && !run.chooser) || !run.pids || !run.tids || !run.names ||
	    !run.unnamed || !run.aot) {
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
	if ((run.chooser && phases_choose_finish(run.chooser) < 0) || ph_model_finish(run.model)) {
		fprintf(stderr, "%s: out of memory\n", cfg->prog);
		status = 1;
		goto out;
	}
	if (run.chooser)
		warn_no_preset(&run);
	/* a damaged recording: the stacks up to the damage are written too */
	if (cfg->folded) {
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
		int again = read_pass(&run, path, true); /* its damage was said in pass 1 */
		status = status ? status : again;
		end_pass(&run);
		struct fold_config fcfg = {.prog = cfg->prog, .quiet = cfg->quiet, .names = cfg->names,
					   .names_opt = cfg->names_opt};
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
	/* frames left alone, or no frame named at all (as fold reports them) */
	if (cfg->names && names_report(cfg->names, cfg->prog, cfg->quiet, false))
		status = 1;
out:
	end_pass(&run);
	fg_collapser_free(run.collapser);
	phases_choose_free(run.chooser);
	phases_unnamed_free(run.unnamed);
	aot_names_free(run.aot);
	ph_model_free(run.model);
	ph_catalog_free(run.catalog);
	ph_rules_free(run.own_rules);
	wp_intern_free(run.pids);
	wp_intern_free(run.tids);
	wp_intern_free(run.names);
	free(run.kind);
	free(run.probe_names);
	free(run.hits);
	free(run.threads);
	for (size_t i = 0; i < run.nmarks; i++)
		free(run.marks[i].name);
	free(run.marks);
	return status;
}
