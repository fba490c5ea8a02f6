/* native_space.c - per-process address spaces and the sym_native_* API:
 * which mapping held an address at a sample's time, and from there the
 * symbol (native_elf.c, native_kallsyms.c, native_perfmap.c).
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
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libelf.h>

#include "native_internal.h"

#define CACHE_SLOTS 4096 /* direct-mapped (file, offset) -> symbol cache */
#define KERNEL_PID (-1)

enum map_kind { K_ELF, K_VDSO, K_PERFMAP, K_NONE, K_KERNEL, K_MODULE, K_JITCODE };

struct map_ent {
	uint64_t start, end, pgoff;
	uint64_t t_from, t_to;
	uint32_t seq;
	uint32_t path;     /* paths id of the filename (ELF, VDSO) */
	uint32_t bid;      /* index + 1 into bids, 0: use the path's header build-id */
	uint32_t module;   /* strings id of the printed module */
	uint32_t ref;      /* K_KERNEL: strings id + 1 of the reference symbol ("_text") */
	int32_t pid;       /* perf map owner (K_PERFMAP) */
	const char *name;  /* K_JITCODE: the function (interned in names) */
	const uint8_t *cfi; /* K_JITCODE: unwinding info (owned by cfi_blobs) */
	uint32_t cfi_size, cfi_hdr_size;
	uint8_t kind;
	bool jit;
};

/* Mappings sorted by start; maxend[i] = max end over v[0..i], so a lookup
 * scans back only over entries that may still hold the address. */
struct map_list {
	struct map_ent *v;
	uint64_t *maxend;
	size_t n, cap;
};

/* JIT functions (jitdumps) are kept apart from the mappings: they are
 * many and small, and they hide whatever mapping lies under them (the
 * anonymous code region, or the runtime's own text for V8's builtins). */
struct space {
	int32_t pid;
	struct map_list maps, jit;
};

struct file {           /* one (path, build-id) */
	uint32_t path;
	uint8_t id[NATIVE_MAX_BUILD_ID];
	size_t id_len;
	struct native_elf *elf; /* NULL until loaded */
	bool loaded, failed;
};

struct pmap {           /* perf map of one pid */
	int32_t pid;
	struct native_perfmap *m; /* NULL: not found */
};

struct cache_slot {
	uint32_t file;     /* index + 1; 0 empty */
	uint64_t off;
	const struct native_sym *sym;
};

struct bid {
	uint8_t id[NATIVE_MAX_BUILD_ID];
	size_t len;
};

#define ANSWER_SLOTS (1u << 16)

struct resolve_slot {
	uint64_t addr, generation;
	int32_t pid;
	bool kernel, latest, used;
	struct sym_frame frame;
};

struct sym_native {
	struct sym_native_options o;
	struct sym_native_paths paths_opt;
	sym_warn_fn warn;
	void *warn_ctx;
	struct wp_intern *names;     /* symbol names */
	struct wp_intern *strings;   /* module strings handed out */
	struct wp_intern *paths;     /* recorded paths */
	struct bid *path_bids;       /* header build-id per paths id */
	size_t path_bids_cap;
	struct bid *bids;            /* MMAP2 build-ids */
	size_t nbids, bids_cap;
	struct wp_intern *space_keys; /* pid -> index in spaces */
	struct space *spaces;
	size_t nspaces, spaces_cap;
	struct wp_intern *file_keys;  /* (path id, build-id) -> index in files */
	struct file *files;
	size_t nfiles, files_cap;
	struct wp_intern *pmap_keys;  /* pid -> index in pmaps */
	struct pmap *pmaps;
	size_t npmaps, pmaps_cap;
	struct wp_intern *jit_pids;   /* pids whose JIT code a jitdump names */
	struct native_kallsyms kall;
	bool kall_tried, kall_ok;
	uint32_t seq;
	uint32_t s_unknown, s_kernel;  /* strings ids */
	struct cache_slot *cache;
	/* Samples repeat addresses: answers are cached per (pid, address) and
	 * dropped whenever an address space changes (generation). */
	struct resolve_slot *answers;
	uint64_t generation;
	uint64_t changed_at;          /* latest time of a record that changed a space */
	struct wp_intern *warned;     /* warning keys already given */
	uint8_t **cfi_blobs;          /* JIT unwinding info copies */
	size_t ncfi, cfi_cap;
	struct sym_native_stats st;
};

