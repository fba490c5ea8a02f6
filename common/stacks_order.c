/* stacks_order.c - the output order of a stack table.
 * Stacks print sorted as their joined strings "f0;f1;..." compare bytewise
 * (stackcollapse-perf.pl sorts the lines). With no ';' inside a name, that
 * order is the order of token sequences, a token being a name followed by
 * ';' (more frames) or by the end of the string (the last frame): tokens
 * are ranked once, then the stacks are sorted as integer strings by radix
 * quicksort, which reads the long prefixes sibling stacks share once per
 * level instead of once per comparison. A name holding ';' (the folded
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

/* ---- multikey (radix) quicksort of items 0..n-1 by integer strings ----
 * key(ctx, item, d) is item's d-th integer, 0 past its end; two items
 * never have the same string. A three-way split on the integer at one
 * depth; the middle part goes one deeper. Pivots are drawn by a fixed
 * xorshift, so no input can choose bad ones on purpose, and the order
 * does not depend on them. */
typedef uint32_t (*radix_key_fn)(const void *ctx, size_t item, uint32_t d);

struct part {
	size_t lo, n;
	uint32_t depth;
};

static int compare_from(radix_key_fn key, const void *ctx, size_t a, size_t b, uint32_t d)
{
	for (;; d++) {
		uint32_t ka = key(ctx, a, d), kb = key(ctx, b, d);
		if (ka != kb || ka == 0)
			return ka < kb ? -1 : ka > kb;
	}
}

