/* record_bundle.c - the bundle a recording leaves (bundle.h reads it): the
 * directory, refused when it holds files unless --force; after the run,
 * the perf maps and jitdumps of the run's own processes (their pids and
 * the jitdumps they mapped, read from perf.data, so that another run's
 * files never slip in), copies of the .wasm modules named on the command
 * line, and meta.json (wasmperf-record(1), FORMAT). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "perfparse.h"
#include "record.h"

#define MAX_PIDS 4096
#define MAX_FILES 256

static const char *basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* Files a bundle holds, which --force may remove. */
static bool bundle_file(const char *name)
{
	size_t n = strlen(name);
	return !strcmp(name, "perf.data") || !strcmp(name, "perf.data.old") ||
	       !strcmp(name, "meta.json") ||
	       (wp_has_prefix(name, n, "perf-") && wp_has_suffix(name, n, ".map")) ||
	       (wp_has_prefix(name, n, "jit-") && wp_has_suffix(name, n, ".dump")) ||
	       (n > 5 && wp_has_suffix(name, n, ".wasm"));
}

/* An existing DIR: empty is fine; a bundle only with --force (emptied of
 * its files); anything else is someone's directory, left alone. */
static int reuse_dir(const struct record_options *opts, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "%s: '%s': %s\n", opts->prog, dir, strerror(errno));
		return 1;
	}
	struct dirent *e;
	bool any = false, foreign = false;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			any = true;
			foreign = foreign || !bundle_file(e->d_name);
		}
	closedir(d);
	if (any && (!opts->force || foreign)) {
		fprintf(stderr, "%s: '%s' exists and is not empty: %s\n", opts->prog, dir,
			foreign ? "not a bundle, so never overwritten (choose another -o)"
				: "give --force to overwrite it, or another -o");
		return 2;
	}
	if (!any || opts->dry_run)
		return 0;
	d = opendir(dir);
	while (d && (e = readdir(d)) != NULL) {
		char p[4096];
		if (bundle_file(e->d_name) && snprintf(p, sizeof p, "%s/%s", dir, e->d_name) < (int)sizeof p)
			unlink(p);
	}
	if (d)
		closedir(d);
	return 0;
}