static void note_change(struct sym_native *s, uint64_t time);

static char *dup_opt(const char *s)
{
	return s ? strdup(s) : NULL;
}

void sym_native_options_init(struct sym_native_options *o)
{
	memset(o, 0, sizeof *o);
}

static void warn_once(struct sym_native *s, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void warn_once(struct sym_native *s, const char *key, const char *fmt, ...)
{
	uint32_t before = wp_intern_count(s->warned), id;
	if (wp_intern_get(s->warned, key, strlen(key), &id) != 0 || id < before || !s->warn)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	s->warn(s->warn_ctx, msg);
}

static int intern_id(struct wp_intern *t, const char *str, uint32_t *id)
{
	return wp_intern_get(t, str, strlen(str), id);
}

struct sym_native *sym_native_new(const struct sym_native_options *o, sym_warn_fn warn,
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
	s->o = *o;
	s->o.symfs = dup_opt(o->symfs && o->symfs[0] ? o->symfs : "");
	s->o.kallsyms = dup_opt(o->kallsyms);
	s->o.buildid_dir = dup_opt(o->buildid_dir);
	s->o.perf_map_dir = dup_opt(o->perf_map_dir);
	s->o.data_dir = dup_opt(o->data_dir);
	s->paths_opt.symfs = s->o.symfs;
	s->paths_opt.buildid_dir = s->o.buildid_dir;
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
	s->cache = calloc(CACHE_SLOTS, sizeof *s->cache);
	s->answers = calloc(ANSWER_SLOTS, sizeof *s->answers);
	if (!s->answers || !s->o.symfs || (o->kallsyms && !s->o.kallsyms) ||
	    (o->buildid_dir && !s->o.buildid_dir) || (o->perf_map_dir && !s->o.perf_map_dir) ||
	    (o->data_dir && !s->o.data_dir) || !s->names || !s->strings || !s->paths ||
	    !s->space_keys || !s->file_keys || !s->pmap_keys || !s->jit_pids || !s->warned || !s->cache ||
	    intern_id(s->strings, "[unknown]", &s->s_unknown) != 0 ||
	    intern_id(s->strings, "[kernel.kallsyms]", &s->s_kernel) != 0) {
		sym_native_free(s);
		return NULL;
	}
	return s;
}

void sym_native_free(struct sym_native *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nspaces; i++) {
		free(s->spaces[i].maps.v);
		free(s->spaces[i].maps.maxend);
		free(s->spaces[i].jit.v);
		free(s->spaces[i].jit.maxend);
	}
	for (size_t i = 0; i < s->nfiles; i++)
		native_elf_free(s->files[i].elf);
	for (size_t i = 0; i < s->npmaps; i++)
		native_perfmap_free(s->pmaps[i].m);
	native_kallsyms_release(&s->kall);
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

/* ---- build-ids ---- */

static int path_id(struct sym_native *s, const char *path, uint32_t *id)
{
	uint32_t before = wp_intern_count(s->paths);
	int rc = intern_id(s->paths, path, id);
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

static struct space *space_get(struct sym_native *s, int32_t pid, bool create)
{
	uint32_t id;
	if (wp_intern_find(s->space_keys, (const char *)&pid, sizeof pid, &id) == 0)
		return &s->spaces[id];
	if (!create || wp_intern_get(s->space_keys, (const char *)&pid, sizeof pid, &id) != 0 ||
	    wp_grow((void **)&s->spaces, &s->spaces_cap, s->nspaces + 1, sizeof *s->spaces) != 0)
		return NULL;
	s->spaces[id] = (struct space){.pid = pid};
	s->nspaces++;
	s->st.processes = s->nspaces;
	return &s->spaces[id];
}

static int list_add(struct map_list *l, const struct map_ent *e)
{
	size_t cap = l->cap;
	if (wp_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v) != 0)
		return WP_E_NOMEM;
	if (l->cap != cap) {
		uint64_t *m = realloc(l->maxend, l->cap * sizeof *m);
		if (!m)
			return WP_E_NOMEM;
		l->maxend = m;
	}
	/* after every entry with start <= e->start */
	size_t lo = 0, hi = l->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->v[mid].start <= e->start)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(l->v + lo + 1, l->v + lo, (l->n - lo) * sizeof *l->v);
	memmove(l->maxend + lo + 1, l->maxend + lo, (l->n - lo) * sizeof *l->maxend);
	l->v[lo] = *e;
	l->n++;
	/* the running maximum changes only up to where it already exceeds e */
	uint64_t prev = lo ? l->maxend[lo - 1] : 0;
	l->maxend[lo] = e->end > prev ? e->end : prev;
	for (size_t i = lo + 1; i < l->n && l->maxend[i] < l->maxend[i - 1]; i++)
		l->maxend[i] = l->maxend[i - 1];
	return 0;
}

