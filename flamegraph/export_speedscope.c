/* export_speedscope.c - speedscope's file format (its
 * src/lib/file-format-spec.ts; schema URL below, which speedscope sniffs):
 * every frame once in shared.frames (name, file, line), a "sampled"
 * profile per thread with its samples in time order (stacks of frame
 * indices, root first) and their weights, the busiest thread active; then
 * a profile per phase (of a recording with markers) holding samples: its
 * process's threads' samples inside it, thread after thread.
 * Consecutive samples with the same stack are one sample of their summed
 * weight: speedscope merges them in its time-order view anyway. */
#include <stdlib.h>
#include <string.h>

#include "export_internal.h"

static void write_frames(struct fg_out *o, const struct fg_profile *p)
{
	fg_out_puts(o, "\"shared\":{\"frames\":[");
	for (uint32_t i = 0; i < fg_profile_nframes(p); i++) {
		const struct fg_pframe *f = &p->frames[i];
		size_t n;
		const char *s = fg_pstr(p, f->name, &n);
		fg_out_puts(o, i ? ",\n{\"name\":" : "\n{\"name\":");
		fg_json_string(o, s, n);
		if (f->file) {
			s = fg_pstr(p, f->file, &n);
			fg_out_puts(o, ",\"file\":");
			fg_json_string(o, s, n);
		}
		if (f->line) {
			fg_out_puts(o, ",\"line\":");
			fg_out_u64(o, f->line);
		}
		fg_out_putc(o, '}');
	}
	fg_out_puts(o, "]},\n");
}

static void write_stack(struct fg_out *o, const struct fg_profile *p, uint32_t stack)
{
	const uint32_t *ids;
	size_t n;
	wp_stacks_get(p->stacks, stack, &ids, &n, NULL, NULL);
	fg_out_putc(o, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			fg_out_putc(o, ',');
		fg_out_u64(o, ids[i]);
	}
	fg_out_putc(o, ']');
}

/* The samples of the threads, in time order per thread, one thread after
 * the other; with a phase only those it holds. Two passes (stacks, then
 * weights) over the store, each merged run of one stack written once. */
struct selection {
	const uint32_t *threads;
	size_t nthreads;
	const struct fg_pphase *phase;   /* or NULL */
};

static int write_column(struct fg_out *o, const struct fg_profile *p, const struct selection *sel,
			bool weights)
{
	bool first = true, any = false;
	uint32_t prev = 0;
	uint64_t w = 0;
	for (size_t t = 0; t < sel->nthreads; t++) {
		struct fg_sample_iter it;
		int rc = fg_sample_iter_open(&it, p, sel->threads[t]);
		struct fg_psample s;
		while (rc >= 0 && (rc = fg_sample_iter_next(&it, &s)) == 1) {
			if (sel->phase && !fg_phase_holds(sel->phase, s.time))
				continue;
			if (any && s.stack == prev) {
				w += s.weight; /* a thread's or phase's total fits in 64 bits */
				continue;
			}
			if (any && weights) {
				fg_out_puts(o, first ? "" : ",");
				fg_out_u64(o, w);
				first = false;
			} else if (!weights) {
				fg_out_puts(o, first ? "" : ",\n");
				write_stack(o, p, s.stack);
				first = false;
			}
			any = true;
			prev = s.stack;
			w = s.weight;
		}
		fg_sample_iter_close(&it);
		if (rc < 0)
			return rc;
	}
	if (any && weights) {
		fg_out_puts(o, first ? "" : ",");
		fg_out_u64(o, w);
	}
	return 0;
}

static int write_samples(struct fg_out *o, const struct fg_profile *p, const struct selection *sel)
{
	fg_out_puts(o, "\"samples\":[");
	int rc = write_column(o, p, sel, false);
	fg_out_puts(o, "],\n\"weights\":[");
	rc = rc ? rc : write_column(o, p, sel, true);
	fg_out_puts(o, "]");
	return rc;
}

