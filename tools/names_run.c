/* names_run.c - wasmperf-names' input formats, each written back in the
 * same format with jitted names translated:
 *   folded stacks      line order and counts kept byte for byte
 *   perf script text   the symbol of each frame line rewritten
 *   perf map           START SIZE NAME, every entry being JIT code
 * and jitdumps, written as the perf map of their code (loads and moves in
 * file order; perf takes the last entry of an address). */
#include <stdlib.h>
#include <string.h>

#include "aot_names.h"
#include "names.h"
#include "flamegraph.h"
#include "perfparse.h"

#define MAX_LINE (256u << 20)

struct run {
	struct sym_names *n;
	const struct names_config *c;
	FILE *out;
	struct wp_buf buf, outbuf;
	uint64_t map_wamr_entries;
	struct aot_names *aot;   /* perf script text: frames of WasmEdge AOT objects */
	const char *path;        /* for messages (NULL: standard input) */
	uint64_t lineno;
};

/* A perf map line: START SIZE NAME, START and SIZE hex (0x optional, as
 * perf's own parser accepts). Returns the name's start, or NULL. */
static const char *map_line_name(const char *s, size_t n, size_t *start_len, size_t *size_off,
				 size_t *size_len)
{
	size_t i = 0;
	while (i < n && s[i] != ' ')
		i++;
	if (!wp_is_hex_number(s, i))
		return NULL;
	*start_len = i;
	while (i < n && s[i] == ' ')
		i++;
	size_t j = i;
	while (j < n && s[j] != ' ')
		j++;
	if (!wp_is_hex_number(s + i, j - i) || j >= n)
		return NULL;
	*size_off = i;
	*size_len = j - i;
	/* perf takes the rest after one separator; WAMR writes two spaces,
	 * which would make the name start with a blank. */
	while (j < n && s[j] == ' ')
		j++;
	return j < n ? s + j : NULL;
}

/* A map line whose name, measured as perf reads it (after START, SIZE and
 * one blank), is longer than the symbolizer keeps: left as it is. */
static bool map_name_too_long(const char *line, size_t len)
{
	size_t start_len, size_off, size_len;
	if (!map_line_name(line, len, &start_len, &size_off, &size_len))
		return false;
	return len - (size_off + size_len + 1) > SYM_PERF_MAP_MAX_NAME;
}

static bool is_jit_module(struct pp_str m)
{
	static const char *const prefixes[] = {"/tmp/perf-", "//anon", "[anon", "anon_inode", "/memfd:",
					      "[jit]", "[JIT]"};
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
		if (wp_has_prefix(m.p, m.n, prefixes[i]))
			return true;
	/* "jitted-" with at least one byte after it (perf's jitted-TID-N.so) */
	return m.n > 0 && wp_contains(m.p, m.n - 1, "jitted-");
}

/* Output goes through one large buffer: a call into stdio per line costs
 * more than the translation. */
static int flush_out(struct run *r)
{
	if (r->outbuf.len && fwrite(r->outbuf.data, 1, r->outbuf.len, r->out) != r->outbuf.len)
		return WP_E_IO;
	wp_buf_reset(&r->outbuf);
	return 0;
}

static int emit(struct run *r, const char *s, size_t n)
{
	int rc = wp_buf_append(&r->outbuf, s, n);
	rc = rc ? rc : wp_buf_putc(&r->outbuf, '\n');
	if (!rc && r->outbuf.len >= (1u << 20))
		rc = flush_out(r);
	return rc;
}