static const struct map_ent *list_find(const struct map_list *l, uint64_t addr, uint64_t time)
{
	size_t lo = 0, hi = l->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->v[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	const struct map_ent *best = NULL;
	for (size_t i = lo; i > 0 && l->maxend[i - 1] > addr; i--) {
		const struct map_ent *e = &l->v[i - 1];
		if (addr >= e->end || time < e->t_from ||
		    (time >= e->t_to && e->t_to != UINT64_MAX))
			continue;
		if (!best || e->t_from > best->t_from ||
		    (e->t_from == best->t_from && e->seq > best->seq))
			best = e;
	}
	return best;
}

static const struct map_ent *space_find(const struct space *sp, uint64_t addr, uint64_t time)
{
	const struct map_ent *e = list_find(&sp->jit, addr, time);
	return e ? e : list_find(&sp->maps, addr, time);
}

static bool has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

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

int sym_native_mmap(struct sym_native *s, const struct sym_native_map *m)
{
	note_change(s, m ? m->time : 0);
	if (!s || !m || !m->filename || (!m->build_id && m->build_id_len))
		return WP_E_USAGE;
	if (m->len == 0 || m->start + m->len < m->start)
		return WP_E_FORMAT;
	const char *fn = m->filename;
	struct map_ent e = {.start = m->start, .end = m->start + m->len, .pgoff = m->pgoff,
			    .t_from = m->time, .t_to = UINT64_MAX, .seq = s->seq++,
			    .pid = m->pid};
	char buf[PATH_MAX + 32];
	const char *module = fn;
	bool kernel = m->kernel || m->pid == KERNEL_PID;
	if (kernel) {
		if (has_prefix(fn, "[kernel.kallsyms]")) {
			e.kind = K_KERNEL;
			module = "[kernel.kallsyms]";
			/* the reference symbol after the name ("_text") */
			const char *ref = fn + strlen("[kernel.kallsyms]");
			if (*ref) {
				if (intern_id(s->strings, ref, &e.ref) != 0)
					return WP_E_NOMEM;
				e.ref++;
			}
		} else if (has_prefix(fn, "[guest.kernel")) {
			e.kind = K_NONE;
		} else {
			e.kind = K_MODULE;
			module_name(fn, buf, sizeof buf);
			module = buf;
		}
	} else {
		/* perf inject --jit drops these maps of a process once it has
		 * injected its jitdump (jit_process(), perf 6.1) */
		uint32_t id;
		if ((has_prefix(fn, "//anon") || has_prefix(fn, "[anon:") || has_prefix(fn, "/memfd:")) &&
		    wp_intern_find(s->jit_pids, (const char *)&m->pid, sizeof m->pid, &id) == 0)
			return 0;
		bool anon = strcmp(fn, "//anon") == 0 || has_prefix(fn, "/dev/zero") ||
			    has_prefix(fn, "/anon_hugepage") || has_prefix(fn, "[anon:") ||
			    (m->flags & MAP_HUGETLB);
		bool no_dso = has_prefix(fn, "[stack") || has_prefix(fn, "/SYSV") ||
			      strcmp(fn, "[heap]") == 0;
		int mpid;
		char tail;
		if ((anon || no_dso) && (m->prot & PROT_EXEC)) {
			e.kind = K_PERFMAP;
			e.jit = true;
			snprintf(buf, sizeof buf, "/tmp/perf-%d.map", (int)m->pid);
			module = buf;
		} else if (sscanf(fn, "/tmp/perf-%d.ma%c", &mpid, &tail) == 2 && tail == 'p') {
			e.kind = K_PERFMAP;
			e.jit = true;
			e.pid = mpid;
		} else if (anon || no_dso) {
			e.kind = K_NONE;
		} else if (strcmp(fn, "[vdso]") == 0) {
			e.kind = K_VDSO;
			e.pgoff = 0;
		} else if (fn[0] == '[') {
			e.kind = K_NONE;
		} else {
			e.kind = K_ELF;
			const char *base = strrchr(fn, '/');
			base = base ? base + 1 : fn;
			e.jit = has_prefix(base, "jitted-");
		}
		if (e.kind == K_ELF || e.kind == K_VDSO) {
			int rc = path_id(s, fn, &e.path);
			if (rc != 0)
				return rc;
			if (m->build_id_len) {
				rc = wp_grow((void **)&s->bids, &s->bids_cap, s->nbids + 1,
					  sizeof *s->bids);
				if (rc != 0)
					return rc;
				struct bid *b = &s->bids[s->nbids++];
				b->len = m->build_id_len > NATIVE_MAX_BUILD_ID ? NATIVE_MAX_BUILD_ID
									      : m->build_id_len;
				memcpy(b->id, m->build_id, b->len);
				e.bid = (uint32_t)s->nbids;
			}
		}
	}
	if (intern_id(s->strings, module, &e.module) != 0)
		return WP_E_NOMEM;
	struct space *sp = space_get(s, kernel ? KERNEL_PID : m->pid, true);
	if (!sp || list_add(&sp->maps, &e) != 0)
		return WP_E_NOMEM;
	s->st.mappings++;
	return 0;
}

static void end_list(struct map_list *l, uint64_t time)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].t_from <= time && l->v[i].t_to > time)
			l->v[i].t_to = time;
}

