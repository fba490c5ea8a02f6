/* rules.c - the rule-file parser (wasmperf-phases-rules(5)) and the
 * per-frame classification of stacks into categories and stack phases.
 *
 * A rule file is a list of lines, each a directive and blank-separated
 * tokens; every size is capped (phases.h PH_MAX_*) and every error names
 * the line. Regexes are PCRE2 with a match limit, since a rule file may be
 * the user's (and the fuzzer's): a pathological pattern fails to match
 * rather than hanging. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phases_internal.h"

#define MATCH_LIMIT 100000
#define MAX_TOKENS 40

const char *ph_category_name(int cat)
{
	static const char *const names[] = {
#define PH_CAT_TEXT(name, text) text,
		PH_CATEGORIES(PH_CAT_TEXT)
#undef PH_CAT_TEXT
	};
	return cat >= 0 && cat < PH_NCAT ? names[cat] : "?";
}

static int category_index(const char *s)
{
	for (int i = 0; i < PH_NCAT; i++)
		if (strcmp(ph_category_name(i), s) == 0)
			return i;
	return -1;
}

static struct ph_rules *rules_alloc(const char *name)
{
	struct ph_rules *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	snprintf(r->name, sizeof r->name, "%s", name ? name : "rules");
	wp_buf_init(&r->key, 2 * PH_MAX_LINE + 2);
	r->frames = wp_intern_new();
	r->md = pcre2_match_data_create(1, NULL);
	r->mctx = pcre2_match_context_create(NULL);
	if (!r->frames || !r->md || !r->mctx) {
		ph_rules_free(r);
		return NULL;
	}
	pcre2_set_match_limit(r->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(r->mctx, MATCH_LIMIT / 10);
	return r;
}

static void free_frame_rules(struct ph_frame_rule *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		pcre2_code_free(v[i].name);
		pcre2_code_free(v[i].module);
	}
	free(v);
}

void ph_rules_free(struct ph_rules *r)
{
	if (!r)
		return;
	free(r->description);
	for (size_t i = 0; i < r->nexe; i++)
		pcre2_code_free(r->exe[i]);
	for (size_t i = 0; i < r->nsymbols; i++) {
		free(r->symbols[i].name);
		free(r->symbols[i].lib);
	}
	free(r->symbols);
	for (size_t i = 0; i < r->nmarkers; i++)
		for (size_t k = 0; k < r->markers[i].nalts; k++) {
			free(r->markers[i].alts[k].exact);
			free(r->markers[i].alts[k].text);
			pcre2_code_free(r->markers[i].alts[k].re);
		}
	free(r->markers);
	free(r->phases);
	free_frame_rules(r->stack_rules, r->nstack_rules);
	free_frame_rules(r->cat_rules, r->ncat_rules);
	wp_intern_free(r->frames);
	free(r->decisions);
	wp_buf_release(&r->key);
	pcre2_match_data_free(r->md);
	pcre2_match_context_free(r->mctx);
	free(r);
}

const char *ph_rules_errmsg(const struct ph_rules *r)
{
	return r ? r->err : "out of memory";
}
const char *ph_rules_name(const struct ph_rules *r) { return r->name; }
const char *ph_rules_description(const struct ph_rules *r)
{
	return r->description ? r->description : "";
}
size_t ph_rules_marker_count(const struct ph_rules *r) { return r->nmarkers; }
const char *ph_rules_marker_name(const struct ph_rules *r, size_t i)
{
	return i < r->nmarkers ? r->markers[i].name : NULL;
}
bool ph_rules_marker_matches(const struct ph_rules *r, size_t i, const char *function,
			     size_t len)
{
	return i < r->nmarkers && ph_marker_matches(r, &r->markers[i], function, len);
}
bool ph_rules_marker_wants_return(const struct ph_rules *r, size_t i)
{
	return i < r->nmarkers && !r->markers[i].entry_only;
}
size_t ph_rules_phase_count(const struct ph_rules *r) { return r->nphases; }
const char *ph_rules_phase_name(const struct ph_rules *r, size_t i)
{
	return i < r->nphases ? r->phases[i].name : NULL;
}
size_t ph_rules_stack_phase_count(const struct ph_rules *r) { return r->nstack_phases; }
const char *ph_rules_stack_phase_name(const struct ph_rules *r, size_t i)
{
	return i < r->nstack_phases ? r->stack_phases[i] : NULL;
}

/* ---- parsing ---- */

