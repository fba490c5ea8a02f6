/* flame_xml.c - the SVG writer's byte layer: a large output buffer, number
 * formatting without printf on the per-frame path, and XML escaping that
 * turns any input bytes into well-formed text: nothing from input reaches
 * the SVG unescaped (wasmperf-flame(1), "ESCAPING"). */
#include <math.h>
#include <stdlib.h>

#include "flame_internal.h"

/* The buffer starts small, so a small graph costs no large allocation,
 * and doubles each time it fills up to OUT_CAP, which bounds the writes
 * of a large one. */
#define OUT_FIRST (16u << 10)
#define OUT_CAP (256u << 10)

void fg_out_init(struct fg_out *o, FILE *f)
{
	o->f = f;
	o->len = 0;
	o->err = 0;
	o->buf = malloc(OUT_FIRST);
	o->cap = o->buf ? OUT_FIRST : 0;
	if (!o->buf)
		o->err = WP_E_NOMEM;
}

/* After a flush of a buffer that could not take more: a larger one if
 * allowed (no memory for it is not an error: the current one still works). */
static void grow(struct fg_out *o)
{
	if (o->cap >= OUT_CAP)
		return;
	/* Called right after a flush: nothing to keep, so no realloc copy. */
	char *p = malloc(o->cap * 2);
	if (p) {
		free(o->buf);
		o->buf = p;
		o->cap *= 2;
	}
}

int fg_out_flush(struct fg_out *o)
{
	if (o->len && !o->err && fwrite(o->buf, 1, o->len, o->f) != o->len)
		o->err = WP_E_IO;
	o->len = 0;
	return o->err;
}

void fg_out_release(struct fg_out *o)
{
	free(o->buf);
	o->buf = NULL;
	o->cap = o->len = 0;
}

void fg_out_put_slow(struct fg_out *o, const char *s, size_t n)
{
	if (o->err)
		return;
	fg_out_flush(o);
	if (o->err)
		return;
	grow(o);
	if (n > o->cap) {
		if (fwrite(s, 1, n, o->f) != n)
			o->err = WP_E_IO;
		return;
	}
	memcpy(o->buf, s, n);
	o->len = n;
}

void fg_out_u64(struct fg_out *o, uint64_t v)
{
	char tmp[24];
	size_t n;
	const char *s = wp_u64_text(v, tmp, &n);
	fg_out_put(o, s, n);
}

uint64_t fg_amount_round(fg_amount a)
{
	uint64_t q = (uint64_t)(a / FG_UNIT);
	uint32_t r = (uint32_t)(a % FG_UNIT);
	if (r > FG_UNIT / 2 || (r == FG_UNIT / 2 && (q & 1)))
		q++;
	return q;
}

void fg_out_amount(struct fg_out *o, fg_amount a)
{
	/* the integer part may pass 64 bits only for a --total that large */
	char tmp[48];
	size_t k = sizeof tmp;
	fg_amount whole = a / FG_UNIT;
	do {
		tmp[--k] = (char)('0' + (unsigned)(whole % 10));
		whole /= 10;
	} while (whole);
	fg_out_put(o, tmp + k, sizeof tmp - k);
	uint32_t frac = (uint32_t)(a % FG_UNIT);
	if (!frac)
		return;
	char digits[10];
	int n = 0;
	for (uint32_t scale = FG_UNIT / 10; frac; scale /= 10) {
		digits[n++] = (char)('0' + frac / scale);
		frac %= scale;
	}
	fg_out_putc(o, '.');
	fg_out_put(o, digits, (size_t)n);
}

void fg_out_grouped_u64(struct fg_out *o, uint64_t u)
{
	char tmp[32];
	size_t k = sizeof tmp, digits = 0;
	do {
		if (digits && digits % 3 == 0)
			tmp[--k] = ',';
		tmp[--k] = (char)('0' + u % 10);
		u /= 10;
		digits++;
	} while (u);
	fg_out_put(o, tmp + k, sizeof tmp - k);
}

static const double pow10_tab[] = {1, 10, 100, 1000, 10000, 100000, 1000000};

