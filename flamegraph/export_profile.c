/* export_profile.c - the profile the export writers read: frames, stacks,
 * threads and phases interned (memory grows with distinct ones); samples
 * (thread, time, stack, weight) go to the store (export_samples.c), which
 * spills them to a temporary file past a small budget, or, for pprof,
 * are only summed per (stack, thread, phase). */
#include <stdlib.h>
#include <string.h>

#include "export_internal.h"

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

struct fg_profile *fg_profile_new(const struct fg_profile_info *info)
{
	struct fg_profile *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->info = *info;
	p->name = dup_or_null(info->name ? info->name : "profile");
	p->event = dup_or_null(info->event);
	p->exporter = dup_or_null(info->exporter ? info->exporter : "wasmperf");
	p->spill_dir = dup_or_null(info->spill_dir ? info->spill_dir : "/tmp");
	p->info.name = p->name;
	p->info.event = p->event;
	p->info.exporter = p->exporter;
	p->info.spill_dir = p->spill_dir;
	int store = info->aggregate ? (p->aggregate = wp_stacks_new()) ? 0 : WP_E_NOMEM
				    : fg_store_init(&p->store);
	p->strings = wp_intern_new();
	p->frame_keys = wp_intern_new();
	p->stacks = wp_stacks_new();
	p->module_keys = wp_intern_new();
	p->thread_keys = wp_intern_new();
	wp_buf_init(&p->tmp, WP_BUF_UNLIMITED);
	uint32_t empty;
	if (store || !p->name || (info->event && !p->event) || !p->exporter || !p->spill_dir || !p->strings ||
	    !p->frame_keys || !p->stacks || !p->module_keys || !p->thread_keys ||
	    wp_intern_get(p->strings, "", 0, &empty)) {
		fg_profile_free(p);
		return NULL;
	}
	return p;
}

void fg_profile_free(struct fg_profile *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->event);
	free(p->exporter);
	free(p->spill_dir);
	wp_intern_free(p->strings);
	wp_intern_free(p->frame_keys);
	free(p->frames);
	wp_stacks_free(p->stacks);
	wp_intern_free(p->module_keys);
	free(p->modules);
	wp_intern_free(p->thread_keys);
	free(p->threads);
	free(p->phases);
	if (!p->info.aggregate)
		fg_store_release(&p->store);
	wp_stacks_free(p->aggregate);
	wp_buf_release(&p->tmp);
	free(p);
}

uint64_t fg_profile_nsamples(const struct fg_profile *p) { return p->nsamples; }

int fg_profile_set_event(struct fg_profile *p, const char *event, bool weight_ns)
{
	char *copy = event ? strdup(event) : NULL;
	if (event && !copy)
		return WP_E_NOMEM;
	free(p->event);
	p->event = copy;
	p->info.event = copy;
	p->info.weight_ns = weight_ns;
	return 0;
}

static int module_id(struct fg_profile *p, const char *path, size_t len, uint32_t *id)
{
	uint32_t before = wp_intern_count(p->module_keys), m, s;
	int rc = wp_intern_get(p->module_keys, path, len, &m);
	if (rc)
		return rc;
	if (m == before) {
		if (wp_grow((void **)&p->modules, &p->modules_cap, (size_t)m + 1, sizeof *p->modules))
			return WP_E_NOMEM;
		rc = wp_intern_get(p->strings, path, len, &s);
		if (rc)
			return rc;
		p->modules[m] = (struct fg_pmodule){s, 0};
	}
	*id = m;
	return 0;
}

int fg_profile_frame(struct fg_profile *p, const struct fg_profile_frame *f, uint32_t *id)
{
	struct fg_pframe fr = {0};
	int rc = wp_intern_get(p->strings, f->name, f->name_len, &fr.name);
	if (!rc && f->file && f->file_len)
		rc = wp_intern_get(p->strings, f->file, f->file_len, &fr.file);
	uint32_t m;
	if (!rc && f->module && f->module_len && (rc = module_id(p, f->module, f->module_len, &m)) == 0)
		fr.module = m + 1;
	if (rc)
		return rc;
	fr.line = f->line;
	fr.inlined = f->inlined;
	uint32_t key[5] = {fr.name, fr.file, fr.line, fr.module, fr.inlined};
	uint32_t before = fg_profile_nframes(p);
	rc = wp_intern_get(p->frame_keys, (const char *)key, sizeof key, id);
	if (rc || *id != before)
		return rc;
	if (wp_grow((void **)&p->frames, &p->frames_cap, (size_t)*id + 1, sizeof *p->frames))
		return WP_E_NOMEM;
	p->frames[*id] = fr;
	return 0;
}

int fg_profile_stack(struct fg_profile *p, const uint32_t *frames, size_t n, uint32_t *id)
{
	size_t index;
	int rc = wp_stacks_add_at(p->stacks, frames, n, 0, 0, &index);
	if (!rc && index > UINT32_MAX)
		rc = WP_E_TOOBIG;
	if (!rc)
		*id = (uint32_t)index;
	return rc;
}

int fg_profile_thread(struct fg_profile *p, uint32_t pid, uint32_t tid, const char *name,
		      size_t len, uint32_t *id)
{
	uint32_t key[2] = {pid, tid}, before = fg_profile_nthreads(p), s;
	int rc = wp_intern_get(p->thread_keys, (const char *)key, sizeof key, id);
	rc = rc ? rc : wp_intern_get(p->strings, name, len, &s);
	if (rc)
		return rc;
	if (*id == before) {
		if (wp_grow((void **)&p->threads, &p->threads_cap, (size_t)*id + 1, sizeof *p->threads))
			return WP_E_NOMEM;
		p->threads[*id] = (struct fg_pthread){.pid = pid, .tid = tid};
	}
	p->threads[*id].name = s;
	return 0;
}