struct parser {
	struct ph_rules *r;
	const char *file;
	unsigned long line;
	char *tok[MAX_TOKENS];
	size_t ntok;
	const char *rest; /* text after the first token (for description) */
};

__attribute__((format(printf, 2, 3)))
static int fail(struct parser *p, const char *fmt, ...)
{
	char what[384];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	char vis[96];
	wp_visible(vis, sizeof vis, p->file, strlen(p->file));
	snprintf(p->r->err, sizeof p->r->err, "'%s': line %lu: %s", vis, p->line, what);
	return WP_E_FORMAT;
}

/* Quotes a token for a message (control bytes escaped, cut when long). */
static const char *q(char dst[80], const char *s)
{
	return wp_visible(dst, 80, s, strlen(s));
}

static int valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > PH_MAX_NAME)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '+' || c == '.'))
			return 0;
	}
	return 1;
}

static int compile(struct parser *p, const char *regex, pcre2_code **out)
{
	*out = NULL;
	if (strlen(regex) > PH_MAX_REGEX)
		return fail(p, "regex longer than %u bytes", PH_MAX_REGEX);
	if (p->r->npatterns >= PH_MAX_PATTERNS)
		return fail(p, "more than %u patterns", PH_MAX_PATTERNS);
	int errcode;
	PCRE2_SIZE erroff;
	pcre2_code *c = pcre2_compile((PCRE2_SPTR)regex, PCRE2_ZERO_TERMINATED, 0, &errcode,
				      &erroff, NULL);
	if (!c) {
		PCRE2_UCHAR msg[160];
		pcre2_get_error_message(errcode, msg, sizeof msg);
		char vis[80];
		return fail(p, "bad regex '%s' at offset %zu: %s", q(vis, regex), (size_t)erroff,
			    (const char *)msg);
	}
	pcre2_jit_compile(c, PCRE2_JIT_COMPLETE); /* best effort */
	p->r->npatterns++;
	*out = c;
	return 0;
}

static int find_marker(const struct ph_rules *r, const char *name, size_t n)
{
	for (size_t i = 0; i < r->nmarkers; i++)
		if (strlen(r->markers[i].name) == n && memcmp(r->markers[i].name, name, n) == 0)
			return (int)i;
	return -1;
}

