/* fold_handoff.c - resolved samples handed to a folder thread (see
 * fold_handoff.h).
 *
 * Why: with the symbols loaded, folding perf.data is one thread's work per
 * sample: resolving each address (the symbolizer, which one thread owns),
 * then the collapser's frame keys and stack table. The second half is
 * about 110 M instructions on esbuild.data and needs nothing of the
 * symbolizer but its (symbol, module) pointers, which stay valid and
 * unchanged for the symbolizer's life. So the samples cross to a
 * thread of their own, in batches (the threads meet once per batch, not per
 * sample), and the collapser sees the same calls in the same order as with
 * one thread (esbuild.data at -j2: samples folded in 120 ms after the
 * loads, 143 ms before). The batches form a ring: the producer fills
 * batches[(head + count) % N] while the folder reads batches[head]. Names
 * and roots are copied into the batch's arena and found by offset, so the
 * arena may grow while a batch is filled. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fold_handoff.h"
#include "wpcommon.h"

#define N FOLD_HANDOFF_BATCHES

struct sample_rec {
	uint64_t weight;
	size_t first, n;                 /* frames[first, first + n) */
	uint32_t comm_at, comm_len, pid_at, pid_len, tid_at, tid_len;
	uint32_t slot, same;
};

struct batch {
	struct fold_handoff_frame *frames;
	size_t nframes, frames_cap;
	struct sample_rec *samples;
	size_t nsamples, samples_cap;
	char *arena;
	size_t used, arena_cap;
};

struct fold_handoff {
	pthread_mutex_t lock;
	pthread_cond_t filled;  /* a batch was handed over, or the end */
	pthread_cond_t freed;   /* the folder let go of a batch */
	struct batch batches[N];
	size_t head, count;     /* under lock: the handed-over batches */
	bool ended;             /* under lock: no more batches */
	int failed;             /* under lock: the folder's first error (1: dropping) */
	pthread_t thread;
	fold_handoff_fn fold;
	void *ctx;
	/* the producer's own */
	size_t fill;            /* batches[fill] is being filled */
	size_t sample_first, sample_used; /* where the sample being built began */
	struct sample_rec building;
	int build_rc;           /* the sample being built cannot be handed over */
	int seen_failed;        /* the folder's error as of the last hand-over */
	bool finished;
};

static int fold_batch(struct fold_handoff *h, const struct batch *b)
{
	for (size_t i = 0; i < b->nsamples; i++) {
		const struct sample_rec *r = &b->samples[i];
		struct fold_handoff_sample s = {
			.comm = b->arena + r->comm_at, .comm_len = r->comm_len,
			.pid = b->arena + r->pid_at, .pid_len = r->pid_len,
			.tid = b->arena + r->tid_at, .tid_len = r->tid_len,
			.weight = r->weight, .frames = b->frames + r->first, .nframes = r->n,
			.arena = b->arena, .slot = r->slot, .same = r->same,
		};
		int rc = h->fold(h->ctx, &s);
		if (rc)
			return rc;
	}
	return 0;
}

