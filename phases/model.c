/* model.c - events of a recording -> per-process phase rows.
 *
 * Memory does not grow with the number of samples: each process keeps a
 * few time segments, one per point that can bound a phase (its first
 * exec, the first entry of each probed function and the first return of
 * that function after it), and a sample only adds to the aggregate of the
 * segment holding its time. A phase [a, b) is then the union of the
 * segments starting in [a, b), exact because a and b are segment starts.
 * The process's end (last exit of any thread) closes the phases that end
 * there: samples later than the latest exit seen wait in `pending` and
 * join the current segment when a later exit (or any later event) shows
 * the process was still alive. Checked by tests/unit/test_phases.c against
 * the expected tables of real recordings (testdata/phases-model/).
 */
#include <stdlib.h>
#include <string.h>

#include "phases_internal.h"

#define MAX_IDS 4096      /* distinct probed functions per process */
#define MAX_SEGMENTS 8192 /* per process */

struct agg {
	uint64_t samples, period, first, last;
	uint64_t cat_samples[PH_NCAT], cat_period[PH_NCAT];
};

static void agg_add(struct agg *a, uint64_t t, uint64_t period, int cat)
{
	if (!a->samples || t < a->first)
		a->first = t;
	if (!a->samples || t > a->last)
		a->last = t;
	a->samples++;
	a->period += period;
	a->cat_samples[cat]++;
	a->cat_period[cat] += period;
}

static void agg_merge(struct agg *a, const struct agg *b)
{
	if (!b->samples)
		return;
	if (!a->samples || b->first < a->first)
		a->first = b->first;
	if (!a->samples || b->last > a->last)
		a->last = b->last;
	a->samples += b->samples;
	a->period += b->period;
	for (int c = 0; c < PH_NCAT; c++) {
		a->cat_samples[c] += b->cat_samples[c];
		a->cat_period[c] += b->cat_period[c];
	}
}

/* Aggregates of one segment: [0] all samples, [1 + k] samples of stack
 * phase k, [1 + nsp] samples no stack rule decided. */
struct segment {
	uint64_t start;
	struct agg *a;
};

struct probe_id {
	uint32_t key; /* interned function name */
	bool has_entry, has_return;
	uint64_t entry, ret;
};

struct proc {
	int32_t pid;
	uint32_t comm; /* interned; UINT32_MAX: none */
	struct ph_rules *rules;
	uint32_t why;  /* interned reason for rules; UINT32_MAX: none */
	bool rules_used, has_exec, has_exit, listed;
	uint64_t exec, exit;
	struct segment *segs;
	size_t nsegs, segs_cap;
	struct agg *pending;
	struct probe_id *ids;
	size_t nids, ids_cap;
	uint64_t samples;
	/* The first sample whose stack phase is `execute` (a segment boundary):
	 * without probes, where startup ends and execute begins. */
	bool has_stack_execute;
	uint64_t stack_execute;
};

struct ph_model {
	struct ph_rules *rules;
	wp_warn_fn warn;
	void *warn_ctx;
	uint64_t warnings;
	struct wp_intern *strings;
	struct proc *procs;
	size_t nprocs, procs_cap;
	bool finished, warned_order, warned_caps;
	struct ph_row *rows;
	size_t nrows, rows_cap;
	struct ph_process *out;
	size_t nprocs_out;
	char **names; /* row phase names "stack:x", owned */
	size_t nnames, names_cap;
};

__attribute__((format(printf, 2, 3)))
static void warn(struct ph_model *m, const char *fmt, ...)
{
	m->warnings++;
	va_list ap;
	va_start(ap, fmt);
	wp_vwarnf(m->warn, m->warn_ctx, fmt, ap);
	va_end(ap);
}

struct ph_model *ph_model_new(struct ph_rules *rules, wp_warn_fn warn_fn, void *warn_ctx)
{
	struct ph_model *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->rules = rules;
	m->warn = warn_fn;
	m->warn_ctx = warn_ctx;
	m->strings = wp_intern_new();
	if (!m->strings) {
		free(m);
		return NULL;
	}
	return m;
}