int record_bundle_dir(const struct record_options *opts, char **dir)
{
	char name[256];
	if (opts->output) {
		snprintf(name, sizeof name, "%s", opts->output);
	} else {
		time_t now = time(NULL);
		struct tm tm;
		char date[32];
		strftime(date, sizeof date, "%Y%m%d-%H%M%S", localtime_r(&now, &tm));
		int k = snprintf(name, sizeof name, "wasmperf-%s-", date);
		for (const char *c = basename_of(opts->command[0]); *c && k + 1 < (int)sizeof name; c++)
			name[k++] = (*c == '.' || *c == '-' || *c == '_' || (*c >= '0' && *c <= '9') ||
				     (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')) ? *c : '_';
		name[k] = '\0';
	}
	if (!(*dir = strdup(name))) {
		fprintf(stderr, "%s: out of memory\n", opts->prog);
		return 1;
	}
	struct stat st;
	if (stat(name, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			fprintf(stderr, "%s: '%s' exists and is not a directory\n", opts->prog, name);
			return 2;
		}
		return reuse_dir(opts, name);
	}
	if (!opts->dry_run && mkdir(name, 0777) != 0) {
		fprintf(stderr, "%s: cannot create '%s': %s\n", opts->prog, name, strerror(errno));
		return 1;
	}
	return 0;
}

/* ---- the run's processes and jitdumps, from perf.data ---- */
struct run_facts {
	int32_t pids[MAX_PIDS];
	size_t npids;
	char *jitdumps[MAX_FILES];
	size_t njitdumps;
	char perf_version[64];
	struct pp_data *data;
};

static void add_pid(struct run_facts *f, uint32_t pid)
{
	if (!pid || pid > INT32_MAX)
		return;
	for (size_t i = 0; i < f->npids; i++)
		if (f->pids[i] == (int32_t)pid)
			return;
	if (f->npids < MAX_PIDS)
		f->pids[f->npids++] = (int32_t)pid;
}

static void add_jitdump(struct run_facts *f, const char *path)
{
	const char *base = basename_of(path);
	size_t n = strlen(base);
	if (!wp_has_prefix(base, n, "jit-") || !wp_has_suffix(base, n, ".dump"))
		return;
	for (size_t i = 0; i < f->njitdumps; i++)
		if (!strcmp(f->jitdumps[i], path))
			return;
	if (f->njitdumps < MAX_FILES && (f->jitdumps[f->njitdumps] = strdup(path)))
		f->njitdumps++;
}

static int cmp_pid(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

static int read_facts(struct run_facts *f, const char *prog, const char *data)
{
	if (pp_data_open(&f->data, data, NULL, NULL) != 0) {
		fprintf(stderr, "%s: %s\n", prog, f->data ? pp_data_errmsg(f->data) : "out of memory");
		return 1;
	}
	const struct pp_data_info *info = pp_data_info(f->data);
	snprintf(f->perf_version, sizeof f->perf_version, "%s",
		 info->perf_version ? info->perf_version : "");
	const struct pp_record *r;
	int rc;
	while ((rc = pp_data_next(f->data, &r)) == 1) {
		if (r->type == PP_RECORD_COMM)
			add_pid(f, r->u.comm.pid);
		else if (r->type == PP_RECORD_FORK || r->type == PP_RECORD_EXIT)
			add_pid(f, r->u.fork.pid);
		else if (r->type == PP_RECORD_SAMPLE)
			add_pid(f, r->u.sample.pid);
		else if (r->type == PP_RECORD_MMAP || r->type == PP_RECORD_MMAP2)
			add_jitdump(f, r->u.mmap.filename);
	}
	if (rc < 0)
		fprintf(stderr, "%s: warning: %s (the bundle has what was read before)\n", prog,
			pp_data_errmsg(f->data));
	qsort(f->pids, f->npids, sizeof f->pids[0], cmp_pid);
	return 0;
}

static void release_facts(struct run_facts *f)
{
	for (size_t i = 0; i < f->njitdumps; i++)
		free(f->jitdumps[i]);
	pp_data_free(f->data);
}

/* ---- copies ---- */
static int copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	char buf[1 << 16];
	ssize_t got = 0;
	bool ok = out >= 0;
	while (ok && (got = read(in, buf, sizeof buf)) > 0)
		for (ssize_t off = 0; ok && off < got;) {
			ssize_t w = write(out, buf + off, (size_t)(got - off));
			ok = w > 0;
			off += w > 0 ? w : 0;
		}
	ok = ok && got == 0;
	close(in);
	if (out >= 0 && close(out) != 0)
		ok = false;
	return ok ? 0 : -1;
}

static bool same_file(const char *a, const char *b)
{
	struct stat x, y;
	return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

/* Copies from into dir under its base name; the name (owned) in *copied,
 * NULL when from does not exist. 0, or 1 after a message. */
static int copy_in(const char *prog, const char *from, const char *dir, char **copied)
{
	*copied = NULL;
	if (access(from, R_OK) != 0)
		return 0;
	char to[4096];
	snprintf(to, sizeof to, "%s/%s", dir, basename_of(from));
	if (!same_file(from, to) && copy_file(from, to) != 0) {
		fprintf(stderr, "%s: cannot copy '%s' into '%s': %s\n", prog, from, dir, strerror(errno));
		return 1;
	}
	*copied = strdup(basename_of(from));
	return 0;
}

static bool is_wasm(const char *path)
{
	char magic[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool ok = fd >= 0 && read(fd, magic, 4) == 4 && !memcmp(magic, "\0asm", 4);
	if (fd >= 0)
		close(fd);
	return ok;
}

struct names {
	char *v[MAX_FILES];
	size_t n;
};

static bool has_name(const struct names *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], name))
			return true;
	return false;
}

static int copy_modules(const char *prog, const struct record_options *opts, const char *dir,
			struct names *out)
{
	for (size_t i = 1; i < opts->ncommand && out->n < MAX_FILES; i++) {
		const char *a = opts->command[i];
		size_t n = strlen(a);
		struct stat st;
		if (n <= 5 || !wp_has_suffix(a, n, ".wasm") || stat(a, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (!is_wasm(a) || has_name(out, basename_of(a))) {
			if (!opts->quiet)
				fprintf(stderr, "%s: warning: '%s' not copied into the bundle: %s\n", prog, a,
					has_name(out, basename_of(a)) ? "a module of that name is there already"
								      : "not a Wasm module");
			continue;
		}
		if (copy_in(prog, a, dir, &out->v[out->n]))
			return 1;
		if (out->v[out->n])
			out->n++;
	}
	return 0;
}

static int copy_run_files(const char *prog, const struct run_facts *f, const char *dir,
			  struct names *maps, struct names *dumps)
{
	for (size_t i = 0; i < f->npids && maps->n < MAX_FILES; i++) {
		char map[64];
		snprintf(map, sizeof map, "/tmp/perf-%d.map", f->pids[i]);
		if (copy_in(prog, map, dir, &maps->v[maps->n]))
			return 1;
		if (maps->v[maps->n])
			maps->n++;
	}
	for (size_t i = 0; i < f->njitdumps && dumps->n < MAX_FILES; i++) {
		if (copy_in(prog, f->jitdumps[i], dir, &dumps->v[dumps->n]))
			return 1;
		if (dumps->v[dumps->n])
			dumps->n++;
	}
	return 0;
}

/* ---- meta.json ---- */
/* A JSON string: valid UTF-8 as it is, other bytes as the Latin-1 code
 * points (\u00XX), so the file is always valid JSON (json_read.c is strict). */
static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t k = 0;
		if (*p >= 0xc2 && *p <= 0xf4) {
			size_t want = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : 2;
			k = 1;
			while (k < want && (p[k] & 0xc0) == 0x80)
				k++;
			k = k == want ? k : 0;
		}
		if (k) {
			fwrite(p, 1, k, f);
			p += k;
			continue;
		}
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
		p++;
	}
	fputc('"', f);
}

static void json_strings(FILE *f, char *const *v, size_t n)
{
	fputc('[', f);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ", " : "", f);
		json_string(f, v[i]);
	}
	fputc(']', f);
}

