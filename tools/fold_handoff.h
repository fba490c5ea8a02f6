/* fold_handoff.h - resolved samples handed from the thread that reads and
 * symbolizes perf.data to a folder thread that owns the collapser
 * (fold_data.c, -j2 and more): each sample as its root (comm, pid, tid),
 * its frames (the symbolizer's stable (symbol, module) pointers, or a final
 * name) and its weight, in order, through a ring of batches.
 *
 *	struct fold_handoff *h = fold_handoff_new(fold, ctx); // starts the folder
 *	fold_handoff_begin(h, comm, comm_len, pid, pid_len, tid, tid_len);
 *	fold_handoff_frame(h, symbol, module) or fold_handoff_name(h, name, len), ...
 *	rc = fold_handoff_end(h, weight);   // or fold_handoff_abort(h)
 *	rc = fold_handoff_finish(h);        // waits for the folder
 *	fold_handoff_free(h);
 *
 * fold() runs on the folder thread, once per sample, in the order they were
 * ended; its first error stops the folding (later samples are dropped) and
 * is what fold_handoff_end (from then on) and fold_handoff_finish return.
 * Memory is bounded: FOLD_HANDOFF_BATCHES batches of about
 * FOLD_HANDOFF_FRAMES frames each, whatever the input's size. */
#ifndef WASMPERF_FOLD_HANDOFF_H
#define WASMPERF_FOLD_HANDOFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FOLD_HANDOFF_BATCHES 4
#define FOLD_HANDOFF_FRAMES 4096

struct fold_handoff_frame {
	const char *symbol, *module; /* as the symbolizer gave them (symbol NULL: unknown) */
	bool is_name;                /* else: a final name, name_len bytes at arena + name_at */
	uint32_t name_at, name_len;
};

struct fold_handoff_sample {
	const char *comm, *pid, *tid;
	size_t comm_len, pid_len, tid_len;
	uint64_t weight;
	const struct fold_handoff_frame *frames; /* leaf first */
	size_t nframes;
	const char *arena;           /* where the names of frames lie */
	/* fold_handoff_shared's: the sample's `same` root-side frames are
	 * not in frames (nframes are the others) but those of the last
	 * sample of the same slot; slot FOLD_HANDOFF_NO_SLOT: none */
	uint32_t slot, same;
};

#define FOLD_HANDOFF_NO_SLOT UINT32_MAX

typedef int (*fold_handoff_fn)(void *ctx, const struct fold_handoff_sample *s);

struct fold_handoff;
/* NULL when out of memory or when no thread can be had: the caller then
 * folds on its own thread. */
struct fold_handoff *fold_handoff_new(fold_handoff_fn fold, void *ctx);
/* Ends the folder (its pending samples dropped) when finish was not called. */
void fold_handoff_free(struct fold_handoff *h);

/* The sample being built, its frames leaf first. Trouble (out of memory)
 * is kept for fold_handoff_end, which then drops the sample. */
void fold_handoff_begin(struct fold_handoff *h, const char *comm, size_t comm_len,
			const char *pid, size_t pid_len, const char *tid, size_t tid_len);
void fold_handoff_frame(struct fold_handoff *h, const char *symbol, const char *module);
void fold_handoff_name(struct fold_handoff *h, const char *name, size_t len);
/* The sample being built goes to slot (the producer's number for a
 * thread), and its last `same` frames, root side, are those of the last
 * sample that went there: they are not given again. The handoff only
 * carries the two numbers; producer and folder keep the slots. */
void fold_handoff_shared(struct fold_handoff *h, uint32_t slot, uint32_t same);
/* Hands the sample over: 0, or the first error of the building or of the
 * folder so far. */
int fold_handoff_end(struct fold_handoff *h, uint64_t weight);
void fold_handoff_abort(struct fold_handoff *h);
/* Hands over what is left, waits for the folder: 0 or its first error. */
int fold_handoff_finish(struct fold_handoff *h);

#endif
