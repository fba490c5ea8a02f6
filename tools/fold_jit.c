/* fold_jit.c - jitdumps for the perf.data fold, without `perf inject`:
 * finds each process's jit-PID.dump and feeds its code loads and moves to
 * the symbolizer in time order, just ahead of the samples that need them.
 *
 * Where a dump is found (the first that exists wins):
 *   --jitdump FILE (opened at the start, its pid from its header);
 *   for the marker mmap a runtime makes of its dump (perf records it as an
 *   MMAP2 of ".../jit-PID.dump", the way perf inject finds it) and for a
 *   `perf inject`ed jitted-PID-N.so whose file is gone: the recorded path
 *   under --symfs, then jit-PID.dump in each --jitdump DIR, beside the
 *   perf.data, in $JITDUMPDIR and its .debug/jit/<any>/ folders, and in
 *   ~/.debug/jit/<any>/ (LLVM's llvm-IR-jit-DATE-XXXX/ where WAMR writes).
 *
 * Once a dump is open, the symbolizer treats its pid as perf inject
 * leaves it (sym_native_jit_pid): later anonymous code maps are dropped,
 * so JIT addresses the dump does not name print as [unknown] (not
 * [perf-PID.map]), and no perf map is looked for with a warning.
 *
 * Dump timestamps are CLOCK_MONOTONIC. They are comparable with sample
 * times only when the recording used that clock (perf record -k mono);
 * otherwise every load counts from the start and reused addresses get the
 * last name (one warning). Dumps with TSC timestamps (ARCH_TIMESTAMP) are
 * converted with the recording's TIME_CONV, as perf inject does. */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fold_jit.h"
#include "perfparse.h"

struct dump {
	int32_t pid;
	char *path;                  /* as found */
	char *dir;                   /* module directory: that of the recorded path */
	struct pp_jitdump *reader;   /* NULL once finished */
	const struct pp_jit_record *next; /* read but not yet fed */
	bool tsc;                    /* ARCH_TIMESTAMP: times not comparable */
	uint8_t *unwind;             /* UNWINDING_INFO for the next load, or NULL */
	uint64_t unwind_size, unwind_hdr_size;
};

struct fold_jit {
	struct sym_native *sym;
	const char *data_dir;
	const char **dirs;           /* --jitdump DIRs */
	size_t ndirs, dirs_cap;
	bool timed;                  /* dump and sample clocks are the same */
	bool clock_known;
	bool warned_clock;
	bool has_tc;                 /* TIME_CONV seen: TSC dumps can be timed */
	struct pp_time_conv tc;
	struct dump *dumps;
	size_t ndumps, cap;
	wp_warn_fn warn, error;
	void *ctx;
	int status;                  /* 1 after a damaged dump */
};

static void say(struct fold_jit *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct fold_jit *j, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	wp_vwarnf(j->warn, j->ctx, fmt, ap);
	va_end(ap);
}

struct fold_jit *fold_jit_new(struct sym_native *sym, const char *data_dir,
			      wp_warn_fn warn, wp_warn_fn error, void *ctx)
{
	struct fold_jit *j = calloc(1, sizeof *j);
	if (!j)
		return NULL;
	j->sym = sym;
	j->data_dir = data_dir;
	j->warn = warn;
	j->error = error;
	j->ctx = ctx;
	return j;
}

void fold_jit_free(struct fold_jit *j)
{
	if (!j)
		return;
	for (size_t i = 0; i < j->ndumps; i++) {
		pp_jitdump_free(j->dumps[i].reader);
		free(j->dumps[i].unwind);
		free(j->dumps[i].path);
		free(j->dumps[i].dir);
	}
	free(j->dumps);
	free(j->dirs);
	free(j);
}

int fold_jit_status(const struct fold_jit *j)
{
	return j ? j->status : 0;
}

