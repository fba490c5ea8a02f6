/* fold_inputs.c - folds whatever it is given: each input is sniffed
 * (input_kind.c) and read as what it is. perf script text files fold
 * together in one pass; a perf.data alone folds straight to the output;
 * any other mix (several recordings, text and recordings, folded stacks)
 * folds each input on its own and merges the folded stacks, summing equal
 * stacks, so `wasmperf fold a.script b.data` is one profile. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fold.h"
#include "input.h"

#define MAX_LINE (256u << 20)

struct merger {
	const struct fold_config *cfg;
	struct wp_intern *names;
	struct wp_stacks *stacks;
	uint32_t *ids;
	size_t cap;
	struct wp_buf line;
};

/* One folded line ("a;b;c COUNT") into the table; translated and filtered
 * first when it comes from a folded input (raw = true). */
static int merge_line(struct merger *m, const char *line, size_t len, bool raw, uint64_t lineno,
		      const char *file)
{
	struct fg_folded_line fl;
	int rc = fg_folded_parse_line(line, len, &fl);
	if (rc == WP_E_NOTFOUND)
		return 0;
	if (rc == WP_E_TOOBIG) {
		char why[128];
		fg_folded_count_error(&fl, why, sizeof why);
		fprintf(stderr, "%s: '%s': line %llu: %s\n", m->cfg->prog, file,
			(unsigned long long)lineno, why);
		return WP_E_FORMAT;
	}
	/* The count's own bytes only: the line is not NUL-terminated. */
	uint64_t count = 0;
	bool whole = !rc && !fl.has_count2 && fl.count_len > 0;
	for (size_t i = 0; whole && i < fl.count_len; i++) {
		unsigned d = (unsigned)(fl.count_text[i] - '0');
		whole = d < 10 && count <= (UINT64_MAX - d) / 10;
		count = count * 10 + d;
	}
	if (!whole) {
		fprintf(stderr, "%s: '%s': line %llu: not a folded stack with one whole count\n",
			m->cfg->prog, file, (unsigned long long)lineno);
		return WP_E_FORMAT;
	}
	const char *stack = fl.stack;
	size_t slen = fl.stack_len;
	if (raw && m->cfg->names) {
		rc = names_translate_stack(m->cfg->names, m->cfg->prog, stack, slen, &m->line);
		if (rc)
			return rc;
		stack = m->line.data;
		slen = m->line.len;
	}
	if (raw && !fg_filter_empty(m->cfg->filter) && !fg_filter_keep(m->cfg->filter, stack, slen))
		return 0;
	size_t n = 0;
	for (size_t start = 0; start <= slen;) {
		const char *semi = memchr(stack + start, ';', slen - start);
		size_t stop = semi ? (size_t)(semi - stack) : slen;
		if (wp_grow((void **)&m->ids, &m->cap, n + 1, sizeof *m->ids))
			return WP_E_NOMEM;
		rc = wp_intern_get(m->names, stack + start, stop - start, &m->ids[n++]);
		if (rc)
			return rc;
		start = stop + 1;
	}
	rc = wp_stacks_add(m->stacks, m->ids, n, count, 0);
	if (rc == WP_E_TOOBIG) {
		fprintf(stderr, "%s: '%s': line %llu: counts add up to more than 64 bits\n",
			m->cfg->prog, file, (unsigned long long)lineno);
		return WP_E_FORMAT;
	}
	return rc;
}

static int merge_file(struct merger *m, const char *path, const char *name, bool raw)
{
	struct wp_lines *lines;
	int rc = wp_lines_open(&lines, path, MAX_LINE);
	if (rc) {
		fprintf(stderr, "%s: %s\n", m->cfg->prog, wp_lines_errmsg(lines));
		wp_lines_free(lines);
		return 1;
	}
	const char *line;
	size_t len;
	uint64_t lineno = 0;
	while ((rc = wp_lines_next(lines, &line, &len)) == 1)
		if ((rc = merge_line(m, line, len, raw, ++lineno, name)) < 0)
			break;
	if (rc < 0 && rc != WP_E_FORMAT)
		fprintf(stderr, "%s: %s\n", m->cfg->prog,
			rc == WP_E_NOMEM ? "out of memory" : wp_lines_errmsg(lines));
	wp_lines_free(lines);
	return rc < 0 ? 1 : 0;
}

/* Folds one input (or a run of text inputs) into a temporary file, then
 * merges it. */
