/* batch_inputs.c - the operands of wasmperf-batch become runs: each one's
 * name (its directory, or its file name without the extension; a
 * perf.data is named by its directory), its runtime and benchmark (a
 * bundle's meta.json, else --layout matched against the name), and a
 * directory of its own under OUT/runs/. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"
#include "bundle.h"

/* ---- --layout: "{runtime}--{bench}", literal text between placeholders ---- */
enum { CAP_RUNTIME, CAP_BENCH, CAP_ANY };

static int placeholder(const char *p, size_t *len)
{
	static const char *const names[] = {"{runtime}", "{bench}", "{*}"};
	for (int i = 0; i < 3; i++) {
		*len = strlen(names[i]);
		if (strncmp(p, names[i], *len) == 0)
			return i;
	}
	return -1;
}

int batch_layout_check(const char *pattern, char *err, size_t errlen)
{
	int seen[3] = {0, 0, 0};
	bool last_was_placeholder = false;
	for (const char *p = pattern; *p;) {
		size_t len;
		int k = *p == '{' ? placeholder(p, &len) : -2;
		if (k == -1) {
			snprintf(err, errlen, "'%s': unknown placeholder at '%.20s' (use {runtime}, {bench}, {*})",
				 pattern, p);
			return -1;
		}
		if (k >= 0 && last_was_placeholder) {
			snprintf(err, errlen, "'%s': two placeholders need text between them", pattern);
			return -1;
		}
		if (k >= 0 && k != CAP_ANY && seen[k]++) {
			snprintf(err, errlen, "'%s': %s given twice", pattern, k ? "{bench}" : "{runtime}");
			return -1;
		}
		last_was_placeholder = k >= 0;
		p += k >= 0 ? len : 1;
	}
	if (!seen[CAP_RUNTIME] && !seen[CAP_BENCH]) {
		snprintf(err, errlen, "'%s': names neither {runtime} nor {bench}", pattern);
		return -1;
	}
	return 0;
}

/* A pattern cut into literal text and placeholders: segment 0 is the text
 * before the first placeholder (kind -1), each next one a placeholder and
 * the text after it. `end` is where the placeholder's capture can end at
 * the latest (see match), 0 when nowhere. */
struct segment {
	int kind;
	const char *text;
	size_t len;
	size_t end;
};

/* The segments of pattern into seg (room for one more than its '{'s);
 * their number. A '{' that starts no placeholder is text (which
 * batch_layout_check refuses). */
static size_t segments(const char *pattern, struct segment *seg)
{
	size_t n = 0;
	seg[n++] = (struct segment){.kind = -1, .text = pattern};
	for (const char *p = pattern; *p;) {
		size_t len;
		int k = *p == '{' ? placeholder(p, &len) : -1;
		if (k < 0) {
			seg[n - 1].len++;
			p++;
			continue;
		}
		p += len;
		seg[n++] = (struct segment){.kind = k, .text = p};
	}
	return n;
}

/* Placeholders match one character or more, the longest first, left to
 * right, so '{runtime}-{bench}' splits "wamr-jit-compute" as wamr-jit /
 * compute. Backtracking over every split would be exponential in the
 * placeholders ('{*}a{*}a{*}a...' against "aaaa...b" never ends); instead,
 * from the last placeholder back, seg[i].end is the latest end of
 * placeholder i after which its text and the rest of the pattern match
 * (later placeholders taking theirs). It does not depend on where the
 * placeholder starts, so from any start its longest capture ends there,
 * and the captures follow left to right in one pass: time name x pattern,
 * no recursion, whatever the pattern (tests/fuzz/fuzz_batch_layout.c
 * compares it with the backtracking search). */
