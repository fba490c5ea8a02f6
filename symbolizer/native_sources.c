/* native_sources.c - where the native symbolizer's symbols come from, each
 * source loaded on first use and warned about once: ELF files per (path,
 * build-id) (native_elf.c), perf-PID.map files per process
 * (native_perfmap.c) and the kernel's kallsyms (native_kallsyms.c). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "native_internal.h"

/* ---- ELF files ---- */

static void warn_no_symbols(struct sym_native *s, const struct native_file *f, const char *path,
			    const char *why, const char *found)
{
	char want[2 * NATIVE_MAX_BUILD_ID + 1], shown[WP_WARN_MAX], key[PATH_MAX + 64];
	native_hex(f->id, f->id_len, want);
	native_shown(shown, path);
	snprintf(key, sizeof key, "file:%s", path);
	if (strcmp(why, "build-id mismatch") == 0)
		native_warn_once(s, key,
				 "'%s': no file with build-id %s found (the file there has %s): no symbols",
				 shown, want, found[0] ? found : "none");
	else
		native_warn_once(s, key, "'%s': no symbols: %s", shown, why);
}

struct native_file *native_file_entry(struct sym_native *s, const struct native_mapping *e)
{
	const struct native_bid *b = native_mapping_bid(s, e);
	uint8_t key[4 + NATIVE_MAX_BUILD_ID];
	memcpy(key, &e->path, 4);
	memcpy(key + 4, b->id, b->len);
	uint32_t id;
	if (wp_intern_get(s->file_keys, (const char *)key, 4 + b->len, &id) != 0)
		return NULL;
	if (id == s->nfiles) {
		if (wp_grow((void **)&s->files, &s->files_cap, s->nfiles + 1, sizeof *s->files) != 0)
			return NULL;
		s->files[id] = (struct native_file){.path = e->path, .id_len = b->len};
		memcpy(s->files[id].id, b->id, b->len);
		s->nfiles++;
	}
	return &s->files[id];
}

/* Loads f here, or takes the load a worker made of it. false when out of
 * memory. */
static bool file_load(struct sym_native *s, struct native_file *f)
{
	struct native_elf_job *j = f->job;
	f->job = NULL;
	if (j)
		native_job_finish(s->loader, &j->job);
	else if ((j = native_elf_job_new(s, f)) != NULL)
		j->job.run(&j->job);
	if (!j || !j->elf) {
		native_elf_job_free(j);
		return false;
	}
	f->elf = j->elf;
	f->names = j->names;
	j->elf = NULL;
	j->names = NULL;
	s->st.files++;
	if (j->why) {
		f->failed = true;
		s->st.files_failed++;
		warn_no_symbols(s, f, j->path, j->why, j->found);
	}
	native_elf_job_free(j);
	return true;
}

struct native_file *native_file_get(struct sym_native *s, const struct native_mapping *e)
{
	struct native_file *f = native_file_entry(s, e);
	if (!f)
		return NULL;
	if (!f->loaded) {
		f->loaded = true;
		if (!file_load(s, f))
			return NULL;
	}
	return f;
}

int sym_native_defines(struct sym_native *s, int32_t pid, uint64_t time, uint64_t addr,
		       const char *name)
{
	const struct native_space *sp = native_space_get(s, pid, false);
	const struct native_mapping *e = sp ? native_list_find(&sp->maps, addr, time) : NULL;
	if (!e || e->kind != K_ELF || !name)
		return 0;
	struct native_file *f = native_file_get(s, e);
	if (!f)
		return WP_E_NOMEM;
	return f->failed ? 0 : native_elf_defines(f->elf, name, !s->o.no_demangle);
}

/* ---- perf maps ---- */

/* One warning per reason a line was skipped, in line order: the first
 * line, and how many more. */