static void write_probes(FILE *f, const struct record_probes *p)
{
	fputs("  \"probes\": [", f);
	bool first = true;
	for (size_t i = 0; i < p->n; i++) {
		const struct record_probe *pr = &p->v[i];
		if (!pr->added)
			continue;
		fprintf(f, "%s\n    {\"event\": \"%s:%s%s\", \"marker\": ", first ? "" : ",", p->group,
			pr->event, pr->is_return ? "__return" : "");
		json_string(f, pr->marker);
		fputs(", \"function\": ", f);
		json_string(f, pr->function);
		fputs(", \"symbol\": ", f);
		json_string(f, pr->symbol);
		fputs(", \"binary\": ", f);
		json_string(f, pr->binary);
		fprintf(f, ", \"address\": \"0x%llx\", \"file_offset\": \"0x%llx\", \"return\": %s, "
			"\"placed_by\": \"%s\"}", (unsigned long long)pr->address,
			(unsigned long long)pr->offset, pr->is_return ? "true" : "false",
			pr->by_name ? "name" : "offset");
		first = false;
	}
	fputs(first ? "],\n" : "\n  ],\n", f);
}

static bool holds_probe(const struct record_probes *p, const char *binary)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].added && !strcmp(p->v[i].binary, binary))
			return true;
	return false;
}

static void write_build_ids(FILE *f, const struct record_result *res, struct pp_data *d)
{
	fputs("  \"build_ids\": [", f);
	bool first = true;
	if (res->rt->build_id[0]) {
		fputs("\n    {\"file\": ", f);
		json_string(f, res->rt->exe);
		fprintf(f, ", \"build_id\": \"%s\"}", res->rt->build_id);
		first = false;
	}
	/* the libraries probed: their addresses are meant for that build */
	for (size_t i = 0; i < res->rt->libs.n; i++) {
		const struct record_lib *lib = &res->rt->libs.v[i];
		if (!lib->build_id[0] || !holds_probe(res->probes, lib->file))
			continue;
		fputs(first ? "\n    {\"file\": " : ",\n    {\"file\": ", f);
		json_string(f, lib->file);
		fprintf(f, ", \"build_id\": \"%s\"}", lib->build_id);
		first = false;
	}
	for (size_t i = 0; d && i < pp_data_nbuild_ids(d); i++) {
		const struct pp_build_id *b = pp_data_build_id(d, i);
		if (!b->filename || !b->size || b->size > 20 || !strcmp(b->filename, res->rt->exe) ||
		    holds_probe(res->probes, b->filename))
			continue; /* written above */
		fputs(first ? "\n    {\"file\": " : ",\n    {\"file\": ", f);
		json_string(f, b->filename);
		fputs(", \"build_id\": \"", f);
		for (size_t k = 0; k < b->size; k++)
			fprintf(f, "%02x", b->id[k]);
		fputs("\"}", f);
		first = false;
	}
	fputs(first ? "],\n" : "\n  ],\n", f);
}

