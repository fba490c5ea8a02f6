/* stacks.c - the stack table: distinct sequences of frame ids with their
 * counts. Id sequences live in one growable array and entries refer to
 * them by offset; the index is open addressing over entry numbers. */
#include <stdlib.h>
#include <string.h>

#include "wpcommon.h"

struct entry {
	size_t offset;  /* into ids */
	uint32_t n;
	uint64_t hash;
	uint64_t count, count2;
};

struct wp_stacks {
	uint32_t *ids;
	size_t ids_len, ids_cap;
	struct entry *entries;
	size_t count, cap;
	size_t *slots; /* entry + 1; 0 = empty */
	size_t mask;
};

struct wp_stacks *wp_stacks_new(void)
{
	struct wp_stacks *st = calloc(1, sizeof *st);
	if (!st)
		return NULL;
	st->mask = 1023;
	st->slots = calloc(st->mask + 1, sizeof *st->slots);
	if (!st->slots) {
		free(st);
		return NULL;
	}
	return st;
}

void wp_stacks_free(struct wp_stacks *st)
{
	if (!st)
		return;
	free(st->ids);
	free(st->entries);
	free(st->slots);
	free(st);
}

static int grow_slots(struct wp_stacks *st)
{
	size_t mask = st->mask * 2 + 1;
	size_t *slots = calloc(mask + 1, sizeof *slots);
	if (!slots)
		return WP_E_NOMEM;
	for (size_t e = 0; e < st->count; e++) {
		size_t i = st->entries[e].hash & mask;
		while (slots[i])
			i = (i + 1) & mask;
		slots[i] = e + 1;
	}
	free(st->slots);
	st->slots = slots;
	st->mask = mask;
	return 0;
}

static int append_ids(struct wp_stacks *st, const uint32_t *ids, size_t n)
{
	if (st->ids_cap - st->ids_len < n) {
		size_t cap = st->ids_cap ? st->ids_cap : 4096;
		while (cap - st->ids_len < n)
			cap *= 2;
		uint32_t *p = realloc(st->ids, cap * sizeof *p);
		if (!p)
			return WP_E_NOMEM;
		st->ids = p;
		st->ids_cap = cap;
	}
	if (n)
		memcpy(st->ids + st->ids_len, ids, n * sizeof *ids);
	st->ids_len += n;
	return 0;
}

void wp_stacks_clear(struct wp_stacks *st)
{
	st->ids_len = 0;
	st->count = 0;
	memset(st->slots, 0, (st->mask + 1) * sizeof *st->slots);
}

static int add_counts(struct entry *e, uint64_t count, uint64_t count2)
{
	/* A sum past 64 bits is an error, never a wrapped or clamped count:
	 * the entry keeps what it had. */
	if (e->count + count < e->count || e->count2 + count2 < e->count2)
		return WP_E_TOOBIG;
	e->count += count;
	e->count2 += count2;
	return 0;
}

int wp_stacks_add_to(struct wp_stacks *st, size_t index, uint64_t count, uint64_t count2)
{
	return add_counts(&st->entries[index], count, count2);
}

void wp_stacks_set_counts(struct wp_stacks *st, size_t index, uint64_t count, uint64_t count2)
{
	st->entries[index].count = count;
	st->entries[index].count2 = count2;
}

int wp_stacks_add(struct wp_stacks *st, const uint32_t *ids, size_t n, uint64_t count,
		  uint64_t count2)
{
	return wp_stacks_add_at(st, ids, n, count, count2, NULL);
}