static void warn_skipped_lines(struct sym_native *s, int32_t pid, const char *path,
			       const struct native_perfmap *m)
{
	const struct native_perfmap_skips *sk = native_perfmap_skipped(m);
	bool told[NATIVE_PERFMAP_NSKIPS] = {false};
	char shown[WP_WARN_MAX];
	native_shown(shown, path);
	for (;;) {
		int why = -1;
		for (int r = 0; r < NATIVE_PERFMAP_NSKIPS; r++)
			if (sk->count[r] && !told[r] &&
			    (why < 0 || sk->first_line[r] < sk->first_line[why]))
				why = r;
		if (why < 0)
			break;
		told[why] = true;
		uint64_t more = sk->count[why] - 1;
		char key[64], others[64] = "";
		snprintf(key, sizeof key, "perfmap:%d:%d", (int)pid, why);
		if (more)
			snprintf(others, sizeof others, " (and %llu more such line%s)",
				 (unsigned long long)more, more == 1 ? "" : "s");
		native_warn_once(s, key, "'%s': line %llu: %s, skipped%s", shown,
				 (unsigned long long)sk->first_line[why],
				 native_perfmap_skip_what((enum native_perfmap_skip)why), others);
	}
}

/* A perf map's load (native_prefetch.c) reported as at its first use:
 * from the first directory that has one (--perf-map-dir, beside the
 * perf.data file, /tmp). */
static struct native_perfmap *perfmap_report(struct sym_native *s, struct native_pmap_job *j)
{
	char key[64], shown[WP_WARN_MAX];
	int32_t pid = j->pid;
	snprintf(key, sizeof key, "perfmap:%d", (int)pid);
	if (!j->found) {
		/* a process whose JIT code a jitdump names needs no map */
		if (!native_is_jit_pid(s, pid))
			native_warn_once(s, key, "no perf-%d.map found: JIT frames of pid %d stay unknown",
					 (int)pid, (int)pid);
		return NULL;
	}
	if (j->rc == WP_E_TOOBIG) {
		/* refused from its size, before reading it */
		native_warn_once(s, key,
				 "'%s': larger than the 1 GiB cap for perf maps: not read, "
				 "JIT frames of pid %d stay unknown",
				 native_shown(shown, j->path), (int)pid);
		return NULL;
	}
	if (j->rc != 0) {
		native_warn_once(s, key, "'%s': cannot read: %s: JIT frames of pid %d stay unknown",
				 native_shown(shown, j->path), wp_strerror(j->rc), (int)pid);
		return NULL;
	}
	uint64_t n, bad;
	native_perfmap_counts(j->map, &n, &bad);
	s->st.perf_maps++;
	s->st.perf_map_bad_lines += bad;
	warn_skipped_lines(s, pid, j->path, j->map);
	return j->map;
}

struct native_perfmap *native_perfmap_get(struct sym_native *s, int32_t pid)
{
	struct native_pmap_job *j = native_pmap_entry(s, pid);
	if (!j)
		return NULL;
	if (!j->taken) {
		j->taken = true;
		if (j->started)
			native_job_finish(s->loader, &j->job);
		else
			j->job.run(&j->job);
		j->started = true;
		if (!perfmap_report(s, j) && j->map) {
			native_perfmap_free(j->map);
			j->map = NULL;
		}
	}
	return j->map;
}

/* ---- kallsyms ---- */

/* Build-id of the running kernel from /sys/kernel/notes. */
static size_t running_kernel_id(uint8_t *out)
{
	char *data;
	size_t len, n = 0;
	if (wp_read_file("/sys/kernel/notes", 1 << 20, &data, &len) != 0)
		return 0;
	size_t off = 0;
	while (off + 12 <= len) {
		uint32_t namesz, descsz, type;
		memcpy(&namesz, data + off, 4);
		memcpy(&descsz, data + off + 4, 4);
		memcpy(&type, data + off + 8, 4);
		size_t name_off = off + 12;
		size_t desc_off = name_off + ((namesz + 3u) & ~3u);
		size_t next = desc_off + ((descsz + 3u) & ~3u);
		if (namesz > len || descsz > len || next > len || next <= off)
			break;
		if (type == 3 /* NT_GNU_BUILD_ID */ && namesz == 4 &&
		    memcmp(data + name_off, "GNU", 4) == 0 && descsz <= NATIVE_MAX_BUILD_ID) {
			memcpy(out, data + desc_off, descsz);
			n = descsz;
			break;
		}
		off = next;
	}
	free(data);
	return n;
}