static int folded_line(struct run *r, const char *line, size_t len)
{
	/* Counts are passed through as text, but one past 64 bits is refused
	 * here as every reader of the output would (not passed on). */
	struct fg_folded_line fl;
	if (fg_folded_parse_line(line, len, &fl) == WP_E_TOOBIG) {
		char why[128];
		fg_folded_count_error(&fl, why, sizeof why);
		fprintf(stderr, "%s: '%s': line %llu: %s\n", r->c->warn.prog,
			r->path && strcmp(r->path, "-") ? r->path : "<stdin>",
			(unsigned long long)r->lineno, why);
		return WP_E_FORMAT;
	}
	/* Stack = everything before the last blank-separated count(s). */
	size_t end = len;
	while (end && (line[end - 1] == ' ' || line[end - 1] == '\t'))
		end--;
	size_t k = end;
	while (k && line[k - 1] != ' ' && line[k - 1] != '\t')
		k--;
	if (k == 0 || k == end)
		return emit(r, line, len);
	/* A second count column (differential input). */
	size_t stack_end = k;
	while (stack_end && (line[stack_end - 1] == ' ' || line[stack_end - 1] == '\t'))
		stack_end--;
	size_t k2 = stack_end;
	while (k2 && ((line[k2 - 1] >= '0' && line[k2 - 1] <= '9') || line[k2 - 1] == '.'))
		k2--;
	bool digits = k2 > 0 && k2 < stack_end && (line[k2 - 1] == ' ' || line[k2 - 1] == '\t');
	if (digits) {
		stack_end = k2;
		while (stack_end && (line[stack_end - 1] == ' ' || line[stack_end - 1] == '\t'))
			stack_end--;
	}
	int rc = names_translate_stack(r->n, r->c->warn.prog, line, stack_end, &r->buf);
	if (rc)
		return rc;
	rc = wp_buf_append(&r->buf, line + stack_end, len - stack_end);
	return rc ? rc : emit(r, r->buf.data, r->buf.len);
}

static int script_line(struct run *r, const char *line, size_t len)
{
	struct pp_script_frame f;
	if (!pp_script_parse_frame(line, len, &f))
		return emit(r, line, len);
	/* The symbol without its +0x offset. */
	size_t sym_len = f.sym.n;
	for (size_t i = f.sym.n; i-- > 2;)
		if (f.sym.p[i - 2] == '+' && f.sym.p[i - 1] == '0' && f.sym.p[i] == 'x') {
			sym_len = i - 2;
			break;
		}
	const char *t;
	size_t tlen;
	struct sym_names_origin origin;
	/* a WasmEdge AOT object (the .so is read): its f<N> are Wasm functions */
	const struct sym_wasm_aot *obj = r->aot ? aot_names_probe(r->aot, f.module.p, f.module.n) : NULL;
	int rc = obj ? aot_names_translate(r->aot, obj, f.sym.p, sym_len, &t, &tlen) : 0;
	if (rc == 0)
		rc = sym_names_translate(r->n, f.sym.p, sym_len, is_jit_module(f.module), &t, &tlen,
					 &origin);
	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", r->c->warn.prog, sym_names_errmsg(r->n));
		return rc;
	}
	if (rc == 0)
		return emit(r, line, len);
	size_t before = (size_t)(f.sym.p - line);
	wp_buf_reset(&r->buf);
	rc = wp_buf_append(&r->buf, line, before);
	rc = rc ? rc : wp_buf_append(&r->buf, t, tlen);
	rc = rc ? rc : wp_buf_append(&r->buf, f.sym.p + sym_len, len - before - sym_len);
	return rc ? rc : emit(r, r->buf.data, r->buf.len);
}

static int map_line(struct run *r, const char *line, size_t len)
{
	size_t start_len, size_off, size_len;
	const char *name = map_line_name(line, len, &start_len, &size_off, &size_len);
	if (!name)
		return emit(r, line, len);
	size_t name_len = (size_t)(line + len - name);
	while (name_len && (name[name_len - 1] == ' ' || name[name_len - 1] == '\r'))
		name_len--;
	const char *t;
	size_t tlen;
	struct sym_names_origin origin;
	int rc = sym_names_translate(r->n, name, name_len, true, &t, &tlen, &origin);
	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", r->c->warn.prog, sym_names_errmsg(r->n));
		return rc;
	}
	bool translated = rc == 1;
	if (translated && origin.wamr_stub)
		r->map_wamr_entries++;
	/* Written the way perf reads it: one space between the fields. */
	wp_buf_reset(&r->buf);
	rc = wp_buf_append(&r->buf, line, start_len);
	rc = rc ? rc : wp_buf_putc(&r->buf, ' ');
	rc = rc ? rc : wp_buf_append(&r->buf, line + size_off, size_len);
	rc = rc ? rc : wp_buf_putc(&r->buf, ' ');
	rc = rc ? rc : wp_buf_append(&r->buf, translated ? t : name, translated ? tlen : name_len);
	return rc ? rc : emit(r, r->buf.data, r->buf.len);
}

/* A WAMR map lists every defined function once: another count means the
 * module given is not the one that ran. */