int fold_via_tmpfile(const struct fold_config *cfg, char **paths, size_t n, bool data,
		     int (*use)(void *ctx, const char *folded_path), void *ctx)
{
	FILE *tmp = tmpfile();
	if (!tmp) {
		fprintf(stderr, "%s: cannot create a temporary file: %s\n", cfg->prog, strerror(errno));
		return 1;
	}
	int status = data ? fold_data_run(cfg, paths ? paths[0] : NULL, tmp)
			  : fold_text_run(cfg, paths, n, tmp);
	if (fflush(tmp) || ferror(tmp)) {
		fprintf(stderr, "%s: cannot write a temporary file\n", cfg->prog);
		status = 1;
	}
	/* What was folded before an error still counts, as for one input. */
	char self[64]; /* our own folded output, read back through its descriptor */
	snprintf(self, sizeof self, "/dev/fd/%d", fileno(tmp));
	int rc = use(ctx, self);
	fclose(tmp);
	return status ? status : rc;
}

struct part {
	struct merger *m;
	const char *name;
};

static int merge_folded_part(void *ctx, const char *folded_path)
{
	struct part *p = ctx;
	return merge_file(p->m, folded_path, p->name, false);
}

static int fold_part(struct merger *m, enum input_kind kind, char **paths, size_t n)
{
	if (kind == INPUT_FOLDED)
		return merge_file(m, paths[0], input_display(paths[0]), true);
	struct part p = {m, n == 1 ? input_display(paths[0]) : "the folded inputs"};
	return fold_via_tmpfile(m->cfg, paths, n, kind == INPUT_PERFDATA, merge_folded_part, &p);
}

static int merge_all(const struct fold_config *cfg, char **paths, const enum input_kind *kinds,
		     size_t n, FILE *out)
{
	struct fold_config part = *cfg;
	part.names_report_later = true;
	struct merger m = {.cfg = &part, .names = wp_intern_new(), .stacks = wp_stacks_new()};
	wp_buf_init(&m.line, WP_BUF_UNLIMITED);
	int status = m.names && m.stacks ? 0 : 1;
	if (status)
		fprintf(stderr, "%s: out of memory\n", cfg->prog);
	for (size_t i = 0; i < n && !status;) {
		size_t k = i + 1; /* consecutive text inputs fold in one pass */
		while (kinds[i] == INPUT_SCRIPT && k < n && kinds[k] == INPUT_SCRIPT)
			k++;
		status = fold_part(&m, kinds[i], paths + i, k - i);
		i = k;
	}
	if (m.names && m.stacks && fg_folded_write(out, m.names, m.stacks, NULL)) {
		if (!ferror(out)) /* (else tool_output_close names the file) */
			fprintf(stderr, "%s: cannot write the output\n", cfg->prog);
		status = 1;
	}
	if (cfg->names && names_report(cfg->names, cfg->prog, cfg->quiet, m.names && names_any_marked(m.names, cfg->names_opt)))
		status = status ? status : 1;
	wp_intern_free(m.names);
	wp_stacks_free(m.stacks);
	free(m.ids);
	wp_buf_release(&m.line);
	return status;
}

int fold_inputs(const struct fold_config *cfg, char **paths, size_t n, FILE *out)
{
	char *stdin_path[1] = {NULL};
	if (n == 0) {
		paths = stdin_path;
		n = 1;
	}
	enum input_kind *kinds = calloc(n, sizeof *kinds);
	if (!kinds) {
		fprintf(stderr, "%s: out of memory\n", cfg->prog);
		return 1;
	}
	int status = 0;
	bool all_text = true;
	for (size_t i = 0; i < n; i++) {
		char what[128];
		kinds[i] = input_sniff(cfg->prog, paths[i], what, sizeof what);
		status |= input_refuse(cfg->prog, paths[i], kinds[i], what, INPUT_FOLDS);
		if (kinds[i] == INPUT_STREAM)
			kinds[i] = INPUT_SCRIPT; /* read by the perf script reader */
		all_text = all_text && kinds[i] == INPUT_SCRIPT;
	}
	if (!status) {
		if (all_text)
			status = fold_text_run(cfg, paths[0] ? paths : NULL, paths[0] ? n : 0, out);
		else if (n == 1 && kinds[0] == INPUT_PERFDATA)
			status = fold_data_run(cfg, paths[0], out);
		else
			status = merge_all(cfg, paths, kinds, n, out);
	}
	free(kinds);
	return status;
}