static struct dump *dump_of(struct fold_jit *j, int32_t pid)
{
	for (size_t i = 0; i < j->ndumps; i++)
		if (j->dumps[i].pid == pid)
			return &j->dumps[i];
	return NULL;
}

static bool is_file(const char *path)
{
	return access(path, R_OK) == 0;
}

/* jit-PID.dump in DIR or in any DIR/<sub>/ (one level, as perf's jit
 * cache and LLVM lay them out). */
static bool find_in(const char *dir, const char *base, char *out, size_t size)
{
	if (!dir || snprintf(out, size, "%s/%s", dir, base) >= (int)size)
		return false;
	if (is_file(out))
		return true;
	DIR *d = opendir(dir);
	if (!d)
		return false;
	bool found = false;
	struct dirent *de;
	while (!found && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		found = snprintf(out, size, "%s/%s/%s", dir, de->d_name, base) < (int)size &&
			is_file(out);
	}
	closedir(d);
	return found;
}

static bool locate(struct fold_jit *j, const char *symfs, const char *recorded, int32_t pid,
		   char *out, size_t size)
{
	if (recorded && snprintf(out, size, "%s%s", symfs ? symfs : "", recorded) < (int)size &&
	    is_file(out))
		return true;
	char base[64];
	snprintf(base, sizeof base, "jit-%d.dump", (int)pid);
	for (size_t i = 0; i < j->ndirs; i++)
		if (find_in(j->dirs[i], base, out, size))
			return true;
	if (j->data_dir && snprintf(out, size, "%s/%s", j->data_dir, base) < (int)size && is_file(out))
		return true;
	char dir[4096];
	const char *env = getenv("JITDUMPDIR");
	if (env && (find_in(env, base, out, size) ||
		    (snprintf(dir, sizeof dir, "%s/.debug/jit", env) < (int)sizeof dir &&
		     find_in(dir, base, out, size))))
		return true;
	const char *home = getenv("HOME");
	return home && snprintf(dir, sizeof dir, "%s/.debug/jit", home) < (int)sizeof dir &&
	       find_in(dir, base, out, size);
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
}

/* Opens a dump; pid < 0 takes the one of its header. */
static int open_dump(struct fold_jit *j, const char *path, const char *recorded, int32_t pid)
{
	struct pp_jitdump *r;
	int rc = pp_jitdump_open(&r, path, j->warn, j->ctx);
	if (rc) {
		if (!r)
			return WP_E_NOMEM;
		j->error(j->ctx, pp_jitdump_errmsg(r));
		pp_jitdump_free(r);
		j->status = 1;
		return 0;
	}
	int32_t hpid = (int32_t)pp_jitdump_header(r)->pid;
	if (pid >= 0 && hpid != pid)
		say(j, "'%s': the dump says pid %d; used for pid %d", path, (int)hpid, (int)pid);
	if (pid < 0)
		pid = hpid;
	if (dump_of(j, pid)) {
		pp_jitdump_free(r);
		return 0;
	}
	if (wp_grow((void **)&j->dumps, &j->cap, j->ndumps + 1, sizeof *j->dumps)) {
		pp_jitdump_free(r);
		return WP_E_NOMEM;
	}
	struct dump *d = &j->dumps[j->ndumps];
	*d = (struct dump){.pid = pid, .path = strdup(path), .dir = dir_of(recorded ? recorded : path),
			   .reader = r};
	if (!d->path || !d->dir) {
		free(d->path);
		free(d->dir);
		pp_jitdump_free(r);
		return WP_E_NOMEM;
	}
	j->ndumps++;
	d->tsc = (pp_jitdump_header(r)->flags & PP_JITDUMP_FLAGS_ARCH_TIMESTAMP) != 0;
	/* from here on, as after perf inject: no //anon maps, no perf map */
	return sym_native_jit_pid(j->sym, pid);
}

/* The pid in "jit-PID.dump" (dump) or "jitted-PID-N.so" (!dump), the last
 * element of a path. */