static void end_space(struct space *sp, uint64_t time)
{
	end_list(&sp->maps, time);
	end_list(&sp->jit, time);
}

int sym_native_comm(struct sym_native *s, uint64_t time, int32_t pid, int32_t tid,
		    const char *comm, bool exec)
{
	note_change(s, time);
	if (!s)
		return WP_E_USAGE;
	if (exec && pid != KERNEL_PID) {
		struct space *sp = space_get(s, pid, false);
		if (sp)
			end_space(sp, time);
	}
	return 0;
}

static int copy_live(struct sym_native *s, struct map_list *to, const struct map_list *from,
		     uint64_t time)
{
	/* from may move while to grows only if they are the same list: never */
	for (size_t i = 0, n = from->n; i < n; i++) {
		struct map_ent e = from->v[i];
		if (e.t_from > time || e.t_to <= time)
			continue;
		e.seq = s->seq++;
		if (list_add(to, &e) != 0)
			return WP_E_NOMEM;
		s->st.mappings++;
	}
	return 0;
}

int sym_native_fork(struct sym_native *s, uint64_t time, int32_t pid, int32_t ppid,
		    int32_t tid, int32_t ptid)
{
	note_change(s, time);
	if (!s)
		return WP_E_USAGE;
	if (pid == ppid || pid == KERNEL_PID)
		return 0; /* a thread shares its process's space */
	struct space *child = space_get(s, pid, true);
	if (!child)
		return WP_E_NOMEM;
	end_space(child, time); /* a reused pid */
	struct space *parent = space_get(s, ppid, false);
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
	note_change(s, time);
	/* Samples may still arrive for the exiting process (they are written
	 * out of order within a round); a reused pid is handled at its FORK. */
	return s ? 0 : WP_E_USAGE;
}

/* ---- JIT code from jitdumps ---- */

static int jit_add(struct sym_native *s, const struct sym_native_jit *j, uint64_t start,
		   const char *name, uint32_t module)
{
	struct map_ent e = {.start = start, .end = start + j->size, .pgoff = 0x80,
			    .t_from = j->time, .t_to = UINT64_MAX, .seq = s->seq++,
			    .pid = j->pid, .kind = K_JITCODE, .jit = true, .module = module};
	uint32_t id;
	if (intern_id(s->names, name, &id) != 0)
		return WP_E_NOMEM;
	e.name = wp_intern_str(s->names, id, NULL);
	if (j->unwind && j->unwind_size && j->unwind_size <= (1u << 24) &&
	    j->unwind_hdr_size <= j->unwind_size) {
		uint8_t *copy = malloc((size_t)j->unwind_size);
		if (!copy || wp_grow((void **)&s->cfi_blobs, &s->cfi_cap, s->ncfi + 1,
				     sizeof *s->cfi_blobs)) {
			free(copy);
			return WP_E_NOMEM;
		}
		memcpy(copy, j->unwind, (size_t)j->unwind_size);
		s->cfi_blobs[s->ncfi++] = copy;
		e.cfi = copy;
		e.cfi_size = (uint32_t)j->unwind_size;
		e.cfi_hdr_size = (uint32_t)j->unwind_hdr_size;
	}
	struct space *sp = space_get(s, j->pid, true);
	if (!sp || list_add(&sp->jit, &e) != 0)
		return WP_E_NOMEM;
	s->st.jit_functions++;
	return 0;
}

