/* flame_options.c - flamegraph.pl's options (defaults, parsing by their
 * command-line names, consistency) and the --nameattr file. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>

#include "flame_internal.h"

void fg_flame_options_init(struct fg_flame_options *o)
{
	memset(o, 0, sizeof *o);
	o->width = 1200;
	o->frame_height = 16;
	o->min_width = 0.1;
	o->font_type = "Verdana";
	o->font_size = 12;
	o->font_width = 0.59;
	o->count_name = "samples";
	o->name_type = "Function:";
	o->palette = "hot";
	o->factor = 1;
}

static int usage(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int usage(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (err && errlen)
		vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return WP_E_USAGE;
}

static bool parse_double(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = s ? strtod(s, &end) : 0;
	if (!s || !*s || *end || errno || !isfinite(v) || v < 0)
		return false;
	*out = v;
	return true;
}

static bool parse_uint(const char *s, unsigned max, unsigned *out)
{
	char *end;
	errno = 0;
	unsigned long v = s ? strtoul(s, &end, 10) : 0;
	if (!s || !*s || *end || errno || *s == '-' || v == 0 || v > max)
		return false;
	*out = (unsigned)v;
	return true;
}

/* XML EncName: [A-Za-z] ([A-Za-z0-9._] | '-')* */
static bool valid_encoding(const char *s)
{
	if (!isalpha((unsigned char)s[0]))
		return false;
	for (const char *p = s + 1; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-')
			return false;
	return true;
}

int fg_flame_options_set(struct fg_flame_options *o, const char *name, const char *v,
			 char *err, size_t errlen)
{
	double d;
	if (!strcmp(name, "title")) {
		o->title = v;
	} else if (!strcmp(name, "subtitle")) {
		o->subtitle = v;
	} else if (!strcmp(name, "width")) {
		if (!parse_uint(v, 1000000, &o->width))
			return usage(err, errlen, "--width wants a positive integer, not '%s'", v);
	} else if (!strcmp(name, "height")) {
		if (!parse_uint(v, 100000, &o->frame_height))
			return usage(err, errlen, "--height wants a positive integer, not '%s'", v);
	} else if (!strcmp(name, "minwidth")) {
		size_t n = v ? strlen(v) : 0;
		char tmp[64];
		bool pct = n && v[n - 1] == '%';
		if (n - pct >= sizeof tmp)
			return usage(err, errlen, "--minwidth wants a number of px or a NUM%%, not '%s'", v);
		memcpy(tmp, v, n - pct);
		tmp[n - pct] = '\0';
		if (!parse_double(tmp, &d))
			return usage(err, errlen, "--minwidth wants a number of px or a NUM%%, not '%s'", v);
		if (pct && d > 100)
			return usage(err, errlen, "--minwidth wants a percentage from 0 to 100%%, not '%s'", v);
		o->min_width = d;
		o->min_width_percent = pct;
	} else if (!strcmp(name, "fonttype")) {
		o->font_type = v;
	} else if (!strcmp(name, "fontsize") || !strcmp(name, "fontwidth") ||
		   !strcmp(name, "factor") || !strcmp(name, "total")) {
		if (!parse_double(v, &d) || (d == 0 && strcmp(name, "total")))
			return usage(err, errlen, "--%s wants a positive number, not '%s'", name, v);
		if (!strcmp(name, "fontsize"))
			o->font_size = d;
		else if (!strcmp(name, "fontwidth"))
			o->font_width = d;
		else if (!strcmp(name, "factor"))
			o->factor = d;
		else
			o->total = d;
	} else if (!strcmp(name, "countname")) {
		o->count_name = v;
	} else if (!strcmp(name, "nametype")) {
		o->name_type = v;
	} else if (!strcmp(name, "colors") || !strcmp(name, "color")) {
		if (fg_palette_parse(v) < 0)
			return usage(err, errlen, "unknown palette '%s' (hot mem io wakeup chain java js "
				     "perl wasm red green blue aqua yellow purple orange)", v);
		o->palette = v;
	} else if (!strcmp(name, "bgcolors")) {
		char c1[8], c2[8];
		if (fg_bgcolors(v, 0, c1, c2) != 0)
			return usage(err, errlen, "unknown background '%s' (yellow blue green grey or #rrggbb)", v);
		o->bgcolors = v;
	} else if (!strcmp(name, "hash")) {
		o->color_mode = FG_FLAME_COLOR_HASH;
	} else if (!strcmp(name, "random")) {
		o->color_mode = FG_FLAME_COLOR_RANDOM;
	} else if (!strcmp(name, "deterministic")) {
		o->color_mode = FG_FLAME_COLOR_DETERMINISTIC;
	} else if (!strcmp(name, "reverse")) {
		o->reverse = true;
	} else if (!strcmp(name, "inverted")) {
		o->inverted = true;
	} else if (!strcmp(name, "flamechart")) {
		o->flamechart = true;
	} else if (!strcmp(name, "negate")) {
		o->negate = true;
	} else if (!strcmp(name, "notes")) {
		o->notes = v;
	} else if (!strcmp(name, "encoding")) {
		if (!v || !valid_encoding(v))
			return usage(err, errlen, "--encoding wants an encoding name such as UTF-8, not '%s'", v ? v : "");
		o->encoding = v;
	} else {
		return WP_E_NOTFOUND;
	}
	return 0;
}

int fg_flame_options_check(const struct fg_flame_options *o, char *err, size_t errlen)
{
	char c1[8], c2[8];
	int pal = fg_palette_parse(o->palette ? o->palette : "hot");
	if (pal < 0)
		return usage(err, errlen, "unknown palette '%s'", o->palette);
	if (fg_bgcolors(o->bgcolors, pal, c1, c2) != 0)
		return usage(err, errlen, "unknown background '%s'", o->bgcolors);
	if (!o->width || !o->frame_height || !(o->font_size > 0) || !(o->font_width > 0) ||
	    !(o->factor > 0) || !(o->min_width >= 0) || !(o->total >= 0) || !isfinite(o->factor) ||
	    !isfinite(o->font_size) || !isfinite(o->font_width) || !isfinite(o->min_width))
		return usage(err, errlen, "a size or factor option is out of range");
	if (o->encoding && !valid_encoding(o->encoding))
		return usage(err, errlen, "bad --encoding '%s'", o->encoding);
	return 0;
}

/* ---- --nameattr ---- */

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

static void warnf(fg_flame_warn_fn warn, void *ctx, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void warnf(fg_flame_warn_fn warn, void *ctx, const char *fmt, ...)
{
	if (!warn)
		return;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	warn(ctx, msg);
}

/* g_extra / a_extra: `name="value" name=value ...` */
static int parse_extra(struct fg_attr **list, size_t *n, const char *s, size_t len,
		       const char *func, fg_flame_warn_fn warn, void *ctx)
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
			warnf(warn, ctx, "nameattr: invalid attribute name '%.*s' for '%s' ignored",
			      (int)(k1 - k0), s + k0, func);
			continue;
		}
		int rc = set_attr(list, n, s + k0, k1 - k0, val, vlen);
		if (rc)
			return rc;
	}
	return 0;
}