int wp_stacks_add_at(struct wp_stacks *st, const uint32_t *ids, size_t n, uint64_t count,
		     uint64_t count2, size_t *index)
{
	if (n > UINT32_MAX)
		return WP_E_TOOBIG;
	uint64_t h = wp_hash_bytes(ids, n * sizeof *ids, 0x5bd1e995);
	size_t i = h & st->mask;
	for (size_t v; (v = st->slots[i]) != 0; i = (i + 1) & st->mask) {
		struct entry *e = &st->entries[v - 1];
		if (e->hash == h && e->n == n &&
		    memcmp(st->ids + e->offset, ids, n * sizeof *ids) == 0) {
			if (add_counts(e, count, count2))
				return WP_E_TOOBIG;
			if (index)
				*index = v - 1;
			return 0;
		}
	}
	if (st->count == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 1024;
		struct entry *p = realloc(st->entries, cap * sizeof *p);
		if (!p)
			return WP_E_NOMEM;
		st->entries = p;
		st->cap = cap;
	}
	size_t offset = st->ids_len;
	int rc = append_ids(st, ids, n);
	if (rc)
		return rc;
	st->entries[st->count] = (struct entry){offset, (uint32_t)n, h, count, count2};
	st->slots[i] = ++st->count;
	if (index)
		*index = st->count - 1;
	if (st->count * 2 > st->mask)
		return grow_slots(st);
	return 0;
}

size_t wp_stacks_count(const struct wp_stacks *st)
{
	return st->count;
}

void wp_stacks_get(const struct wp_stacks *st, size_t index, const uint32_t **ids, size_t *n,
		   uint64_t *count, uint64_t *count2)
{
	const struct entry *e = &st->entries[index];
	if (ids)
		*ids = st->ids + e->offset;
	if (n)
		*n = e->n;
	if (count)
		*count = e->count;
	if (count2)
		*count2 = e->count2;
}

/* ---- the output order ----
 * Stacks print sorted as their joined strings "f0;f1;..." compare bytewise
 * (stackcollapse-perf.pl sorts the lines). With no ';' inside a name, that
 * order is the order of token sequences, a token being a name followed by
 * ';' (more frames) or by the end of the string (the last frame): tokens
 * are ranked once, then the stacks are sorted as integer strings by radix
 * quicksort, which reads the long prefixes sibling stacks share once per
 * level instead of once per comparison. A name holding ';' (the folded
 * format forbids it, but a table may be fed anything) takes the byte-wise
 * comparison sort instead. */

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
	const struct entry *a = &ctx->st->entries[*(const size_t *)pa];
	const struct entry *b = &ctx->st->entries[*(const size_t *)pb];
	const uint32_t *ia = ctx->st->ids + a->offset, *ib = ctx->st->ids + b->offset;
	for (uint32_t k = 0;; k++) {
		if (k == a->n || k == b->n) {
			if (k == a->n && k == b->n)
				return 0;
			return k == a->n ? -1 : 1; /* a prefix sorts first */
		}
		if (ia[k] == ib[k])
			continue;
		int c = compare_frames(ctx->names, ia[k], k + 1 < a->n ? ';' : -1, ib[k],
				       k + 1 < b->n ? ';' : -1);
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

/* ---- stacks: the ranks of their tokens ---- */
struct stack_tokens {
	const struct wp_stacks *st;
	const uint32_t *rank;
};

static uint32_t stack_key(const void *ctx, size_t e, uint32_t d)
{
	const struct stack_tokens *c = ctx;
	const struct entry *x = &c->st->entries[e];
	if (d >= x->n)
		return 0;
	return c->rank[2 * (size_t)c->st->ids[x->offset + d] + (d + 1 < x->n)];
}

int wp_stacks_sorted(const struct wp_stacks *st, const struct wp_intern *names, size_t **order)
{
	size_t *idx = malloc((st->count ? st->count : 1) * sizeof *idx);
	if (!idx)
		return WP_E_NOMEM;
	for (size_t i = 0; i < st->count; i++)
		idx[i] = i;
	uint32_t *rank = st->count > 1 ? rank_tokens(names) : NULL;
	struct stack_tokens c = {st, rank};
	if (st->count > 1 && (!rank || radix_quicksort(stack_key, &c, idx, st->count) != 0)) {
		struct bytes_ctx ctx = {st, names};
		qsort_r(idx, st->count, sizeof *idx, compare_joined, &ctx);
	}
	free(rank);
	*order = idx;
	return 0;
}