static bool match(struct segment *seg, size_t nseg, const char *s, const char *start[3],
		  size_t len[3])
{
	size_t n = strlen(s);
	if (nseg == 1)
		return n == seg[0].len && memcmp(s, seg[0].text, n) == 0;
	if (n < seg[0].len || memcmp(s, seg[0].text, seg[0].len) != 0)
		return false;
	/* the last placeholder's text ends the name */
	struct segment *last = &seg[nseg - 1];
	if (n < last->len + 1 || memcmp(s + n - last->len, last->text, last->len) != 0)
		return false;
	last->end = n - last->len;
	for (size_t i = nseg - 2; i >= 1; i--) {
		/* the latest e followed by seg[i]'s text, then a capture of one
		 * character or more of placeholder i + 1 ending at its end */
		struct segment *g = &seg[i];
		if (seg[i + 1].end < g->len + 2)
			return false;
		size_t e = seg[i + 1].end - g->len - 1;
		while (e >= 1 && memcmp(s + e, g->text, g->len) != 0)
			e--;
		if (e == 0)
			return false;
		g->end = e;
	}
	size_t at = seg[0].len;
	for (size_t i = 1; i < nseg; i++) {
		if (seg[i].end <= at)
			return false; /* only the first can fail: each end leaves room for the next */
		int k = seg[i].kind;
		if (!start[k]) { /* an unchecked pattern's repeated placeholder: the first */
			start[k] = s + at;
			len[k] = seg[i].end - at;
		}
		at = seg[i].end + seg[i].len;
	}
	return true;
}

int batch_layout_match(const char *pattern, const char *name, char **runtime, char **bench)
{
	size_t braces = 1;
	for (const char *p = pattern; (p = strchr(p, '{')); p++)
		braces++;
	struct segment *seg = malloc(braces * sizeof *seg);
	if (!seg)
		return -1;
	const char *start[3] = {NULL, NULL, NULL};
	size_t len[3] = {0, 0, 0};
	bool ok = match(seg, segments(pattern, seg), name, start, len);
	free(seg);
	if (!ok)
		return 0;
	*runtime = start[CAP_RUNTIME] ? strndup(start[CAP_RUNTIME], len[CAP_RUNTIME]) : strdup("");
	*bench = start[CAP_BENCH] ? strndup(start[CAP_BENCH], len[CAP_BENCH]) : strdup("");
	if (!*runtime || !*bench) {
		free(*runtime);
		free(*bench);
		*runtime = *bench = NULL;
		return -1;
	}
	return 1;
}

/* ---- names ---- */
static bool is_dir(const char *path)
{
	struct stat st;
	return path && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The last path component of path[0, n), trailing slashes ignored. */
static const char *last_component(const char *path, size_t *n)
{
	size_t end = strlen(path);
	while (end > 1 && path[end - 1] == '/')
		end--;
	size_t start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	*n = end - start;
	return path + start;
}

/* A directory's name; a file's name without .gz and its extension; a
 * perf.data file's directory name (run directories are named, not their
 * perf.data). */
static char *run_name(const char *path)
{
	size_t n;
	const char *base = last_component(path, &n);
	if (!is_dir(path) && n >= 9 && strncmp(base, "perf.data", 9) == 0 && base > path) {
		size_t dn = (size_t)(base - path);
		char *dir = strndup(path, dn);
		if (!dir)
			return NULL;
		const char *d = last_component(dir, &n);
		char *name = n && strcmp(d, "/") && strcmp(d, ".") ? strndup(d, n) : strdup("perf");
		free(dir);
		return name;
	}
	if (!is_dir(path)) {
		if (n > 3 && strncmp(base + n - 3, ".gz", 3) == 0)
			n -= 3;
		static const char *const ext[] = {".data", ".folded", ".txt", ".perf", ".script", ".stacks"};
		for (size_t i = 0; i < sizeof ext / sizeof *ext; i++) {
			size_t e = strlen(ext[i]);
			if (n > e && strncmp(base + n - e, ext[i], e) == 0) {
				n -= e;
				break;
			}
		}
	}
	return strndup(base, n ? n : 1);
}

/* A name safe as one path component, unique among the runs so far. */
static char *run_dir(const struct batch *b, const char *name)
{
	char safe[120];
	size_t n = 0;
	for (const char *p = name; *p && n < 100; p++) {
		unsigned char ch = (unsigned char)*p;
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9') || strchr("-_+=.,@", ch);
		safe[n] = ok && !(n == 0 && ch == '.') ? (char)ch : '_';
		n++;
	}
	if (n == 0)
		safe[n++] = '_';
	safe[n] = '\0';
	char try[140];
	snprintf(try, sizeof try, "%s", safe);
	for (unsigned k = 2;; k++) {
		bool taken = false;
		for (size_t i = 0; i < b->nruns && !taken; i++)
			taken = b->runs[i].dir && strcmp(b->runs[i].dir, try) == 0;
		if (!taken)
			return strdup(try);
		snprintf(try, sizeof try, "%s-%u", safe, k);
	}
}

/* A bundle's meta.json: its runtime and bench, when it has them. Errors
 * are the worker's to report (it opens the bundle). */
static void from_meta(const char *dir, struct batch_run *r)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/meta.json", dir);
	char *text;
	size_t len;
	if (wp_read_file(path, BUNDLE_META_MAX, &text, &len))
		return;
	struct bundle_meta m;
	char err[256];
	if (bundle_meta_parse(text, len, &m, err, sizeof err) == 0) {
		if (m.runtime && m.runtime[0]) {
			free(r->runtime);
			r->runtime = strdup(m.runtime);
		}
		if (m.bench && m.bench[0]) {
			free(r->bench);
			r->bench = strdup(m.bench);
		}
	}
	bundle_meta_release(&m);
	free(text);
}