int sym_native_jit_pid(struct sym_native *s, int32_t pid)
{
	uint32_t id;
	if (!s)
		return WP_E_USAGE;
	return wp_intern_get(s->jit_pids, (const char *)&pid, sizeof pid, &id);
}

int sym_native_jit_load(struct sym_native *s, const struct sym_native_jit *j)
{
	note_change(s, j ? j->time : 0);
	if (!s || !j || !j->name || !j->module)
		return WP_E_USAGE;
	if (j->size == 0 || j->start + j->size < j->start)
		return WP_E_FORMAT;
	uint32_t module;
	if (intern_id(s->strings, j->module, &module) != 0)
		return WP_E_NOMEM;
	return jit_add(s, j, j->start, j->name, module);
}

int sym_native_jit_move(struct sym_native *s, const struct sym_native_jit *j, uint64_t old_start)
{
	note_change(s, j ? j->time : 0);
	if (!s || !j)
		return WP_E_USAGE;
	if (j->size == 0 || j->start + j->size < j->start)
		return WP_E_FORMAT;
	struct space *sp = space_get(s, j->pid, false);
	const struct map_ent *old = sp ? list_find(&sp->jit, old_start, j->time) : NULL;
	if (!old || old->start != old_start)
		return WP_E_NOTFOUND;
	/* The code left its old place: samples there after the move are not
	 * it. Without times (time 0: the clocks differ) every record holds
	 * from the start, so the old place keeps its name. */
	if (j->time)
		((struct map_ent *)old)->t_to = j->time;
	const char *name = old->name;
	uint32_t module = old->module;
	/* moved code keeps its unwinding info (it is position-relative) */
	struct sym_native_jit moved = *j;
	if (!moved.unwind && old->cfi) {
		moved.unwind = old->cfi;
		moved.unwind_size = old->cfi_size;
		moved.unwind_hdr_size = old->cfi_hdr_size;
	}
	j = &moved;
	if (j->module && intern_id(s->strings, j->module, &module) != 0)
		return WP_E_NOMEM;
	return jit_add(s, j, j->start, name, module);
}

/* ---- symbol sources ---- */

static struct file *file_get(struct sym_native *s, const struct map_ent *e)
{
	const struct bid *b = e->bid ? &s->bids[e->bid - 1] : &s->path_bids[e->path];
	uint8_t key[4 + NATIVE_MAX_BUILD_ID];
	memcpy(key, &e->path, 4);
	memcpy(key + 4, b->id, b->len);
	uint32_t id;
	if (wp_intern_get(s->file_keys, (const char *)key, 4 + b->len, &id) != 0)
		return NULL;
	if (id == s->nfiles) {
		if (wp_grow((void **)&s->files, &s->files_cap, s->nfiles + 1, sizeof *s->files) != 0)
			return NULL;
		s->files[id] = (struct file){.path = e->path, .id_len = b->len};
		memcpy(s->files[id].id, b->id, b->len);
		s->nfiles++;
	}
	struct file *f = &s->files[id];
	if (!f->loaded) {
		f->loaded = true;
		const char *path = wp_intern_str(s->paths, f->path, NULL);
		const char *why;
		char found[2 * NATIVE_MAX_BUILD_ID + 1];
		f->elf = native_elf_load(&s->paths_opt, path, f->id, f->id_len, s->names,
					 !s->o.no_demangle, &why, found);
		if (!f->elf)
			return NULL;
		s->st.files++;
		if (why) {
			f->failed = true;
			s->st.files_failed++;
			char want[2 * NATIVE_MAX_BUILD_ID + 1];
			native_hex(f->id, f->id_len, want);
			char wkey[PATH_MAX + 64];
			snprintf(wkey, sizeof wkey, "file:%s", path);
			if (strcmp(why, "build-id mismatch") == 0)
				warn_once(s, wkey,
					  "'%s': no file with build-id %s found (the file there has %s): no symbols",
					  path, want, found[0] ? found : "none");
			else
				warn_once(s, wkey, "'%s': no symbols: %s", path, why);
		}
	}
	return f;
}

