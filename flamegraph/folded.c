/* folded.c - the folded text format: "frame;frame;...;leaf COUNT[ COUNT2]"
 * (flamegraph.pl's header comment; wasmperf-folded(5)). */
#include <stdlib.h>
#include <string.h>

#include "flamegraph.h"

/* Output leaves in pieces this large: a buffer that grew to megabytes cost
 * a page fault per 4 KiB (fresh pages are dear on a VM; 11 MB of esbuild's
 * stacks took 390 of them), one this small is reused from cache. */
#define OUT_CHUNK (64u << 10)

static int flush(FILE *out, struct wp_buf *b)
{
	if (b->len && fwrite(b->data, 1, b->len, out) != b->len)
		return WP_E_IO;
	wp_buf_reset(b);
	return 0;
}

static int put_u64(struct wp_buf *b, uint64_t v)
{
	char tmp[24];
	size_t n;
	const char *s = wp_u64_text(v, tmp, &n);
	return wp_buf_append(b, s, n);
}

/* Sorted neighbours share most of their frames (call stacks branch near
 * their leaves): a line keeps the bytes of the frames it shares with the
 * one before and appends only the rest. ends[k] is where frame k ended in
 * the line before. */
struct line_builder {
	struct wp_buf b;
	const uint32_t *ids;
	size_t n;
	size_t *ends, ends_cap;
};

static int build_line(struct line_builder *lb, const struct wp_intern *names, const uint32_t *ids,
		      size_t nids)
{
	size_t k = 0;
	while (k < nids && k < lb->n && ids[k] == lb->ids[k])
		k++;
	if (wp_grow((void **)&lb->ends, &lb->ends_cap, nids ? nids : 1, sizeof *lb->ends))
		return WP_E_NOMEM;
	wp_buf_truncate(&lb->b, k ? lb->ends[k - 1] : 0);
	lb->ids = ids;
	lb->n = nids;
	for (int rc; k < nids; k++) {
		size_t len;
		const char *s = wp_intern_str(names, ids[k], &len);
		if ((k && (rc = wp_buf_putc(&lb->b, ';'))) || (rc = wp_buf_append(&lb->b, s, len))) {
			lb->n = 0; /* the line is not whole: the next starts afresh */
			return rc;
		}
		lb->ends[k] = lb->b.len;
	}
	return 0;
}

int fg_folded_foreach(const struct wp_intern *names, const struct wp_stacks *st,
		      struct fg_filter *filter, fg_folded_line_fn fn, void *ctx)
{
	size_t *order;
	int rc = wp_stacks_sorted(st, names, &order);
	if (rc)
		return rc;
	struct line_builder lb = {0};
	wp_buf_init(&lb.b, WP_BUF_UNLIMITED);
	size_t n = wp_stacks_count(st);
	for (size_t i = 0; i < n && !rc; i++) {
		const uint32_t *ids;
		size_t nids;
		uint64_t count;
		wp_stacks_get(st, order[i], &ids, &nids, &count, NULL);
		rc = build_line(&lb, names, ids, nids);
		if (rc)
			break;
		if (!fg_filter_empty(filter) && !fg_filter_keep(filter, lb.b.data, lb.b.len))
			continue;
		rc = fn(ctx, lb.b.data, lb.b.len, count);
	}
	wp_buf_release(&lb.b);
	free(lb.ends);
	free(order);
	return rc;
}

struct writer {
	FILE *out;
	struct wp_buf b;
};

int fg_folded_append_line(struct wp_buf *b, const char *stack, size_t len, uint64_t count)
{
	int rc = wp_buf_append(b, stack, len);
	rc = rc ? rc : wp_buf_putc(b, ' ');
	rc = rc ? rc : put_u64(b, count);
	return rc ? rc : wp_buf_putc(b, '\n');
}

static int write_line(void *ctx, const char *stack, size_t len, uint64_t count)
{
	struct writer *w = ctx;
	int rc = fg_folded_append_line(&w->b, stack, len, count);
	if (!rc && w->b.len >= OUT_CHUNK)
		rc = flush(w->out, &w->b);
	return rc;
}

int fg_folded_write(FILE *out, const struct wp_intern *names, const struct wp_stacks *st,
		    struct fg_filter *filter)
{
	struct writer w = {out, {0}};
	wp_buf_init(&w.b, WP_BUF_UNLIMITED);
	int rc = fg_folded_foreach(names, st, filter, write_line, &w);
	if (!rc)
		rc = flush(out, &w.b);
	wp_buf_release(&w.b);
	return rc;
}

static bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* A count: digits with an optional fraction ("12", "12.5", "12."). */
static bool is_count(const char *s, size_t n)
{
	size_t i = 0, digits = 0;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++, digits++;
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++, digits++;
	}
	return digits > 0 && i == n;
}

/* Parses a count validated by is_count; the text is not NUL-terminated. */
static double count_value(const char *s, size_t n)
{
	double v = 0, scale = 1;
	bool fraction = false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			fraction = true;
			continue;
		}
		if (fraction) {
			scale /= 10;
			v += (s[i] - '0') * scale;
		} else {
			v = v * 10 + (s[i] - '0');
		}
	}
	return v;
}

/* The integer part of a count validated by is_count, and its fraction in
 * billionths (the first 9 decimals; a flame graph's sums are exact to
 * them); false when the integer part does not fit in 64 bits. */
static bool count_integer(const char *s, size_t n, uint64_t *out, uint32_t *nano)
{
	uint64_t v = 0;
	size_t i = 0;
	for (; i < n && s[i] != '.'; i++) {
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	uint32_t f = 0, scale = 100000000;
	for (i++; i < n && scale; i++, scale /= 10)
		f += (uint32_t)(s[i] - '0') * scale;
	*out = v;
	*nano = f;
	return true;
}

/* Splits off the last whitespace-separated word of s[0..*n). */
static bool last_word(const char *s, size_t *n, const char **word, size_t *wlen)
{
	size_t end = *n;
	while (end && is_ws(s[end - 1]))
		end--;
	size_t start = end;
	while (start && !is_ws(s[start - 1]))
		start--;
	if (start == end || start == 0)
		return false;
	*word = s + start;
	*wlen = end - start;
	size_t rest = start;
	while (rest && is_ws(s[rest - 1]))
		rest--;
	*n = rest;
	return true;
}

/* Whether s[0..n) ends in a word that is a count, preceded by blanks and
 * more text: the scan stops at the first byte no count holds, so a stack
 * of frames without blanks is not walked to its start. */
static bool ends_in_count_word(const char *s, size_t n)
{
	size_t start = n;
	while (start && ((s[start - 1] >= '0' && s[start - 1] <= '9') || s[start - 1] == '.'))
		start--;
	return start < n && start > 0 && is_ws(s[start - 1]);
}

int fg_folded_parse_line(const char *line, size_t len, struct fg_folded_line *out)
{
	while (len && (is_ws(line[len - 1]) || line[len - 1] == '\n'))
		len--;
	if (len == 0 || (len >= 2 && line[0] == '#' && line[1] == ' ') || (len == 1 && line[0] == '#'))
		return WP_E_NOTFOUND;
	size_t n = len;
	const char *w1, *w2;
	size_t l1, l2;
	if (!last_word(line, &n, &w1, &l1) || !is_count(w1, l1))
		return WP_E_FORMAT;
	memset(out, 0, sizeof *out);
	size_t before = n;
	if (ends_in_count_word(line, n) && last_word(line, &n, &w2, &l2) && is_count(w2, l2) && n > 0) {
		out->has_count2 = true;
		out->count_text = w2;
		out->count_len = l2;
		out->count2_text = w1;
		out->count2_len = l1;
	} else {
		n = before;
		out->count_text = w1;
		out->count_len = l1;
	}
	if (n == 0)
		return WP_E_FORMAT;
	out->stack = line;
	out->stack_len = n;
	out->value = count_value(out->count_text, out->count_len);
	out->value2 = out->has_count2 ? count_value(out->count2_text, out->count2_len) : 0;
	if (!count_integer(out->count_text, out->count_len, &out->count, &out->count_nano)) {
		out->bad_text = out->count_text;
		out->bad_len = out->count_len;
		return WP_E_TOOBIG;
	}
	if (out->has_count2 && !count_integer(out->count2_text, out->count2_len, &out->count2,
						    &out->count2_nano)) {
		out->bad_text = out->count2_text;
		out->bad_len = out->count2_len;
		return WP_E_TOOBIG;
	}
	return 0;
}

void fg_folded_count_error(const struct fg_folded_line *fl, char *buf, size_t size)
{
	int n = fl->bad_len > 40 ? 37 : (int)fl->bad_len;
	snprintf(buf, size, "count %.*s%s does not fit in 64 bits", n, fl->bad_text ? fl->bad_text : "",
		 fl->bad_len > 40 ? "..." : "");
}