/* "bench": the first module's stem, else the command's base name. */
static void bench_name(const struct record_options *opts, const struct names *modules,
		       char *out, size_t size)
{
	const char *b = modules->n ? modules->v[0] : basename_of(opts->command[0]);
	size_t n = strlen(b);
	if (modules->n && n > 5)
		n -= 5;
	snprintf(out, size, "%.*s", (int)n, b);
}

static int write_meta(const char *dir, const struct record_options *opts,
		      const struct record_result *res, const struct run_facts *facts,
		      const struct names *modules, const struct names *maps, const struct names *dumps)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/meta.json", dir);
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "%s: cannot write '%s': %s\n", opts->prog, path, strerror(errno));
		return 1;
	}
	char bench[256];
	bench_name(opts, modules, bench, sizeof bench);
	struct utsname u;
	char kernel[400] = "";
	if (uname(&u) == 0)
		snprintf(kernel, sizeof kernel, "%s %s %s", u.sysname, u.release, u.machine);
	fputs("{\n  \"format\": \"wasmperf-bundle 1\",\n  \"runtime\": ", f);
	json_string(f, res->rt->name ? res->rt->name : "");
	fputs(",\n  \"runtime_version\": ", f);
	json_string(f, res->runtime_version);
	fputs(",\n  \"executable\": ", f);
	json_string(f, res->rt->exe);
	fputs(",\n  \"bench\": ", f);
	json_string(f, bench);
	fputs(",\n  \"command\": ", f);
	json_strings(f, opts->command, opts->ncommand);
	fputs(",\n  \"workload\": ", f);
	json_strings(f, res->plan->workload.v, res->plan->workload.n);
	fputs(",\n  \"environment\": ", f);
	json_strings(f, res->plan->env.v, res->plan->env.n);
	fputs(",\n  \"perf_command\": ", f);
	json_strings(f, res->plan->perf.v, res->plan->perf.n);
	fputs(",\n  \"pids\": [", f);
	for (size_t i = 0; i < facts->npids; i++)
		fprintf(f, "%s%d", i ? ", " : "", facts->pids[i]);
	fputs("],\n  \"modules\": ", f);
	json_strings(f, modules->v, modules->n);
	fputs(",\n  \"perf_maps\": ", f);
	json_strings(f, maps->v, maps->n);
	fputs(",\n  \"jitdumps\": ", f);
	json_strings(f, dumps->v, dumps->n);
	fputs(",\n", f);
	write_probes(f, res->probes);
	fputs("  \"perf_version\": ", f);
	json_string(f, facts->perf_version);
	fputs(",\n  \"kernel\": ", f);
	json_string(f, kernel);
	fputs(",\n  \"start_time\": ", f);
	json_string(f, res->start_time);
	fprintf(f, ",\n  \"exit_status\": %d,\n", res->exit_status);
	write_build_ids(f, res, facts->data);
	fputs("  \"wasmperf_version\": \"" WASMPERF_VERSION "\"\n}\n", f);
	if (ferror(f) | fclose(f)) {
		fprintf(stderr, "%s: cannot write '%s'\n", opts->prog, path);
		return 1;
	}
	return 0;
}

static void release_names(struct names *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
}

int record_bundle_finish(const char *dir, const struct record_options *opts,
			 const struct record_result *res)
{
	char data[4096];
	snprintf(data, sizeof data, "%s/perf.data", dir);
	struct run_facts *facts = calloc(1, sizeof *facts);
	struct names *lists = calloc(3, sizeof *lists);
	int status = facts && lists ? 0 : 1;
	if (status)
		fprintf(stderr, "%s: out of memory\n", opts->prog);
	status = status ? status : read_facts(facts, opts->prog, data);
	status = status ? status : copy_modules(opts->prog, opts, dir, &lists[0]);
	status = status ? status : copy_run_files(opts->prog, facts, dir, &lists[1], &lists[2]);
	status = status ? status : write_meta(dir, opts, res, facts, &lists[0], &lists[1], &lists[2]);
	if (facts)
		release_facts(facts);
	for (int i = 0; lists && i < 3; i++)
		release_names(&lists[i]);
	free(facts);
	free(lists);
	return status;
}