static void proc_release(struct proc *p)
{
	for (size_t i = 0; i < p->nsegs; i++)
		free(p->segs[i].a);
	free(p->segs);
	free(p->pending);
	free(p->ids);
}

void ph_model_free(struct ph_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nprocs; i++)
		proc_release(&m->procs[i]);
	free(m->procs);
	wp_intern_free(m->strings);
	free(m->rows);
	free(m->out);
	for (size_t i = 0; i < m->nnames; i++)
		free(m->names[i]);
	free(m->names);
	free(m);
}

uint64_t ph_model_warnings(const struct ph_model *m) { return m->warnings; }

static size_t naggs(const struct proc *p)
{
	return 2 + (p->rules ? p->rules->nstack_phases : 0);
}

/* Finds or adds the process (kept sorted by pid). */
static int get_proc(struct ph_model *m, int32_t pid, struct proc **out)
{
	if (m->finished)
		return WP_E_USAGE;
	size_t lo = 0, hi = m->nprocs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (m->procs[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < m->nprocs && m->procs[lo].pid == pid) {
		*out = &m->procs[lo];
		return 0;
	}
	if (wp_grow((void **)&m->procs, &m->procs_cap, m->nprocs + 1, sizeof *m->procs))
		return WP_E_NOMEM;
	memmove(&m->procs[lo + 1], &m->procs[lo], (m->nprocs - lo) * sizeof *m->procs);
	m->nprocs++;
	struct proc *p = &m->procs[lo];
	memset(p, 0, sizeof *p);
	p->pid = pid;
	p->comm = UINT32_MAX;
	p->why = UINT32_MAX;
	p->rules = m->rules;
	*out = p;
	return 0;
}

/* Aggregates made without rules ([0] all, [1] undecided) laid out for
 * rules r: the samples stay undecided, in r's last slot. */
static int regroup(struct agg **a, size_t n)
{
	if (!*a)
		return 0;
	struct agg *b = calloc(n, sizeof *b);
	if (!b)
		return WP_E_NOMEM;
	b[0] = (*a)[0];
	b[n - 1] = (*a)[1];
	free(*a);
	*a = b;
	return 0;
}

int ph_model_set_rules(struct ph_model *m, int32_t pid, struct ph_rules *rules, const char *why)
{
	struct proc *p;
	int rc = get_proc(m, pid, &p);
	if (rc)
		return rc;
	if (why && (rc = wp_intern_get(m->strings, why, strlen(why), &p->why)))
		return rc;
	if (p->rules == rules)
		return 0;
	if (p->rules_used && (p->rules || !rules))
		return WP_E_USAGE; /* samples were classified with other rules */
	size_t n = 2 + rules->nstack_phases;
	for (size_t i = 0; p->rules_used && i < p->nsegs; i++)
		if ((rc = regroup(&p->segs[i].a, n)))
			return rc;
	if (p->rules_used && (rc = regroup(&p->pending, n)))
		return rc;
	p->rules = rules;
	return 0;
}

static int new_aggs(const struct proc *p, struct agg **a)
{
	*a = calloc(naggs(p), sizeof **a);
	return *a ? 0 : WP_E_NOMEM;
}

/* The segment holding time t (the last one starting at or before it). */
static struct segment *segment_at(struct proc *p, uint64_t t)
{
	if (!p->nsegs)
		return NULL;
	if (t >= p->segs[p->nsegs - 1].start)
		return &p->segs[p->nsegs - 1];
	size_t lo = 0, hi = p->nsegs;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (p->segs[mid].start <= t)
			lo = mid;
		else
			hi = mid;
	}
	return &p->segs[lo];
}