static void check_map_count(const struct run *r)
{
	const struct sym_wasm_module *m = sym_names_default_module(r->n);
	if (!r->map_wamr_entries || !m || r->c->warn.quiet)
		return;
	if (r->map_wamr_entries != sym_wasm_defined_functions(m))
		fprintf(stderr,
			"%s: warning: the map has %llu aot_func entries but '%s' defines %u functions: "
			"the module may be the wrong one\n",
			r->c->warn.prog, (unsigned long long)r->map_wamr_entries, sym_wasm_module_path(m),
			sym_wasm_defined_functions(m));
}

static enum names_format sniff(const char *line, size_t len)
{
	size_t a, b, c;
	if (map_line_name(line, len, &a, &b, &c))
		return NAMES_MAP;
	struct fg_folded_line fl;
	int rc = len && line[0] != ' ' && line[0] != '\t' ? fg_folded_parse_line(line, len, &fl)
							     : WP_E_FORMAT;
	if (rc == 0 || rc == WP_E_TOOBIG) /* folded, with a count folded_line refuses */
		return NAMES_FOLDED;
	return NAMES_SCRIPT;
}

/* The first bytes are a jitdump's magic, in either byte order. */
static bool is_jitdump(const char *path)
{
	if (!path || !strcmp(path, "-"))
		return false;
	FILE *f = fopen(path, "rb");
	unsigned char m[4] = {0};
	size_t got = f ? fread(m, 1, 4, f) : 0;
	if (f)
		fclose(f);
	return got == 4 && (!memcmp(m, "DTiJ", 4) || !memcmp(m, "JiTD", 4));
}

/* One map line per code load and move; a name's line breaks would split
 * the line, so they become blanks. */
static int jitdump_entry(struct run *r, uint64_t start, uint64_t size, const char *name)
{
	char head[48];
	int n = snprintf(head, sizeof head, "%llx %llx ", (unsigned long long)start,
			 (unsigned long long)size);
	struct wp_buf line;
	wp_buf_init(&line, MAX_LINE);
	int rc = wp_buf_append(&line, head, (size_t)n);
	rc = rc ? rc : wp_buf_puts(&line, name);
	for (size_t i = (size_t)n; !rc && i < line.len; i++)
		if (line.data[i] == '\n' || line.data[i] == '\r')
			line.data[i] = ' ';
	rc = rc ? rc : map_line(r, line.data, line.len);
	wp_buf_release(&line);
	return rc;
}

static int names_jitdump(struct sym_names *n, const struct names_config *c, const char *path,
			 FILE *out)
{
	struct run r = {n, c, out, {0}, {0}, 0, NULL, path, 0};
	wp_buf_init(&r.outbuf, WP_BUF_UNLIMITED);
	wp_buf_init(&r.buf, MAX_LINE);
	struct wp_intern *names = wp_intern_new(); /* code index -> name, for moves */
	uint32_t *name_of = NULL;
	size_t cap = 0;
	struct pp_jitdump *j;
	int rc = names ? pp_jitdump_open(&j, path, tool_warn_fn, (void *)&c->warn) : WP_E_NOMEM;
	int status = 0;
	if (rc) {
		fprintf(stderr, "%s: %s\n", c->warn.prog, j ? pp_jitdump_errmsg(j) : wp_strerror(rc));
		status = 1;
	}
	const struct pp_jit_record *rec;
	while (!status && (rc = pp_jitdump_next(j, &rec)) == 1) {
		uint32_t id;
		rc = 0; /* debug and unwinding records print nothing */
		if (rec->type == PP_JIT_CODE_LOAD) {
			uint64_t index = rec->u.load.code_index;
			rc = wp_intern_get(names, rec->u.load.name, strlen(rec->u.load.name), &id);
			rc = rc ? rc : jitdump_entry(&r, rec->u.load.code_addr, rec->u.load.code_size,
						     rec->u.load.name);
			/* moves name the code by its index (bounded: indexes are input) */
			if (!rc && index < (1u << 24) &&
			    !wp_grow((void **)&name_of, &cap, (size_t)index + 1, sizeof *name_of))
				name_of[index] = id + 1;
		} else if (rec->type == PP_JIT_CODE_MOVE) {
			uint64_t index = rec->u.move.code_index;
			if (index < cap && name_of[index])
				rc = jitdump_entry(&r, rec->u.move.new_code_addr, rec->u.move.code_size,
						   wp_intern_str(names, name_of[index] - 1, NULL));
		}
		if (rc)
			break;
	}
	if (!status && rc < 0) {
		if (rc == WP_E_IO || rc == WP_E_NOMEM)
			fprintf(stderr, "%s: %s\n", c->warn.prog, wp_strerror(rc));
		else if (rc != WP_E_FORMAT || pp_jitdump_errmsg(j)[0])
			fprintf(stderr, "%s: %s\n", c->warn.prog, pp_jitdump_errmsg(j));
		status = 1;
	}
	if (flush_out(&r)) {
		fprintf(stderr, "%s: cannot write the output\n", c->warn.prog);
		status = 1;
	}
	pp_jitdump_free(j);
	wp_intern_free(names);
	free(name_of);
	wp_buf_release(&r.buf);
	wp_buf_release(&r.outbuf);
	return status;
}

