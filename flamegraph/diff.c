/* diff.c - two folded profiles -> "stack before after" lines, as
 * difffolded.pl, with 64-bit counts and bytewise-sorted output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flamegraph.h"

struct fg_diff {
	bool strip_hex;
	struct wp_intern *stacks;
	uint64_t *counts; /* 2 per stack id */
	size_t cap;
	uint64_t total[2];
	struct fg_diff_stats stats;
	struct wp_buf tmp;
	char err[128];
};

struct fg_diff *fg_diff_new(bool strip_hex)
{
	struct fg_diff *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->strip_hex = strip_hex;
	d->stacks = wp_intern_new();
	wp_buf_init(&d->tmp, WP_BUF_UNLIMITED);
	if (!d->stacks) {
		free(d);
		return NULL;
	}
	return d;
}

void fg_diff_free(struct fg_diff *d)
{
	if (!d)
		return;
	wp_intern_free(d->stacks);
	free(d->counts);
	wp_buf_release(&d->tmp);
	free(d);
}

const struct fg_diff_stats *fg_diff_stats(const struct fg_diff *d) { return &d->stats; }

const char *fg_diff_errmsg(const struct fg_diff *d)
{
	return !d ? "out of memory" : d->err[0] ? d->err : "no error";
}

static int strip_hex(const char *s, size_t n, struct wp_buf *out)
{
	wp_buf_reset(out);
	for (size_t i = 0; i < n;) {
		if (s[i] == '0' && i + 2 < n && s[i + 1] == 'x' && wp_is_hex(s[i + 2])) {
			int rc = wp_buf_append(out, "0x...", 5);
			if (rc)
				return rc;
			i += 2;
			while (i < n && wp_is_hex(s[i]))
				i++;
			continue;
		}
		int rc = wp_buf_putc(out, s[i++]);
		if (rc)
			return rc;
	}
	return 0;
}

/* Whether a count has a non-zero fraction ("12.5"; "12.0" has none). */
static bool fractional(const char *s, size_t n)
{
	const char *dot = memchr(s, '.', n);
	for (size_t i = dot ? (size_t)(dot - s) + 1 : n; i < n; i++)
		if (s[i] != '0')
			return true;
	return false;
}

int fg_diff_add_line(struct fg_diff *d, int side, const char *line, size_t len)
{
	struct fg_folded_line fl;
	int rc = fg_folded_parse_line(line, len, &fl);
	if (rc == WP_E_NOTFOUND)
		return 0;
	if ((rc && rc != WP_E_TOOBIG) || fl.has_count2) {
		d->stats.bad_lines++;
		return 0;
	}
	if (rc == WP_E_TOOBIG) {
		fg_folded_count_error(&fl, d->err, sizeof d->err);
		return rc;
	}
	/* A stack's sum is at most its side's total: checking the total
	 * covers both (and keeps -n's scaling exact). */
	uint64_t *total = &d->total[side ? 1 : 0];
	if (*total + fl.count < *total) {
		snprintf(d->err, sizeof d->err, "counts add up to more than 64 bits");
		return WP_E_TOOBIG;
	}
	const char *stack = fl.stack;
	size_t n = fl.stack_len;
	if (d->strip_hex) {
		rc = strip_hex(stack, n, &d->tmp);
		if (rc)
			return rc;
		stack = d->tmp.data;
		n = d->tmp.len;
	}
	uint32_t id;
	rc = wp_intern_get(d->stacks, stack, n, &id);
	if (rc)
		return rc;
	size_t old_cap = d->cap;
	if (wp_grow((void **)&d->counts, &d->cap, (size_t)id * 2 + 2, sizeof *d->counts))
		return WP_E_NOMEM;
	memset(d->counts + old_cap, 0, (d->cap - old_cap) * sizeof *d->counts);
	if (fractional(fl.count_text, fl.count_len))
		d->stats.fractional++;
	d->counts[(size_t)id * 2 + (side ? 1 : 0)] += fl.count;
	*total += fl.count;
	return 0;
}

static int compare_strings(const void *a, const void *b, void *arg)
{
	const struct wp_intern *t = arg;
	size_t la, lb;
	const char *sa = wp_intern_str(t, *(const uint32_t *)a, &la);
	const char *sb = wp_intern_str(t, *(const uint32_t *)b, &lb);
	int c = memcmp(sa, sb, la < lb ? la : lb);
	return c ? c : (la > lb) - (la < lb);
}

int fg_diff_write(struct fg_diff *d, FILE *out, bool normalize)
{
	uint32_t n = wp_intern_count(d->stacks);
	uint32_t *order = malloc((n ? n : 1) * sizeof *order);
	if (!order)
		return WP_E_NOMEM;
	for (uint32_t i = 0; i < n; i++)
		order[i] = i;
	qsort_r(order, n, sizeof *order, compare_strings, d->stacks);
	int rc = 0;
	for (uint32_t i = 0; i < n && !rc; i++) {
		size_t len;
		const char *s = wp_intern_str(d->stacks, order[i], &len);
		uint64_t c1 = d->counts[(size_t)order[i] * 2], c2 = d->counts[(size_t)order[i] * 2 + 1];
		if (normalize && d->total[0] && d->total[0] != d->total[1])
			c1 = (uint64_t)((unsigned __int128)c1 * d->total[1] / d->total[0]);
		if (fwrite(s, 1, len, out) != len ||
		    fprintf(out, " %llu %llu\n", (unsigned long long)c1, (unsigned long long)c2) < 0)
			rc = WP_E_IO;
	}
	free(order);
	return rc;
}