static bool parse_base(const char *filename, bool dump, int32_t *pid)
{
	const char *base = strrchr(filename, '/');
	base = base ? base + 1 : filename;
	int p, n = 0;
	unsigned long idx;
	if (dump ? sscanf(base, "jit-%d.dump%n", &p, &n) != 1
		 : sscanf(base, "jitted-%d-%lu.so%n", &p, &idx, &n) != 2)
		return false;
	if (n == 0 || base[n] != '\0')
		return false;
	*pid = p;
	return true;
}

int fold_jit_add(struct fold_jit *j, const char *path)
{
	DIR *d = opendir(path);
	if (!d) {
		if (!is_file(path)) {
			wp_warnf(j->error, j->ctx, "'%s': no such jitdump file or directory", path);
			j->status = 1;
			return 0;
		}
		return open_dump(j, path, NULL, -1);
	}
	/* a directory: every jit-PID.dump directly in it now (for runtimes
	 * that map no marker), and a place to look for the marked ones */
	int rc = wp_grow((void **)&j->dirs, &j->dirs_cap, j->ndirs + 1, sizeof *j->dirs);
	if (!rc)
		j->dirs[j->ndirs++] = path;
	struct dirent *de;
	char file[4096];
	int32_t pid;
	while (!rc && (de = readdir(d)) != NULL)
		if (parse_base(de->d_name, true, &pid) &&
		    snprintf(file, sizeof file, "%s/%s", path, de->d_name) < (int)sizeof file)
			rc = open_dump(j, file, NULL, -1);
	closedir(d);
	return rc;
}

void fold_jit_clock(struct fold_jit *j, bool monotonic)
{
	if (j->clock_known)
		return;
	j->clock_known = true;
	j->timed = monotonic;
}

int fold_jit_mmap(struct fold_jit *j, const char *symfs, int32_t pid, const char *filename)
{
	int32_t fpid;
	char path[4096];
	if (parse_base(filename, true, &fpid)) {
		/* the marker: its pid must be the mapping's (perf's jit_detect) */
		if (fpid != pid || dump_of(j, pid))
			return 0;
		if (!locate(j, symfs, filename, pid, path, sizeof path)) {
			say(j, "'%s' (the jitdump of pid %d) not found: pass --jitdump FILE|DIR",
			    filename, (int)pid);
			return 0;
		}
		return open_dump(j, path, filename, pid);
	}
	if (parse_base(filename, false, &fpid) && !dump_of(j, fpid)) {
		/* perf inject wrote it beside the dump; without the file, the
		 * dump names the code instead */
		if (snprintf(path, sizeof path, "%s%s", symfs ? symfs : "", filename) < (int)sizeof path &&
		    is_file(path))
			return 0;
		char *dir = dir_of(filename);
		char recorded[4096];
		int rc = 0;
		if (!dir)
			return WP_E_NOMEM;
		if (snprintf(recorded, sizeof recorded, "%s/jit-%d.dump", dir, (int)fpid) <
			    (int)sizeof recorded &&
		    locate(j, symfs, recorded, fpid, path, sizeof path))
			rc = open_dump(j, path, recorded, fpid);
		else
			say(j, "'%s' is gone and jit-%d.dump was not found: its frames stay unknown",
			    filename, (int)fpid);
		free(dir);
		return rc;
	}
	return 0;
}

/* Dump times are comparable with sample times: CLOCK_MONOTONIC ones when
 * perf used that clock (-k mono); TSC ones (ARCH_TIMESTAMP) through the
 * recording's TIME_CONV, whatever perf's clock, as perf inject does. */
static bool timed(const struct fold_jit *j, const struct dump *d)
{
	return d->tsc ? j->has_tc : j->timed;
}

static uint64_t dump_time(const struct fold_jit *j, const struct dump *d, uint64_t t)
{
	return d->tsc && j->has_tc ? pp_tsc_to_perf_time(&j->tc, t) : t;
}