int fg_profile_sample(struct fg_profile *p, uint32_t thread, uint32_t stack, uint64_t time_ns,
		      uint64_t weight)
{
	if (thread >= fg_profile_nthreads(p) || stack >= wp_stacks_count(p->stacks) || p->finished)
		return WP_E_USAGE;
	struct fg_pthread *t = &p->threads[thread];
	if (t->weight + weight < t->weight)
		return WP_E_TOOBIG;
	int rc;
	uint32_t phase = p->nphases ? fg_profile_count_phases(p, t->pid, time_ns, weight) : 0;
	if (p->info.aggregate) {
		uint32_t key[3] = {stack, thread, phase};
		rc = wp_stacks_add(p->aggregate, key, 3, weight, 1);
	} else {
		rc = fg_store_add(&p->store, p->spill_dir, &(struct fg_psample){time_ns, weight, stack, thread});
	}
	if (rc)
		return rc;
	t->weight += weight;
	if (!t->samples || time_ns < t->first)
		t->first = time_ns;
	if (!t->samples || time_ns > t->last)
		t->last = time_ns;
	if (!p->nsamples || time_ns < p->first)
		p->first = time_ns;
	if (!p->nsamples || time_ns > p->last)
		p->last = time_ns;
	t->samples++;
	p->nsamples++;
	return 0;
}

int fg_profile_spill_errno(const struct fg_profile *p)
{
	return p->info.aggregate ? 0 : p->store.spill_errno;
}

int fg_profile_finish(struct fg_profile *p)
{
	int rc = p->info.aggregate ? 0 : fg_store_finish(&p->store);
	p->finished = !rc;
	return rc;
}

int fg_profile_phase(struct fg_profile *p, uint32_t pid, const char *name, size_t len,
		     uint64_t start_ns, uint64_t end_ns, unsigned depth)
{
	if (end_ns < start_ns || p->nsamples)
		return WP_E_USAGE;
	uint32_t s;
	int rc = wp_intern_get(p->strings, name, len, &s);
	if (rc)
		return rc;
	if (wp_grow((void **)&p->phases, &p->phases_cap, p->nphases + 1, sizeof *p->phases))
		return WP_E_NOMEM;
	/* the process's end closes the phases that end there */
	bool closed = true;
	for (size_t i = 0; i < p->nphases; i++)
		if (p->phases[i].pid == pid) {
			if (p->phases[i].end > end_ns)
				closed = false;
			else if (p->phases[i].end < end_ns)
				p->phases[i].closed = false;
		}
	p->phases[p->nphases++] = (struct fg_pphase){
		.pid = pid, .name = s, .start = start_ns, .end = end_ns, .depth = depth, .closed = closed};
	return 0;
}

uint32_t fg_profile_count_phases(struct fg_profile *p, uint32_t pid, uint64_t time, uint64_t weight)
{
	uint32_t best = 0;
	for (size_t i = 0; i < p->nphases; i++) {
		struct fg_pphase *f = &p->phases[i];
		if (f->pid != pid || !fg_phase_holds(f, time))
			continue;
		f->samples++;
		f->weight = f->weight + weight < f->weight ? UINT64_MAX : f->weight + weight;
		if (!best || f->depth > p->phases[best - 1].depth)
			best = (uint32_t)i + 1;
	}
	return best;
}

uint32_t fg_profile_phase_at(const struct fg_profile *p, uint32_t pid, uint64_t time)
{
	uint32_t best = 0;
	for (size_t i = 0; i < p->nphases; i++) {
		const struct fg_pphase *f = &p->phases[i];
		if (f->pid == pid && fg_phase_holds(f, time) &&
		    (!best || f->depth > p->phases[best - 1].depth))
			best = (uint32_t)i + 1;
	}
	return best;
}

int fg_profile_build_id(struct fg_profile *p, const char *module, size_t len, const uint8_t *id,
			size_t n)
{
	uint32_t m;
	int rc = module_id(p, module, len, &m);
	if (rc || n == 0)
		return rc;
	wp_buf_reset(&p->tmp);
	for (size_t i = 0; i < n && !rc; i++)
		rc = wp_buf_printf(&p->tmp, "%02x", id[i]);
	return rc ? rc : wp_intern_get(p->strings, p->tmp.data, p->tmp.len, &p->modules[m].build_id);
}

enum fg_wasm_class fg_profile_frame_class(const struct fg_profile *p,
					  struct fg_wasm_classifier *w, uint32_t frame)
{
	const struct fg_pframe *f = &p->frames[frame];
	size_t n, mn = 0;
	const char *name = fg_pstr(p, f->name, &n);
	const char *module = f->module ? fg_pstr(p, p->modules[f->module - 1].path, &mn) : "";
	enum fg_wasm_class c = fg_wasm_classify(w, name, n);
	if (c != FG_WASM_NATIVE)
		return c;
	if (mn && (module[0] == '[' ? mn > 8 && !memcmp(module, "[kernel.", 8) : wp_has_suffix(module, mn, ".ko")))
		return FG_WASM_KERNEL;
	if (wp_has_prefix(module, mn, "/tmp/perf-") || wp_contains(module, mn, "/jitted-") ||
	    wp_has_prefix(module, mn, "[perf-") || wp_has_prefix(module, mn, "//anon"))
		return FG_WASM_JIT;
	return c;
}
