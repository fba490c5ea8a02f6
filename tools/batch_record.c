/* batch_record.c - OUT/runs/DIR/record.tsv: what one run found, written by
 * its worker and read back to build the page, and by --merge from another
 * output (so read as untrusted text: every line checked, a bad one an
 * error naming the line). One "key<TAB>value..." line each; values have
 * backslash, tab, newline and carriage return escaped as \\ \t \n \r.
 *
 *	wasmperf-batch-record	1
 *	name	NAME			input	PATH
 *	runtime	RUNTIME			bench	BENCH
 *	key	HEX			status	ok|failed
 *	error	LINE			(failed only)
 *	pid	PID			exec_exit_ns	NS
 *	samples	ALL	PROC	MAIN	THREADS
 *	hot	NAME	COUNT		(up to BATCH_TOP)
 *	phase	NAME	DEPTH	START_NS	DUR_NS	SAMPLES	CAT...	(PH_NCAT categories)
 *	files	folded svg phases	(those present)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"

#define RECORD_MAGIC "wasmperf-batch-record"
#define MAX_FIELDS (8 + PH_NCAT)
#define MAX_PHASES 256

static void put(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '\\': fputs("\\\\", f); break;
		case '\t': fputs("\\t", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		default: fputc(*s, f);
		}
	}
}

static void put_kv(FILE *f, const char *key, const char *value)
{
	fprintf(f, "%s\t", key);
	put(f, value);
	fputc('\n', f);
}

int batch_record_write(FILE *f, const struct batch_run *r)
{
	fprintf(f, "%s\t1\n", RECORD_MAGIC);
	put_kv(f, "name", r->name);
	put_kv(f, "input", r->input);
	put_kv(f, "runtime", r->runtime);
	put_kv(f, "bench", r->bench);
	put_kv(f, "key", r->key ? r->key : "");
	put_kv(f, "status", r->failed ? "failed" : "ok");
	if (r->failed)
		put_kv(f, "error", r->error ? r->error : "failed");
	if (r->pid >= 0)
		fprintf(f, "pid\t%" PRId64 "\n", r->pid);
	if (r->has_exec_exit)
		fprintf(f, "exec_exit_ns\t%" PRIu64 "\n", r->exec_exit_ns);
	if (r->has_samples)
		fprintf(f, "samples\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\n",
			r->samples_all, r->samples_proc, r->samples_main, r->threads);
	for (size_t i = 0; i < r->nhot; i++) {
		fputs("hot\t", f);
		put(f, r->hot[i].name);
		fprintf(f, "\t%" PRIu64 "\n", r->hot[i].count);
	}
	for (size_t i = 0; i < r->nphases; i++) {
		const struct batch_phase *p = &r->phases[i];
		fputs("phase\t", f);
		put(f, p->name);
		fprintf(f, "\t%d\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64, p->depth, p->start_ns, p->dur_ns,
			p->samples);
		for (int c = 0; c < PH_NCAT; c++)
			fprintf(f, "\t%" PRIu64, p->cat[c]);
		fputc('\n', f);
	}
	fprintf(f, "files\t%s%s%s\n", r->has_folded ? "folded " : "", r->has_svg ? "svg " : "",
		r->has_phases ? "phases" : "");
	return ferror(f) ? -1 : 0;
}

/* Splits line (modified in place) at tabs and unescapes each field. */
static size_t split(char *line, char **fields, size_t max)
{
	size_t n = 0;
	for (char *p = line; n < max;) {
		fields[n++] = p;
		char *tab = strchr(p, '\t');
		if (tab)
			*tab = '\0';
		char *w = fields[n - 1];
		for (char *q = fields[n - 1]; *q; q++) {
			if (*q == '\\' && q[1]) {
				q++;
				*w++ = *q == 't' ? '\t' : *q == 'n' ? '\n' : *q == 'r' ? '\r' : *q;
			} else {
				*w++ = *q;
			}
		}
		*w = '\0';
		if (!tab)
			break;
		p = tab + 1;
	}
	return n;
}

static bool number(const char *s, uint64_t *out)
{
	if (!*s || *s == '-' || *s == '+')
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	*out = v;
	return !*end && errno == 0;
}

static int set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = strdup(s);
	return *dst ? 0 : -1;
}

static int add_phase(struct batch_run *r, char **f, size_t n)
{
	if (n != 6 + PH_NCAT || r->nphases >= MAX_PHASES)
		return -1;
	struct batch_phase p = {0};
	uint64_t depth;
	bool ok = number(f[2], &depth) && depth <= 8 && number(f[3], &p.start_ns) &&
		  number(f[4], &p.dur_ns) && number(f[5], &p.samples);
	for (int c = 0; ok && c < PH_NCAT; c++)
		ok = number(f[6 + c], &p.cat[c]);
	if (!ok)
		return -1;
	struct batch_phase *grown = realloc(r->phases, (r->nphases + 1) * sizeof *grown);
	if (!grown)
		return -1;
	r->phases = grown;
	p.depth = (int)depth;
	if (!(p.name = strdup(f[1])))
		return -1;
	r->phases[r->nphases++] = p;
	return 0;
}

