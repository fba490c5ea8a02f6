/* stacks_order.c - the output order of a stack table.
 * Stacks print sorted as their joined strings "f0;f1;..." compare bytewise
 * (stackcollapse-perf.pl sorts the lines). With no ';' inside a name, that
 * order is the order of token sequences, a token being a name followed by
 * ';' (more frames) or by the end of the string (the last frame): tokens
 * are ranked once (the same sort, on their bytes), then the stacks are
 * sorted as strings of token ranks by a radix quicksort on packed keys,
 * which reads the long prefixes sibling stacks share once per few levels
 * instead of once per comparison. A name holding ';' (the folded
 * format forbids it, but a table may be fed anything) takes the byte-wise
 * comparison sort instead. */
#include <stdlib.h>
#include <string.h>

#include "wpcommon.h"

/* Orders two names followed by follow_a / follow_b (';', or -1 for the
 * end of the string): after a shared prefix, the shorter name continues
 * with what follows it. */
static int compare_frames(const struct wp_intern *names, uint32_t a, int follow_a, uint32_t b,
			  int follow_b)
{
	size_t la, lb;
	const unsigned char *sa = (const unsigned char *)wp_intern_str(names, a, &la);
	const unsigned char *sb = (const unsigned char *)wp_intern_str(names, b, &lb);
	size_t m = la < lb ? la : lb;
	int c = memcmp(sa, sb, m);
	if (c)
		return c;
	int next_a = la > m ? sa[m] : follow_a;
	int next_b = lb > m ? sb[m] : follow_b;
	return next_a < next_b ? -1 : next_a > next_b;
}

struct bytes_ctx {
	const struct wp_stacks *st;
	const struct wp_intern *names;
};

/* The joined strings compared bytewise without building them. */
static int compare_joined(const void *pa, const void *pb, void *arg)
{
	const struct bytes_ctx *ctx = arg;
	const uint32_t *ia, *ib;
	size_t na, nb;
	wp_stacks_get(ctx->st, *(const size_t *)pa, &ia, &na, NULL, NULL);
	wp_stacks_get(ctx->st, *(const size_t *)pb, &ib, &nb, NULL, NULL);
	for (size_t k = 0;; k++) {
		if (k == na || k == nb) {
			if (k == na && k == nb)
				return 0;
			return k == na ? -1 : 1; /* a prefix sorts first */
		}
		if (ia[k] == ib[k])
			continue;
		int c = compare_frames(ctx->names, ia[k], k + 1 < na ? ';' : -1, ib[k],
				       k + 1 < nb ? ';' : -1);
		if (c)
			return c; /* equal bytes under two ids cannot be (interned) */
	}
}

/* ---- multikey (radix) quicksort on packed keys ----
 * Items are strings of small integers, 0 past their end; two items never
 * have the same string. `per` integers of `bits` bits pack into one 64-bit
 * key, the first highest: keys compare as the strings they hold. Each item
 * carries its key at the depth its part has reached, so a three-way split
 * on the key reads the items in order; the middle part goes `per` deeper
 * and packs its keys again, which reads an item's string once per `per`
 * integers (on a big stack table each such read is a cache miss, the cost
 * that ruled this sort). Pivots are drawn by a fixed xorshift, so no input
 * can choose bad ones on purpose, and the order does not depend on them. */
struct keyed {
	uint64_t key;
	const void *s; /* the string: a name's bytes, or a stack's frame ids */
	uint32_t n;    /* its length */
	uint32_t item; /* the token, or the stack's index */
};

/* rank NULL: tokens, a name followed by ';' (more frames) or by the end:
 * token 2 * id + then (then = 1: ';' follows), as the integers of its
 * name's bytes (+ 2), then ';' + 2 or 1 for the end, which sorts before
 * any byte. Else stacks: the ranks of their tokens. */
struct packing {
	const uint32_t *rank;
	unsigned bits, per;
};