static void thread_name(struct fg_out *o, const struct fg_profile *p, const struct fg_pthread *t)
{
	size_t n;
	const char *s = fg_pstr(p, t->name, &n);
	if (!p->info.timed) {
		fg_json_string(o, p->name, strlen(p->name));
		return;
	}
	struct wp_buf b;
	wp_buf_init(&b, WP_BUF_UNLIMITED);
	int rc = wp_buf_append(&b, s, n);
	rc = rc ? rc : wp_buf_printf(&b, " (pid %u, tid %u)", t->pid, t->tid);
	if (rc)
		o->err = rc;
	else
		fg_json_string(o, b.data, b.len);
	wp_buf_release(&b);
}

/* "phase execute (pid 12480)" */
static void phase_name(struct fg_out *o, const struct fg_profile *p, const struct fg_pphase *f)
{
	size_t n;
	const char *s = fg_pstr(p, f->name, &n);
	struct wp_buf b;
	wp_buf_init(&b, WP_BUF_UNLIMITED);
	int rc = wp_buf_puts(&b, "phase ");
	rc = rc ? rc : wp_buf_append(&b, s, n);
	rc = rc ? rc : wp_buf_printf(&b, " (pid %u)", f->pid);
	if (rc)
		o->err = rc;
	else
		fg_json_string(o, b.data, b.len);
	wp_buf_release(&b);
}

static int write_profile(struct fg_out *o, const struct fg_profile *p, const struct selection *sel,
			 uint64_t weight)
{
	fg_out_puts(o, "{\"type\":\"sampled\",\"name\":");
	if (sel->phase)
		phase_name(o, p, sel->phase);
	else
		thread_name(o, p, &p->threads[sel->threads[0]]);
	fg_out_puts(o, ",\"unit\":");
	fg_out_puts(o, p->info.weight_ns ? "\"nanoseconds\"" : "\"none\"");
	fg_out_puts(o, ",\"startValue\":0,\"endValue\":");
	fg_out_u64(o, weight);
	fg_out_puts(o, ",\n");
	int rc = write_samples(o, p, sel);
	fg_out_putc(o, '}');
	return rc;
}

/* A profile per phase of a process that holds samples: its threads'. */
static int write_phases(struct fg_out *o, const struct fg_profile *p, uint32_t *threads)
{
	for (size_t i = 0; i < p->nphases; i++) {
		const struct fg_pphase *f = &p->phases[i];
		if (!f->samples)
			continue;
		struct selection sel = {threads, 0, f};
		for (uint32_t t = 0; t < fg_profile_nthreads(p); t++)
			if (p->threads[t].pid == f->pid && p->threads[t].samples)
				threads[sel.nthreads++] = t;
		fg_out_puts(o, ",\n");
		int rc = write_profile(o, p, &sel, f->weight);
		if (rc)
			return rc;
	}
	return 0;
}

int fg_export_speedscope(const struct fg_profile *p, FILE *out)
{
	uint32_t nt = fg_profile_nthreads(p), *threads = malloc((nt ? nt : 1) * sizeof *threads);
	if (!threads)
		return WP_E_NOMEM;
	struct fg_out o;
	fg_out_init(&o, out);
	uint32_t busiest = 0, shown = 0, active = 0;
	for (uint32_t t = 0; t < nt; t++)
		if (p->threads[t].samples && p->threads[t].weight > p->threads[busiest].weight)
			busiest = t;
	fg_out_puts(&o, "{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\",\n"
		    "\"exporter\":");
	fg_json_string(&o, p->exporter, strlen(p->exporter));
	fg_out_puts(&o, ",\"name\":");
	fg_json_string(&o, p->name, strlen(p->name));
	fg_out_puts(&o, ",\n");
	write_frames(&o, p);
	fg_out_puts(&o, "\"profiles\":[");
	int rc = 0;
	for (uint32_t t = 0; t < nt && !rc; t++) {
		if (!p->threads[t].samples)
			continue;
		if (t == busiest)
			active = shown;
		fg_out_puts(&o, shown++ ? ",\n" : "\n");
		threads[0] = t;
		struct selection sel = {threads, 1, NULL};
		rc = write_profile(&o, p, &sel, p->threads[t].weight);
	}
	rc = rc ? rc : write_phases(&o, p, threads);
	fg_out_puts(&o, "],\n\"activeProfileIndex\":");
	fg_out_u64(&o, active);
	fg_out_puts(&o, "}\n");
	int frc = fg_out_flush(&o);
	fg_out_release(&o);
	free(threads);
	return rc ? rc : frc;
}