static struct native_perfmap *perfmap_get(struct sym_native *s, int32_t pid)
{
	uint32_t id;
	if (wp_intern_find(s->pmap_keys, (const char *)&pid, sizeof pid, &id) == 0)
		return s->pmaps[id].m;
	if (wp_intern_get(s->pmap_keys, (const char *)&pid, sizeof pid, &id) != 0 ||
	    wp_grow((void **)&s->pmaps, &s->pmaps_cap, s->npmaps + 1, sizeof *s->pmaps) != 0)
		return NULL;
	s->pmaps[id] = (struct pmap){.pid = pid};
	s->npmaps++;
	const char *dirs[3] = {s->o.perf_map_dir, s->o.data_dir, "/tmp"};
	char path[PATH_MAX];
	for (int i = 0; i < 3; i++) {
		if (!dirs[i] ||
		    snprintf(path, sizeof path, "%s/perf-%d.map", dirs[i], (int)pid) >= (int)sizeof path)
			continue;
		struct native_perfmap *m;
		int rc = native_perfmap_load(&m, path, s->names);
		if (rc == WP_E_NOTFOUND)
			continue;
		char key[64];
		snprintf(key, sizeof key, "perfmap:%d", (int)pid);
		if (rc != 0) {
			warn_once(s, key, "'%s': cannot read: %s", path, wp_strerror(rc));
			break;
		}
		s->pmaps[id].m = m;
		uint64_t n, bad;
		native_perfmap_counts(m, &n, &bad);
		s->st.perf_maps++;
		s->st.perf_map_bad_lines += bad;
		/* one warning per reason, in line order: the first line, how
		 * many more */
		const struct native_perfmap_skips *sk = native_perfmap_skipped(m);
		bool told[NATIVE_PERFMAP_NSKIPS] = {false};
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
			snprintf(key, sizeof key, "perfmap:%d:%d", (int)pid, why);
			char others[64] = "";
			if (more)
				snprintf(others, sizeof others, " (and %llu more such line%s)",
					 (unsigned long long)more, more == 1 ? "" : "s");
			warn_once(s, key, "'%s': line %llu: %s, skipped%s", path,
				  (unsigned long long)sk->first_line[why],
				  native_perfmap_skip_what((enum native_perfmap_skip)why), others);
		}
		return m;
	}
	/* a process whose JIT code a jitdump names needs no map */
	uint32_t jid;
	if (wp_intern_find(s->jit_pids, (const char *)&pid, sizeof pid, &jid) == 0)
		return NULL;
	char nkey[64];
	snprintf(nkey, sizeof nkey, "perfmap:%d", (int)pid);
	warn_once(s, nkey, "no perf-%d.map found: JIT frames of pid %d stay unknown", (int)pid,
		  (int)pid);
	return NULL;
}

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

static bool kallsyms_ready(struct sym_native *s)
{
	if (s->kall_tried)
		return s->kall_ok;
	s->kall_tried = true;
	uint32_t kp;
	const struct bid *rec = NULL;
	if (wp_intern_find(s->paths, "[kernel.kallsyms]", 17, &kp) == 0 && s->path_bids[kp].len)
		rec = &s->path_bids[kp];
	char path[PATH_MAX];
	const char *src = s->o.kallsyms, *why = "no kallsyms file";
	if (!src && !s->o.no_proc_kallsyms) {
		uint8_t id[NATIVE_MAX_BUILD_ID];
		size_t n = running_kernel_id(id);
		if (!rec || (n == rec->len && memcmp(id, rec->id, n) == 0))
			src = "/proc/kallsyms";
		else
			why = "the running kernel is not the recorded one (pass --kallsyms)";
	}
	if (!src && rec && s->o.buildid_dir) {
		char hex[2 * NATIVE_MAX_BUILD_ID + 1];
		native_hex(rec->id, rec->len, hex);
		if (snprintf(path, sizeof path, "%s/[kernel.kallsyms]/%s/kallsyms", s->o.buildid_dir,
			     hex) < (int)sizeof path &&
		    access(path, R_OK) == 0)
			src = path;
	}
	if (!src) {
		warn_once(s, "kallsyms", "no kernel symbols: %s", why);
		return false;
	}
	int rc = native_kallsyms_load(&s->kall, src, s->names);
	if (rc != 0) {
		native_kallsyms_release(&s->kall);
		warn_once(s, "kallsyms", "'%s': cannot read kernel symbols: %s", src, wp_strerror(rc));
		return false;
	}
	if (s->kall.syms.n && s->kall.syms.v[s->kall.syms.n - 1].start == 0) {
		/* every address 0: kptr_restrict hid them from this user */
		native_kallsyms_release(&s->kall);
		memset(&s->kall, 0, sizeof s->kall);
		warn_once(s, "kallsyms", "'%s': kernel addresses are hidden (kptr_restrict)", src);
		return false;
	}
	s->st.kallsyms_symbols = s->kall.syms.n;
	s->st.kallsyms_bad_lines = s->kall.bad_lines;
	if (s->kall.bad_lines)
		warn_once(s, "kallsyms-bad", "'%s': %llu malformed lines skipped", src,
			  (unsigned long long)s->kall.bad_lines);
	s->kall_ok = true;
	return true;
}

