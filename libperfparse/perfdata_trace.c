/* perfdata_trace.c - tracepoint samples decoded by field name.
 *
 * HEADER_TRACING_DATA (a feature section in file mode, a record with an
 * out-of-record payload in pipe mode) carries the format files of the
 * recorded tracepoints, as perf's trace-event-info.c writes them
 * (tools/perf/util/trace-event-info.c):
 *   "\x17\x08\x44tracing" version\0 u8 big_endian u8 long_size u32 page_size
 *   "header_page\0" u64 size data      (ring buffer layout: unused)
 *   "header_event\0" u64 size data     (unused)
 *   u32 n { u64 size data }[n]         -> tep_parse_event(.., "ftrace")
 *   u32 nsys { sys\0 u32 n { u64 size data }[n] }[nsys] -> tep_parse_event(.., sys)
 *   (kallsyms, printk formats, saved cmdlines: not needed here)
 * libtraceevent parses the formats; the field values are read here, with
 * every offset checked against the sample's RAW size (and without
 * tep_read_number, which loads through possibly misaligned pointers). */
#include <stdio.h>
#include <stdlib.h>
#include <traceevent/event-parse.h>

#include "perfdata_internal.h"

struct tcursor {
	const uint8_t *p;
	size_t n, pos;
};

static bool tget(struct tcursor *c, size_t n, const uint8_t **out)
{
	if (c->n - c->pos < n)
		return false;
	*out = c->p + c->pos;
	c->pos += n;
	return true;
}

static bool tget_u32(struct tcursor *c, uint32_t *v)
{
	const uint8_t *p;
	if (!tget(c, 4, &p))
		return false;
	*v = pd_u32(p);
	return true;
}

static bool tget_u64(struct tcursor *c, uint64_t *v)
{
	const uint8_t *p;
	if (!tget(c, 8, &p))
		return false;
	*v = pd_u64(p);
	return true;
}

static bool is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* A word before array brackets that are followed by the name: only the
 * kernel's dynamic arrays, "__data_loc TYPE[] name" and "__rel_loc TYPE[]
 * name", have that shape. libtraceevent 1.7.1 leaks the type string of any
 * other ("char[] name", "__data_llonghar[] name": 5 or 16 bytes, found by
 * fuzzing), so those never reach it. */
static bool dynamic_array_type(const char *p, size_t n, size_t words_before)
{
	return words_before >= 2 &&
	       (wp_has_prefix(p, n, "__data_loc ") || wp_has_prefix(p, n, "__rel_loc "));
}

/* A field declaration as the kernel prints it: words, '*', and array
 * brackets holding a word, ending with the field name (optionally an
 * array), or a dynamic array (dynamic_array_type). */
static bool valid_decl(const char *p, size_t n)
{
	size_t words = 0, words_before_brackets = 0;
	bool last_was_name = false, brackets = false;
	for (size_t i = 0; i < n;) {
		if (p[i] == ' ' || p[i] == '*') {
			last_was_name = false;
			i++;
		} else if (is_ident(p[i])) {
			while (i < n && is_ident(p[i]))
				i++;
			if (brackets && !dynamic_array_type(p, n, words_before_brackets))
				return false;
			words++;
			last_was_name = true;
		} else if (p[i] == '[') {
			if (!last_was_name)
				return false;
			if (!brackets)
				words_before_brackets = words;
			brackets = true;
			i++;
			while (i < n && is_ident(p[i]))
				i++;
			if (i == n || p[i] != ']')
				return false;
			i++;
		} else {
			return false;
		}
	}
	return words >= 2 && last_was_name;
}

static bool number(const char **p, const char *end, const char *key, unsigned long *v)
{
	if (!wp_has_prefix(*p, (size_t)(end - *p), key))
		return false;
	*p += strlen(key);
	const char *start = *p;
	*v = 0;
	while (*p < end && **p >= '0' && **p <= '9' && *p - start < 6)
		*v = *v * 10 + (unsigned long)(*(*p)++ - '0');
	if (*p == start || *p == end || **p != ';')
		return false;
	(*p)++;
	while (*p < end && **p == '\t')
		(*p)++;
	return true;
}

