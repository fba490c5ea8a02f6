/* record_libs.c - the shared libraries a runtime's executable loads, found
 * as glibc's dynamic loader finds them (ld.so(8)), because a runtime's
 * phase functions may live in one: WasmEdge's CLI is a stub over
 * libwasmedge.so, and `perf probe -x` wants the file that holds the code.
 *
 * For each DT_NEEDED name, breadth first from the executable (the
 * loader's order), the first file that is an ELF object for the same
 * machine in:
 *   - the name itself when it holds a '/';
 *   - DT_RPATH of the object that needs it, then of the executable, unless
 *     that object has a DT_RUNPATH (the executable's only when it has none);
 *   - LD_LIBRARY_PATH (of wasmperf record's environment, which the
 *     workload inherits);
 *   - DT_RUNPATH of the object that needs it;
 *   - the directories of /etc/ld.so.conf (its `include` lines followed):
 *     those ldconfig scans to build /etc/ld.so.cache;
 *   - /lib64, /usr/lib64, /lib, /usr/lib.
 * $ORIGIN and ${ORIGIN} expand to the object's directory (the executable's
 * real path's, as the loader reads /proc/self/exe); an empty entry is the
 * current directory. Not supported: $LIB and $PLATFORM (such entries are
 * skipped), hwcaps subdirectories, a stale ld.so.cache, LD_PRELOAD and
 * libraries the runtime dlopen()s. */
#include <glob.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "record.h"

#define CONF_MAX_DIRS 256
#define CONF_MAX_DEPTH 8

struct resolver {
	struct record_libs *l;
	struct record_elf *exe;
	const char *exe_rpath;        /* "" when the executable has a DT_RUNPATH */
	char exe_origin[PATH_MAX];
	char *conf_dirs[CONF_MAX_DIRS];
	size_t nconf;
	bool conf_read;
};

static const char *const default_dirs[] = {"/lib64", "/usr/lib64", "/lib", "/usr/lib"};

static void dir_of(const char *path, char *out, size_t size)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(out, size, ".");
	else
		snprintf(out, size, "%.*s", slash == path ? 1 : (int)(slash - path), path);
}

static bool ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* One search path entry with $ORIGIN expanded; false when it cannot be
 * expanded ($LIB, $PLATFORM) or is too long. */
static bool expand_entry(const char *entry, size_t len, const char *origin, char *out, size_t size)
{
	size_t k = 0;
	if (!len) {
		entry = ".";
		len = 1;
	}
	for (size_t i = 0; i < len;) {
		size_t skip = 0;
		if (len - i >= 7 && !strncmp(entry + i, "$ORIGIN", 7) &&
		    (i + 7 == len || !ident_char(entry[i + 7])))
			skip = 7;
		else if (len - i >= 9 && !strncmp(entry + i, "${ORIGIN}", 9))
			skip = 9;
		else if (entry[i] == '$')
			return false;
		const char *add = skip ? origin : entry + i;
		size_t n = skip ? strlen(origin) : 1;
		if (k + n >= size)
			return false;
		memcpy(out + k, add, n);
		k += n;
		i += skip ? skip : 1;
	}
	out[k] = '\0';
	return true;
}

static bool same_object(const struct record_libs *l, const char *path)
{
	struct stat a, b;
	if (stat(path, &a) != 0)
		return false;
	for (size_t i = 0; i < l->n; i++)
		if (stat(l->v[i].path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			return true;
	return false;
}

/* dir/name when it is an ELF object for the executable's machine. */
static struct record_elf *try_file(struct resolver *r, const char *dir, const char *name,
				   char *path, size_t size)
{
	if ((size_t)snprintf(path, size, "%s%s%s", dir, dir[0] ? "/" : "", name) >= size)
		return NULL;
	const char *why;
	struct record_elf *e = record_elf_open(path, &why);
	if (e && !record_elf_same_machine(e, r->exe)) {
		record_elf_close(e);
		e = NULL;
	}
	return e;
}

/* Each entry of a search path (':'-separated; LD_LIBRARY_PATH also ';'). */
static struct record_elf *try_path(struct resolver *r, const char *list, const char *seps,
				   const char *origin, const char *name, char *path, size_t size)
{
	if (!list || !list[0])
		return NULL;
	for (const char *p = list;;) {
		size_t n = strcspn(p, seps);
		char dir[PATH_MAX];
		struct record_elf *e = expand_entry(p, n, origin, dir, sizeof dir)
				       ? try_file(r, dir, name, path, size) : NULL;
		if (e)
			return e;
		if (!p[n])
			return NULL;
		p += n + 1;
	}
}

static void conf_read(struct resolver *r, const char *file, int depth);

static void conf_include(struct resolver *r, const char *file, const char *pattern, int depth)
{
	char full[PATH_MAX], dir[PATH_MAX];
	dir_of(file, dir, sizeof dir);
	if ((size_t)snprintf(full, sizeof full, "%s%s%s", pattern[0] == '/' ? "" : dir,
			     pattern[0] == '/' ? "" : "/", pattern) >= sizeof full)
		return;
	glob_t g;
	if (glob(full, 0, NULL, &g) == 0)
		for (size_t i = 0; i < g.gl_pathc; i++)
			conf_read(r, g.gl_pathv[i], depth + 1);
	globfree(&g);
}

/* ldconfig's configuration: a directory per line, `include GLOB`,
 * `hwcap ...` (ignored), '#' comments. */
static void conf_read(struct resolver *r, const char *file, int depth)
{
	FILE *f = depth < CONF_MAX_DEPTH ? fopen(file, "r") : NULL;
	if (!f)
		return;
	char line[PATH_MAX];
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "#\n")] = '\0';
		char *s = line + strspn(line, " \t");
		size_t n = strlen(s);
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			s[--n] = '\0';
		if (!n || !strncmp(s, "hwcap", 5))
			continue;
		if (!strncmp(s, "include", 7) && (s[7] == ' ' || s[7] == '\t')) {
			conf_include(r, file, s + 8 + strspn(s + 8, " \t"), depth);
			continue;
		}
		s[strcspn(s, "=")] = '\0'; /* old "DIR=TYPE" lines */
		if (s[0] != '/' || r->nconf == CONF_MAX_DIRS)
			continue;
		if (!(r->conf_dirs[r->nconf] = strdup(s)))
			break; /* out of memory: the directories so far */
		r->nconf++;
	}
	fclose(f);
}

