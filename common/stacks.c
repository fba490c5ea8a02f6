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