/* Rewrites a format file into the exact shape the kernel writes, or fails.
 * libtraceevent 1.7.1 crashes (NULL dereferences in its field and print
 * format parsers) and leaks on malformed formats that fuzzing finds in
 * minutes, so it only ever sees "name:", "ID:", "format:" and canonical
 * "field:" lines, and an empty print fmt: the fields are all we read. */
static int canonical_format(const uint8_t *p, size_t n, struct wp_buf *out)
{
	const char *s = (const char *)p, *end = s + n;
	bool have_name = false, have_id = false;
	wp_buf_reset(out);
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end;
		const char *t = s;
		while (t < le && (*t == '\t' || *t == ' '))
			t++;
		int rc = 0;
		if (wp_has_prefix(t, (size_t)(le - t), "name: ") && !have_name) {
			const char *w = t + 6;
			for (const char *c = w; c < le; c++)
				if (!is_ident(*c))
					return WP_E_FORMAT;
			if (w == le)
				return WP_E_FORMAT;
			have_name = true;
			rc = wp_buf_printf(out, "name: %.*s\n", (int)(le - w), w);
		} else if (wp_has_prefix(t, (size_t)(le - t), "ID: ") && !have_id) {
			char *e;
			unsigned long id = strtoul(t + 4, &e, 10);
			if (e != le || id > INT32_MAX)
				return WP_E_FORMAT;
			have_id = true;
			rc = wp_buf_printf(out, "ID: %lu\nformat:\n", id);
		} else if (wp_has_prefix(t, (size_t)(le - t), "field:")) {
			const char *decl = t + 6, *semi = memchr(decl, ';', (size_t)(le - decl));
			if (!semi || !valid_decl(decl, (size_t)(semi - decl)))
				return WP_E_FORMAT;
			const char *q = semi + 1;
			while (q < le && *q == '\t')
				q++;
			unsigned long off, size, sign = 0;
			if (!number(&q, le, "offset:", &off) || !number(&q, le, "size:", &size))
				return WP_E_FORMAT;
			if (q < le && !number(&q, le, "signed:", &sign))
				return WP_E_FORMAT;
			rc = wp_buf_printf(out, "\tfield:%.*s;\toffset:%lu;\tsize:%lu;\tsigned:%d;\n",
					   (int)(semi - decl), decl, off, size, sign ? 1 : 0);
		} else if (wp_has_prefix(t, (size_t)(le - t), "print fmt:")) {
			break;
		} else if (t != le && !(le - t == 7 && memcmp(t, "format:", 7) == 0)) {
			return WP_E_FORMAT;
		}
		if (rc)
			return rc;
		s = nl ? nl + 1 : end;
	}
	if (!have_name || !have_id)
		return WP_E_FORMAT;
	return wp_buf_puts(out, "\nprint fmt: \"\"\n");
}

/* One format file: u64 size; data. A malformed one only loses its event. */
static int parse_format(struct tep_handle *tep, struct tcursor *c, const char *sys,
			struct wp_buf *canon)
{
	uint64_t size;
	const uint8_t *p;
	if (!tget_u64(c, &size) || size > c->n - c->pos || !tget(c, (size_t)size, &p))
		return WP_E_TRUNCATED;
	int rc = canonical_format(p, (size_t)size, canon);
	if (rc == WP_E_NOMEM)
		return rc;
	if (rc == 0)
		tep_parse_event(tep, canon->data, (unsigned long)canon->len, sys);
	return 0;
}

/* A NUL-terminated tag at the cursor ("header_page\0"). */
static bool take_tag(struct tcursor *c, const char *tag)
{
	const uint8_t *q;
	size_t k = strlen(tag);
	return wp_has_prefix((const char *)c->p + c->pos, c->n - c->pos, tag) &&
	       tget(c, k + 1, &q) && q[k] == '\0';
}