static uint32_t token_at(const struct keyed *x, uint64_t d)
{
	if (d < x->n)
		return (uint32_t)((const unsigned char *)x->s)[d] + 2;
	if (d == x->n)
		return x->item & 1 ? ';' + 2 : 1;
	return 0;
}

static uint32_t rank_at(const struct packing *p, const struct keyed *x, uint64_t d)
{
	const uint32_t *ids = x->s;
	return d < x->n ? p->rank[2 * (size_t)ids[d] + (d + 1 < x->n)] : 0;
}

static uint64_t packed_key(const struct packing *p, const struct keyed *x, uint64_t d)
{
	uint64_t key = 0;
	for (unsigned j = 0; j < p->per; j++, d++)
		key = key << p->bits | (p->rank ? rank_at(p, x, d) : token_at(x, d));
	return key;
}

/* The keys of a part gone `d` deep. Stacks' ids are scattered over the
 * table, so they are asked for some items ahead: the misses overlap. */
static void refresh_keys(const struct packing *p, struct keyed *a, size_t n, uint64_t d)
{
	enum { AHEAD = 8 };
	size_t unit = p->rank ? sizeof(uint32_t) : 1;
	for (size_t k = 0; k < n; k++) {
		if (k + AHEAD < n && d < a[k + AHEAD].n)
			__builtin_prefetch((const char *)a[k + AHEAD].s + d * unit);
		a[k].key = packed_key(p, &a[k], d);
	}
}

/* Whether a key holds its string's end: then no other item shares it. */
static bool key_ends(const struct packing *p, uint64_t key)
{
	return (key & ((UINT64_C(1) << p->bits) - 1)) == 0;
}

static int compare_keyed(const struct packing *p, const struct keyed *a, const struct keyed *b,
			 uint64_t d)
{
	uint64_t ka = a->key, kb = b->key;
	while (ka == kb && !key_ends(p, ka)) {
		d += p->per;
		ka = packed_key(p, a, d);
		kb = packed_key(p, b, d);
	}
	return ka < kb ? -1 : ka > kb;
}