/* Makes sure the first segment exists (it starts at time 0). */
static int ensure_segments(struct proc *p)
{
	if (p->nsegs)
		return 0;
	if (wp_grow((void **)&p->segs, &p->segs_cap, 1, sizeof *p->segs))
		return WP_E_NOMEM;
	p->segs[0].start = 0;
	int rc = new_aggs(p, &p->segs[0].a);
	if (rc)
		return rc;
	p->nsegs = 1;
	p->rules_used = true;
	return 0;
}

/* Samples after the latest exit seen belong to the process after all: a
 * later event of it proves it was alive. */
static void settle_pending(struct proc *p)
{
	if (!p->pending)
		return;
	for (size_t k = 0; k < naggs(p); k++)
		if (p->pending[k].samples) {
			struct segment *s = segment_at(p, p->pending[k].first);
			agg_merge(&s->a[k], &p->pending[k]);
		}
	memset(p->pending, 0, naggs(p) * sizeof *p->pending);
}

/* A segment boundary at time t (a point some phase may start or end at). */
static int split_at(struct ph_model *m, struct proc *p, uint64_t t)
{
	int rc;
	struct segment *s = segment_at(p, t);
	if (s->start == t)
		return 0;
	if (p->nsegs >= MAX_SEGMENTS) {
		if (!m->warned_caps)
			warn(m, "pid %d: more than %u phase boundaries: later ones ignored",
			     (int)p->pid, MAX_SEGMENTS);
		m->warned_caps = true;
		return 0;
	}
	if (s != &p->segs[p->nsegs - 1] && !m->warned_order) {
		m->warned_order = true;
		warn(m, "pid %d: events out of time order: phase sample counts are approximate",
		     (int)p->pid);
	}
	if (wp_grow((void **)&p->segs, &p->segs_cap, p->nsegs + 1, sizeof *p->segs))
		return WP_E_NOMEM;
	size_t at = (size_t)(segment_at(p, t) - p->segs) + 1;
	struct agg *a;
	if ((rc = new_aggs(p, &a)))
		return rc;
	memmove(&p->segs[at + 1], &p->segs[at], (p->nsegs - at) * sizeof *p->segs);
	p->segs[at].start = t;
	p->segs[at].a = a;
	p->nsegs++;
	return 0;
}

/* An event's boundary: the event also proves the process alive until t. */
static int boundary(struct ph_model *m, struct proc *p, uint64_t t)
{
	int rc = ensure_segments(p);
	if (rc)
		return rc;
	settle_pending(p);
	return split_at(m, p, t);
}

/* Is stack phase sp the one named `execute`? */
static bool is_stack_execute(const struct ph_rules *r, int sp)
{
	return sp >= 0 && strcmp(r->stack_phases[sp], "execute") == 0;
}

int ph_model_exec(struct ph_model *m, int32_t pid, int32_t tid, uint64_t time_ns,
		  const char *comm)
{
	struct proc *p;
	int rc = get_proc(m, pid, &p);
	if (rc)
		return rc;
	p->listed = true;
	if (comm && (rc = wp_intern_get(m->strings, comm, strlen(comm), &p->comm)))
		return rc;
	if (p->has_exec) { /* a second exec (sh -c ...): the first one counts */
		settle_pending(p);
		return 0;
	}
	p->has_exec = true;
	p->exec = time_ns;
	return boundary(m, p, time_ns);
}


/* The process, with its time segments ready for a sample or an exit. */
static int get_proc_segments(struct ph_model *m, int32_t pid, struct proc **out)
{
	int rc = get_proc(m, pid, out);
	return rc ? rc : ensure_segments(*out);
}

int ph_model_exit(struct ph_model *m, int32_t pid, int32_t tid, uint64_t time_ns)
{
	struct proc *p;
	int rc = get_proc_segments(m, pid, &p);
	if (rc)
		return rc;
	if (!p->has_exit || time_ns >= p->exit) {
		settle_pending(p);
		p->exit = time_ns;
	}
	p->has_exit = true;
	return 0;
}

