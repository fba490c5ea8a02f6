/* flame_nameattr.c - --nameattr: extra SVG attributes per function name,
 * flamegraph.pl's "name<TAB>key=value<TAB>..." file (keys title, href,
 * target, id, class, g_extra, a_extra). Bad entries are warned about and
 * skipped.
 *
 * The file is input like any other: escaping keeps its values from adding
 * elements, and what an attribute can do by itself is refused too, so that
 * nothing in it runs script when the SVG is opened (wasmperf-flame(1),
 * ESCAPING): event handlers (on*), namespace declarations (xmlns*, which
 * would change what the frame's elements are), and javascript:, vbscript:
 * or data: URLs in href, src or action attributes (read as browsers read
 * a scheme: leading blanks and control bytes skipped, tab and newline
 * inside ignored, any case). */
#include <ctype.h>
#include <stdlib.h>

#include "flame_internal.h"

static char *dupn(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* An XML attribute name we are willing to write: [A-Za-z_][A-Za-z0-9_.:-]* */
static bool valid_attr_name(const char *s, size_t n)
{
	if (!n || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.:-", s[i]))
			return false;
	return true;
}

/* Where a line is, for warnings: "'FILE': line N: nameattr: ..." */
struct na_where {
	const char *file;
	uint64_t line;
	wp_warn_fn warn;
	void *ctx;
};

static void na_warn(const struct na_where *w, const char *what, const char *name, size_t n,
		    const char *func)
{
	wp_warnf(w->warn, w->ctx, "'%s': line %llu: nameattr: %s '%.*s' for '%s' ignored",
		 w->file ? w->file : "<nameattr>", (unsigned long long)w->line, what,
		 (int)(n > 200 ? 200 : n), name, func);
}

static bool lower_prefix(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);
	if (n < k)
		return false;
	for (size_t i = 0; i < k; i++)
		if (tolower((unsigned char)s[i]) != prefix[i])
			return false;
	return true;
}

/* The local name (after any "prefix:"). */
static const char *local_name(const char *s, size_t n, size_t *ln)
{
	const char *colon = memrchr(s, ':', n);
	const char *l = colon ? colon + 1 : s;
	*ln = n - (size_t)(l - s);
	return l;
}

/* onclick, ONLOAD, svg:onmouseover: a handler runs script */
static bool is_event_handler(const char *s, size_t n)
{
	size_t ln;
	const char *l = local_name(s, n, &ln);
	return lower_prefix(l, ln, "on");
}

/* an attribute whose value a browser follows or loads as a URL */
static bool is_url_attr(const char *s, size_t n)
{
	size_t ln;
	const char *l = local_name(s, n, &ln);
	return (ln == 4 && lower_prefix(l, ln, "href")) || (ln == 3 && lower_prefix(l, ln, "src")) ||
	       (ln == 6 && lower_prefix(l, ln, "action")) ||
	       (ln == 10 && lower_prefix(l, ln, "formaction"));
}

/* javascript:, vbscript: or data: as the URL's scheme, as the URL parser
 * finds it (WHATWG URL: leading C0 controls and spaces stripped, tab and
 * newline removed anywhere, scheme case-insensitive). */
static bool is_script_url(const char *v, size_t n)
{
	char scheme[16];
	size_t k = 0, i = 0;
	while (i < n && (unsigned char)v[i] <= 0x20)
		i++;
	for (; i < n && k < sizeof scheme - 1; i++) {
		if (v[i] == '\t' || v[i] == '\n' || v[i] == '\r')
			continue;
		if (v[i] == ':')
			break;
		scheme[k++] = (char)tolower((unsigned char)v[i]);
	}
	if (i >= n || v[i] != ':')
		return false;
	scheme[k] = '\0';
	return !strcmp(scheme, "javascript") || !strcmp(scheme, "vbscript") || !strcmp(scheme, "data");
}

/* Whether key=val may be written; warns when not. */
static bool safe_attr(const struct na_where *w, const char *key, size_t klen, const char *val,
		      size_t vlen, const char *func)
{
	if (is_event_handler(key, klen)) {
		na_warn(w, "event-handler attribute", key, klen, func);
		return false;
	}
	if (lower_prefix(key, klen, "xmlns")) {
		na_warn(w, "namespace declaration", key, klen, func);
		return false;
	}
	if (is_url_attr(key, klen) && is_script_url(val, vlen)) {
		na_warn(w, "script URL in", key, klen, func);
		return false;
	}
	return true;
}

static int set_attr(struct fg_attr **list, size_t *n, const char *key, size_t klen,
		    const char *val, size_t vlen)
{
	for (size_t i = 0; i < *n; i++) {
		if (strlen((*list)[i].key) == klen && !memcmp((*list)[i].key, key, klen)) {
			char *v = dupn(val, vlen);
			if (!v)
				return WP_E_NOMEM;
			free((*list)[i].value);
			(*list)[i].value = v;
			return 0;
		}
	}
	struct fg_attr *p = realloc(*list, (*n + 1) * sizeof *p);
	if (!p)
		return WP_E_NOMEM;
	*list = p;
	p[*n].key = dupn(key, klen);
	p[*n].value = dupn(val, vlen);
	if (!p[*n].key || !p[*n].value) {
		free(p[*n].key);
		free(p[*n].value);
		return WP_E_NOMEM;
	}
	(*n)++;
	return 0;
}

/* g_extra / a_extra: `name="value" name=value ...` */
static int parse_extra(struct fg_attr **list, size_t *n, const char *s, size_t len,
		       const char *func, const struct na_where *w)
{
	size_t i = 0;
	while (i < len) {
		while (i < len && isspace((unsigned char)s[i]))
			i++;
		if (i >= len)
			break;
		size_t k0 = i;
		while (i < len && s[i] != '=' && !isspace((unsigned char)s[i]))
			i++;
		size_t k1 = i;
		const char *val = "";
		size_t vlen = 0;
		if (i < len && s[i] == '=') {
			i++;
			if (i < len && (s[i] == '"' || s[i] == '\'')) {
				char q = s[i++];
				val = s + i;
				while (i < len && s[i] != q)
					i++;
				vlen = (size_t)(s + i - val);
				if (i < len)
					i++;
			} else {
				val = s + i;
				while (i < len && !isspace((unsigned char)s[i]))
					i++;
				vlen = (size_t)(s + i - val);
			}
		}
		if (!valid_attr_name(s + k0, k1 - k0)) {
			na_warn(w, "invalid attribute name", s + k0, k1 - k0, func);
			continue;
		}
		if (!safe_attr(w, s + k0, k1 - k0, val, vlen, func))
			continue;
		int rc = set_attr(list, n, s + k0, k1 - k0, val, vlen);
		if (rc)
			return rc;
	}
	return 0;
}

static int grow_attrs(struct fg_nameattr *na, uint32_t id)
{
	size_t old = na->cap;
	if (wp_grow((void **)&na->attrs, &na->cap, (size_t)id + 1, sizeof *na->attrs))
		return WP_E_NOMEM;
	memset(na->attrs + old, 0, (na->cap - old) * sizeof *na->attrs);
	return 0;
}

static void trim(const char **s, size_t *n)
{
	while (*n && isspace((unsigned char)**s))
		(*s)++, (*n)--;
	while (*n && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

int fg_nameattr_add_line(struct fg_nameattr *na, const char *line, size_t len, const char *file,
			 uint64_t lineno, wp_warn_fn warn, void *ctx)
{
	const struct na_where w = {file, lineno, warn, ctx};
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	const char *tab = memchr(line, '\t', len);
	size_t flen = tab ? (size_t)(tab - line) : len;
	if (!flen)
		return 0; /* empty line or no function name */
	if (!na->names && !(na->names = wp_intern_new()))
		return WP_E_NOMEM;
	uint32_t id;
	int rc = wp_intern_get(na->names, line, flen, &id);
	if (rc || (rc = grow_attrs(na, id)))
		return rc;
	struct fg_attrs *a = &na->attrs[id];
	const char *func = wp_intern_str(na->names, id, NULL);
	const char *p = tab ? tab + 1 : line + len;
	const char *end = line + len;
	bool href = false;
	while (p < end) {
		const char *next = memchr(p, '\t', (size_t)(end - p));
		size_t flen2 = next ? (size_t)(next - p) : (size_t)(end - p);
		const char *eq = memchr(p, '=', flen2);
		const char *key = p, *val = eq ? eq + 1 : p + flen2;
		size_t klen = eq ? (size_t)(eq - p) : flen2;
		size_t vlen = eq ? (size_t)(p + flen2 - val) : 0;
		p = next ? next + 1 : end;
		trim(&key, &klen);
		trim(&val, &vlen);
		if (!klen)
			continue;
		if (vlen >= 2 && val[0] == '"' && val[vlen - 1] == '"')
			val++, vlen -= 2;
#define KEY(s) (klen == sizeof(s) - 1 && !memcmp(key, s, klen))
		if (KEY("title")) {
			char *t = dupn(val, vlen);
			if (!t)
				return WP_E_NOMEM;
			free(a->title);
			a->title = t;
		} else if (KEY("href")) {
			if (!safe_attr(&w, "href", 4, val, vlen, func))
				continue;
			rc = set_attr(&a->a, &a->na, "xlink:href", 10, val, vlen);
			href = true;
		} else if (KEY("target")) {
			rc = set_attr(&a->a, &a->na, "target", 6, val, vlen);
		} else if (KEY("id") || KEY("class")) {
			rc = set_attr(&a->g, &a->ng, key, klen, val, vlen);
		} else if (KEY("g_extra")) {
			rc = parse_extra(&a->g, &a->ng, val, vlen, func, &w);
		} else if (KEY("a_extra")) {
			rc = parse_extra(&a->a, &a->na, val, vlen, func, &w);
		} else {
			na_warn(&w, "invalid attribute", key, klen, func);
		}
#undef KEY
		if (rc)
			return rc;
	}
	if (href) {
		bool has_target = false;
		for (size_t i = 0; i < a->na; i++)
			has_target |= !strcmp(a->a[i].key, "target");
		if (!has_target && (rc = set_attr(&a->a, &a->na, "target", 6, "_top", 4)))
			return rc;
	}
	return 0;
}

const struct fg_attrs *fg_nameattr_find(const struct fg_nameattr *na, const char *name, size_t n)
{
	uint32_t id;
	if (!na || !na->names || wp_intern_find(na->names, name, n, &id) != 0 || id >= na->cap)
		return NULL;
	return &na->attrs[id];
}

static void free_list(struct fg_attr *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(l[i].key);
		free(l[i].value);
	}
	free(l);
}

void fg_nameattr_free(struct fg_nameattr *na)
{
	if (!na)
		return;
	uint32_t n = na->names ? wp_intern_count(na->names) : 0;
	for (uint32_t i = 0; i < n && i < na->cap; i++) {
		free(na->attrs[i].title);
		free_list(na->attrs[i].a, na->attrs[i].na);
		free_list(na->attrs[i].g, na->attrs[i].ng);
	}
	free(na->attrs);
	wp_intern_free(na->names);
	free(na);
}

int fg_flame_load_nameattr(struct fg_flame *f, const char *path)
{
	if (!f->nameattr && !(f->nameattr = calloc(1, sizeof *f->nameattr)))
		return WP_E_NOMEM;
	struct wp_lines *lr;
	int rc = wp_lines_open(&lr, path, 1u << 24);
	const char *line;
	size_t len;
	while (rc == 0 && (rc = wp_lines_next(lr, &line, &len)) == 1)
		rc = fg_nameattr_add_line(f->nameattr, line, len, wp_lines_name(lr),
					  wp_lines_lineno(lr), f->opt.warn, f->opt.warn_ctx);
	if (rc < 0)
		snprintf(f->err, sizeof f->err, "%s", rc == WP_E_NOMEM ? "out of memory" : wp_lines_errmsg(lr));
	wp_lines_free(lr);
	return rc < 0 ? rc : 0;
}