static int add_run(struct batch *b, const char *path)
{
	struct batch_run *r = &b->runs[b->nruns];
	memset(r, 0, sizeof *r);
	r->pid = -1;
	r->input = strdup(path);
	r->name = run_name(path);
	if (!r->input || !r->name)
		return -1;
	r->dir = run_dir(b, r->name);
	if (!r->dir)
		return -1;
	r->runtime = NULL;
	r->bench = NULL;
	if (b->opt->layout) {
		int m = batch_layout_match(b->opt->layout, r->name, &r->runtime, &r->bench);
		if (m < 0)
			return -1;
		if (m == 0 && !(r->error = malloc(512)))
			return -1;
		if (m == 0) {
			r->failed = true;
			snprintf(r->error, 512, "%s: '%s': the name '%s' does not match --layout '%s'",
				 b->opt->prog, path, r->name, b->opt->layout);
		}
	}
	if (is_dir(path))
		from_meta(path, r);
	if ((!r->runtime && !(r->runtime = strdup(""))) || (!r->bench && !(r->bench = strdup(""))))
		return -1;
	b->nruns++;
	return 0;
}

int batch_inputs(struct batch *b, char **paths, size_t n)
{
	b->runs = calloc(n ? n : 1, sizeof *b->runs);
	if (!b->runs)
		return -1;
	for (size_t i = 0; i < n; i++) {
		/* --shard K/N: inputs K, K+N, K+2N, ... (counting from 1) */
		if (b->opt->shard_n && i % b->opt->shard_n != b->opt->shard_k - 1)
			continue;
		if (add_run(b, paths[i])) {
			batch_run_release(&b->runs[b->nruns]);
			return -1;
		}
	}
	return 0;
}

/* ---- the lists of runtimes and benchmarks ---- */
static int list_add(char ***list, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*list)[i], s) == 0)
			return 0;
	char **grown = realloc(*list, (*n + 1) * sizeof **list);
	if (!grown)
		return -1;
	*list = grown;
	if (!(grown[*n] = strdup(s)))
		return -1;
	(*n)++;
	return 0;
}

int batch_index_runs(struct batch *b)
{
	for (size_t i = 0; i < b->nruns; i++) {
		const struct batch_run *r = &b->runs[i];
		if (!r->runtime[0] || !r->bench[0])
			continue;
		if (list_add(&b->runtimes, &b->nruntimes, r->runtime) ||
		    list_add(&b->benches, &b->nbenches, r->bench))
			return -1;
	}
	b->baseline = 0;
	if (b->opt->baseline) {
		size_t k = 0;
		while (k < b->nruntimes && strcmp(b->runtimes[k], b->opt->baseline))
			k++;
		if (k == b->nruntimes) {
			fprintf(stderr, "%s: --baseline '%s': no run of that runtime (runtimes:", b->opt->prog,
				b->opt->baseline);
			for (size_t i = 0; i < b->nruntimes; i++)
				fprintf(stderr, " %s", b->runtimes[i]);
			fprintf(stderr, "%s)\n", b->nruntimes ? "" : " none");
			return 2;
		}
		b->baseline = k;
	}
	return 0;
}

void batch_release(struct batch *b)
{
	for (size_t i = 0; i < b->nruns; i++)
		batch_run_release(&b->runs[i]);
	free(b->runs);
	for (size_t i = 0; i < b->nruntimes; i++)
		free(b->runtimes[i]);
	for (size_t i = 0; i < b->nbenches; i++)
		free(b->benches[i]);
	free(b->runtimes);
	free(b->benches);
	for (size_t i = 0; i < b->ndiffs; i++) {
		free(b->diffs[i].svg);
		free(b->diffs[i].error);
	}
	free(b->diffs);
	memset(b, 0, sizeof *b);
}

