/* native_maps.c - per-process address spaces from the records: which
 * mapping held an address at a sample's time.
 *
 * Each process (and the global kernel space, pid -1) keeps its mappings
 * sorted by start, each valid for sample times in [t_from, t_to): an exec
 * ends them (perf itself keeps old maps that no new one overlaps: a
 * deliberate difference), a fork copies the parent's live ones, and of
 * several mappings holding an address at a time the most recent wins (as
 * perf's maps__fixup_overlappings would have left it). Module names follow
 * perf's map__new(): anonymous executable memory ("//anon", "/dev/zero",
 * "/anon_hugepage", MAP_HUGETLB, and, beyond perf 6.1, "[anon:NAME]") and
 * executable "[heap]"/"[stack"/"/SYSV" become "/tmp/perf-PID.map" with
 * identity addresses; "[vdso]" has pgoff 0; kernel modules print as
 * "[name]" (kmod_path__parse_name: basename without .ko*, '-' -> '_').
 * For a process whose jitdump is in use (sym_native_jit_pid), later
 * "//anon", "[anon:" and "/memfd:" maps are dropped, as perf inject --jit
 * drops them, and its missing perf map is not warned about. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "native_internal.h"

/* ---- build-ids ---- */

static int path_id(struct sym_native *s, const char *path, uint32_t *id)
{
	uint32_t before = wp_intern_count(s->paths);
	int rc = native_intern(s->paths, path, id);
	if (rc == 0)
		rc = wp_grow((void **)&s->path_bids, &s->path_bids_cap, (size_t)*id + 1,
			     sizeof *s->path_bids);
	if (rc == 0 && *id >= before)
		s->path_bids[*id].len = 0; /* a new path: no build-id yet */
	return rc;
}

int sym_native_build_id(struct sym_native *s, const char *path, const uint8_t *id, size_t len)
{
	if (!s || !path || (!id && len))
		return WP_E_USAGE;
	uint32_t p;
	int rc = path_id(s, path, &p);
	if (rc != 0)
		return rc;
	if (len > NATIVE_MAX_BUILD_ID)
		len = NATIVE_MAX_BUILD_ID;
	memcpy(s->path_bids[p].id, id, len);
	s->path_bids[p].len = len;
	return 0;
}

/* ---- address spaces ---- */

struct native_space *native_space_get(struct sym_native *s, int32_t pid, bool create)
{
	uint32_t id;
	if (wp_intern_find(s->space_keys, (const char *)&pid, sizeof pid, &id) == 0)
		return &s->spaces[id];
	if (!create || wp_intern_get(s->space_keys, (const char *)&pid, sizeof pid, &id) != 0 ||
	    wp_grow((void **)&s->spaces, &s->spaces_cap, s->nspaces + 1, sizeof *s->spaces) != 0)
		return NULL;
	s->spaces[id] = (struct native_space){0};
	s->nspaces++;
	s->st.processes = s->nspaces;
	return &s->spaces[id];
}

