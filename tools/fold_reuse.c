/* fold_reuse.c - a thread's previous callchain and its frames, reused (see
 * fold_reuse.h). The sample being built lives in the `cur` arrays; at the
 * commit they trade places with its thread's slot, whose old arrays are
 * filled by a later sample: no copy of a whole chain, no allocation once
 * the arrays have grown. */
#include <stdlib.h>
#include <string.h>

#include "fold_reuse.h"
#include "wpcommon.h"

struct reuse_addr {
	uint64_t addr;
	bool kernel;
};

struct chain {
	struct reuse_addr *addrs;
	struct fold_reuse_frame *frames;
	size_t n, addrs_cap, frames_cap;
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
	free(c->addrs);
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

void fold_reuse_begin(struct fold_reuse *r)
{
	r->cur.n = 0;
	r->failed = false;
	r->keep = false;
}

int fold_reuse_add(struct fold_reuse *r, uint64_t addr, bool kernel)
{
	struct chain *c = &r->cur;
	if (wp_grow((void **)&c->addrs, &c->addrs_cap, c->n + 1, sizeof *c->addrs) != 0) {
		r->failed = true;
		return WP_E_NOMEM;
	}
	c->addrs[c->n++] = (struct reuse_addr){addr, kernel};
	return 0;
}

size_t fold_reuse_count(const struct fold_reuse *r)
{
	return r->cur.n;
}

uint64_t fold_reuse_addr(const struct fold_reuse *r, size_t i, bool *kernel)
{
	*kernel = r->cur.addrs[i].kernel;
	return r->cur.addrs[i].addr;
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
	size_t n = 0;
	while (n < cur->n && n < prev->n) {
		const struct reuse_addr *a = &cur->addrs[cur->n - 1 - n];
		const struct reuse_addr *b = &prev->addrs[prev->n - 1 - n];
		if (a->addr != b->addr || a->kernel != b->kernel || !prev->frames[prev->n - 1 - n].plain)
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
	*same_frames = NULL;
	if (r->failed ||
	    wp_grow((void **)&c->frames, &c->frames_cap, c->n ? c->n : 1, sizeof *c->frames) != 0 ||
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
	memcpy(c->frames + c->n - n, prev->frames + prev->n - n, n * sizeof *c->frames);
	*same_frames = c->frames + c->n - n;
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
	r->cur.n = 0;
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
