/* fold_reuse.c - a thread's previous callchain and its frames, reused (see
 * fold_reuse.h). The sample being built lives in the `cur` arrays; at the
 * commit they trade places with its thread's slot, whose old arrays are
 * filled by a later sample: no copy of a whole chain, no allocation once
 * the arrays have grown. */
#include <stdlib.h>
#include <string.h>

#include "fold_reuse.h"
#include "wpcommon.h"

struct chain {
	struct data_feed_addrs a;  /* a.n: the chain's length */
	struct fold_reuse_frame *frames;
	size_t frames_cap;
	uint64_t generation;      /* of the answers its frames are */
	uint32_t tid;
	int32_t pid;
	bool used, latest;
};

struct fold_reuse {
	struct chain slots[REUSE_SLOTS];
	struct chain cur;         /* the sample being built */
	bool failed;              /* an address could not be kept */
	bool keep;                /* the sample may become its thread's last */
};

struct fold_reuse *fold_reuse_new(void)
{
	return calloc(1, sizeof(struct fold_reuse));
}

static void chain_release(struct chain *c)
{
	free(c->a.v);
	free(c->frames);
}

void fold_reuse_free(struct fold_reuse *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < REUSE_SLOTS; i++)
		chain_release(&r->slots[i]);
	chain_release(&r->cur);
	free(r);
}

struct data_feed_addrs *fold_reuse_begin(struct fold_reuse *r)
{
	r->cur.a.n = 0;
	r->failed = false;
	r->keep = false;
	return &r->cur.a;
}

int fold_reuse_add(struct fold_reuse *r, uint64_t addr, bool kernel)
{
	struct data_feed_addrs *a = &r->cur.a;
	if (wp_grow((void **)&a->v, &a->cap, a->n + 1, sizeof *a->v) != 0) {
		r->failed = true;
		return WP_E_NOMEM;
	}
	a->v[a->n++] = (struct data_feed_addr){addr, kernel};
	return 0;
}

size_t fold_reuse_count(const struct fold_reuse *r)
{
	return r->cur.a.n;
}

uint64_t fold_reuse_addr(const struct fold_reuse *r, size_t i, bool *kernel)
{
	*kernel = r->cur.a.v[i].kernel;
	return r->cur.a.v[i].addr;
}

static uint32_t slot_index(uint32_t tid)
{
	uint32_t h = tid * 0x9e3779b1u;
	return (h >> 16) % REUSE_SLOTS;
}

static struct chain *slot_of(struct fold_reuse *r, uint32_t tid)
{
	return &r->slots[slot_index(tid)];
}

/* How many addresses, from the root, the sample shares with prev (same
 * address, same context) whose frames are plain and still hold. */
static size_t shared_root(const struct chain *cur, const struct chain *prev,
			  const struct sym_native *s)
{
	bool same_generation = prev->generation == cur->generation;
	size_t n = 0, cn = cur->a.n, pn = prev->a.n;
	while (n < cn && n < pn) {
		const struct data_feed_addr *a = &cur->a.v[cn - 1 - n];
		const struct data_feed_addr *b = &prev->a.v[pn - 1 - n];
		if (a->addr != b->addr || a->kernel != b->kernel || !prev->frames[pn - 1 - n].plain)
			break;
		if (!same_generation &&
		    !sym_native_answer_holds(s, prev->generation, prev->pid, a->addr, a->kernel))
			break;
		n++;
	}
	return n;
}

size_t fold_reuse_match(struct fold_reuse *r, const struct sym_native *s, int32_t pid,
			uint32_t tid, uint64_t time, const struct fold_reuse_frame **same_frames)
{
	struct chain *c = &r->cur;
	size_t cn = c->a.n;
	*same_frames = NULL;
	if (r->failed ||
	    wp_grow((void **)&c->frames, &c->frames_cap, cn ? cn : 1, sizeof *c->frames) != 0 ||
	    !sym_native_generation(s, time, &c->generation))
		return 0;
	r->keep = true;
	c->tid = tid;
	c->pid = pid;
	c->latest = time == UINT64_MAX;
	const struct chain *prev = slot_of(r, tid);
	if (!prev->used || prev->tid != tid || prev->pid != pid || prev->latest != c->latest)
		return 0;
	size_t n = shared_root(c, prev, s);
	memcpy(c->frames + cn - n, prev->frames + prev->a.n - n, n * sizeof *c->frames);
	*same_frames = c->frames + cn - n;
	return n;
}

void fold_reuse_set(struct fold_reuse *r, size_t i, const char *symbol, const char *module,
		    bool plain)
{
	if (r->keep)
		r->cur.frames[i] = (struct fold_reuse_frame){symbol, module, plain};
}

uint32_t fold_reuse_slot(const struct fold_reuse *r)
{
	return r->keep ? slot_index(r->cur.tid) : UINT32_MAX;
}

void fold_reuse_commit(struct fold_reuse *r)
{
	if (!r->keep)
		return;
	struct chain *slot = slot_of(r, r->cur.tid);
	struct chain old = *slot;
	*slot = r->cur;
	slot->used = true;
	r->cur = old;
	r->cur.a.n = 0;
	r->keep = false;
}

/* ---- the folder's half ----
 * Each slot holds its last sample root first: the frames a sample shares
 * with it stay where they are, only the others are written. */

struct held_slot {
	struct fold_reuse_held h;
	size_t frames_cap, keys_cap;
	int variant;
	bool used;
};

struct fold_reuse_keys {
	struct held_slot slots[REUSE_SLOTS];
	struct held_slot *cur;    /* the slot of the sample being folded */
};

struct fold_reuse_keys *fold_reuse_keys_new(void)
{
	return calloc(1, sizeof(struct fold_reuse_keys));
}

void fold_reuse_keys_free(struct fold_reuse_keys *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < REUSE_SLOTS; i++) {
		free(k->slots[i].h.frames);
		free(k->slots[i].h.keys);
	}
	free(k);
}

int fold_reuse_hold(struct fold_reuse_keys *k, uint32_t slot, size_t same, size_t n, int variant,
		    struct fold_reuse_held **held)
{
	k->cur = NULL;
	*held = NULL;
	if (slot >= REUSE_SLOTS || same > n)
		return WP_E_USAGE;
	struct held_slot *c = &k->slots[slot];
	if (same && (!c->used || same > c->h.n))
		return WP_E_USAGE;
	c->used = false; /* written in place from here on: whole again when done */
	if (wp_grow((void **)&c->h.frames, &c->frames_cap, n, sizeof *c->h.frames) != 0 ||
	    wp_grow((void **)&c->h.keys, &c->keys_cap, n, sizeof *c->h.keys) != 0)
		return WP_E_NOMEM;
	bool keys_valid = c->variant == variant;
	c->h.n = n;
	c->variant = variant;
	k->cur = c;
	*held = &c->h;
	return keys_valid ? 1 : 0;
}

void fold_reuse_held_done(struct fold_reuse_keys *k)
{
	if (k->cur)
		k->cur->used = true;
	k->cur = NULL;
}