/* ---- resolve ---- */

static const struct native_sym *cached_lookup(struct sym_native *s, uint32_t file,
					      const struct native_elf *elf, uint64_t off)
{
	uint64_t h = (off * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)file << 40);
	struct cache_slot *c = &s->cache[(h >> 20) % CACHE_SLOTS];
	if (c->file == file + 1 && c->off == off) {
		s->st.cache_hits++;
		return c->sym;
	}
	uint64_t addr;
	const struct native_sym *sym = native_elf_lookup(elf, off, &addr);
	*c = (struct cache_slot){.file = file + 1, .off = off, .sym = sym};
	return sym;
}

static void resolve_kernel(struct sym_native *s, const struct map_ent *e, uint64_t addr,
			   struct sym_frame *out)
{
	if (!kallsyms_ready(s))
		return;
	uint64_t a = addr;
	uint32_t want_module = 0;
	if (!e || e->kind == K_KERNEL) {
		/* kallsyms__delta(): kallsyms' _text minus the recorded one */
		if (e && e->ref) {
			const char *ref = wp_intern_str(s->strings, e->ref - 1, NULL);
			uint64_t k = strcmp(ref, "_stext") == 0 ? s->kall.stext
				   : strcmp(ref, "_text") == 0 ? s->kall.text : 0;
			if (k)
				a = addr + (k - e->pgoff);
		}
	} else {
		/* a module map: only that module's symbols */
		const char *mod = out->module;
		size_t n = strlen(mod);
		uint32_t mid;
		if (n < 3 || wp_intern_find(s->kall.modules, mod + 1, n - 2, &mid) != 0)
			return;
		want_module = mid + 1;
	}
	const struct native_sym *sym = native_symtab_find(&s->kall.syms, a);
	if (sym && sym->module == want_module) {
		out->symbol = sym->name;
		out->offset = a - sym->start;
	}
}

static int resolve_uncached(struct sym_native *s, int32_t pid, uint64_t time, uint64_t addr,
			    bool kernel, struct sym_frame *out);

/* Every change of an address space drops the cached answers. */
static void note_change(struct sym_native *s, uint64_t time)
{
	if (!s)
		return;
	s->generation++;
	if (time > s->changed_at)
		s->changed_at = time;
}

int sym_native_resolve(struct sym_native *s, int32_t pid, uint64_t time, uint64_t addr,
		       bool kernel, struct sym_frame *out)
{
	if (!s || !out)
		return WP_E_USAGE;
	/* Between two changes of any address space, an address of a process
	 * asked about at or after the last change always resolves the same way
	 * (records come in time order, so that is every sample; samples without
	 * a time, which see the latest mappings, are kept apart). */
	bool latest = time == UINT64_MAX;
	/* Only questions about the present are cached: one at an earlier time
	 * than the last change may see mappings that are gone now. */
	if (!latest && time < s->changed_at)
		return resolve_uncached(s, pid, time, addr, kernel, out);
	uint64_t h = (addr ^ ((uint64_t)(uint32_t)pid << 40) ^ (kernel ? 1ull << 63 : 0)) *
		     0x9e3779b97f4a7c15ULL;
	struct resolve_slot *slot = &s->answers[(h >> 40) & (ANSWER_SLOTS - 1)];
	if (slot->used && slot->generation == s->generation && slot->addr == addr &&
	    slot->pid == pid && slot->kernel == kernel && slot->latest == latest) {
		*out = slot->frame;
		s->st.resolves++;
		s->st.cache_hits++;
		return 0;
	}
	int rc = resolve_uncached(s, pid, time, addr, kernel, out);
	if (rc == 0)
		*slot = (struct resolve_slot){addr, s->generation, pid, kernel, latest, true, *out};
	return rc;
}

