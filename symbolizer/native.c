/* native.c - the sym_native handle: its options, lifetime, warnings and
 * counters. The records that build address spaces are taken in
 * native_maps.c and native_jit.c, symbols are loaded in native_sources.c
 * and addresses resolved in native_resolve.c (native_internal.h). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <libelf.h>

#include "native_internal.h"

static char *dup_opt(const char *s)
{
	return s ? strdup(s) : NULL;
}

void sym_native_options_init(struct sym_native_options *o)
{
	memset(o, 0, sizeof *o);
}

void native_warn_once(struct sym_native *s, const char *key, const char *fmt, ...)
{
	uint32_t before = wp_intern_count(s->warned), id;
	if (wp_intern_get(s->warned, key, strlen(key), &id) != 0 || id < before)
		return;
	va_list ap;
	va_start(ap, fmt);
	wp_vwarnf(s->warn, s->warn_ctx, fmt, ap);
	va_end(ap);
}

int native_intern(struct wp_intern *t, const char *str, uint32_t *id)
{
	return wp_intern_get(t, str, strlen(str), id);
}

static void next_generation(struct sym_native *s, uint64_t time)
{
	s->generation++;
	if (time > s->changed_at)
		s->changed_at = time;
}

void native_note_change(struct sym_native *s, uint64_t time)
{
	if (!s)
		return;
	next_generation(s, time);
	s->wide_generation = s->generation;
}

void native_note_range(struct sym_native *s, uint64_t time, int32_t space, uint64_t start,
		       uint64_t end)
{
	next_generation(s, time);
	s->changes[s->generation % NATIVE_CHANGES] = (struct native_change){start, end, space};
}

/* Copies the option strings; false when out of memory. */
static bool copy_options(struct sym_native *s, const struct sym_native_options *o)
{
	s->o = *o;
	s->o.symfs = dup_opt(o->symfs && o->symfs[0] ? o->symfs : "");
	s->o.kallsyms = dup_opt(o->kallsyms);
	s->o.buildid_dir = dup_opt(o->buildid_dir);
	s->o.perf_map_dir = dup_opt(o->perf_map_dir);
	s->o.data_dir = dup_opt(o->data_dir);
	s->paths_opt.symfs = s->o.symfs;
	s->paths_opt.buildid_dir = s->o.buildid_dir;
	return s->o.symfs && (!o->kallsyms || s->o.kallsyms) &&
	       (!o->buildid_dir || s->o.buildid_dir) && (!o->perf_map_dir || s->o.perf_map_dir) &&
	       (!o->data_dir || s->o.data_dir);
}

struct sym_native *sym_native_new(const struct sym_native_options *o, wp_warn_fn warn,
				  void *ctx)
{
	struct sym_native *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	struct sym_native_options def;
	if (!o) {
		sym_native_options_init(&def);
		o = &def;
	}
	elf_version(EV_CURRENT);
	bool ok = copy_options(s, o);
	s->warn = warn;
	s->warn_ctx = ctx;
	s->names = wp_intern_new();
	s->strings = wp_intern_new();
	s->paths = wp_intern_new();
	s->space_keys = wp_intern_new();
	s->file_keys = wp_intern_new();
	s->pmap_keys = wp_intern_new();
	s->jit_pids = wp_intern_new();
	s->warned = wp_intern_new();
	if (!ok || !s->names || !s->strings || !s->paths || !s->space_keys ||
	    !s->file_keys || !s->pmap_keys || !s->jit_pids || !s->warned ||
	    native_intern(s->strings, "[unknown]", &s->s_unknown) != 0 ||
	    native_intern(s->strings, "[kernel.kallsyms]", &s->s_kernel) != 0) {
		sym_native_free(s);
		return NULL;
	}
	/* without a thread to be had, sources load at first use as with one */
	if (o->threads > 1)
		s->loader = native_loader_new(o->threads - 1);
	return s;
}

void sym_native_free(struct sym_native *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nspaces; i++) {
		free(s->spaces[i].maps.v);
		free(s->spaces[i].maps.maxend);
		free(s->spaces[i].maps.newest);
		free(s->spaces[i].jit.v);
		free(s->spaces[i].jit.maxend);
		free(s->spaces[i].jit.newest);
	}
	native_sources_release(s); /* stops the loading threads first */
	for (size_t i = 0; i < s->ncfi; i++)
		free(s->cfi_blobs[i]);
	free(s->cfi_blobs);
	free(s->spaces);
	free(s->files);
	free(s->pmaps);
	free(s->bids);
	free(s->path_bids);
	free(s->cache);
	free(s->answers);
	free(s->recent);
	wp_intern_free(s->names);
	wp_intern_free(s->strings);
	wp_intern_free(s->paths);
	wp_intern_free(s->space_keys);
	wp_intern_free(s->file_keys);
	wp_intern_free(s->pmap_keys);
	wp_intern_free(s->jit_pids);
	wp_intern_free(s->warned);
	free((char *)s->o.symfs);
	free((char *)s->o.kallsyms);
	free((char *)s->o.buildid_dir);
	free((char *)s->o.perf_map_dir);
	free((char *)s->o.data_dir);
	free(s);
}

void sym_native_get_stats(const struct sym_native *s, struct sym_native_stats *st)
{
	*st = s->st;
}

const struct sym_native_paths *native_paths(const struct sym_native *s)
{
	return &s->paths_opt;
}