static int find_phase(const struct ph_rules *r, const char *name)
{
	for (size_t i = 0; i < r->nphases; i++)
		if (strcmp(r->phases[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* exec | exit | MARKER | MARKER.return */
static int parse_point(struct parser *p, const char *s, struct ph_point *pt)
{
	char vis[80];
	if (strcmp(s, "exec") == 0) {
		pt->kind = PH_PT_EXEC;
		return 0;
	}
	if (strcmp(s, "exit") == 0) {
		pt->kind = PH_PT_EXIT;
		return 0;
	}
	size_t n = strlen(s);
	pt->kind = PH_PT_ENTRY;
	if (wp_has_suffix(s, n, ".return")) {
		n -= strlen(".return");
		pt->kind = PH_PT_RETURN;
	}
	pt->marker = find_marker(p->r, s, n);
	if (pt->marker < 0)
		return fail(p, "'%s' is not exec, exit, a marker declared above or MARKER.return",
			    q(vis, s));
	return 0;
}

static int directive_marker(struct parser *p)
{
	struct ph_rules *r = p->r;
	char vis[80];
	if (p->ntok < 3)
		return fail(p, "usage: marker NAME FUNCTION [FUNCTION...]");
	const char *name = p->tok[1];
	if (!valid_name(name) || wp_has_suffix(name, strlen(name), ".return"))
		return fail(p, "bad marker name '%s'", q(vis, name));
	if (!strcmp(name, "exec") || !strcmp(name, "exit"))
		return fail(p, "'%s' is a built-in point, not a marker name", name);
	if (find_marker(r, name, strlen(name)) >= 0)
		return fail(p, "marker '%s' declared twice", name);
	if (r->nmarkers >= PH_MAX_MARKERS)
		return fail(p, "more than %u markers", PH_MAX_MARKERS);
	if (p->ntok - 2 > PH_MAX_ALTERNATIVES)
		return fail(p, "more than %u functions for one marker", PH_MAX_ALTERNATIVES);
	if (!r->markers) {
		r->markers = calloc(PH_MAX_MARKERS, sizeof *r->markers);
		if (!r->markers)
			return WP_E_NOMEM;
	}
	struct ph_marker *m = &r->markers[r->nmarkers++];
	snprintf(m->name, sizeof m->name, "%s", name);
	for (size_t i = 2; i < p->ntok; i++) {
		struct ph_alt *a = &m->alts[m->nalts++];
		a->text = strdup(p->tok[i]);
		if (!a->text)
			return WP_E_NOMEM;
		if (strncmp(p->tok[i], "re:", 3) == 0) {
			int rc = compile(p, p->tok[i] + 3, &a->re);
			if (rc)
				return rc;
		} else {
			a->exact = strdup(p->tok[i]);
			if (!a->exact)
				return WP_E_NOMEM;
		}
	}
	return 0;
}

/* probe MARKER entry: how wasmperf record probes the marker's functions */
static int directive_probe(struct parser *p)
{
	char vis[80];
	if (p->ntok != 3 || strcmp(p->tok[2], "entry") != 0)
		return fail(p, "usage: probe MARKER entry");
	int i = find_marker(p->r, p->tok[1], strlen(p->tok[1]));
	if (i < 0)
		return fail(p, "'%s' is not a marker declared above", q(vis, p->tok[1]));
	p->r->markers[i].entry_only = true;
	return 0;
}

static int directive_phase(struct parser *p)
{
	struct ph_rules *r = p->r;
	char vis[80];
	if (p->ntok != 4 && !(p->ntok == 6 && strcmp(p->tok[4], "parent") == 0))
		return fail(p, "usage: phase NAME START END [parent PHASE]");
	const char *name = p->tok[1];
	if (!valid_name(name))
		return fail(p, "bad phase name '%s'", q(vis, name));
	if (strncmp(name, "stack:", 6) == 0)
		return fail(p, "phase names may not start with 'stack:'");
	if (find_phase(r, name) >= 0)
		return fail(p, "phase '%s' declared twice", name);
	if (r->nphases >= PH_MAX_PHASES)
		return fail(p, "more than %u phases", PH_MAX_PHASES);
	struct ph_phase ph = { .parent = -1 };
	snprintf(ph.name, sizeof ph.name, "%s", name);
	int rc = parse_point(p, p->tok[2], &ph.start);
	if (!rc)
		rc = parse_point(p, p->tok[3], &ph.end);
	if (rc)
		return rc;
	if (ph.start.kind == PH_PT_EXIT)
		return fail(p, "a phase cannot start at exit");
	if (ph.end.kind == PH_PT_EXEC)
		return fail(p, "a phase cannot end at exec");
	if (p->ntok == 6) {
		ph.parent = find_phase(r, p->tok[5]);
		if (ph.parent < 0)
			return fail(p, "parent '%s' is not a phase declared above", q(vis, p->tok[5]));
		ph.depth = r->phases[ph.parent].depth + 1;
	}
	if (!r->phases) {
		r->phases = calloc(PH_MAX_PHASES, sizeof *r->phases);
		if (!r->phases)
			return WP_E_NOMEM;
	}
	r->phases[r->nphases++] = ph;
	return 0;
}

/* stack PHASE REGEX [module=REGEX] [fallback] | category CAT REGEX [module=REGEX] */
static int directive_frame_rule(struct parser *p, bool stack)
{
	struct ph_rules *r = p->r;
	char vis[80];
	if (p->ntok < 3 || p->ntok > 5)
		return fail(p, stack ? "usage: stack PHASE REGEX [module=REGEX] [fallback]"
				     : "usage: category CATEGORY REGEX [module=REGEX]");
	struct ph_frame_rule fr = { 0 };
	const char *target = p->tok[1];
	if (stack) {
		if (!valid_name(target))
			return fail(p, "bad phase name '%s'", q(vis, target));
		size_t i;
		for (i = 0; i < r->nstack_phases; i++)
			if (strcmp(r->stack_phases[i], target) == 0)
				break;
		if (i == r->nstack_phases) {
			if (i >= PH_MAX_STACK_PHASES)
				return fail(p, "more than %u stack phases", PH_MAX_STACK_PHASES);
			snprintf(r->stack_phases[i], sizeof r->stack_phases[i], "%s", target);
			r->nstack_phases++;
		}
		fr.target = (int)i;
	} else {
		fr.target = category_index(target);
		if (fr.target < 0)
			return fail(p, "unknown category '%s' (wasm, compile, runtime, host, gc, "
				    "kernel, other)", q(vis, target));
	}
	const char *module = NULL;
	for (size_t i = 3; i < p->ntok; i++) {
		if (strncmp(p->tok[i], "module=", 7) == 0 && !module)
			module = p->tok[i] + 7;
		else if (stack && strcmp(p->tok[i], "fallback") == 0 && !fr.fallback)
			fr.fallback = true;
		else
			return fail(p, "unexpected '%s'", q(vis, p->tok[i]));
	}
	struct ph_frame_rule **v = stack ? &r->stack_rules : &r->cat_rules;
	size_t *n = stack ? &r->nstack_rules : &r->ncat_rules;
	size_t *cap = stack ? &r->stack_cap : &r->cat_cap;
	if (wp_grow((void **)v, cap, *n + 1, sizeof **v))
		return WP_E_NOMEM;
	int rc = compile(p, p->tok[2], &fr.name);
	if (!rc && module)
		rc = compile(p, module, &fr.module);
	if (rc) {
		pcre2_code_free(fr.name);
		return rc;
	}
	(*v)[(*n)++] = fr;
	return 0;
}

/* select symbol NAME [lib=PREFIX] */
static int select_symbol(struct parser *p)
{
	struct ph_rules *r = p->r;
	char vis[80];
	const char *lib = NULL;
	if (p->ntok == 4) {
		if (strncmp(p->tok[3], "lib=", 4) != 0)
			return fail(p, "select symbol NAME [lib=PREFIX]: not '%s'", q(vis, p->tok[3]));
		lib = p->tok[3] + 4;
		if (!lib[0] || strchr(lib, '/'))
			return fail(p, "lib=PREFIX: the start of a library's file name, not '%s'",
				    q(vis, lib));
	}
	if (r->nsymbols >= PH_MAX_PATTERNS)
		return fail(p, "more than %u symbols", PH_MAX_PATTERNS);
	if (wp_grow((void **)&r->symbols, &r->symbols_cap, r->nsymbols + 1, sizeof *r->symbols))
		return WP_E_NOMEM;
	struct ph_symbol *sym = &r->symbols[r->nsymbols];
	sym->name = strdup(p->tok[2]);
	sym->lib = lib ? strdup(lib) : NULL;
	if (!sym->name || (lib && !sym->lib)) {
		free(sym->name);
		free(sym->lib);
		return WP_E_NOMEM;
	}
	r->nsymbols++;
	return 0;
}

static int directive_select(struct parser *p)
{
	struct ph_rules *r = p->r;
	char vis[80];
	if (p->ntok >= 3 && strcmp(p->tok[1], "symbol") == 0 && p->ntok <= 4)
		return select_symbol(p);
	if (p->ntok != 3)
		return fail(p, "usage: select exe REGEX | select symbol NAME [lib=PREFIX]");
	if (strcmp(p->tok[1], "exe") == 0)
		return compile(p, p->tok[2], &r->exe[r->nexe++]) ? (r->nexe--, WP_E_FORMAT) : 0;
	return fail(p, "select what? '%s' (exe or symbol)", q(vis, p->tok[1]));
}

static int directive(struct parser *p, bool *seen_other)
{
	struct ph_rules *r = p->r;
	const char *d = p->tok[0];
	char vis[80];
	if (strcmp(d, "preset") == 0) {
		if (*seen_other)
			return fail(p, "'preset' must be the first directive");
		if (p->ntok != 2 || !valid_name(p->tok[1]))
			return fail(p, "usage: preset NAME (letters, digits, _ - + .; at most %u)",
				    PH_MAX_NAME);
		snprintf(r->name, sizeof r->name, "%s", p->tok[1]);
		*seen_other = true;
		return 0;
	}
	*seen_other = true;
	if (strcmp(d, "description") == 0) {
		if (r->description)
			return fail(p, "second description");
		r->description = strdup(p->rest);
		return r->description ? 0 : WP_E_NOMEM;
	}
	if (strcmp(d, "select") == 0)
		return directive_select(p);
	if (strcmp(d, "marker") == 0)
		return directive_marker(p);
	if (strcmp(d, "probe") == 0)
		return directive_probe(p);
	if (strcmp(d, "phase") == 0)
		return directive_phase(p);
	if (strcmp(d, "stack") == 0)
		return directive_frame_rule(p, true);
	if (strcmp(d, "category") == 0)
		return directive_frame_rule(p, false);
	return fail(p, "unknown directive '%s'", q(vis, d));
}

/* Splits line (NUL-terminated, modified in place) into tokens; a token
 * starting with '#' starts a comment. */
static int tokenize(struct parser *p, char *line)
{
	p->ntok = 0;
	p->rest = line;
	char *s = line;
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			break;
		if (p->ntok == MAX_TOKENS)
			return fail(p, "more than %d fields", MAX_TOKENS);
		p->tok[p->ntok++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
		if (p->ntok == 1) {
			const char *rest = s;
			while (*rest == ' ' || *rest == '\t')
				rest++;
			p->rest = rest;
		}
		if (*s)
			*s++ = '\0';
	}
	return 0;
}

int ph_rules_parse(struct ph_rules **out, const char *text, size_t len, const char *name)
{
	*out = NULL;
	struct ph_rules *r = rules_alloc(name);
	if (!r)
		return WP_E_NOMEM;
	*out = r;
	struct parser p = { .r = r, .file = name ? name : "rules" };
	if (len > PH_MAX_RULES_BYTES) {
		fail(&p, "larger than %u bytes", PH_MAX_RULES_BYTES);
		return WP_E_TOOBIG;
	}
	char *line = malloc(2 * (PH_MAX_LINE + 1)), *rest = line + PH_MAX_LINE + 1;
	if (!line)
		return WP_E_NOMEM;
	bool seen_other = false;
	int rc = 0;
	size_t pos = 0;
	while (pos < len && !rc) {
		p.line++;
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		const char *s = text + pos;
		pos += n + (nl != NULL);
		if (n && s[n - 1] == '\r')
			n--;
		if (n > PH_MAX_LINE) {
			rc = fail(&p, "line longer than %u bytes", PH_MAX_LINE);
			rc = WP_E_TOOBIG;
			break;
		}
		if (memchr(s, '\0', n)) {
			rc = fail(&p, "NUL byte");
			break;
		}
		memcpy(line, s, n);
		line[n] = '\0';
		rc = tokenize(&p, line);
		/* tokenize() cut the line: description wants the text whole. */
		memcpy(rest, s, n);
		rest[n] = '\0';
		p.rest = rest + (p.rest - line);
		if (!rc && p.ntok)
			rc = directive(&p, &seen_other);
	}
	free(line);
	if (rc == WP_E_NOMEM)
		snprintf(r->err, sizeof r->err, "%s", wp_strerror(rc));
	if (!rc && r->nphases == 0 && r->nstack_rules == 0 && r->ncat_rules == 0) {
		p.line = 0;
		snprintf(r->err, sizeof r->err, "'%s': no phase, stack or category rule", p.file);
		rc = WP_E_FORMAT;
	}
	return rc;
}

int ph_rules_load_file(struct ph_rules **out, const char *path)
{
	*out = NULL;
	char *data;
	size_t len;
	int rc = wp_read_file(path, PH_MAX_RULES_BYTES, &data, &len);
	if (rc) {
		int saved = errno;
		struct ph_rules *r = rules_alloc(path);
		*out = r;
		if (!r)
			return WP_E_NOMEM;
		char vis[256];
		wp_visible(vis, sizeof vis, path, strlen(path));
		snprintf(r->err, sizeof r->err, "'%s': cannot read: %s", vis,
			 rc == WP_E_NOTFOUND ? "no such regular file"
			 : rc == WP_E_TOOBIG ? "larger than 1 MiB"
			 : rc == WP_E_IO ? strerror(saved) : wp_strerror(rc));
		return rc;
	}
	/* The preset name defaults to the file's base name without ".rules". */
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	rc = ph_rules_parse(out, data, len, path);
	if (*out && !rc) {
		struct ph_rules *r = *out;
		bool named = false;
		for (size_t i = 0; i + 7 <= len && !named; i++)
			named = memcmp(data + i, "preset", 6) == 0 && (i == 0 || data[i - 1] == '\n');
		if (!named) {
			size_t n = strlen(base);
			if (wp_has_suffix(base, n, ".rules"))
				n -= 6;
			snprintf(r->name, sizeof r->name, "%.*s", (int)(n > PH_MAX_NAME ? PH_MAX_NAME : n),
				 base);
		}
	}
	free(data);
	return rc;
}

/* ---- matching ---- */

static bool re_match(const struct ph_rules *r, pcre2_code *re, const char *s, size_t n)
{
	return pcre2_match(re, (PCRE2_SPTR)s, n, 0, 0, r->md, r->mctx) >= 0;
}

void ph_event_function(const char *event, const char **f, size_t *len, bool *is_return)
{
	const char *colon = strchr(event, ':');
	const char *s = colon ? colon + 1 : event;
	size_t n = strlen(s);
	*is_return = wp_has_suffix(s, n, "__return");
	if (*is_return)
		n -= strlen("__return");
	*f = s;
	*len = n;
}

bool ph_marker_matches(const struct ph_rules *r, const struct ph_marker *m, const char *key,
		       size_t len)
{
	for (size_t i = 0; i < m->nalts; i++) {
		const struct ph_alt *a = &m->alts[i];
		if (a->re) {
			if (re_match(r, a->re, key, len))
				return true;
			continue;
		}
		/* An exact name also matches a demangled name with its
		 * parameter list: "f" matches "f(int)". */
		size_t n = strlen(a->exact);
		if (len >= n && memcmp(key, a->exact, n) == 0 && (len == n || key[n] == '('))
			return true;
	}
	return false;
}

void ph_marker_describe(const struct ph_marker *m, char *dst, size_t size)
{
	size_t used = 0;
	dst[0] = '\0';
	for (size_t i = 0; i < m->nalts && used + 1 < size; i++) {
		int k = snprintf(dst + used, size - used, "%s%s", i ? " | " : "", m->alts[i].text);
		if (k < 0)
			break;
		used += (size_t)k;
	}
}

/* Appends "; what" (or "what" first) to why. */
static void say(char *why, size_t size, const char *what, const char *arg)
{
	if (!why || !size)
		return;
	size_t used = strlen(why);
	snprintf(why + used, size - used, "%s%s%s", used ? ", " : "", what, arg);
}

int ph_rules_explain(const struct ph_rules *r, const struct ph_target *t, char *why, size_t size)
{
	int score = 0;
	char vis[160];
	if (why && size)
		why[0] = '\0';
	if (t->binary)
		for (size_t i = 0; i < r->nexe; i++)
			if (re_match(r, r->exe[i], t->binary, strlen(t->binary))) {
				score += 4;
				say(why, size, "its binary is ", q(vis, t->binary));
				break;
			}
	if (t->has_symbol)
		for (size_t i = 0; i < r->nsymbols; i++)
			if (t->has_symbol(t->symbol_ctx, r->symbols[i].name, r->symbols[i].lib)) {
				score += 2;
				say(why, size, r->symbols[i].lib ? "a library defines " : "its binary defines ",
				    q(vis, r->symbols[i].name));
				break;
			}
	for (size_t i = 0; i < t->nprobes; i++) {
		const char *f;
		size_t n;
		bool ret;
		ph_event_function(t->probes[i], &f, &n, &ret);
		for (size_t k = 0; k < r->nmarkers; k++)
			if (ph_marker_matches(r, &r->markers[k], f, n)) {
				say(why, size, "the recording has the probe ", q(vis, t->probes[i]));
				return score + 1;
			}
	}
	return score;
}

int ph_rules_score(const struct ph_rules *r, const struct ph_target *t)
{
	return ph_rules_explain(r, t, NULL, 0);
}

bool ph_rules_wants_library(const struct ph_rules *r, const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	for (size_t i = 0; i < r->nsymbols; i++)
		if (r->symbols[i].lib && strncmp(base, r->symbols[i].lib, strlen(r->symbols[i].lib)) == 0)
			return true;
	return false;
}

/* ---- classification ---- */

static bool is_kernel(const struct ph_frame *f)
{
	return (f->module && wp_has_prefix(f->module, f->module_len, "[kernel.")) ||
	       wp_has_suffix(f->name, f->len, "_[k]");
}

static bool rule_matches(const struct ph_rules *r, const struct ph_frame_rule *fr,
			 const struct ph_frame *f)
{
	if (fr->module && !re_match(r, fr->module, f->module ? f->module : "",
				    f->module ? f->module_len : 0))
		return false;
	return !fr->name || re_match(r, fr->name, f->name, f->len);
}

static int decide(struct ph_rules *r, const struct ph_frame *f, struct ph_decision *d)
{
	bool cacheable = true;
	uint32_t id = 0;
	wp_buf_reset(&r->key);
	if (wp_buf_append(&r->key, f->name, f->len) || wp_buf_putc(&r->key, '\0') ||
	    (f->module && wp_buf_append(&r->key, f->module, f->module_len))) {
		/* Longer than any line: classify without caching. */
		cacheable = false;
		goto uncached;
	}
	int rc = wp_intern_get(r->frames, r->key.data, r->key.len, &id);
	if (rc)
		return rc;
	if (id < r->decisions_cap && r->decisions[id].cat != -2) {
		*d = r->decisions[id];
		return 0;
	}
	size_t old = r->decisions_cap;
	if (wp_grow((void **)&r->decisions, &r->decisions_cap, (size_t)id + 1, sizeof *r->decisions))
		return WP_E_NOMEM;
	for (size_t i = old; i < r->decisions_cap; i++)
		r->decisions[i].cat = -2; /* not decided yet */
uncached:
	d->cat = d->phase = d->fbphase = -1;
	d->kernel = is_kernel(f);
	for (size_t i = 0; i < r->ncat_rules; i++)
		if (rule_matches(r, &r->cat_rules[i], f)) {
			d->cat = (signed char)r->cat_rules[i].target;
			break;
		}
	for (size_t i = 0; i < r->nstack_rules && !d->kernel; i++) {
		const struct ph_frame_rule *fr = &r->stack_rules[i];
		signed char *slot = fr->fallback ? &d->fbphase : &d->phase;
		if (*slot < 0 && rule_matches(r, fr, f))
			*slot = (signed char)fr->target;
		if (d->phase >= 0)
			break;
	}
	if (cacheable)
		r->decisions[id] = *d;
	return 0;
}

int ph_rules_classify(struct ph_rules *r, const struct ph_frame *frames, size_t n, int *cat,
		      int *phase)
{
	int c = -1, ph = -1, fb = -1;
	for (size_t i = 0; i < n && (c < 0 || ph < 0); i++) {
		struct ph_decision d;
		int rc = decide(r, &frames[i], &d);
		if (rc)
			return rc;
		if (c < 0)
			c = d.cat >= 0 ? d.cat : d.kernel ? PH_CAT_KERNEL : -1;
		if (ph < 0 && d.phase >= 0)
			ph = d.phase;
		if (fb < 0 && d.fbphase >= 0)
			fb = d.fbphase;
	}
	*cat = c >= 0 ? c : PH_CAT_OTHER;
	*phase = ph >= 0 ? ph : fb;
	return 0;
}
