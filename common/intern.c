/* intern.c - string interning: each distinct byte string gets a dense id.
 * Strings live in chunks that never move, so pointers handed out stay
 * valid (the first is small, so a small table costs no large allocation,
 * and each next one doubles up to CHUNK_SIZE); the index is open
 * addressing over ids with the hash kept beside each string so that
 * growing never rehashes bytes. */
#include <stdlib.h>
#include <string.h>

#include "wpcommon.h"

#define FIRST_CHUNK (4 * 1024)
#define CHUNK_SIZE (256 * 1024)

struct entry {
	const char *str;
	uint32_t len;
	uint64_t hash;
};

struct chunk {
	struct chunk *next;
	size_t used, size;
	char bytes[];
};

struct wp_intern {
	struct entry *entries;
	uint32_t count, entries_cap;
	uint32_t *slots; /* id + 1; 0 = empty */
	size_t mask;
	struct chunk *chunks;
};

struct wp_intern *wp_intern_new(void)
{
	struct wp_intern *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->mask = 1023;
	t->slots = calloc(t->mask + 1, sizeof *t->slots);
	if (!t->slots) {
		free(t);
		return NULL;
	}
	return t;
}

void wp_intern_free(struct wp_intern *t)
{
	if (!t)
		return;
	for (struct chunk *c = t->chunks, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	free(t->entries);
	free(t->slots);
	free(t);
}

static char *store(struct wp_intern *t, const char *s, size_t n)
{
	struct chunk *c = t->chunks;
	if (!c || c->size - c->used < n + 1) {
		size_t size = !c ? FIRST_CHUNK : c->size >= CHUNK_SIZE / 2 ? CHUNK_SIZE : c->size * 2;
		if (size < n + 1)
			size = n + 1;
		c = malloc(sizeof *c + size);
		if (!c)
			return NULL;
		c->used = 0;
		c->size = size;
		c->next = t->chunks;
		t->chunks = c;
	}
	char *p = c->bytes + c->used;
	memcpy(p, s, n);
	p[n] = '\0';
	c->used += n + 1;
	return p;
}

static int grow_slots(struct wp_intern *t)
{
	size_t mask = t->mask * 2 + 1;
	uint32_t *slots = calloc(mask + 1, sizeof *slots);
	if (!slots)
		return WP_E_NOMEM;
	wp_advise_dense(slots, (mask + 1) * sizeof *slots);
	for (uint32_t id = 0; id < t->count; id++) {
		size_t i = t->entries[id].hash & mask;
		while (slots[i])
			i = (i + 1) & mask;
		slots[i] = id + 1;
	}
	free(t->slots);
	t->slots = slots;
	t->mask = mask;
	return 0;
}

/* Returns the slot holding the string, or the empty slot where it goes. */
static size_t probe(const struct wp_intern *t, const char *s, size_t n, uint64_t h)
{
	size_t i = h & t->mask;
	for (;;) {
		uint32_t v = t->slots[i];
		if (!v)
			return i;
		const struct entry *e = &t->entries[v - 1];
		if (e->hash == h && e->len == n && memcmp(e->str, s, n) == 0)
			return i;
		i = (i + 1) & t->mask;
	}
}

int wp_intern_find(const struct wp_intern *t, const char *s, size_t n, uint32_t *id)
{
	if (n > UINT32_MAX)
		return WP_E_NOTFOUND;
	size_t i = probe(t, s, n, wp_hash_bytes(s, n, 0));
	if (!t->slots[i])
		return WP_E_NOTFOUND;
	*id = t->slots[i] - 1;
	return 0;
}

int wp_intern_get(struct wp_intern *t, const char *s, size_t n, uint32_t *id)
{
	if (n > UINT32_MAX - 1)
		return WP_E_TOOBIG;
	uint64_t h = wp_hash_bytes(s, n, 0);
	size_t i = probe(t, s, n, h);
	if (t->slots[i]) {
		*id = t->slots[i] - 1;
		return 0;
	}
	if (t->count == UINT32_MAX - 1)
		return WP_E_TOOBIG;
	if (t->count == t->entries_cap) {
		uint32_t cap = t->entries_cap ? t->entries_cap * 2 : 256;
		struct entry *e = realloc(t->entries, (size_t)cap * sizeof *e);
		if (!e)
			return WP_E_NOMEM;
		t->entries = e;
		t->entries_cap = cap;
	}
	char *copy = store(t, s, n);
	if (!copy)
		return WP_E_NOMEM;
	t->entries[t->count] = (struct entry){copy, (uint32_t)n, h};
	t->slots[i] = t->count + 1;
	*id = t->count++;
	/* Keep the load under 1/2 so probes stay short. */
	if ((size_t)t->count * 2 > t->mask)
		return grow_slots(t);
	return 0;
}

const char *wp_intern_str(const struct wp_intern *t, uint32_t id, size_t *len)
{
	if (id >= t->count) {
		if (len)
			*len = 0;
		return "";
	}
	if (len)
		*len = t->entries[id].len;
	return t->entries[id].str;
}

uint32_t wp_intern_count(const struct wp_intern *t)
{
	return t->count;
}