static int grow_attrs(struct fg_nameattr *na, uint32_t id)
{
	if (id < na->cap)
		return 0;
	size_t cap = na->cap ? na->cap * 2 : 64;
	while (cap <= id)
		cap *= 2;
	struct fg_attrs *p = realloc(na->attrs, cap * sizeof *p);
	if (!p)
		return WP_E_NOMEM;
	memset(p + na->cap, 0, (cap - na->cap) * sizeof *p);
	na->attrs = p;
	na->cap = cap;
	return 0;
}

static void trim(const char **s, size_t *n)
{
	while (*n && isspace((unsigned char)**s))
		(*s)++, (*n)--;
	while (*n && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

int fg_nameattr_add_line(struct fg_nameattr *na, const char *line, size_t len,
			 fg_flame_warn_fn warn, void *ctx)
{
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
			rc = set_attr(&a->a, &a->na, "xlink:href", 10, val, vlen);
			href = true;
		} else if (KEY("target")) {
			rc = set_attr(&a->a, &a->na, "target", 6, val, vlen);
		} else if (KEY("id") || KEY("class")) {
			rc = set_attr(&a->g, &a->ng, key, klen, val, vlen);
		} else if (KEY("g_extra")) {
			rc = parse_extra(&a->g, &a->ng, val, vlen, func, warn, ctx);
		} else if (KEY("a_extra")) {
			rc = parse_extra(&a->a, &a->na, val, vlen, func, warn, ctx);
		} else {
			warnf(warn, ctx, "nameattr: invalid attribute '%.*s' for '%s' ignored",
			      (int)klen, key, func);
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