int ph_model_probe(struct ph_model *m, int32_t pid, int32_t tid, uint64_t time_ns,
		   const struct ph_probe *pr)
{
	struct proc *p;
	int rc = get_proc(m, pid, &p);
	if (rc)
		return rc;
	p->listed = true;
	const char *f;
	size_t n;
	bool ret;
	ph_event_function(pr->event ? pr->event : "", &f, &n, &ret);
	if (pr->function) {
		f = pr->function;
		n = strlen(f);
		ret = pr->is_return;
	} else {
		ret = ret || pr->is_return;
	}
	uint32_t key;
	if ((rc = wp_intern_get(m->strings, f, n, &key)))
		return rc;
	size_t i;
	for (i = 0; i < p->nids && p->ids[i].key != key; i++)
		;
	if (i == p->nids) {
		if (p->nids >= MAX_IDS) {
			if (!m->warned_caps)
				warn(m, "pid %d: more than %u probed functions: later ones ignored",
				     (int)pid, MAX_IDS);
			m->warned_caps = true;
			return 0;
		}
		if (wp_grow((void **)&p->ids, &p->ids_cap, p->nids + 1, sizeof *p->ids))
			return WP_E_NOMEM;
		memset(&p->ids[i], 0, sizeof p->ids[i]);
		p->ids[i].key = key;
		p->nids++;
	}
	struct probe_id *id = &p->ids[i];
	/* A function hit many times: its first entry, and the first return
	 * after that entry; a return with no entry before it is no point. */
	if (!ret && !id->has_entry) {
		id->has_entry = true;
		id->entry = time_ns;
		return boundary(m, p, time_ns);
	}
	if (ret && id->has_entry && !id->has_return && time_ns >= id->entry) {
		id->has_return = true;
		id->ret = time_ns;
		return boundary(m, p, time_ns);
	}
	settle_pending(p);
	return 0;
}

int ph_model_sample(struct ph_model *m, int32_t pid, int32_t tid, uint64_t time_ns,
		    uint64_t period, const struct ph_frame *frames, size_t n)
{
	struct proc *p;
	int rc = get_proc_segments(m, pid, &p);
	if (rc)
		return rc;
	int cat = PH_CAT_OTHER, sp = -1;
	if (p->rules && (rc = ph_rules_classify(p->rules, frames, n, &cat, &sp)))
		return rc;
	size_t k = sp >= 0 ? (size_t)sp + 1 : naggs(p) - 1;
	bool after_exit = p->has_exit && time_ns > p->exit;
	/* A sample proves nothing about pending ones: split, do not settle. */
	if (!after_exit && is_stack_execute(p->rules, sp) &&
	    (!p->has_stack_execute || time_ns < p->stack_execute)) {
		p->has_stack_execute = true;
		p->stack_execute = time_ns;
		if ((rc = split_at(m, p, time_ns)))
			return rc;
	}
	struct agg *a;
	if (after_exit) {
		if (!p->pending && new_aggs(p, &p->pending))
			return WP_E_NOMEM;
		a = p->pending;
	} else {
		a = segment_at(p, time_ns)->a;
	}
	agg_add(&a[0], time_ns, period, cat);
	agg_add(&a[k], time_ns, period, cat);
	p->samples++;
	return 0;
}

/* ---- finishing: points -> phases -> rows ---- */

struct resolved {
	bool has;
	uint64_t t;
};

static const char *str(const struct ph_model *m, uint32_t id)
{
	return id == UINT32_MAX ? "" : wp_intern_str(m->strings, id, NULL);
}

/* The probed function that gives marker k its entry: the earliest first
 * entry among the functions the marker names; -1 if none was hit. */
static int marker_id(const struct ph_model *m, const struct proc *p, size_t k)
{
	int best = -1;
	for (size_t i = 0; i < p->nids; i++) {
		const struct probe_id *id = &p->ids[i];
		if (!id->has_entry)
			continue;
		size_t len;
		const char *f = wp_intern_str(m->strings, id->key, &len);
		if (ph_marker_matches(p->rules, &p->rules->markers[k], f, len) &&
		    (best < 0 || id->entry < p->ids[best].entry))
			best = (int)i;
	}
	return best;
}