int names_run(struct sym_names *n, const struct names_config *c, enum names_format format,
	      const char *path, FILE *out)
{
	if (format == NAMES_JITDUMP || (format == NAMES_AUTO && is_jitdump(path)))
		return names_jitdump(n, c, path, out);
	struct wp_lines *lines;
	int rc = wp_lines_open(&lines, path, MAX_LINE);
	if (rc) {
		fprintf(stderr, "%s: %s\n", c->warn.prog, wp_lines_errmsg(lines));
		wp_lines_free(lines);
		return 1;
	}
	struct run r = {n, c, out, {0}, {0}, 0, NULL, path, 0};
	wp_buf_init(&r.outbuf, WP_BUF_UNLIMITED);
	wp_buf_init(&r.buf, MAX_LINE);
	r.aot = aot_names_new(c->warn.prog, &c->opt, n, NULL, c->warn.quiet);
	if (!r.aot) {
		fprintf(stderr, "%s: out of memory\n", c->warn.prog);
		wp_lines_free(lines);
		return 1;
	}
	const char *line;
	size_t len;
	uint64_t lineno = 0, long_names = 0, long_first = 0;
	while ((rc = wp_lines_next(lines, &line, &len)) == 1) {
		r.lineno = ++lineno;
		bool blank = true;
		for (size_t i = 0; i < len && blank; i++)
			blank = line[i] == ' ' || line[i] == '\t';
		if (format == NAMES_AUTO && !blank && line[0] != '#')
			format = sniff(line, len);
		if (format == NAMES_FOLDED)
			rc = folded_line(&r, line, len);
		else if (format == NAMES_MAP && map_name_too_long(line, len)) {
			if (!long_names++)
				long_first = lineno;
			rc = emit(&r, line, len);
		} else if (format == NAMES_MAP)
			rc = map_line(&r, line, len);
		else if (format == NAMES_SCRIPT)
			rc = script_line(&r, line, len);
		else
			rc = emit(&r, line, len);
		if (rc)
			break;
	}
	if (rc >= 0 && flush_out(&r))
		rc = WP_E_IO;
	int status = 0;
	if (format == NAMES_MAP)
		check_map_count(&r);
	if (long_names && !c->warn.quiet)
		fprintf(stderr,
			"%s: warning: '%s': line %llu: name longer than %u bytes, left as it is%s%.0llu%s\n",
			c->warn.prog, path && strcmp(path, "-") ? path : "<stdin>",
			(unsigned long long)long_first, SYM_PERF_MAP_MAX_NAME,
			long_names > 1 ? " (and " : "", (unsigned long long)(long_names - 1),
			long_names > 2 ? " more such lines)" : long_names > 1 ? " more such line)" : "");
	if (rc < 0) {
		if (rc == WP_E_IO)
			fprintf(stderr, "%s: cannot write the output\n", c->warn.prog);
		else if (rc != WP_E_FORMAT)
			fprintf(stderr, "%s: %s\n", c->warn.prog, wp_lines_errmsg(lines));
		status = 1;
	}
	if (rc < 0)
		flush_out(&r); /* what was translated before the error */
	wp_buf_release(&r.buf);
	wp_buf_release(&r.outbuf);
	wp_lines_free(lines);
	aot_names_free(r.aot);
	return status;
}