/* magic, version\0, u8 big_endian, u8 long_size, u32 page_size */
static int read_preamble(struct tcursor *c, int *long_size, uint32_t *page_size)
{
	const uint8_t *q;
	if (!wp_has_prefix((const char *)c->p, c->n, "\x17\x08\x44tracing"))
		return WP_E_FORMAT;
	c->pos = 10;
	size_t vlen = strnlen((const char *)c->p + c->pos, c->n - c->pos);
	if (vlen == c->n - c->pos || vlen > 16)
		return WP_E_FORMAT;
	c->pos += vlen + 1;
	if (!tget(c, 2, &q))
		return WP_E_TRUNCATED;
	bool big = q[0];
	*long_size = q[1];
	if (!tget_u32(c, page_size))
		return WP_E_TRUNCATED;
	if (big)
		return WP_E_UNSUPPORTED;
	if (*long_size != 4 && *long_size != 8)
		return WP_E_FORMAT;
	return 0;
}

/* header_page describes the ring buffer pages (kbuffer), header_event the
 * event header: neither is needed for sample fields, and neither is worth
 * exposing another parser to input. */
static int skip_headers(struct tcursor *c)
{
	static const char *const tags[] = {"header_page", "header_event"};
	for (size_t i = 0; i < 2; i++) {
		uint64_t size;
		const uint8_t *q;
		if (!take_tag(c, tags[i]) || !tget_u64(c, &size) || size > c->n - c->pos ||
		    !tget(c, (size_t)size, &q))
			return WP_E_TRUNCATED;
	}
	return 0;
}

/* u32 n { u64 size data }[n], the formats of one system. */
static int parse_formats(struct tep_handle *tep, struct tcursor *c, const char *sys,
			 struct wp_buf *canon)
{
	uint32_t count;
	if (!tget_u32(c, &count))
		return WP_E_TRUNCATED;
	for (uint32_t i = 0; i < count; i++) {
		int rc = parse_format(tep, c, sys, canon);
		if (rc)
			return rc;
	}
	return 0;
}

/* u32 nsys { sys\0 formats }[nsys]; sys names reach libtraceevent too:
 * words only. */
static int parse_systems(struct tep_handle *tep, struct tcursor *c, struct wp_buf *canon)
{
	uint32_t nsys;
	if (!tget_u32(c, &nsys))
		return WP_E_TRUNCATED;
	for (uint32_t s = 0; s < nsys; s++) {
		size_t slen = strnlen((const char *)c->p + c->pos, c->n - c->pos);
		if (slen == c->n - c->pos)
			return WP_E_TRUNCATED;
		const char *sys = (const char *)c->p + c->pos;
		c->pos += slen + 1;
		bool word = slen > 0;
		for (size_t k = 0; k < slen; k++)
			word &= is_ident(sys[k]);
		if (!word)
			return WP_E_FORMAT;
		int rc = parse_formats(tep, c, sys, canon);
		if (rc)
			return rc;
	}
	return 0;
}

int pd_trace_parse(struct pp_data *d, const uint8_t *p, size_t n)
{
	if (d->tep)
		return 0; /* the first copy wins */
	struct tcursor c = {p, n, 0};
	int long_size;
	uint32_t page_size;
	int rc = read_preamble(&c, &long_size, &page_size);
	if (rc)
		return rc;
	struct tep_handle *tep = tep_alloc();
	if (!tep)
		return WP_E_NOMEM;
	struct wp_buf canon;
	wp_buf_init(&canon, 1u << 20);
	tep_set_file_bigendian(tep, TEP_LITTLE_ENDIAN);
	tep_set_local_bigendian(tep, TEP_LITTLE_ENDIAN);
	tep_set_long_size(tep, long_size);
	tep_set_page_size(tep, (int)page_size);
	rc = skip_headers(&c);
	if (!rc)
		rc = parse_formats(tep, &c, "ftrace", &canon);
	if (!rc)
		rc = parse_systems(tep, &c, &canon);
	wp_buf_release(&canon);
	/* On an error, keep what parsed: formats before the damage still decode. */
	if (rc == 0 || (rc != WP_E_NOMEM && tep_get_events_count(tep) > 0)) {
		d->tep = tep;
		d->info.has_tracing_data = true;
		return rc;
	}
	tep_free(tep);
	return rc;
}