static void *folder_main(void *arg)
{
	struct fold_handoff *h = arg;
	pthread_mutex_lock(&h->lock);
	for (;;) {
		while (h->count == 0 && !h->ended)
			pthread_cond_wait(&h->filled, &h->lock);
		if (h->count == 0)
			break;
		struct batch *b = &h->batches[h->head];
		bool dropping = h->failed != 0;
		pthread_mutex_unlock(&h->lock);
		int rc = dropping ? 0 : fold_batch(h, b);
		b->nframes = b->nsamples = b->used = 0;
		pthread_mutex_lock(&h->lock);
		if (rc && !h->failed)
			h->failed = rc;
		h->head = (h->head + 1) % N;
		h->count--;
		pthread_cond_signal(&h->freed);
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

struct fold_handoff *fold_handoff_new(fold_handoff_fn fold, void *ctx)
{
	struct fold_handoff *h = calloc(1, sizeof *h);
	if (!h)
		return NULL;
	h->fold = fold;
	h->ctx = ctx;
	if (pthread_mutex_init(&h->lock, NULL) != 0) {
		free(h);
		return NULL;
	}
	pthread_cond_init(&h->filled, NULL);
	pthread_cond_init(&h->freed, NULL);
	if (pthread_create(&h->thread, NULL, folder_main, h) != 0) {
		pthread_cond_destroy(&h->filled);
		pthread_cond_destroy(&h->freed);
		pthread_mutex_destroy(&h->lock);
		free(h);
		return NULL;
	}
	return h;
}

/* Copies len bytes into the filled batch's arena: their offset, or
 * UINT32_MAX (h->build_rc set) when they do not fit. */
static uint32_t keep_bytes(struct fold_handoff *h, const char *p, size_t len)
{
	struct batch *b = &h->batches[h->fill];
	if (h->build_rc)
		return UINT32_MAX;
	if (len >= UINT32_MAX - b->used) {
		h->build_rc = WP_E_TOOBIG;
		return UINT32_MAX;
	}
	if (wp_grow((void **)&b->arena, &b->arena_cap, b->used + len, 1) != 0) {
		h->build_rc = WP_E_NOMEM;
		return UINT32_MAX;
	}
	uint32_t at = (uint32_t)b->used;
	if (len)
		memcpy(b->arena + at, p, len);
	b->used += len;
	return at;
}

void fold_handoff_begin(struct fold_handoff *h, const char *comm, size_t comm_len,
			const char *pid, size_t pid_len, const char *tid, size_t tid_len)
{
	struct batch *b = &h->batches[h->fill];
	h->build_rc = 0;
	h->sample_first = b->nframes;
	h->sample_used = b->used;
	h->building = (struct sample_rec){.first = b->nframes, .slot = FOLD_HANDOFF_NO_SLOT};
	h->building.comm_at = keep_bytes(h, comm, comm_len);
	h->building.pid_at = keep_bytes(h, pid, pid_len);
	h->building.tid_at = keep_bytes(h, tid, tid_len);
	h->building.comm_len = (uint32_t)comm_len;
	h->building.pid_len = (uint32_t)pid_len;
	h->building.tid_len = (uint32_t)tid_len;
}

/* The next frame's place in the batch being filled, NULL once the sample
 * cannot be handed over. The caller writes the fields in place: a frame
 * built on the stack and copied was read back wider than it was written
 * (a store-forwarding stall), a sixth of the folding thread's time. */
static struct fold_handoff_frame *next_frame(struct fold_handoff *h)
{
	struct batch *b = &h->batches[h->fill];
	if (h->build_rc)
		return NULL;
	/* sized for a batch at once (a long last sample may grow it) */
	size_t want = b->nframes < FOLD_HANDOFF_FRAMES ? FOLD_HANDOFF_FRAMES + 256 : b->nframes + 1;
	if (wp_grow((void **)&b->frames, &b->frames_cap, want, sizeof *b->frames) != 0) {
		h->build_rc = WP_E_NOMEM;
		return NULL;
	}
	return &b->frames[b->nframes++];
}

void fold_handoff_frame(struct fold_handoff *h, const char *symbol, const char *module)
{
	struct fold_handoff_frame *f = next_frame(h);
	if (!f)
		return;
	f->symbol = symbol;
	f->module = module;
	f->is_name = false;
}

void fold_handoff_name(struct fold_handoff *h, const char *name, size_t len)
{
	uint32_t at = keep_bytes(h, name, len);
	struct fold_handoff_frame *f = next_frame(h);
	if (!f)
		return;
	f->symbol = f->module = NULL;
	f->is_name = true;
	f->name_at = at;
	f->name_len = (uint32_t)len;
}

void fold_handoff_shared(struct fold_handoff *h, uint32_t slot, uint32_t same)
{
	h->building.slot = slot;
	h->building.same = same;
}

void fold_handoff_abort(struct fold_handoff *h)
{
	struct batch *b = &h->batches[h->fill];
	b->nframes = h->sample_first;
	b->used = h->sample_used;
	h->build_rc = 0;
}

/* The filled batch to the folder; then waits for a free one to fill. */
static void hand_over(struct fold_handoff *h)
{
	pthread_mutex_lock(&h->lock);
	h->count++;
	pthread_cond_signal(&h->filled);
	h->fill = (h->fill + 1) % N;
	while (h->count == N)
		pthread_cond_wait(&h->freed, &h->lock);
	h->seen_failed = h->failed;
	pthread_mutex_unlock(&h->lock);
}

int fold_handoff_end(struct fold_handoff *h, uint64_t weight)
{
	struct batch *b = &h->batches[h->fill];
	if (h->build_rc) {
		int rc = h->build_rc;
		fold_handoff_abort(h);
		return rc;
	}
	if (wp_grow((void **)&b->samples, &b->samples_cap, b->nsamples + 1, sizeof *b->samples)) {
		fold_handoff_abort(h);
		return WP_E_NOMEM;
	}
	h->building.weight = weight;
	h->building.n = b->nframes - h->building.first;
	b->samples[b->nsamples++] = h->building;
	if (b->nframes >= FOLD_HANDOFF_FRAMES)
		hand_over(h);
	return h->seen_failed;
}

/* The last batch, if any, and the end; then the folder is joined. */
static int end_folder(struct fold_handoff *h, bool drop)
{
	if (h->finished)
		return h->failed;
	h->finished = true;
	pthread_mutex_lock(&h->lock);
	if (drop && !h->failed)
		h->failed = 1;
	if (h->batches[h->fill].nsamples) {
		h->count++;
		h->fill = (h->fill + 1) % N;
	}
	h->ended = true;
	pthread_cond_signal(&h->filled);
	pthread_mutex_unlock(&h->lock);
	pthread_join(h->thread, NULL);
	return h->failed;
}

int fold_handoff_finish(struct fold_handoff *h)
{
	return end_folder(h, false);
}

void fold_handoff_free(struct fold_handoff *h)
{
	if (!h)
		return;
	end_folder(h, true);
	pthread_cond_destroy(&h->filled);
	pthread_cond_destroy(&h->freed);
	pthread_mutex_destroy(&h->lock);
	for (size_t i = 0; i < N; i++) {
		free(h->batches[i].frames);
		free(h->batches[i].samples);
		free(h->batches[i].arena);
	}
	free(h);
}
