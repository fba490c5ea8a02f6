/* native_prefetch.c - each symbol source's load as a job (native_loader.c)
 * that builds private results, names included: an ELF file's table, a
 * process's perf map, kallsyms. With one thread a job runs at the
 * source's first use (native_sources.c), as it always did; with workers
 * it is queued as soon as a record shows the source will be needed (an
 * ELF or the kernel at its first MMAP, a perf map when a process maps
 * anonymous code), and native_sources.c waits for it at first use. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "native_internal.h"

/* ---- ELF files ---- */

static void elf_job_run(struct native_job *job)
{
	struct native_elf_job *j = (struct native_elf_job *)job;
	j->names = wp_intern_new();
	j->elf = j->names ? native_elf_load(j->paths, j->path, j->id, j->id_len, j->names,
					    j->demangle, &j->why, j->found)
			  : NULL;
}

struct native_elf_job *native_elf_job_new(const struct sym_native *s, const struct native_file *f)
{
	struct native_elf_job *j = calloc(1, sizeof *j);
	if (!j)
		return NULL;
	j->job.run = elf_job_run;
	j->paths = &s->paths_opt;
	j->path = wp_intern_str(s->paths, f->path, NULL);
	memcpy(j->id, f->id, f->id_len);
	j->id_len = f->id_len;
	j->demangle = !s->o.no_demangle;
	return j;
}

void native_elf_job_free(struct native_elf_job *j)
{
	if (!j)
		return;
	native_elf_free(j->elf);
	wp_intern_free(j->names);
	free(j);
}

/* ---- perf maps ---- */

/* perf-PID.map from the first directory that has one. */
static void pmap_job_run(struct native_job *job)
{
	struct native_pmap_job *j = (struct native_pmap_job *)job;
	j->names = wp_intern_new();
	if (!j->names) {
		j->rc = WP_E_NOMEM;
		return;
	}
	for (int i = 0; i < 3; i++) {
		if (!j->dirs[i] || snprintf(j->path, sizeof j->path, "%s/perf-%d.map", j->dirs[i],
					    (int)j->pid) >= (int)sizeof j->path)
			continue;
		j->rc = native_perfmap_load(&j->map, j->path, j->names);
		if (j->rc == WP_E_NOTFOUND)
			continue;
		j->found = true;
		return;
	}
	j->rc = WP_E_NOTFOUND;
}

struct native_pmap_job *native_pmap_entry(struct sym_native *s, int32_t pid)
{
	uint32_t id;
	if (wp_intern_find(s->pmap_keys, (const char *)&pid, sizeof pid, &id) == 0)
		return s->pmaps[id];
	struct native_pmap_job *j = calloc(1, sizeof *j);
	if (!j || wp_grow((void **)&s->pmaps, &s->pmaps_cap, s->npmaps + 1, sizeof *s->pmaps) != 0 ||
	    wp_intern_get(s->pmap_keys, (const char *)&pid, sizeof pid, &id) != 0) {
		free(j);
		return NULL;
	}
	j->job.run = pmap_job_run;
	j->dirs[0] = s->o.perf_map_dir;
	j->dirs[1] = s->o.data_dir;
	j->dirs[2] = "/tmp";
	j->pid = pid;
	s->pmaps[id] = j;
	s->npmaps++;
	return j;
}

void native_pmap_job_free(struct native_pmap_job *j)
{
	if (!j)
		return;
	native_perfmap_free(j->map);
	wp_intern_free(j->names);
	free(j);
}

/* ---- kallsyms ---- */

static void kall_job_run(struct native_job *job)
{
	struct native_kall_job *j = (struct native_kall_job *)job;
	j->rc = native_kallsyms_load(&j->k, j->path);
}

struct native_kall_job *native_kall_job_new(const char *path)
{
	struct native_kall_job *j = calloc(1, sizeof *j);
	if (!j || snprintf(j->path, sizeof j->path, "%s", path) >= (int)sizeof j->path) {
		free(j);
		return NULL;
	}
	j->job.run = kall_job_run;
	return j;
}

void native_kall_job_free(struct native_kall_job *j)
{
	if (!j)
		return;
	native_kallsyms_release(&j->k);
	free(j);
}

/* ---- ahead of use ---- */

static void prefetch_kallsyms(struct sym_native *s)
{
	if (s->kall_job || s->kall_tried)
		return;
	char path[PATH_MAX];
	const char *why;
	const char *src = native_kallsyms_source(s, path, sizeof path, &why);
	if (src && (s->kall_job = native_kall_job_new(src)) != NULL)
		native_loader_submit(s->loader, &s->kall_job->job);
}

void native_prefetch(struct sym_native *s, const struct native_mapping *e)
{
	if (!s->loader)
		return;
	switch (e->kind) {
	case K_KERNEL:
	case K_MODULE:
		prefetch_kallsyms(s);
		break;
	case K_ELF:
	case K_VDSO: {
		/* out of memory here: the load happens at first use */
		struct native_file *f = native_file_entry(s, e);
		if (f && !f->loaded && !f->job && (f->job = native_elf_job_new(s, f)) != NULL)
			native_loader_submit(s->loader, &f->job->job);
		break;
	}
	case K_PERFMAP: {
		struct native_pmap_job *j = native_pmap_entry(s, e->pid);
		if (j && !j->started) {
			j->started = true;
			native_loader_submit(s->loader, &j->job);
		}
		break;
	}
	default:
		break;
	}
}

void native_sources_release(struct sym_native *s)
{
	native_loader_free(s->loader); /* no job runs after this */
	s->loader = NULL;
	for (size_t i = 0; i < s->nfiles; i++) {
		native_elf_free(s->files[i].elf);
		wp_intern_free(s->files[i].names);
		native_elf_job_free(s->files[i].job);
	}
	for (size_t i = 0; i < s->npmaps; i++)
		native_pmap_job_free(s->pmaps[i]);
	native_kallsyms_release(&s->kall);
	native_kall_job_free(s->kall_job);
}