static void insertion_sort(radix_key_fn key, const void *ctx, size_t *a, size_t n, uint32_t d)
{
	for (size_t i = 1; i < n; i++) {
		size_t x = a[i], j = i;
		for (; j > 0 && compare_from(key, ctx, a[j - 1], x, d) > 0; j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
}

static int push_part(struct part **todo, size_t *len, size_t *cap, size_t lo, size_t n,
		     uint32_t depth)
{
	if (n < 2)
		return 0;
	if (wp_grow((void **)todo, cap, *len + 1, sizeof **todo))
		return WP_E_NOMEM;
	(*todo)[(*len)++] = (struct part){lo, n, depth};
	return 0;
}

static int radix_quicksort(radix_key_fn key, const void *ctx, size_t *a, size_t count)
{
	struct part *todo = NULL;
	size_t len = 0, cap = 0;
	uint64_t seed = 0x9e3779b97f4a7c15u;
	int rc = push_part(&todo, &len, &cap, 0, count, 0);
	while (rc == 0 && len) {
		struct part p = todo[--len];
		while (p.n > 1 && rc == 0) {
			if (p.n <= 12) {
				insertion_sort(key, ctx, a + p.lo, p.n, p.depth);
				break;
			}
			seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
			uint32_t pivot = key(ctx, a[p.lo + seed % p.n], p.depth);
			size_t lt = p.lo, i = p.lo, gt = p.lo + p.n;
			while (i < gt) {
				size_t x = a[i];
				uint32_t k = key(ctx, x, p.depth);
				if (k < pivot) {
					a[i++] = a[lt];
					a[lt++] = x;
				} else if (k > pivot) {
					a[i] = a[--gt];
					a[gt] = x;
				} else {
					i++;
				}
			}
			rc = push_part(&todo, &len, &cap, p.lo, lt - p.lo, p.depth);
			if (rc == 0)
				rc = push_part(&todo, &len, &cap, gt, p.lo + p.n - gt, p.depth);
			if (pivot == 0)
				break; /* all ended here: equal strings (cannot be) */
			p = (struct part){lt, gt - lt, p.depth + 1};
		}
	}
	free(todo);
	return rc;
}

/* ---- tokens: a name followed by ';' (more frames) or by the end ----
 * Token 2 * id + then (then = 1: ';' follows). Its integer string: the
 * name's bytes (+ 2), then ';' + 2 or 1 for the end, which sorts before
 * any byte. */
struct token_names {
	const unsigned char **s;
	size_t *len;
};

static uint32_t token_key(const void *ctx, size_t t, uint32_t d)
{
	const struct token_names *tn = ctx;
	size_t id = t >> 1, len = tn->len[id];
	if (d < len)
		return (uint32_t)tn->s[id][d] + 2;
	if (d == len)
		return t & 1 ? ';' + 2 : 1;
	return 0;
}

/* rank[token]: its place among all tokens (from 1; 0 is kept for past the
 * end of a stack). NULL when a name holds a ';' or without memory. */
static uint32_t *rank_tokens(const struct wp_intern *names)
{
	size_t nnames = wp_intern_count(names), n = nnames * 2;
	if (n >= UINT32_MAX)
		return NULL;
	struct token_names tn = {malloc((nnames ? nnames : 1) * sizeof *tn.s),
				 malloc((nnames ? nnames : 1) * sizeof *tn.len)};
	size_t *tokens = malloc((n ? n : 1) * sizeof *tokens);
	uint32_t *rank = malloc((n ? n : 1) * sizeof *rank);
	bool usable = tn.s && tn.len && tokens && rank;
	for (size_t id = 0; usable && id < nnames; id++) {
		tn.s[id] = (const unsigned char *)wp_intern_str(names, (uint32_t)id, &tn.len[id]);
		usable = memchr(tn.s[id], ';', tn.len[id]) == NULL;
		tokens[2 * id] = 2 * id;
		tokens[2 * id + 1] = 2 * id + 1;
	}
	if (usable && radix_quicksort(token_key, &tn, tokens, n) == 0) {
		for (size_t r = 0; r < n; r++)
			rank[tokens[r]] = (uint32_t)r + 1;
	} else {
		free(rank);
		rank = NULL;
	}
	free(tokens);
	free(tn.s);
	free(tn.len);
	return rank;
}

/* ---- stacks: the ranks of their tokens, several to a key ----
 * A rank needs `bits` bits (the width of the token count), so `per` =
 * 64 / bits ranks in a row pack into one 64-bit key, the first highest
 * and 0 past a stack's end: keys compare as the rank strings they hold.
 * Each item carries its key at the depth its part has reached. A split
 * then reads the items in order, and a stack's ids (a cache miss each on
 * a big table, the cost that ruled this sort) are read once per `per`
 * depths, when its part goes deeper. */
struct keyed {
	uint64_t key;
	const uint32_t *ids; /* the stack's, with n: no trip to its entry */
	uint32_t n;
	uint32_t stack;
};

struct packing {
	const uint32_t *rank;
	unsigned bits, per;
};

static uint64_t packed_key(const struct packing *p, const struct keyed *x, uint64_t d)
{
	uint64_t key = 0;
	for (unsigned j = 0; j < p->per; j++, d++) {
		uint32_t r = d < x->n ? p->rank[2 * (size_t)x->ids[d] + (d + 1 < x->n)] : 0;
		key = key << p->bits | r;
	}
	return key;
}

/* The keys of a part gone `d` deep. The ids are scattered over the table,
 * so they are asked for some items ahead: the misses overlap. */
static void refresh_keys(const struct packing *p, struct keyed *a, size_t n, uint64_t d)
{
	enum { AHEAD = 8 };
	for (size_t k = 0; k < n; k++) {
		if (k + AHEAD < n && d < a[k + AHEAD].n)
			__builtin_prefetch(a[k + AHEAD].ids + d);
		a[k].key = packed_key(p, &a[k], d);
	}
}

/* Whether a key holds a stack's end: then no other stack shares it. */
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

static void insertion_sort_keyed(const struct packing *p, struct keyed *a, size_t n, uint64_t d)
{
	for (size_t i = 1; i < n; i++) {
		struct keyed x = a[i];
		size_t j = i;
		for (; j > 0 && compare_keyed(p, &a[j - 1], &x, d) > 0; j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
}

struct keyed_part {
	size_t lo, n;
	uint64_t depth;
};

static int push_keyed(struct keyed_part **todo, size_t *len, size_t *cap, size_t lo, size_t n,
		      uint64_t depth)
{
	if (n < 2)
		return 0;
	if (wp_grow((void **)todo, cap, *len + 1, sizeof **todo))
		return WP_E_NOMEM;
	(*todo)[(*len)++] = (struct keyed_part){lo, n, depth};
	return 0;
}

/* radix_quicksort's three-way splits, on the carried keys. */
static int keyed_quicksort(const struct packing *p, struct keyed *a, size_t count)
{
	struct keyed_part *todo = NULL;
	size_t len = 0, cap = 0;
	uint64_t seed = 0x9e3779b97f4a7c15u;
	int rc = push_keyed(&todo, &len, &cap, 0, count, 0);
	while (rc == 0 && len) {
		struct keyed_part q = todo[--len];
		while (q.n > 1 && rc == 0) {
			if (q.n <= 12) {
				insertion_sort_keyed(p, a + q.lo, q.n, q.depth);
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
			rc = push_keyed(&todo, &len, &cap, q.lo, lt - q.lo, q.depth);
			if (rc == 0)
				rc = push_keyed(&todo, &len, &cap, gt, q.lo + q.n - gt, q.depth);
			if (key_ends(p, pivot))
				break; /* equal stacks: cannot be */
			q = (struct keyed_part){lt, gt - lt, q.depth + p->per};
			refresh_keys(p, a + q.lo, q.n, q.depth);
		}
	}
	free(todo);
	return rc;
}

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
	if (count > UINT32_MAX)
		return WP_E_TOOBIG;
	struct keyed *a = wp_alloc_dense(count * sizeof *a);
	if (!a)
		return WP_E_NOMEM;
	struct packing p = {rank, width(ntokens), 0};
	p.per = 64 / p.bits;
	for (size_t i = 0; i < count; i++) {
		size_t n;
		wp_stacks_get(st, i, &a[i].ids, &n, NULL, NULL);
		a[i].n = (uint32_t)n; /* (a table holds no longer stack) */
		a[i].stack = (uint32_t)i;
		a[i].key = packed_key(&p, &a[i], 0);
	}
	int rc = keyed_quicksort(&p, a, count);
	for (size_t i = 0; rc == 0 && i < count; i++)
		order[i] = a[i].stack;
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