void fold_jit_time_conv(struct fold_jit *j, const struct pp_time_conv *tc)
{
	if (tc->time_mult == 0)
		return; /* perf: "no TSC conversion" */
	j->tc = *tc;
	j->has_tc = true;
}

static int feed(struct fold_jit *j, struct dump *d, const struct pp_jit_record *r)
{
	char module[4200];
	uint64_t index = r->type == PP_JIT_CODE_LOAD ? r->u.load.code_index : r->u.move.code_index;
	snprintf(module, sizeof module, "%s/jitted-%d-%llu.so", d->dir, (int)d->pid,
		 (unsigned long long)index);
	struct sym_native_jit c = {.time = timed(j, d) ? dump_time(j, d, r->timestamp) : 0, .pid = d->pid,
				   .module = module};
	if (r->type == PP_JIT_CODE_LOAD) {
		c.start = r->u.load.code_addr;
		c.size = r->u.load.code_size;
		c.name = r->u.load.name;
		c.unwind = d->unwind;
		c.unwind_size = d->unwind_size;
		c.unwind_hdr_size = d->unwind_hdr_size;
		int rc = sym_native_jit_load(j->sym, &c);
		free(d->unwind); /* it belonged to this load only */
		d->unwind = NULL;
		return rc == WP_E_FORMAT ? 0 : rc; /* empty code names nothing */
	}
	c.start = r->u.move.new_code_addr;
	c.size = r->u.move.code_size;
	int rc = sym_native_jit_move(j->sym, &c, r->u.move.old_code_addr);
	return rc == WP_E_FORMAT || rc == WP_E_NOTFOUND ? 0 : rc;
}

int fold_jit_advance(struct fold_jit *j, uint64_t time)
{
	if (!j->clock_known)
		fold_jit_clock(j, false);
	for (size_t i = 0; i < j->ndumps; i++) {
		struct dump *d = &j->dumps[i];
		if (!timed(j, d) && !j->warned_clock) {
			j->warned_clock = true;
			if (d->tsc)
				say(j, "'%s': TSC timestamps and no TIME_CONV in the recording: JIT code "
				       "is matched by address only, a reused address gets its last name",
				    d->path);
			else
				say(j, "the recording's clock is not CLOCK_MONOTONIC (record with -k mono): "
				       "JIT code is matched by address only, a reused address gets its last name");
		}
		uint64_t until = timed(j, d) ? time : UINT64_MAX; /* else all at once */
		while (d->reader) {
			if (!d->next) {
				int rc = pp_jitdump_next(d->reader, &d->next);
				if (rc <= 0) {
					if (rc < 0) {
						j->error(j->ctx, pp_jitdump_errmsg(d->reader));
						j->status = 1;
					}
					pp_jitdump_free(d->reader);
					d->reader = NULL;
					d->next = NULL;
					break;
				}
			}
			if (d->next->type == PP_JIT_CODE_UNWINDING_INFO) {
				/* V8 --perf-prof-unwinding-info: CFI for the next load */
				const struct pp_jit_record *u = d->next;
				free(d->unwind);
				d->unwind = NULL;
				if (u->u.unwind.unwind_data_size && u->u.unwind.unwind_data_size <= (1u << 24) &&
				    (d->unwind = malloc((size_t)u->u.unwind.unwind_data_size))) {
					memcpy(d->unwind, u->u.unwind.data, (size_t)u->u.unwind.unwind_data_size);
					d->unwind_size = u->u.unwind.unwind_data_size;
					d->unwind_hdr_size = u->u.unwind.eh_frame_hdr_size;
				}
				d->next = NULL;
				continue;
			}
			if (d->next->type != PP_JIT_CODE_LOAD && d->next->type != PP_JIT_CODE_MOVE) {
				d->next = NULL;
				continue;
			}
			if (dump_time(j, d, d->next->timestamp) > until)
				break;
			int rc = feed(j, d, d->next);
			d->next = NULL;
			if (rc)
				return rc;
		}
	}
	return 0;
}