/* One line; -1 when it is not one of the lines above. */
static int parse_line(struct batch_run *r, char *line, bool merge)
{
	char *f[MAX_FIELDS];
	size_t n = split(line, f, MAX_FIELDS);
	const char *k = f[0];
	uint64_t v[4];
	if (n == 2 && (!strcmp(k, "name") || !strcmp(k, "input") || !strcmp(k, "runtime") ||
		       !strcmp(k, "bench"))) {
		if (!merge)
			return 0; /* the command line's own */
		char **dst = !strcmp(k, "name") ? &r->name : !strcmp(k, "input") ? &r->input
			     : !strcmp(k, "runtime") ? &r->runtime : &r->bench;
		return set_str(dst, f[1]);
	}
	if (n == 2 && !strcmp(k, "key"))
		return set_str(&r->key, f[1]);
	if (n == 2 && !strcmp(k, "status") && (!strcmp(f[1], "ok") || !strcmp(f[1], "failed"))) {
		r->failed = !strcmp(f[1], "failed");
		return 0;
	}
	if (n == 2 && !strcmp(k, "error"))
		return set_str(&r->error, f[1]);
	if (n == 2 && !strcmp(k, "pid") && number(f[1], v) && v[0] <= INT32_MAX) {
		r->pid = (int64_t)v[0];
		return 0;
	}
	if (n == 2 && !strcmp(k, "exec_exit_ns") && number(f[1], v)) {
		r->has_exec_exit = true;
		r->exec_exit_ns = v[0];
		return 0;
	}
	if (n == 5 && !strcmp(k, "samples") && number(f[1], v) && number(f[2], v + 1) &&
	    number(f[3], v + 2) && number(f[4], v + 3)) {
		r->has_samples = true;
		r->samples_all = v[0];
		r->samples_proc = v[1];
		r->samples_main = v[2];
		r->threads = v[3];
		return 0;
	}
	if (n == 3 && !strcmp(k, "hot") && r->nhot < BATCH_TOP && number(f[2], v)) {
		if (!(r->hot[r->nhot].name = strdup(f[1])))
			return -1;
		r->hot[r->nhot++].count = v[0];
		return 0;
	}
	if (!strcmp(k, "phase"))
		return add_phase(r, f, n);
	if (n == 2 && !strcmp(k, "files")) {
		r->has_folded = strstr(f[1], "folded") != NULL;
		r->has_svg = strstr(f[1], "svg") != NULL;
		r->has_phases = strstr(f[1], "phases") != NULL;
		return 0;
	}
	return -1;
}

int batch_record_read(const char *path, struct batch_run *r, char *err, size_t errlen)
{
	char *text;
	size_t len;
	int rc = wp_read_file(path, BATCH_RECORD_MAX, &text, &len);
	if (rc) {
		snprintf(err, errlen, "'%s': %s", path,
			 rc == WP_E_IO ? strerror(errno) : rc == WP_E_NOTFOUND ? "missing" : wp_strerror(rc));
		return -1;
	}
	bool merge = r->name == NULL;
	unsigned lineno = 0;
	char *line = text, *next;
	rc = 0;
	for (; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (lineno == 1 ? strcmp(line, RECORD_MAGIC "\t1") != 0 : parse_line(r, line, merge) != 0) {
			snprintf(err, errlen, "'%s': line %u: %s", path, lineno,
				 lineno == 1 ? "not a wasmperf-batch record" : "malformed");
			rc = -1;
			break;
		}
	}
	if (!rc && lineno == 0) {
		snprintf(err, errlen, "'%s': empty", path);
		rc = -1;
	}
	if (!rc && merge && (!r->name || !r->input || !r->runtime || !r->bench)) {
		snprintf(err, errlen, "'%s': no name, input, runtime or bench line", path);
		rc = -1;
	}
	free(text);
	return rc;
}

void batch_run_release(struct batch_run *r)
{
	free(r->input);
	free(r->name);
	free(r->dir);
	free(r->runtime);
	free(r->bench);
	free(r->key);
	free(r->error);
	for (size_t i = 0; i < r->nhot; i++)
		free(r->hot[i].name);
	for (size_t i = 0; i < r->nphases; i++)
		free(r->phases[i].name);
	free(r->phases);
	memset(r, 0, sizeof *r);
	r->pid = -1;
}

char *batch_path(const struct batch_options *o, const char *dir, const char *file)
{
	size_t n = strlen(o->out) + strlen(dir) + strlen(file) + 16;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/runs/%s%s%s", o->out, dir, file[0] ? "/" : "", file);
	return p;
}