static struct resolved resolve(const struct proc *p, const int *ids, struct ph_point pt)
{
	struct resolved r = { 0 };
	switch (pt.kind) {
	case PH_PT_EXEC:
		r.has = p->has_exec, r.t = p->exec;
		break;
	case PH_PT_EXIT:
		r.has = p->has_exit, r.t = p->exit;
		break;
	case PH_PT_ENTRY:
		if (ids[pt.marker] >= 0)
			r.has = true, r.t = p->ids[ids[pt.marker]].entry;
		break;
	case PH_PT_RETURN:
		if (ids[pt.marker] >= 0 && p->ids[ids[pt.marker]].has_return)
			r.has = true, r.t = p->ids[ids[pt.marker]].ret;
		break;
	}
	return r;
}

static int push_row(struct ph_model *m, const struct ph_row *row)
{
	if (wp_grow((void **)&m->rows, &m->rows_cap, m->nrows + 1, sizeof *m->rows))
		return WP_E_NOMEM;
	m->rows[m->nrows++] = *row;
	return 0;
}

static const char *own_name(struct ph_model *m, const char *prefix, const char *name)
{
	if (wp_grow((void **)&m->names, &m->names_cap, m->nnames + 1, sizeof *m->names))
		return NULL;
	size_t n = strlen(prefix) + strlen(name) + 1;
	char *s = malloc(n);
	if (!s)
		return NULL;
	snprintf(s, n, "%s%s", prefix, name);
	m->names[m->nnames++] = s;
	return s;
}

/* Is segment s inside phase row `row` (present)? */
static bool seg_in(const struct proc *p, const struct ph_row *row, bool closed, size_t s)
{
	uint64_t t = p->segs[s].start;
	/* Segment 0 starts at 0 by construction: it lies inside only phases
	 * that start at 0, which a real point never is. */
	if (closed)
		return t >= row->start_ns && t <= row->end_ns;
	return t >= row->start_ns && t < row->end_ns;
}

static void describe_point(const struct ph_model *m, const struct proc *p, const int *ids,
			   struct ph_point pt, char *dst, size_t size)
{
	char fn[256];
	switch (pt.kind) {
	case PH_PT_EXEC:
		snprintf(dst, size, "no exec event");
		break;
	case PH_PT_EXIT:
		snprintf(dst, size, "no exit event");
		break;
	case PH_PT_ENTRY:
		ph_marker_describe(&p->rules->markers[pt.marker], fn, sizeof fn);
		snprintf(dst, size, "no probe on the entry of %s (%s)",
			 p->rules->markers[pt.marker].name, fn);
		break;
	case PH_PT_RETURN:
		if (ids[pt.marker] >= 0)
			snprintf(fn, sizeof fn, "%s", str(m, p->ids[ids[pt.marker]].key));
		else
			ph_marker_describe(&p->rules->markers[pt.marker], fn, sizeof fn);
		snprintf(dst, size, "no return probe of %s (%s)", p->rules->markers[pt.marker].name,
			 fn);
		break;
	}
}