/* The index of the first entry that starts after addr. */
static size_t list_upper_bound(const struct native_mapping_list *l, uint64_t addr)
{
	size_t lo = 0, hi = l->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->v[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool key_after(struct native_list_key a, struct native_list_key b)
{
	return a.t_from > b.t_from || (a.t_from == b.t_from && a.seq > b.seq);
}

static struct native_list_key key_of(const struct native_mapping *e)
{
	return (struct native_list_key){e->t_from, e->seq};
}

int native_list_add(struct native_mapping_list *l, const struct native_mapping *e)
{
	/* maxend first, on a copy of cap: cap grows only once both have */
	size_t maxend_cap = l->cap;
	if (wp_grow((void **)&l->newest, &l->newest_cap, l->n + 1, sizeof *l->newest) != 0 ||
	    wp_grow((void **)&l->maxend, &maxend_cap, l->n + 1, sizeof *l->maxend) != 0 ||
	    wp_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v) != 0)
		return WP_E_NOMEM;
	/* after every entry with start <= e->start */
	size_t lo = list_upper_bound(l, e->start);
	memmove(l->v + lo + 1, l->v + lo, (l->n - lo) * sizeof *l->v);
	memmove(l->maxend + lo + 1, l->maxend + lo, (l->n - lo) * sizeof *l->maxend);
	l->v[lo] = *e;
	l->n++;
	/* the running maximum changes only up to where it already exceeds e */
	uint64_t prev = lo ? l->maxend[lo - 1] : 0;
	l->maxend[lo] = e->end > prev ? e->end : prev;
	for (size_t i = lo + 1; i < l->n && l->maxend[i] < l->maxend[i - 1]; i++)
		l->maxend[i] = l->maxend[i - 1];
	for (size_t i = lo; i < l->n; i++) {
		struct native_list_key k = key_of(&l->v[i]);
		l->newest[i] = i == 0 || key_after(k, l->newest[i - 1]) ? k : l->newest[i - 1];
	}
	return 0;
}

const struct native_mapping *native_list_find(const struct native_mapping_list *l,
					      uint64_t addr, uint64_t time)
{
	const struct native_mapping *best = NULL;
	for (size_t i = list_upper_bound(l, addr); i > 0 && l->maxend[i - 1] > addr; i--) {
		if (best && key_after(key_of(best), l->newest[i - 1]))
			break; /* nothing before is more recent */
		const struct native_mapping *e = &l->v[i - 1];
		if (addr >= e->end || time < e->t_from ||
		    (time >= e->t_to && e->t_to != UINT64_MAX))
			continue;
		if (!best || e->t_from > best->t_from ||
		    (e->t_from == best->t_from && e->seq > best->seq))
			best = e;
	}
	return best;
}

const struct native_mapping *native_space_find(const struct native_space *sp, uint64_t addr,
					       uint64_t time)
{
	const struct native_mapping *e = native_list_find(&sp->jit, addr, time);
	return e ? e : native_list_find(&sp->maps, addr, time);
}

/* ---- MMAP, MMAP2 ---- */

/* kmod_path__parse_name(): "[name]" from a module path. */
static void module_name(const char *filename, char *out, size_t size)
{
	if (filename[0] == '[') {
		snprintf(out, size, "%s", filename);
		return;
	}
	const char *base = strrchr(filename, '/');
	base = base ? base + 1 : filename;
	const char *ko = strstr(base, ".ko");
	size_t n = ko ? (size_t)(ko - base) : strlen(base);
	if (n > size - 3)
		n = size - 3;
	out[0] = '[';
	for (size_t i = 0; i < n; i++)
		out[1 + i] = base[i] == '-' ? '_' : base[i];
	out[1 + n] = ']';
	out[2 + n] = '\0';
}

/* A kernel or module map: its kind, and the module perf prints. */
static int kernel_mapping(struct sym_native *s, const char *fn, struct native_mapping *e,
			  char *buf, size_t size, const char **module)
{
	size_t n = strlen(fn);
	if (wp_has_prefix(fn, n, "[kernel.kallsyms]")) {
		e->kind = K_KERNEL;
		*module = "[kernel.kallsyms]";
		/* the reference symbol after the name ("_text") */
		const char *ref = fn + strlen("[kernel.kallsyms]");
		if (*ref) {
			if (native_intern(s->strings, ref, &e->ref) != 0)
				return WP_E_NOMEM;
			e->ref++;
		}
	} else if (wp_has_prefix(fn, n, "[guest.kernel")) {
		e->kind = K_NONE;
	} else {
		e->kind = K_MODULE;
		module_name(fn, buf, size);
		*module = buf;
	}
	return 0;
}

/* A build-id an MMAP2 record carries, kept for the mapping. */
static int add_build_id(struct sym_native *s, const struct sym_native_map *m,
			struct native_mapping *e)
{
	int rc = wp_grow((void **)&s->bids, &s->bids_cap, s->nbids + 1, sizeof *s->bids);
	if (rc != 0)
		return rc;
	struct native_bid *b = &s->bids[s->nbids++];
	b->len = m->build_id_len > NATIVE_MAX_BUILD_ID ? NATIVE_MAX_BUILD_ID : m->build_id_len;
	memcpy(b->id, m->build_id, b->len);
	e->bid = (uint32_t)s->nbids;
	return 0;
}

/* A map of a process (perf's map__new()): its kind, and the module perf
 * prints. 1 when the map is dropped. */
static int user_mapping(struct sym_native *s, const struct sym_native_map *m,
			struct native_mapping *e, char *buf, size_t size, const char **module)
{
	const char *fn = m->filename;
	size_t n = strlen(fn);
	/* perf inject --jit drops these maps of a process once it has
	 * injected its jitdump (jit_process(), perf 6.1) */
	if ((wp_has_prefix(fn, n, "//anon") || wp_has_prefix(fn, n, "[anon:") ||
	     wp_has_prefix(fn, n, "/memfd:")) &&
	    native_is_jit_pid(s, m->pid))
		return 1;
	bool anon = strcmp(fn, "//anon") == 0 || wp_has_prefix(fn, n, "/dev/zero") ||
		    wp_has_prefix(fn, n, "/anon_hugepage") || wp_has_prefix(fn, n, "[anon:") ||
		    (m->flags & MAP_HUGETLB);
	bool no_dso = wp_has_prefix(fn, n, "[stack") || wp_has_prefix(fn, n, "/SYSV") ||
		      strcmp(fn, "[heap]") == 0;
	int mpid;
	char tail;
	if ((anon || no_dso) && (m->prot & PROT_EXEC)) {
		e->kind = K_PERFMAP;
		e->jit = true;
		snprintf(buf, size, "/tmp/perf-%d.map", (int)m->pid);
		*module = buf;
	} else if (sscanf(fn, "/tmp/perf-%d.ma%c", &mpid, &tail) == 2 && tail == 'p') {
		e->kind = K_PERFMAP;
		e->jit = true;
		e->pid = mpid;
	} else if (anon || no_dso) {
		e->kind = K_NONE;
	} else if (strcmp(fn, "[vdso]") == 0) {
		e->kind = K_VDSO;
		e->pgoff = 0;
	} else if (fn[0] == '[') {
		e->kind = K_NONE;
	} else {
		e->kind = K_ELF;
		const char *base = strrchr(fn, '/');
		base = base ? base + 1 : fn;
		e->jit = wp_has_prefix(base, n - (size_t)(base - fn), "jitted-");
	}
	if (e->kind != K_ELF && e->kind != K_VDSO)
		return 0;
	int rc = path_id(s, fn, &e->path);
	if (rc == 0 && m->build_id_len)
		rc = add_build_id(s, m, e);
	return rc;
}

static bool kernel_map(const struct sym_native_map *m)
{
	return m->kernel || m->pid == NATIVE_KERNEL_PID;
}

/* WP_E_USAGE or WP_E_FORMAT for a record no mapping can be made of, else 0. */
static int bad_map(const struct sym_native *s, const struct sym_native_map *m)
{
	return !s || !m || !m->filename || (!m->build_id && m->build_id_len) ? WP_E_USAGE
	       : m->len == 0 || m->start + m->len < m->start ? WP_E_FORMAT : 0;
}

/* The mapping a record makes: its kind, path and module (in buf when
 * made up). 0, 1 when the map is dropped, < 0 on failure. */
static int make_mapping(struct sym_native *s, const struct sym_native_map *m,
			struct native_mapping *e, char *buf, size_t size, const char **module)
{
	*e = (struct native_mapping){.start = m->start, .end = m->start + m->len,
				     .pgoff = m->pgoff, .t_from = m->time, .t_to = UINT64_MAX,
				     .pid = m->pid};
	*module = m->filename;
	return kernel_map(m) ? kernel_mapping(s, m->filename, e, buf, size, module)
			     : user_mapping(s, m, e, buf, size, module);
}

int sym_native_mmap(struct sym_native *s, const struct sym_native_map *m)
{
	int bad = bad_map(s, m);
	if (bad) {
		native_note_change(s, m ? m->time : 0);
		return bad;
	}
	/* node maps code and heap all along (990 of esbuild.data's MMAPs
	 * come after its first sample): answers outside the new range hold.
	 * Not in the kernel's space, where the first map turns every address
	 * outside the maps to [unknown] (resolve_uncached); its maps are few. */
	if (kernel_map(m))
		native_note_change(s, m->time);
	else
		native_note_range(s, m->time, m->pid, m->start, m->start + m->len);
	struct native_mapping e;
	char buf[PATH_MAX + 32];
	const char *module;
	int rc = make_mapping(s, m, &e, buf, sizeof buf, &module);
	e.seq = s->seq++;
	if (rc != 0)
		return rc < 0 ? rc : 0;
	if (native_intern(s->strings, module, &e.module) != 0)
		return WP_E_NOMEM;
	struct native_space *sp = native_space_get(s, kernel_map(m) ? NATIVE_KERNEL_PID : m->pid, true);
	if (!sp || native_list_add(&sp->maps, &e) != 0)
		return WP_E_NOMEM;
	s->st.mappings++;
	native_prefetch(s, &e);
	return 0;
}

void sym_native_prefetch(struct sym_native *s, const struct sym_native_map *m)
{
	/* an MMAP2 build-id is kept by the mapping the record makes: the
	 * load waits for it */
	if (bad_map(s, m) || !s->loader || m->build_id_len)
		return;
	struct native_mapping e;
	char buf[PATH_MAX + 32];
	const char *module;
	if (make_mapping(s, m, &e, buf, sizeof buf, &module) == 0)
		native_prefetch(s, &e);
}

/* ---- COMM, FORK, EXIT ---- */

static void end_list(struct native_mapping_list *l, uint64_t time)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].t_from <= time && l->v[i].t_to > time)
			l->v[i].t_to = time;
}

