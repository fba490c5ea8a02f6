/* stacks.c - the stack table: distinct sequences of frame ids with their
 * counts. Id sequences live in blocks that never move and entries point
 * into them; the index is open addressing over entry numbers.
 *
 * Why blocks: one array grown by realloc is moved (mremap) at each
 * doubling, and on a virtual machine every moved page faults again at its
 * next touch. Lookups read old stacks again, and the output sort reads
 * them all: 19 MB of esbuild's ids cost 23 ms at the sort alone. */
#include <stdlib.h>
#include <string.h>

#include "wpcommon.h"

struct entry {
	const uint32_t *ids; /* in a block */
	uint32_t n;
	uint64_t hash;
	uint64_t count, count2;
};

/* Blocks double from 64 KiB to 4 MiB (huge pages from 2 MiB on, dense.c);
 * a longer stack gets a block its size. */
#define FIRST_BLOCK_IDS ((size_t)16 << 10)
#define MAX_BLOCK_IDS ((size_t)1 << 20)

struct id_block {
	uint32_t *ids;
	size_t len, cap;
};

struct wp_stacks {
	struct id_block *blocks; /* [0, cur] in use, the rest kept by a clear */
	size_t nblocks, blocks_cap, cur;
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
	for (size_t b = 0; b < st->nblocks; b++)
		free(st->blocks[b].ids);
	free(st->blocks);
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

/* A block after the current one with room for n ids: a kept one, or a new
 * one (a kept block too small for n moves to the end of the list). */
static int next_block(struct wp_stacks *st, size_t n)
{
	size_t next = st->nblocks ? st->cur + 1 : 0;
	if (next < st->nblocks && st->blocks[next].cap >= n) {
		st->cur = next;
		return 0;
	}
	if (wp_grow((void **)&st->blocks, &st->blocks_cap, st->nblocks + 1, sizeof *st->blocks))
		return WP_E_NOMEM;
	size_t cap = st->nblocks ? st->blocks[st->nblocks - 1].cap * 2 : FIRST_BLOCK_IDS;
	if (cap > MAX_BLOCK_IDS)
		cap = MAX_BLOCK_IDS;
	if (cap < n)
		cap = n;
	uint32_t *ids = wp_alloc_dense(cap * sizeof *ids);
	if (!ids)
		return WP_E_NOMEM;
	if (next < st->nblocks)
		st->blocks[st->nblocks] = st->blocks[next];
	st->blocks[next] = (struct id_block){ids, 0, cap};
	st->nblocks++;
	st->cur = next;
	return 0;
}

/* A copy of ids[0, n) in a block; NULL without memory. */
static const uint32_t *keep_ids(struct wp_stacks *st, const uint32_t *ids, size_t n)
{
	struct id_block *b = st->nblocks ? &st->blocks[st->cur] : NULL;
	if (!b || b->cap - b->len < n) {
		if (next_block(st, n))
			return NULL;
		b = &st->blocks[st->cur];
	}
	uint32_t *at = b->ids + b->len;
	if (n)
		memcpy(at, ids, n * sizeof *ids);
	b->len += n;
	return at;
}

void wp_stacks_clear(struct wp_stacks *st)
{
	for (size_t b = 0; b < st->nblocks; b++)
		st->blocks[b].len = 0;
	st->cur = 0;
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
		if (e->hash == h && e->n == n && (n == 0 || memcmp(e->ids, ids, n * sizeof *ids) == 0)) {
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
	const uint32_t *kept = keep_ids(st, ids, n);
	if (!kept)
		return WP_E_NOMEM;
	st->entries[st->count] = (struct entry){kept, (uint32_t)n, h, count, count2};
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
		*ids = e->ids;
	if (n)
		*n = e->n;
	if (count)
		*count = e->count;
	if (count2)
		*count2 = e->count2;
}