static struct record_elf *try_system(struct resolver *r, const char *name, char *path,
				     size_t size, const char **how)
{
	if (!r->conf_read) {
		r->conf_read = true;
		conf_read(r, "/etc/ld.so.conf", 0);
	}
	struct record_elf *e = NULL;
	*how = "ld.so.conf";
	for (size_t i = 0; i < r->nconf && !e; i++)
		e = try_file(r, r->conf_dirs[i], name, path, size);
	*how = "a default directory";
	for (size_t i = 0; i < sizeof default_dirs / sizeof default_dirs[0] && !e; i++)
		e = try_file(r, default_dirs[i], name, path, size);
	return e;
}

/* The loader's search for name, needed by an object with these dynamic
 * entries and origin. */
static struct record_elf *find(struct resolver *r, const struct record_dynamic *d,
			       const char *origin, const char *name, char *path, size_t size,
			       const char **how)
{
	struct record_elf *e = NULL;
	if (strchr(name, '/')) {
		*how = "its path";
		return try_file(r, "", name, path, size);
	}
	if (!d->runpath[0]) {
		*how = "DT_RPATH";
		e = try_path(r, d->rpath, ":", origin, name, path, size);
		e = e ? e : try_path(r, r->exe_rpath, ":", r->exe_origin, name, path, size);
	}
	if (!e) {
		*how = "LD_LIBRARY_PATH";
		e = try_path(r, getenv("LD_LIBRARY_PATH"), ":;", origin, name, path, size);
	}
	if (!e) {
		*how = "DT_RUNPATH";
		e = try_path(r, d->runpath, ":", origin, name, path, size);
	}
	return e ? e : try_system(r, name, path, size, how);
}

static bool known(const struct record_libs *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return true;
	for (size_t i = 0; i < l->nmissing; i++)
		if (!strcmp(l->missing[i], name))
			return true;
	return false;
}

static int add_missing(struct record_libs *l, const char *name)
{
	if (wp_grow((void **)&l->missing, &l->missing_cap, l->nmissing + 1, sizeof *l->missing))
		return WP_E_NOMEM;
	if (!(l->missing[l->nmissing] = strdup(name)))
		return WP_E_NOMEM;
	l->nmissing++;
	return 0;
}

static int add_lib(struct record_libs *l, const char *name, const char *path, const char *how,
		   struct record_elf *e)
{
	if (wp_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v)) {
		record_elf_close(e);
		return WP_E_NOMEM;
	}
	struct record_lib *lib = &l->v[l->n];
	memset(lib, 0, sizeof *lib);
	lib->name = strdup(name);
	lib->path = strdup(path);
	lib->file = realpath(path, NULL);
	lib->file = lib->file ? lib->file : strdup(path);
	lib->how = how;
	lib->elf = e;
	l->n++;
	if (!lib->name || !lib->path || !lib->file)
		return WP_E_NOMEM;
	record_elf_build_id(e, lib->build_id);
	return 0;
}

/* The libraries one object needs that are not loaded yet. */
static int follow(struct resolver *r, struct record_elf *obj, const char *origin)
{
	struct record_libs *l = r->l;
	struct record_dynamic d;
	if (record_elf_dynamic(obj, &d) != 0)
		return 0; /* a broken dynamic section: the loader would refuse it */
	for (size_t i = 0; i < d.nneeded; i++) {
		if (known(l, d.needed[i]))
			continue;
		if (l->n == RECORD_MAX_LIBS) {
			l->too_many = true;
			return 0;
		}
		char path[PATH_MAX];
		const char *how = NULL;
		struct record_elf *e = find(r, &d, origin, d.needed[i], path, sizeof path, &how);
		int rc = !e ? add_missing(l, d.needed[i])
			 : same_object(l, path) ? (record_elf_close(e), 0)
			 : add_lib(l, d.needed[i], path, how, e);
		if (rc)
			return rc;
	}
	return 0;
}

int record_libs_resolve(struct record_libs *l, const char *exe, struct record_elf *elf)
{
	memset(l, 0, sizeof *l);
	struct resolver r = {.l = l, .exe = elf};
	char real[PATH_MAX];
	dir_of(realpath(exe, real) ? real : exe, r.exe_origin, sizeof r.exe_origin);
	struct record_dynamic d;
	r.exe_rpath = record_elf_dynamic(elf, &d) == 0 && !d.runpath[0] ? d.rpath : "";
	int rc = follow(&r, elf, r.exe_origin);
	for (size_t i = 0; i < l->n && !rc; i++) {
		char origin[PATH_MAX];
		dir_of(l->v[i].path, origin, sizeof origin);
		rc = follow(&r, l->v[i].elf, origin);
	}
	for (size_t i = 0; i < r.nconf; i++)
		free(r.conf_dirs[i]);
	return rc;
}

void record_libs_release(struct record_libs *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].path);
		free(l->v[i].file);
		record_elf_close(l->v[i].elf);
	}
	for (size_t i = 0; i < l->nmissing; i++)
		free(l->missing[i]);
	free(l->v);
	free(l->missing);
	memset(l, 0, sizeof *l);
}
