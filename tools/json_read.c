/* json_read.c - strict recursive-descent JSON (RFC 8259, sections 2-8):
 * one cursor with a sticky error, every byte checked against the end, the
 * depth capped so that hostile nesting cannot exhaust the stack. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json_read.h"
#include "wpcommon.h"

struct cursor {
	const char *s;
	size_t n, i;
	int depth;
	int rc;             /* 0, or the first error */
	size_t err_offset;
	const char *err_what;
};

static int fail(struct cursor *c, size_t at, const char *what, int rc)
{
	if (!c->rc) {
		c->rc = rc;
		c->err_offset = at;
		c->err_what = what;
	}
	return c->rc;
}

static void skip_ws(struct cursor *c)
{
	while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t' || c->s[c->i] == '\n' ||
			       c->s[c->i] == '\r'))
		c->i++;
}

static bool literal(struct cursor *c, const char *word)
{
	size_t k = strlen(word);
	if (c->n - c->i < k || memcmp(c->s + c->i, word, k) != 0)
		return false;
	c->i += k;
	return true;
}

/* The length of the well-formed UTF-8 sequence at s[0, n) (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_length(const unsigned char *s, size_t n)
{
	if (s[0] < 0x80)
		return 1;
	size_t len = s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : s[0] >= 0xe0 && s[0] <= 0xef ? 3
						      : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;
	if (!len || len > n)
		return 0;
	for (size_t k = 1; k < len; k++)
		if ((s[k] & 0xc0) != 0x80)
			return 0;
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return len;
}

static int put_utf8(struct wp_buf *b, uint32_t cp)
{
	char u[4];
	size_t k;
	if (cp < 0x80) {
		u[0] = (char)cp;
		k = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		k = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		k = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		k = 4;
	}
	return wp_buf_append(b, u, k);
}

/* Four hex digits after "\u" at c->i; -1 when they are not there. */
static long hex4(struct cursor *c)
{
	if (c->n - c->i < 4)
		return -1;
	long v = 0;
	for (int k = 0; k < 4; k++) {
		int d = wp_hex_value(c->s[c->i + (size_t)k]);
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	c->i += 4;
	return v;
}

/* "\uXXXX", a surrogate pair taken whole; the code point or -1 (error set). */
static long unicode_escape(struct cursor *c, size_t at)
{
	long hi = hex4(c);
	if (hi < 0)
		return fail(c, at, "\\u needs four hex digits", WP_E_FORMAT), -1;
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return fail(c, at, "lone low surrogate in \\u escape", WP_E_FORMAT), -1;
	if (hi < 0xd800 || hi > 0xdbff)
		return hi ? hi : (fail(c, at, "\\u0000 in a string", WP_E_FORMAT), -1);
	long lo = -1;
	if (c->n - c->i >= 2 && c->s[c->i] == '\\' && c->s[c->i + 1] == 'u') {
		c->i += 2;
		lo = hex4(c);
	}
	if (lo < 0xdc00 || lo > 0xdfff)
		return fail(c, at, "high surrogate without its low half", WP_E_FORMAT), -1;
	return 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
}

static int parse_string(struct cursor *c, char **out, size_t *len)
{
	struct wp_buf b;
	wp_buf_init(&b, WP_BUF_UNLIMITED);
	size_t start = c->i++; /* the opening quote */
	while (!c->rc) {
		if (c->i >= c->n) {
			fail(c, start, "unterminated string", WP_E_FORMAT);
			break;
		}
		unsigned char ch = (unsigned char)c->s[c->i];
		if (ch == '"') {
			c->i++;
			break;
		}
		if (ch < 0x20) {
			fail(c, c->i, "control byte in a string", WP_E_FORMAT);
			break;
		}
		if (ch != '\\') {
			size_t k = utf8_length((const unsigned char *)c->s + c->i, c->n - c->i);
			if (!k)
				fail(c, c->i, "invalid UTF-8", WP_E_FORMAT);
			else if (wp_buf_append(&b, c->s + c->i, k))
				fail(c, c->i, "out of memory", WP_E_NOMEM);
			c->i += k;
			continue;
		}
		size_t at = c->i;
		c->i += 2;
		char e = at + 1 < c->n ? c->s[at + 1] : '\0';
		static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
		const char *p = e ? strchr(from, e) : NULL;
		long cp = p ? to[p - from] : e == 'u' ? unicode_escape(c, at)
						     : (fail(c, at, "unknown escape", WP_E_FORMAT), -1);
		if (cp >= 0 && put_utf8(&b, (uint32_t)cp))
			fail(c, at, "out of memory", WP_E_NOMEM);
	}
	if (c->rc) {
		wp_buf_release(&b);
		return c->rc;
	}
	*out = wp_buf_detach(&b, len);
	if (!*out)
		return fail(c, start, "out of memory", WP_E_NOMEM);
	return 0;
}

static size_t digits(struct cursor *c)
{
	size_t k = 0;
	while (c->i < c->n && c->s[c->i] >= '0' && c->s[c->i] <= '9')
		c->i++, k++;
	return k;
}

/* RFC 8259 section 6: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int parse_number(struct cursor *c, struct json_value *v)
{
	size_t start = c->i;
	if (c->s[c->i] == '-')
		c->i++;
	if (c->i >= c->n || !(c->s[c->i] >= '0' && c->s[c->i] <= '9'))
		return fail(c, start, "bad number", WP_E_FORMAT);
	if (c->s[c->i] == '0' && c->i + 1 < c->n && c->s[c->i + 1] >= '0' && c->s[c->i + 1] <= '9')
		return fail(c, start, "leading zero in a number", WP_E_FORMAT);
	digits(c);
	bool whole = true;
	if (c->i < c->n && c->s[c->i] == '.') {
		c->i++;
		whole = false;
		if (!digits(c))
			return fail(c, start, "no digits after '.'", WP_E_FORMAT);
	}
	if (c->i < c->n && (c->s[c->i] == 'e' || c->s[c->i] == 'E')) {
		c->i++;
		whole = false;
		if (c->i < c->n && (c->s[c->i] == '+' || c->s[c->i] == '-'))
			c->i++;
		if (!digits(c))
			return fail(c, start, "no digits in the exponent", WP_E_FORMAT);
	}
	char text[64];
	size_t len = c->i - start;
	if (len >= sizeof text)
		return fail(c, start, "number too long", WP_E_FORMAT);
	memcpy(text, c->s + start, len);
	text[len] = '\0';
	v->type = JSON_NUMBER;
	v->number = strtod(text, NULL);
	if (!isfinite(v->number))
		return fail(c, start, "number out of range", WP_E_FORMAT);
	if (whole) {
		errno = 0;
		long long ll = strtoll(text, NULL, 10);
		v->is_int = errno == 0;
		v->integer = ll;
	}
	return 0;
}

static int parse_value(struct cursor *c, struct json_value *v);

static int parse_array(struct cursor *c, struct json_value *v)
{
	size_t cap = 0;
	v->type = JSON_ARRAY;
	c->i++;
	skip_ws(c);
	if (c->i < c->n && c->s[c->i] == ']') {
		c->i++;
		return 0;
	}
	for (;;) {
		if (wp_grow((void **)&v->items, &cap, v->n + 1, sizeof *v->items))
			return fail(c, c->i, "out of memory", WP_E_NOMEM);
		memset(&v->items[v->n], 0, sizeof *v->items);
		if (parse_value(c, &v->items[v->n++]))
			return c->rc;
		skip_ws(c);
		if (c->i < c->n && c->s[c->i] == ',') {
			c->i++;
			continue;
		}
		if (c->i < c->n && c->s[c->i] == ']') {
			c->i++;
			return 0;
		}
		return fail(c, c->i, "expected ',' or ']'", WP_E_FORMAT);
	}
}

static int parse_member(struct cursor *c, struct json_value *v, size_t *cap, size_t *kcap)
{
	skip_ws(c);
	if (c->i >= c->n || c->s[c->i] != '"')
		return fail(c, c->i, "expected a member name", WP_E_FORMAT);
	size_t at = c->i;
	if (wp_grow((void **)&v->items, cap, v->n + 1, sizeof *v->items) ||
	    wp_grow((void **)&v->keys, kcap, v->n + 1, sizeof *v->keys))
		return fail(c, at, "out of memory", WP_E_NOMEM);
	size_t klen;
	char *key;
	if (parse_string(c, &key, &klen))
		return c->rc;
	if (json_get(v, key)) {
		free(key);
		return fail(c, at, "duplicate member name", WP_E_FORMAT);
	}
	memset(&v->items[v->n], 0, sizeof *v->items);
	v->keys[v->n++] = key;
	skip_ws(c);
	if (c->i >= c->n || c->s[c->i] != ':')
		return fail(c, c->i, "expected ':'", WP_E_FORMAT);
	c->i++;
	return parse_value(c, &v->items[v->n - 1]);
}

static int parse_object(struct cursor *c, struct json_value *v)
{
	size_t cap = 0, kcap = 0;
	v->type = JSON_OBJECT;
	c->i++;
	skip_ws(c);
	if (c->i < c->n && c->s[c->i] == '}') {
		c->i++;
		return 0;
	}
	for (;;) {
		if (parse_member(c, v, &cap, &kcap))
			return c->rc;
		skip_ws(c);
		if (c->i < c->n && c->s[c->i] == ',') {
			c->i++;
			continue;
		}
		if (c->i < c->n && c->s[c->i] == '}') {
			c->i++;
			return 0;
		}
		return fail(c, c->i, "expected ',' or '}'", WP_E_FORMAT);
	}
}

static int parse_value(struct cursor *c, struct json_value *v)
{
	skip_ws(c);
	v->offset = c->i;
	if (c->i >= c->n)
		return fail(c, c->i, "expected a value", WP_E_FORMAT);
	char ch = c->s[c->i];
	if (ch == '{' || ch == '[') {
		if (++c->depth > JSON_MAX_DEPTH)
			return fail(c, c->i, "nested too deeply", WP_E_FORMAT);
		int rc = ch == '{' ? parse_object(c, v) : parse_array(c, v);
		c->depth--;
		return rc;
	}
	if (ch == '"') {
		v->type = JSON_STRING;
		return parse_string(c, &v->string, &v->len);
	}
	if (ch == '-' || (ch >= '0' && ch <= '9'))
		return parse_number(c, v);
	if (literal(c, "true") || literal(c, "false")) {
		v->type = JSON_BOOL;
		v->boolean = ch == 't';
		return 0;
	}
	if (literal(c, "null")) {
		v->type = JSON_NULL;
		return 0;
	}
	return fail(c, c->i, "expected a value", WP_E_FORMAT);
}

static void release(struct json_value *v)
{
	for (size_t i = 0; i < v->n; i++) {
		release(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->string);
}

void json_free(struct json_value *v)
{
	if (!v)
		return;
	release(v);
	free(v);
}

int json_parse(const char *text, size_t len, struct json_value **out, size_t *err_offset,
	       const char **err_what)
{
	struct cursor c = {.s = text, .n = len};
	struct json_value *v = calloc(1, sizeof *v);
	*out = NULL;
	if (!v)
		fail(&c, 0, "out of memory", WP_E_NOMEM);
	else if (!parse_value(&c, v)) {
		skip_ws(&c);
		if (c.i < c.n)
			fail(&c, c.i, "text after the value", WP_E_FORMAT);
	}
	if (c.rc) {
		json_free(v);
		*err_offset = c.err_offset;
		*err_what = c.err_what;
		return c.rc;
	}
	*out = v;
	return 0;
}

const struct json_value *json_get(const struct json_value *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (obj->keys[i] && strcmp(obj->keys[i], key) == 0)
			return &obj->items[i];
	return NULL;
}