/* ---- --merge: the runs of earlier outputs ---- */
static int copy_file(const char *from, const char *to)
{
	if (link(from, to) == 0)
		return 0;
	FILE *in = fopen(from, "rb");
	if (!in)
		return errno == ENOENT ? 0 : -1; /* a file the run did not make */
	FILE *out = fopen(to, "wb");
	char buf[1 << 15];
	size_t n;
	int rc = out ? 0 : -1;
	while (!rc && (n = fread(buf, 1, sizeof buf, in)) > 0)
		rc = fwrite(buf, 1, n, out) == n ? 0 : -1;
	if (ferror(in) || (out && fclose(out)))
		rc = -1;
	fclose(in);
	return rc;
}

static char *join3(const char *a, const char *b, const char *c)
{
	size_t n = strlen(a) + strlen(b) + strlen(c) + 3;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s%s%s", a, b, c[0] ? "/" : "", c);
	return p;
}

/* Merging an output into itself: the file is already there (and must
 * not be unlinked before it is copied). */
static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The run in OLD/runs/DIR, its files brought into OUT/runs/NEWDIR. */
static int merge_run(struct batch *b, const char *old, const char *dir)
{
	const struct batch_options *o = b->opt;
	struct batch_run *r = &b->runs[b->nruns];
	memset(r, 0, sizeof *r);
	r->pid = -1;
	char *runs = join3(old, "runs", dir), *rec = runs ? join3(runs, "record.tsv", "") : NULL;
	char err[700];
	int rc = rec ? batch_record_read(rec, r, err, sizeof err) : -1;
	if (rc)
		fprintf(stderr, "%s: %s\n", o->prog, rec ? err : "out of memory");
	if (!rc && !(r->dir = run_dir(b, dir)))
		rc = -1;
	char *to = rc ? NULL : batch_path(o, r->dir, "");
	char *top = rc ? NULL : batch_path(o, "", "");
	if (!rc && (!to || !top || (mkdir(o->out, 0755) && errno != EEXIST) ||
		    (mkdir(top, 0755) && errno != EEXIST) || (mkdir(to, 0755) && errno != EEXIST))) {
		fprintf(stderr, "%s: cannot create '%s': %s\n", o->prog, to ? to : o->out, strerror(errno));
		rc = -1;
	}
	static const char *const files[] = {"record.tsv", "stacks.folded", "flame.svg", "phases.tsv", "log"};
	for (size_t i = 0; !rc && i < sizeof files / sizeof *files; i++) {
		char *src = join3(runs, files[i], ""), *dst = batch_path(o, r->dir, files[i]);
		if (!src || !dst || (!same_file(src, dst) && (unlink(dst), copy_file(src, dst)))) {
			fprintf(stderr, "%s: cannot copy '%s' to '%s'\n", o->prog, src ? src : "", dst ? dst : "");
			rc = -1;
		}
		free(src);
		free(dst);
	}
	free(runs);
	free(rec);
	free(to);
	free(top);
	if (rc) {
		batch_run_release(r);
		return 1;
	}
	b->nruns++;
	return 0;
}

int batch_merge_inputs(struct batch *b, char **outs, size_t n)
{
	size_t cap = 0;
	int status = 0;
	for (size_t i = 0; i < n && !status; i++) {
		char *list = join3(outs[i], "runs.txt", ""), *text = NULL;
		size_t len;
		int rc = list ? wp_read_file(list, 16u << 20, &text, &len) : WP_E_NOMEM;
		if (rc) {
			fprintf(stderr, "%s: '%s': %s (not a wasmperf-batch output?)\n", b->opt->prog,
				list ? list : outs[i], rc == WP_E_IO ? strerror(errno) : rc == WP_E_NOTFOUND ? "missing" : wp_strerror(rc));
			status = 1;
		}
		for (char *line = text, *next; !status && line && *line; line = next) {
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			if (!*line)
				continue;
			if (strchr(line, '/') || !strcmp(line, "..") || !strcmp(line, ".")) {
				fprintf(stderr, "%s: '%s': '%s' is not a run directory name\n", b->opt->prog, list, line);
				status = 1;
				break;
			}
			if (wp_grow((void **)&b->runs, &cap, b->nruns + 1, sizeof *b->runs)) {
				status = 1;
				break;
			}
			status = merge_run(b, outs[i], line);
		}
		free(text);
		free(list);
	}
	return status;
}