void fg_out_fixed(struct fg_out *o, double v, int decimals)
{
	if (decimals < 0 || decimals > 6 || !isfinite(v) || fabs(v) >= 1e15) {
		/* %f of a huge double has up to 309 digits: room for all (a
		 * cut would be a wrong number), and never past the buffer */
		char tmp[400];
		int n = snprintf(tmp, sizeof tmp, "%.*f", decimals, v);
		fg_out_put(o, tmp, n > 0 ? ((size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1) : 0);
		return;
	}
	double scaled = nearbyint(fabs(v) * pow10_tab[decimals]);
	uint64_t u = (uint64_t)scaled;
	uint64_t scale = (uint64_t)pow10_tab[decimals];
	if (v < 0)
		fg_out_putc(o, '-');
	fg_out_u64(o, u / scale);
	if (decimals) {
		char frac[8];
		uint64_t r = u % scale;
		for (int i = decimals - 1; i >= 0; i--) {
			frac[i] = (char)('0' + r % 10);
			r /= 10;
		}
		fg_out_putc(o, '.');
		fg_out_put(o, frac, (size_t)decimals);
	}
}

void fg_out_num(struct fg_out *o, double v)
{
	if (v == floor(v) && fabs(v) < 9e15) {
		if (v < 0)
			fg_out_putc(o, '-');
		fg_out_u64(o, (uint64_t)fabs(v));
		return;
	}
	char tmp[64];
	int n = snprintf(tmp, sizeof tmp, "%.15g", v);
	fg_out_put(o, tmp, n > 0 ? (size_t)n : 0);
}

void fg_out_grouped(struct fg_out *o, double v)
{
	char tmp[400];
	size_t n;
	if (v >= 0 && v < 9e15) {
		uint64_t u = (uint64_t)nearbyint(v);
		n = 0;
		do {
			tmp[n++] = (char)('0' + u % 10);
			u /= 10;
		} while (u);
		/* digits are reversed in tmp: emit with separators */
		char out[40];
		size_t k = 0;
		for (size_t i = n; i-- > 0;) {
			out[k++] = tmp[i];
			if (i && i % 3 == 0)
				out[k++] = ',';
		}
		fg_out_put(o, out, k);
		return;
	}
	int len = snprintf(tmp, sizeof tmp, "%.0f", v);
	if (len <= 0 || (size_t)len >= sizeof tmp) {
		fg_out_puts(o, "?");
		return;
	}
	size_t start = tmp[0] == '-' ? 1 : 0;
	fg_out_put(o, tmp, start);
	size_t digits = (size_t)len - start;
	for (size_t i = 0; i < digits; i++) {
		fg_out_putc(o, tmp[start + i]);
		size_t left = digits - i - 1;
		if (left && left % 3 == 0)
			fg_out_putc(o, ',');
	}
}

/* ---- UTF-8 decoding into display units ---- */

enum unit_kind { U_BYTES, U_BAD, U_CTRL };

/* Decodes the unit at s[*i]; advances *i. U_BYTES units are copied as
 * they are (s[start..*i)), U_BAD become U+FFFD, U_CTRL become \xNN. */
static enum unit_kind next_unit(const unsigned char *s, size_t n, size_t *i, uint32_t *cp)
{
	unsigned char c = s[*i];
	if (c < 0x80) {
		(*i)++;
		*cp = c;
		if (c < 0x20 && c != '\t' && c != '\n')
			return U_CTRL;
		return U_BYTES;
	}
	size_t need;
	uint32_t v, min;
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1, v = c & 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2, v = c & 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3, v = c & 0x07, min = 0x10000;
	} else {
		(*i)++;
		*cp = c;
		return U_BAD;
	}
	size_t k;
	for (k = 1; k <= need; k++) {
		if (*i + k >= n || (s[*i + k] & 0xc0) != 0x80)
			break;
		v = (v << 6) | (s[*i + k] & 0x3f);
	}
	if (k <= need || v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff) ||
	    v == 0xfffe || v == 0xffff) {
		/* One replacement per lead byte; continuation bytes that follow
		 * become replacements of their own. */
		(*i)++;
		*cp = c;
		return U_BAD;
	}
	*i += need + 1;
	*cp = v;
	return U_BYTES;
}