/* Which kallsyms file to read: --kallsyms; else /proc/kallsyms when the
 * recording proves that the running kernel is the recorded one (its
 * [kernel.kallsyms] build-id is the one in /sys/kernel/notes); else the
 * build-id cache's copy of the recorded kernel's; else SYMFS/proc/kallsyms
 * (--symfs is the recorded machine's root). A recording without a kernel
 * build-id (pipe mode, -z, an interrupted or cut file) proves nothing:
 * another kernel's names would be plausible and wrong, so its kernel
 * frames stay unknown. NULL with *why when there is none. */
const char *native_kallsyms_source(const struct sym_native *s, char *path, size_t size,
				   const char **why)
{
	uint32_t kp;
	const struct native_bid *rec = NULL;
	if (wp_intern_find(s->paths, "[kernel.kallsyms]", 17, &kp) == 0 && s->path_bids[kp].len)
		rec = &s->path_bids[kp];
	if (s->o.kallsyms)
		return s->o.kallsyms;
	*why = "no kallsyms file";
	if (!s->o.no_proc_kallsyms) {
		uint8_t id[NATIVE_MAX_BUILD_ID];
		size_t n = rec ? running_kernel_id(id) : 0;
		if (rec && n == rec->len && memcmp(id, rec->id, n) == 0)
			return "/proc/kallsyms";
		*why = rec ? "the running kernel is not the recorded one (pass --kallsyms)"
			   : "the recording names no kernel build-id, so the running kernel "
			     "is not known to be the recorded one (pass --kallsyms /proc/kallsyms "
			     "if it is)";
	}
	if (rec && s->o.buildid_dir) {
		char hex[2 * NATIVE_MAX_BUILD_ID + 1];
		native_hex(rec->id, rec->len, hex);
		if (snprintf(path, size, "%s/[kernel.kallsyms]/%s/kallsyms", s->o.buildid_dir, hex) <
			    (int)size &&
		    access(path, R_OK) == 0)
			return path;
	}
	if (s->o.symfs[0] && snprintf(path, size, "%s/proc/kallsyms", s->o.symfs) < (int)size &&
	    access(path, R_OK) == 0)
		return path;
	return NULL;
}

/* Loads kallsyms from src here, or takes the load a worker made of it
 * (when it read the same file). */
static int kallsyms_load(struct sym_native *s, const char *src)
{
	struct native_kall_job *j = s->kall_job;
	s->kall_job = NULL;
	if (j) {
		native_job_finish(s->loader, &j->job);
		if (strcmp(j->path, src) != 0) {
			native_kall_job_free(j);
			j = NULL;
		}
	}
	if (!j) {
		if (!(j = native_kall_job_new(src)))
			return WP_E_NOMEM;
		j->job.run(&j->job);
	}
	int rc = j->rc;
	s->kall = j->k;
	memset(&j->k, 0, sizeof j->k);
	native_kall_job_free(j);
	return rc;
}

bool native_kallsyms_ready(struct sym_native *s)
{
	if (s->kall_tried)
		return s->kall_ok;
	s->kall_tried = true;
	char path[PATH_MAX], shown[WP_WARN_MAX];
	const char *why;
	const char *src = native_kallsyms_source(s, path, sizeof path, &why);
	if (!src) {
		native_warn_once(s, "kallsyms", "no kernel symbols: %s", why);
		return false;
	}
	native_shown(shown, src);
	int rc = kallsyms_load(s, src);
	if (rc != 0) {
		native_kallsyms_release(&s->kall);
		native_warn_once(s, "kallsyms", "'%s': cannot read kernel symbols: %s", shown,
				 rc == WP_E_TOOBIG ? "larger than the 1 GiB cap for kallsyms files, not read"
						   : wp_strerror(rc));
		return false;
	}
	if (s->kall.syms.n && s->kall.syms.v[s->kall.syms.n - 1].start == 0) {
		/* every address 0: kptr_restrict hid them from this user */
		native_kallsyms_release(&s->kall);
		memset(&s->kall, 0, sizeof s->kall);
		native_warn_once(s, "kallsyms", "'%s': kernel addresses are hidden (kptr_restrict)",
				 shown);
		return false;
	}
	s->st.kallsyms_symbols = s->kall.syms.n;
	s->st.kallsyms_bad_lines = s->kall.bad_lines;
	if (s->kall.bad_lines)
		native_warn_once(s, "kallsyms-bad", "'%s': %llu malformed lines skipped", shown,
				 (unsigned long long)s->kall.bad_lines);
	s->kall_ok = true;
	return true;
}