void pd_trace_free(struct pp_data *d)
{
	if (d->tep)
		tep_free(d->tep);
	d->tep = NULL;
}

static struct tep_event *event_of(struct pp_data *d, size_t attr)
{
	if (attr >= d->nattrs || !d->tep)
		return NULL;
	struct pd_attr *a = d->attrs[attr];
	if (a->ev.type != 2) /* PERF_TYPE_TRACEPOINT */
		return NULL;
	if (!a->tep_looked_up) {
		a->tep_event = a->ev.config <= INT32_MAX ? tep_find_event(d->tep, (int)a->ev.config)
							 : NULL;
		a->tep_looked_up = true;
	}
	return a->tep_event;
}

const char *pd_trace_event_name(struct pp_data *d, size_t attr)
{
	struct tep_event *ev = event_of(d, attr);
	if (!ev || !ev->system || !ev->name)
		return NULL;
	snprintf(d->namebuf, sizeof d->namebuf, "%s:%s", ev->system, ev->name);
	return d->namebuf;
}

static int find(struct pp_data *d, const struct pp_sample *s, const char *name,
		struct tep_format_field **f)
{
	struct tep_event *ev = event_of(d, s->event);
	if (!ev || !s->raw)
		return WP_E_NOTFOUND;
	*f = tep_find_any_field(ev, name);
	if (!*f)
		return WP_E_NOTFOUND;
	if ((*f)->offset < 0 || (*f)->size < 0 || (uint64_t)(*f)->offset + (uint64_t)(*f)->size > s->raw_size)
		return WP_E_FORMAT;
	return 0;
}

int pp_sample_field_u64(struct pp_data *d, const struct pp_sample *s, const char *field,
			uint64_t *value)
{
	struct tep_format_field *f;
	int rc = find(d, s, field, &f);
	if (rc)
		return rc;
	const uint8_t *p = (const uint8_t *)s->raw + f->offset;
	bool sign = f->flags & TEP_FIELD_IS_SIGNED;
	switch (f->size) {
	case 1:
		*value = sign ? (uint64_t)(int64_t)(int8_t)p[0] : p[0];
		return 0;
	case 2:
		*value = sign ? (uint64_t)(int64_t)(int16_t)pd_u16(p) : pd_u16(p);
		return 0;
	case 4:
		*value = sign ? (uint64_t)(int64_t)(int32_t)pd_u32(p) : pd_u32(p);
		return 0;
	case 8:
		*value = pd_u64(p);
		return 0;
	default:
		return WP_E_NOTFOUND; /* not a number (an array) */
	}
}

int pp_sample_field_str(struct pp_data *d, const struct pp_sample *s, const char *field,
			struct pp_str *value)
{
	struct tep_format_field *f;
	int rc = find(d, s, field, &f);
	if (rc)
		return rc;
	const char *raw = s->raw;
	uint64_t off = (uint64_t)f->offset, len = (uint64_t)f->size;
	if (f->flags & TEP_FIELD_IS_DYNAMIC) {
		/* __data_loc: u32 (len << 16 | offset); __rel_loc: offset from the field's end */
		if (f->size != 4)
			return WP_E_FORMAT;
		uint32_t loc = pd_u32(raw + f->offset);
		off = loc & 0xffff;
		len = loc >> 16;
		if (f->flags & TEP_FIELD_IS_RELATIVE)
			off += (uint64_t)f->offset + 4;
		if (off > s->raw_size || len > s->raw_size - off)
			return WP_E_FORMAT;
	}
	value->p = raw + off;
	value->n = strnlen(raw + off, (size_t)len);
	return 0;
}

const char *pp_sample_event_name(const struct pp_data *d, const struct pp_sample *s)
{
	if (!s || s->event == PP_NO_EVENT || s->event >= d->nattrs)
		return "[unknown]";
	return pd_attr_name((struct pp_data *)d, s->event);
}