static inline void escape_ascii(struct fg_out *o, char c, enum fg_xml_ctx ctx)
{
	switch (c) {
	case '&': fg_out_put(o, "&amp;", 5); break;
	case '<': fg_out_put(o, "&lt;", 4); break;
	case '>': fg_out_put(o, "&gt;", 4); break;
	case '"':
		if (ctx == FG_XML_ATTR)
			fg_out_put(o, "&quot;", 6);
		else
			fg_out_putc(o, c);
		break;
	case '\t':
		if (ctx == FG_XML_ATTR)
			fg_out_put(o, "&#9;", 4);
		else
			fg_out_putc(o, c);
		break;
	case '\n':
		if (ctx == FG_XML_ATTR)
			fg_out_put(o, "&#10;", 5);
		else
			fg_out_putc(o, c);
		break;
	default: fg_out_putc(o, c);
	}
}

static void put_unit(struct fg_out *o, const unsigned char *s, size_t start, size_t end,
		     enum unit_kind kind, uint32_t cp, enum fg_xml_ctx ctx)
{
	static const char hex[] = "0123456789abcdef";
	if (kind == U_BAD) {
		fg_out_put(o, "\xef\xbf\xbd", 3);
	} else if (kind == U_CTRL) {
		char t[4] = {'\\', 'x', hex[cp >> 4], hex[cp & 15]};
		fg_out_put(o, t, 4);
	} else if (end - start == 1) {
		escape_ascii(o, (char)s[start], ctx);
	} else {
		fg_out_put(o, (const char *)s + start, end - start);
	}
}

/* Characters that need no escaping in either context. */
static inline bool plain(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '&' && c != '<' && c != '>' && c != '"';
}

void fg_xml_escape(struct fg_out *o, const char *str, size_t n, enum fg_xml_ctx ctx)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		size_t run = i;
		while (run < n && plain(s[run]))
			run++;
		if (run > i) {
			fg_out_put(o, str + i, run - i);
			i = run;
			if (i >= n)
				break;
		}
		size_t start = i;
		uint32_t cp;
		enum unit_kind kind = next_unit(s, n, &i, &cp);
		put_unit(o, s, start, i, kind, cp, ctx);
	}
}

size_t fg_xml_display_len(const char *str, size_t n, size_t limit)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, units = 0;
	while (i < n && units < limit) {
		if (s[i] >= 0x20 && s[i] < 0x80) {
			i++;
			units++;
			continue;
		}
		uint32_t cp;
		units += next_unit(s, n, &i, &cp) == U_CTRL ? 4 : 1;
	}
	return units;
}

void fg_xml_escape_units(struct fg_out *o, const char *str, size_t n, size_t units,
			 enum fg_xml_ctx ctx)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, done = 0;
	while (i < n && done < units) {
		size_t start = i;
		uint32_t cp;
		enum unit_kind kind = next_unit(s, n, &i, &cp);
		size_t w = kind == U_CTRL ? 4 : 1;
		if (done + w > units)
			break; /* never split a \xNN */
		put_unit(o, s, start, i, kind, cp, ctx);
		done += w;
	}
}

uint32_t fg_utf8_sum(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t sum = 0;
	size_t i = 0;
	while (i < n) {
		if (s[i] < 0x80) {
			sum += s[i++];
			continue;
		}
		uint32_t cp;
		next_unit(s, n, &i, &cp);
		sum += cp;
	}
	return sum;
}

size_t fg_strip_annotation(const char *s, size_t n)
{
	if (n >= 4 && s[n - 4] == '_' && s[n - 3] == '[' && s[n - 1] == ']' &&
	    (s[n - 2] == 'k' || s[n - 2] == 'w' || s[n - 2] == 'i' || s[n - 2] == 'j'))
		return n - 4;
	return n;
}