static void end_space(struct native_space *sp, uint64_t time)
{
	end_list(&sp->maps, time);
	end_list(&sp->jit, time);
}

int sym_native_comm(struct sym_native *s, uint64_t time, int32_t pid, int32_t tid,
		    const char *comm, bool exec)
{
	native_note_change(s, time);
	if (!s)
		return WP_E_USAGE;
	if (exec && pid != NATIVE_KERNEL_PID) {
		struct native_space *sp = native_space_get(s, pid, false);
		if (sp)
			end_space(sp, time);
	}
	return 0;
}

static int copy_live(struct sym_native *s, struct native_mapping_list *to,
		     const struct native_mapping_list *from, uint64_t time)
{
	/* from may move while to grows only if they are the same list: never */
	for (size_t i = 0, n = from->n; i < n; i++) {
		struct native_mapping e = from->v[i];
		if (e.t_from > time || e.t_to <= time)
			continue;
		e.seq = s->seq++;
		if (native_list_add(to, &e) != 0)
			return WP_E_NOMEM;
		s->st.mappings++;
	}
	return 0;
}

int sym_native_fork(struct sym_native *s, uint64_t time, int32_t pid, int32_t ppid,
		    int32_t tid, int32_t ptid)
{
	native_note_change(s, time);
	if (!s)
		return WP_E_USAGE;
	if (pid == ppid || pid == NATIVE_KERNEL_PID)
		return 0; /* a thread shares its process's space */
	struct native_space *child = native_space_get(s, pid, true);
	if (!child)
		return WP_E_NOMEM;
	end_space(child, time); /* a reused pid */
	struct native_space *parent = native_space_get(s, ppid, false);
	if (!parent)
		return 0;
	/* the child keeps the parent's perf map and module names, as perf's
	 * cloned maps keep their dsos */
	int rc = copy_live(s, &child->maps, &parent->maps, time);
	return rc ? rc : copy_live(s, &child->jit, &parent->jit, time);
}

int sym_native_exit(struct sym_native *s, uint64_t time, int32_t pid, int32_t ppid,
		    int32_t tid, int32_t ptid)
{
	native_note_change(s, time);
	/* Samples may still arrive for the exiting process (they are written
	 * out of order within a round); a reused pid is handled at its FORK. */
	return s ? 0 : WP_E_USAGE;
}