static int finish_proc(struct ph_model *m, struct proc *p, struct ph_process *out)
{
	const struct ph_rules *r = p->rules;
	memset(out, 0, sizeof *out);
	out->pid = p->pid;
	out->comm = str(m, p->comm);
	out->rules = r ? r->name : NULL;
	out->rules_why = p->why == UINT32_MAX ? NULL : str(m, p->why);
	out->has_exec = p->has_exec, out->exec_ns = p->exec;
	out->has_exit = p->has_exit, out->exit_ns = p->exit;
	out->samples = p->samples;
	out->first_row = m->nrows;
	if (p->pending)
		out->samples_outside += p->pending[0].samples;
	if (p->has_exec)
		for (size_t s = 0; s < p->nsegs && p->segs[s].start < p->exec; s++)
			out->samples_outside += p->segs[s].a[0].samples;
	if (!r)
		return 0;
	int ids[PH_MAX_MARKERS];
	for (size_t k = 0; k < r->nmarkers; k++)
		ids[k] = marker_id(m, p, k);
	/* No probe hit at all: startup and execute split where the stacks
	 * first say execute (wasmperf-phases(1), "Without probes"). */
	bool from_stacks = !p->nids && p->has_exec && p->has_exit && p->has_stack_execute &&
			   p->stack_execute >= p->exec && p->stack_execute <= p->exit;
	struct resolved split = { .has = true, .t = p->stack_execute };
	size_t first = m->nrows;
	bool closed[PH_MAX_PHASES];
	/* One warning per missing point, naming every phase it makes absent. */
	struct { struct ph_point pt; char phases[512]; } missing[2 * PH_MAX_PHASES];
	size_t nmissing = 0;
	for (size_t i = 0; i < r->nphases; i++) {
		const struct ph_phase *ph = &r->phases[i];
		struct ph_row row = { .pid = p->pid, .comm = out->comm, .phase = ph->name,
				      .kind = PH_ROW_PHASE, .depth = ph->depth };
		struct resolved a = resolve(p, ids, ph->start), b = resolve(p, ids, ph->end);
		if (from_stacks && ph->depth == 0 && strcmp(ph->name, "startup") == 0)
			a = resolve(p, ids, (struct ph_point){ .kind = PH_PT_EXEC }), b = split;
		else if (from_stacks && ph->depth == 0 && strcmp(ph->name, "execute") == 0)
			a = split, b = resolve(p, ids, (struct ph_point){ .kind = PH_PT_EXIT });
		closed[i] = ph->end.kind == PH_PT_EXIT;
		const struct ph_point *gone = !a.has ? &ph->start : !b.has ? &ph->end : NULL;
		if (gone) {
			size_t j;
			for (j = 0; j < nmissing; j++)
				if (missing[j].pt.kind == gone->kind && missing[j].pt.marker == gone->marker)
					break;
			if (j == nmissing) {
				missing[j].pt = *gone;
				missing[j].phases[0] = '\0';
				nmissing++;
			}
			size_t used = strlen(missing[j].phases);
			snprintf(missing[j].phases + used, sizeof missing[j].phases - used, "%s%s",
				 used ? ", " : "", ph->name);
			row.missing = gone->kind == PH_PT_EXEC ? "exec" : gone->kind == PH_PT_EXIT ? "exit"
				      : own_name(m, r->markers[gone->marker].name,
						 gone->kind == PH_PT_RETURN ? ".return" : "");
		} else if (b.t < a.t) {
			row.missing = "order";
			warn(m, "pid %d (%s): phase %s ends before it starts (%llu < %llu): absent",
			     (int)p->pid, out->comm, ph->name, (unsigned long long)b.t,
			     (unsigned long long)a.t);
		} else {
			row.present = true;
			row.start_ns = a.t;
			row.end_ns = b.t;
			row.dur_ns = b.t - a.t;
		}
		if (push_row(m, &row))
			return WP_E_NOMEM;
	}
	if (from_stacks)
		warn(m, "pid %d (%s): no probes: startup and execute split at %llu ns, the first "
		     "sample whose stack is in execute (exec and exit from events, the split from "
		     "stacks)", (int)p->pid, out->comm, (unsigned long long)p->stack_execute);
	else if (!p->nids && p->has_exec && p->has_exit)
		warn(m, "pid %d (%s): no probes and no sample whose stack is in execute: "
		     "startup and execute cannot be split from stacks", (int)p->pid, out->comm);
	for (size_t j = 0; j < nmissing; j++) {
		char what[512];
		describe_point(m, p, ids, missing[j].pt, what, sizeof what);
		warn(m, "pid %d (%s): %s: %s absent", (int)p->pid, out->comm, what, missing[j].phases);
	}
	/* Samples of each phase, and which stack phases disagree. */
	struct ph_row *rows = m->rows ? m->rows + first : NULL; /* none yet: NULL + 0 is UB */
	for (size_t s = 0; s < p->nsegs; s++) {
		const struct agg *a = p->segs[s].a;
		if (!a[0].samples)
			continue;
		bool in[PH_MAX_PHASES], any = false;
		for (size_t i = 0; i < r->nphases; i++) {
			in[i] = rows[i].present && seg_in(p, &rows[i], closed[i], s);
			any = any || in[i];
		}
		if (!any)
			continue;
		/* Stack phases that name a phase none of those holding s has. */
		uint64_t dis = 0;
		for (size_t k = 0; k < r->nstack_phases; k++) {
			if (!a[1 + k].samples)
				continue;
			bool named = false, agree = false;
			for (size_t i = 0; i < r->nphases; i++)
				if (strcmp(r->phases[i].name, r->stack_phases[k]) == 0) {
					named = true;
					agree = agree || in[i];
				}
			if (named && !agree)
				dis += a[1 + k].samples;
		}
		out->disagree += dis;
		for (size_t i = 0; i < r->nphases; i++) {
			if (!in[i])
				continue;
			rows[i].samples += a[0].samples;
			rows[i].period += a[0].period;
			for (int c = 0; c < PH_NCAT; c++) {
				rows[i].cat_samples[c] += a[0].cat_samples[c];
				rows[i].cat_period[c] += a[0].cat_period[c];
			}
			rows[i].disagree += dis;
		}
	}
	/* Phases from stacks: every sample of the process. */
	for (size_t k = 0; k + 1 < naggs(p); k++) {
		struct agg sum = { 0 };
		for (size_t s = 0; s < p->nsegs; s++)
			agg_merge(&sum, &p->segs[s].a[1 + k]);
		if (p->pending)
			agg_merge(&sum, &p->pending[1 + k]);
		if (!sum.samples)
			continue;
		struct ph_row row = { .pid = p->pid, .comm = out->comm, .kind = PH_ROW_STACK,
				      .present = true, .start_ns = sum.first, .end_ns = sum.last,
				      .dur_ns = sum.period, .samples = sum.samples, .period = sum.period };
		row.phase = own_name(m, "stack:", k < r->nstack_phases ? r->stack_phases[k]
							   : "unattributed");
		if (!row.phase)
			return WP_E_NOMEM;
		memcpy(row.cat_samples, sum.cat_samples, sizeof row.cat_samples);
		memcpy(row.cat_period, sum.cat_period, sizeof row.cat_period);
		if (push_row(m, &row))
			return WP_E_NOMEM;
	}
	return 0;
}

int ph_model_finish(struct ph_model *m)
{
	if (m->finished)
		return WP_E_USAGE;
	m->finished = true;
	size_t n = 0;
	for (size_t i = 0; i < m->nprocs; i++)
		n += m->procs[i].listed;
	m->out = calloc(n ? n : 1, sizeof *m->out);
	if (!m->out)
		return WP_E_NOMEM;
	size_t k = 0;
	for (size_t i = 0; i < m->nprocs; i++) {
		if (!m->procs[i].listed)
			continue;
		int rc = finish_proc(m, &m->procs[i], &m->out[k]);
		m->out[k].nrows = m->nrows - m->out[k].first_row;
		k++;
		if (rc)
			return rc;
	}
	m->nprocs_out = k;
	return 0;
}

size_t ph_model_rows(const struct ph_model *m, const struct ph_row **rows)
{
	*rows = m->rows;
	return m->nrows;
}

size_t ph_model_processes(const struct ph_model *m, const struct ph_process **procs)
{
	*procs = m->out;
	return m->nprocs_out;
}
