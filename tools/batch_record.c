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
 *	files	folded svg phases	(those present; always the last line)
 *
 * Each line kind but hot and phase appears at most once; status and files
 * are required, and a record that does not end with its files line and a
 * newline was cut short: an error, never a run with fewer results.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"

#define RECORD_MAGIC "wasmperf-batch-record"
#define MAX_FIELDS (8 + PH_NCAT)

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

/* Decimal digits only, as the writer puts them (strtoull would also take
 * leading blanks and a minus sign, wrapping " -1" to 2^64 - 1). */
static bool number(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return p > s && !*p;
}

static int set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = strdup(s);
	return *dst ? 0 : -1;
}

static int add_phase(struct batch_run *r, char **f, size_t n)
{
	if (n != 6 + PH_NCAT || r->nphases >= BATCH_MAX_PHASES)
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

/* The lines after the first, in the order the writer puts them; "files"
 * comes last, so a record cut short (a worker killed while writing it, a
 * partial copy) is told from a complete one. */
enum line_kind {
	LINE_NAME, LINE_INPUT, LINE_RUNTIME, LINE_BENCH, LINE_KEY, LINE_STATUS, LINE_ERROR,
	LINE_PID, LINE_EXEC_EXIT, LINE_SAMPLES, LINE_HOT, LINE_PHASE, LINE_FILES, NLINE_KINDS
};
static const char *const line_keys[NLINE_KINDS] = {
	"name", "input", "runtime", "bench", "key", "status", "error",
	"pid", "exec_exit_ns", "samples", "hot", "phase", "files",
};

static int line_kind(const char *key)
{
	for (int i = 0; i < NLINE_KINDS; i++)
		if (!strcmp(key, line_keys[i]))
			return i;
	return -1;
}

/* The value of a line with one; -1 when the line is not right. */
static int parse_value(struct batch_run *r, int kind, char **f, size_t n, bool merge)
{
	uint64_t v[4];
	switch (kind) {
	case LINE_NAME: case LINE_INPUT: case LINE_RUNTIME: case LINE_BENCH:
		if (n != 2)
			return -1;
		if (!merge)
			return 0; /* the command line's own */
		return set_str(kind == LINE_NAME ? &r->name : kind == LINE_INPUT ? &r->input
			       : kind == LINE_RUNTIME ? &r->runtime : &r->bench, f[1]);
	case LINE_KEY:
		return n == 2 ? set_str(&r->key, f[1]) : -1;
	case LINE_STATUS:
		if (n != 2 || (strcmp(f[1], "ok") && strcmp(f[1], "failed")))
			return -1;
		r->failed = !strcmp(f[1], "failed");
		return 0;
	case LINE_ERROR:
		return n == 2 ? set_str(&r->error, f[1]) : -1;
	case LINE_PID:
		if (n != 2 || !number(f[1], v) || v[0] > INT32_MAX)
			return -1;
		r->pid = (int64_t)v[0];
		return 0;
	case LINE_EXEC_EXIT:
		if (n != 2 || !number(f[1], v))
			return -1;
		r->has_exec_exit = true;
		r->exec_exit_ns = v[0];
		return 0;
	case LINE_SAMPLES:
		if (n != 5 || !number(f[1], v) || !number(f[2], v + 1) || !number(f[3], v + 2) ||
		    !number(f[4], v + 3))
			return -1;
		r->has_samples = true;
		r->samples_all = v[0];
		r->samples_proc = v[1];
		r->samples_main = v[2];
		r->threads = v[3];
		return 0;
	case LINE_HOT:
		if (n != 3 || r->nhot >= BATCH_TOP || !number(f[2], v) ||
		    !(r->hot[r->nhot].name = strdup(f[1])))
			return -1;
		r->hot[r->nhot++].count = v[0];
		return 0;
	case LINE_PHASE:
		return add_phase(r, f, n);
	default: /* LINE_FILES */
		if (n != 2)
			return -1;
		r->has_folded = strstr(f[1], "folded") != NULL;
		r->has_svg = strstr(f[1], "svg") != NULL;
		r->has_phases = strstr(f[1], "phases") != NULL;
		return 0;
	}
}

/* One line after the first; 0, or -1 with what is wrong in why. *seen
 * has a bit per kind of line read so far. */
static int parse_line(struct batch_run *r, char *line, bool merge, unsigned *seen, char *why,
		      size_t whylen)
{
	char *f[MAX_FIELDS];
	size_t n = split(line, f, MAX_FIELDS);
	int kind = line_kind(f[0]);
	if (*seen & (1u << LINE_FILES)) {
		snprintf(why, whylen, "a line after the files line");
		return -1;
	}
	if (kind < 0) {
		char key[40];
		snprintf(why, whylen, "unknown line '%s'", wp_visible(key, sizeof key, f[0], strlen(f[0])));
		return -1;
	}
	if (kind != LINE_HOT && kind != LINE_PHASE && (*seen & (1u << kind))) {
		snprintf(why, whylen, "a second %s line", line_keys[kind]);
		return -1;
	}
	*seen |= 1u << kind;
	if (parse_value(r, kind, f, n, merge)) {
		if (kind == LINE_HOT && r->nhot >= BATCH_TOP)
			snprintf(why, whylen, "more than %d hot lines", BATCH_TOP);
		else if (kind == LINE_PHASE && r->nphases >= BATCH_MAX_PHASES)
			snprintf(why, whylen, "more than %d phase lines", BATCH_MAX_PHASES);
		else
			snprintf(why, whylen, "malformed %s line", line_keys[kind]);
		return -1;
	}
	return 0;
}

int batch_record_parse(char *text, size_t len, const char *path, struct batch_run *r, char *err,
		       size_t errlen)
{
	bool merge = r->name == NULL;
	unsigned lineno = 0, seen = 0;
	char why[128];
	for (size_t pos = 0; pos < len;) {
		char *line = text + pos, *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		lineno++;
		if (!nl)
			snprintf(why, sizeof why, "cut short (no newline at the end)");
		else if (memchr(line, '\0', n))
			snprintf(why, sizeof why, "a NUL byte");
		else if (lineno == 1 && (*nl = '\0', strcmp(line, RECORD_MAGIC "\t1") != 0))
			snprintf(why, sizeof why, "not a wasmperf-batch record");
		else if (lineno > 1 && (*nl = '\0', parse_line(r, line, merge, &seen, why, sizeof why)))
			;
		else {
			pos += n + 1;
			continue;
		}
		snprintf(err, errlen, "'%s': line %u: %s", path, lineno, why);
		return -1;
	}
	if (lineno == 0) {
		snprintf(err, errlen, "'%s': empty", path);
		return -1;
	}
	if (!(seen & (1u << LINE_FILES))) {
		snprintf(err, errlen, "'%s': line %u: cut short (no files line)", path, lineno + 1);
		return -1;
	}
	if (!(seen & (1u << LINE_STATUS))) {
		snprintf(err, errlen, "'%s': no status line", path);
		return -1;
	}
	if (merge && (!r->name || !r->input || !r->runtime || !r->bench)) {
		snprintf(err, errlen, "'%s': no name, input, runtime or bench line", path);
		return -1;
	}
	return 0;
}

int batch_record_read(const char *path, struct batch_run *r, char *err, size_t errlen)
{
	char *text;
	size_t len;
	int rc = wp_read_file(path, BATCH_RECORD_MAX, &text, &len);
	if (rc) {
		snprintf(err, errlen, "'%s': %s", path,
			 rc == WP_E_IO ? strerror(errno) : rc == WP_E_NOTFOUND ? "missing"
			 : rc == WP_E_TOOBIG ? "larger than a record's 1 MiB cap" : wp_strerror(rc));
		return -1;
	}
	rc = batch_record_parse(text, len, path, r, err, errlen);
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