static int resolve_uncached(struct sym_native *s, int32_t pid, uint64_t time, uint64_t addr,
			    bool kernel, struct sym_frame *out)
{
	memset(out, 0, sizeof *out);
	s->st.resolves++;
	out->map_addr = addr;
	out->kernel = kernel;
	const struct space *sp = space_get(s, kernel ? KERNEL_PID : pid, false);
	const struct map_ent *e = sp ? space_find(sp, addr, time) : NULL;
	if (kernel) {
		if (!e && sp && sp->maps.n) {
			/* kernel maps exist, none holds addr: perf finds no map */
			out->module = wp_intern_str(s->strings, s->s_unknown, NULL);
			out->unmapped = true;
			s->st.unmapped++;
			s->st.unknown_symbol++;
			return 0;
		}
		out->module = wp_intern_str(s->strings, e ? e->module : s->s_kernel, NULL);
		resolve_kernel(s, e, addr, out);
		if (!out->symbol)
			s->st.unknown_symbol++;
		return 0;
	}
	if (!e) {
		out->module = wp_intern_str(s->strings, s->s_unknown, NULL);
		out->unmapped = true;
		s->st.unmapped++;
		s->st.unknown_symbol++;
		return 0;
	}
	out->module = wp_intern_str(s->strings, e->module, NULL);
	out->jit = e->jit;
	const struct native_sym *sym = NULL;
	uint64_t a = addr;
	switch (e->kind) {
	case K_ELF:
	case K_VDSO: {
		a = addr - e->start + e->pgoff;
		out->map_addr = a;
		struct file *f = file_get(s, e);
		if (!f)
			return WP_E_NOMEM;
		if (f->elf && !f->failed) {
			sym = cached_lookup(s, (uint32_t)(f - s->files), f->elf, a);
			out->wasm_aot = native_elf_wasm_aot(f->elf);
		}
		break;
	}
	case K_PERFMAP: {
		struct native_perfmap *m = perfmap_get(s, e->pid);
		if (m)
			sym = native_perfmap_find(m, addr);
		break;
	}
	case K_JITCODE:
		/* perf inject's jitted-PID-N.so: .text at 0x80, one symbol */
		out->symbol = e->name;
		out->offset = addr - e->start;
		out->map_addr = addr - e->start + e->pgoff;
		return 0;
	default:
		break;
	}
	if (sym) {
		out->symbol = sym->name;
		out->offset = a - sym->start;
	} else {
		s->st.unknown_symbol++;
	}
	return 0;
}

void sym_native_get_stats(const struct sym_native *s, struct sym_native_stats *st)
{
	*st = s->st;
}

/* ---- for the unwinder ---- */

bool native_module_at(struct sym_native *s, int32_t pid, uint64_t time, uint64_t addr,
		      struct native_module *out)
{
	memset(out, 0, sizeof *out);
	const struct space *sp = space_get(s, pid, false);
	const struct map_ent *e = sp ? space_find(sp, addr, time) : NULL;
	if (!e)
		return false;
	out->start = e->start;
	out->end = e->end;
	out->pgoff = e->pgoff;
	out->jit = e->jit || e->kind == K_PERFMAP;
	out->cfi = e->cfi;
	out->cfi_size = e->cfi_size;
	out->cfi_hdr_size = e->cfi_hdr_size;
	if (e->kind == K_ELF && !e->jit) {
		const struct bid *b = e->bid ? &s->bids[e->bid - 1] : &s->path_bids[e->path];
		out->path = wp_intern_str(s->paths, e->path, NULL);
		out->build_id = b->len ? b->id : NULL;
		out->build_id_len = b->len;
	} else if (e->kind == K_ELF) {
		/* perf inject's jitted-PID-N.so: an ELF with the JIT code's CFI
		 * (V8 --perf-prof-unwinding-info), when it is still there */
		out->path = wp_intern_str(s->paths, e->path, NULL);
	}
	return true;
}

const struct sym_native_paths *native_paths(const struct sym_native *s)
{
	return &s->paths_opt;
}