static void insertion_sort(const struct packing *p, struct keyed *a, size_t n, uint64_t d)
{
	for (size_t i = 1; i < n; i++) {
		struct keyed x = a[i];
		size_t j = i;
		for (; j > 0 && compare_keyed(p, &a[j - 1], &x, d) > 0; j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
}

struct part {
	size_t lo, n;
	uint64_t depth;
};

static int push_part(struct part **todo, size_t *len, size_t *cap, size_t lo, size_t n,
		     uint64_t depth)
{
	if (n < 2)
		return 0;
	if (wp_grow((void **)todo, cap, *len + 1, sizeof **todo))
		return WP_E_NOMEM;
	(*todo)[(*len)++] = (struct part){lo, n, depth};
	return 0;
}

/* Sorts a[0, count), whose keys are packed at depth 0. */
static int keyed_quicksort(const struct packing *p, struct keyed *a, size_t count)
{
	struct part *todo = NULL;
	size_t len = 0, cap = 0;
	uint64_t seed = 0x9e3779b97f4a7c15u;
	int rc = push_part(&todo, &len, &cap, 0, count, 0);
	while (rc == 0 && len) {
		struct part q = todo[--len];
		while (q.n > 1 && rc == 0) {
			if (q.n <= 12) {
				insertion_sort(p, a + q.lo, q.n, q.depth);
				break;
			}
			seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
			uint64_t pivot = a[q.lo + seed % q.n].key;
			size_t lt = q.lo, i = q.lo, gt = q.lo + q.n;
			while (i < gt) {
				struct keyed x = a[i];
				if (x.key < pivot) {
					a[i++] = a[lt];
					a[lt++] = x;
				} else if (x.key > pivot) {
					a[i] = a[--gt];
					a[gt] = x;
				} else {
					i++;
				}
			}
			rc = push_part(&todo, &len, &cap, q.lo, lt - q.lo, q.depth);
			if (rc == 0)
				rc = push_part(&todo, &len, &cap, gt, q.lo + q.n - gt, q.depth);
			if (key_ends(p, pivot))
				break; /* equal strings: cannot be */
			q = (struct part){lt, gt - lt, q.depth + p->per};
			refresh_keys(p, a + q.lo, q.n, q.depth);
		}
	}
	free(todo);
	return rc;
}

/* Items for keyed_quicksort: a block for `count` of them (an error past
 * 2^32, which their numbers do not hold), filled by the caller. */
static struct keyed *new_items(size_t count)
{
	return count > UINT32_MAX ? NULL : wp_alloc_dense((count ? count : 1) * sizeof(struct keyed));
}

/* ---- tokens ---- */

/* rank[token]: its place among all tokens (from 1; 0 is kept for past the
 * end of a stack). NULL when a name holds a ';' or without memory. */
static uint32_t *rank_tokens(const struct wp_intern *names)
{
	size_t nnames = wp_intern_count(names), n = nnames * 2;
	struct keyed *tokens = n < UINT32_MAX ? new_items(n) : NULL;
	uint32_t *rank = malloc((n ? n : 1) * sizeof *rank);
	bool usable = tokens && rank;
	/* bytes + 2 and the two ends: 9 bits, 7 to a key */
	struct packing p = {NULL, 9, 7};
	for (size_t id = 0; usable && id < nnames; id++) {
		size_t len;
		const char *s = wp_intern_str(names, (uint32_t)id, &len);
		usable = len < UINT32_MAX && memchr(s, ';', len) == NULL;
		for (uint32_t then = 0; then < 2; then++) {
			struct keyed *t = &tokens[2 * id + then];
			*t = (struct keyed){0, s, (uint32_t)len, (uint32_t)(2 * id + then)};
			t->key = packed_key(&p, t, 0);
		}
	}
	if (usable && keyed_quicksort(&p, tokens, n) == 0) {
		for (size_t r = 0; r < n; r++)
			rank[tokens[r].item] = (uint32_t)r + 1;
	} else {
		free(rank);
		rank = NULL;
	}
	free(tokens);
	return rank;
}

/* ---- stacks: the ranks of their tokens ---- */

static unsigned width(size_t v)
{
	unsigned bits = 1;
	while (bits < 32 && v >> bits)
		bits++;
	return bits;
}

/* The stacks in order by their ranked tokens; an error (the caller sorts
 * another way) without memory or past 2^32 stacks. */
static int sort_ranked(const struct wp_stacks *st, const uint32_t *rank, size_t ntokens,
		       size_t *order)
{
	size_t count = wp_stacks_count(st);
	struct keyed *a = new_items(count);
	if (!a)
		return WP_E_NOMEM;
	struct packing p = {rank, width(ntokens), 0};
	p.per = 64 / p.bits;
	for (size_t i = 0; i < count; i++) {
		const uint32_t *ids;
		size_t n;
		wp_stacks_get(st, i, &ids, &n, NULL, NULL);
		a[i] = (struct keyed){0, ids, (uint32_t)n, (uint32_t)i}; /* (no longer stack is held) */
		a[i].key = packed_key(&p, &a[i], 0);
	}
	int rc = keyed_quicksort(&p, a, count);
	for (size_t i = 0; rc == 0 && i < count; i++)
		order[i] = a[i].item;
	free(a);
	return rc;
}

int wp_stacks_sorted(const struct wp_stacks *st, const struct wp_intern *names, size_t **order)
{
	size_t count = wp_stacks_count(st);
	size_t *idx = malloc((count ? count : 1) * sizeof *idx);
	if (!idx)
		return WP_E_NOMEM;
	for (size_t i = 0; i < count; i++)
		idx[i] = i;
	uint32_t *rank = count > 1 ? rank_tokens(names) : NULL;
	if (count > 1 && (!rank || sort_ranked(st, rank, 2 * (size_t)wp_intern_count(names), idx))) {
		struct bytes_ctx ctx = {st, names};
		qsort_r(idx, count, sizeof *idx, compare_joined, &ctx);
	}
	free(rank);
	*order = idx;
	return 0;
}
