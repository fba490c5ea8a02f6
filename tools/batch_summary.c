/* batch_summary.c - the profiled process of a perf.data and its times, as
 * ../shared/phases/README.md (matrix/) defines them: the pid with the most
 * samples after its exec (the runtime, not the `/usr/bin/time` or shell
 * that started it); exec -> last exit from its first PERF_RECORD_COMM with
 * the exec flag and the last PERF_RECORD_EXIT of any of its threads, at
 * the records' own sample_id times (what `perf script --show-task-events`
 * prints); samples of the recording's first event (the one folded). */
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "perfparse.h"

struct proc {
	uint32_t pid;
	bool exec_seen;
	uint64_t exec_ns, exit_ns;
	bool exited;
	uint64_t samples, main_samples; /* after its exec */
	uint32_t *tids;                  /* threads with samples after its exec */
	size_t ntids, tid_cap;
};

struct procs {
	struct proc *p;
	size_t n, cap;
	struct wp_intern *index;         /* pid bytes -> slot */
};

static struct proc *proc_get(struct procs *ps, uint32_t pid)
{
	uint32_t id;
	if (wp_intern_get(ps->index, (const char *)&pid, sizeof pid, &id))
		return NULL;
	if (id == ps->n) {
		if (wp_grow((void **)&ps->p, &ps->cap, ps->n + 1, sizeof *ps->p))
			return NULL;
		ps->p[ps->n++] = (struct proc){.pid = pid};
	}
	return &ps->p[id];
}

static int note_thread(struct proc *p, uint32_t tid)
{
	for (size_t i = 0; i < p->ntids; i++)
		if (p->tids[i] == tid)
			return 0;
	if (wp_grow((void **)&p->tids, &p->tid_cap, p->ntids + 1, sizeof *p->tids))
		return WP_E_NOMEM;
	p->tids[p->ntids++] = tid;
	return 0;
}

static uint64_t record_time(const struct pp_record *r, uint64_t fallback)
{
	return r->has_time ? r->time : fallback;
}

static int on_record(struct procs *ps, const struct pp_record *r, struct batch_summary *s)
{
	struct proc *p;
	switch (r->type) {
	case PP_RECORD_COMM:
		if (!r->u.comm.exec || !(p = proc_get(ps, r->u.comm.pid)))
			return r->u.comm.exec ? WP_E_NOMEM : 0;
		if (!p->exec_seen) {
			p->exec_seen = true;
			p->exec_ns = record_time(r, 0);
		}
		return 0;
	case PP_RECORD_EXIT:
		if (!(p = proc_get(ps, r->u.fork.pid)))
			return WP_E_NOMEM;
		uint64_t t = record_time(r, r->u.fork.time);
		if (!p->exited || t > p->exit_ns)
			p->exit_ns = t;
		p->exited = true;
		return 0;
	case PP_RECORD_SAMPLE:
		if (r->u.sample.event != 0)
			return 0;
		s->samples_all++;
		if (!(p = proc_get(ps, r->u.sample.pid)))
			return WP_E_NOMEM;
		/* records come in time order: a sample before the exec is the
		 * parent's code still running in the child (fork, then exec) */
		if (!p->exec_seen)
			return 0;
		p->samples++;
		p->main_samples += r->u.sample.tid == r->u.sample.pid;
		return note_thread(p, r->u.sample.tid);
	}
	return 0;
}

/* The pid with the most samples after its exec (ties: the first seen). */
static void choose(const struct procs *ps, struct batch_summary *s)
{
	const struct proc *best = NULL;
	for (size_t i = 0; i < ps->n; i++)
		if (ps->p[i].exec_seen && ps->p[i].samples && (!best || ps->p[i].samples > best->samples))
			best = &ps->p[i];
	if (!best)
		return;
	s->pid = best->pid;
	s->samples_proc = best->samples;
	s->samples_main = best->main_samples;
	s->threads = best->ntids;
	s->exec_ns = best->exec_ns;
	s->exit_ns = best->exit_ns;
	s->has_exec_exit = best->exited && best->exit_ns >= best->exec_ns;
}

int batch_summary_data(const char *prog, const char *path, struct batch_summary *s)
{
	memset(s, 0, sizeof *s);
	s->pid = -1;
	struct procs ps = {.index = wp_intern_new()};
	struct pp_data *d = NULL;
	int rc = ps.index ? pp_data_open(&d, path, NULL, NULL) : WP_E_NOMEM;
	if (rc == 0) {
		const struct pp_record *r;
		while ((rc = pp_data_next(d, &r)) == 1)
			if ((rc = on_record(&ps, r, s)) < 0)
				break;
	}
	if (rc < 0)
		fprintf(stderr, "%s: %s\n", prog,
			rc == WP_E_NOMEM || !d ? wp_strerror(rc) : pp_data_errmsg(d));
	choose(&ps, s);
	for (size_t i = 0; i < ps.n; i++)
		free(ps.p[i].tids);
	free(ps.p);
	wp_intern_free(ps.index);
	pp_data_free(d);
	return rc < 0 ? 1 : 0;
}
