/* fold_reuse.h - the frames of a thread's previous sample, reused for the
 * root-side part of its next callchain (fold_data.c).
 *
 * Why: successive samples of one thread share most of their callchain: the
 * callers above the code running. On the bench recordings 82 % of all
 * frames equal, address for address from the root, those of the thread's
 * previous sample (esbuild-wasm in node, 18.6 M frames). An address
 * resolves the same way while no change of the address spaces covers it
 * (sym_native_answer_holds), so those frames need no resolving at all.
 *
 *	data_feed_addresses(feed, sample, fold_reuse_begin(r));  // or fold_reuse_add
 *	                                     // each address, leaf first
 *	size_t same = fold_reuse_match(r, sym, pid, tid, time, &frames);
 *	for i < fold_reuse_count(r) - same: resolve address i, then
 *		fold_reuse_set(r, i, symbol, module, plain);
 *	the last `same` frames (leaf first) are frames[0 .. same);
 *	fold_reuse_commit(r);   // the sample, once folded, is its thread's last
 *
 * A frame is kept only when plain: its (symbol, module) is all that was
 * folded for it (not a name translated from them). Memory: REUSE_SLOTS
 * threads' last callchains (a thread whose slot another took starts over),
 * each as long as the longest seen in that slot. */
#ifndef WASMPERF_FOLD_REUSE_H
#define WASMPERF_FOLD_REUSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "data_feed.h"
#include "symbolizer.h"

#define REUSE_SLOTS 64

struct fold_reuse_frame {
	const char *symbol, *module; /* the symbolizer's (symbol NULL: unknown) */
	bool plain;
};

struct fold_reuse;
/* NULL when out of memory. */
struct fold_reuse *fold_reuse_new(void);
void fold_reuse_free(struct fold_reuse *r);

/* A new sample: its addresses (leaf first) go to the array returned. */
struct data_feed_addrs *fold_reuse_begin(struct fold_reuse *r);
/* One more address: 0, or WP_E_NOMEM (the sample then is not reused). */
int fold_reuse_add(struct fold_reuse *r, uint64_t addr, bool kernel);
size_t fold_reuse_count(const struct fold_reuse *r);
uint64_t fold_reuse_addr(const struct fold_reuse *r, size_t i, bool *kernel);
/* How many of the sample's addresses, counted from the root, are those of
 * tid's previous sample (same process, both with or both without a time)
 * and still resolve as they did; their frames at *same_frames, leaf
 * first. 0 for a sample at a time before the latest change of the
 * address spaces (such a sample is not kept either). */
size_t fold_reuse_match(struct fold_reuse *r, const struct sym_native *s, int32_t pid,
			uint32_t tid, uint64_t time, const struct fold_reuse_frame **same_frames);
/* The frame resolved for address i (i below count - matched). */
void fold_reuse_set(struct fold_reuse *r, size_t i, const char *symbol, const char *module,
		    bool plain);
/* The sample, every frame set, becomes its thread's previous one. */
void fold_reuse_commit(struct fold_reuse *r);
/* The slot the sample goes to at the commit (below REUSE_SLOTS), or
 * UINT32_MAX when it is not kept (a sample in the past). */
uint32_t fold_reuse_slot(const struct fold_reuse *r);

/* The folder's half (fold_data.c, -j2 and more): the resolving thread
 * hands over only the frames a sample does not share with its slot's last
 * one (fold_handoff_shared), and the folder keeps each slot's last frames
 * and their collapser keys, root first, so that a shared frame costs it
 * nothing. Both sides keep a slot in step: a sample's slot changes on each
 * side when, and only when, that sample is folded.
 *
 *	struct fold_reuse_held *held;
 *	rc = fold_reuse_hold(k, slot, same, n, variant, &held);
 *	held->frames[same .. n) and held->keys[same .. n): set them (root first);
 *	held->keys[0 .. same) are valid unless fold_reuse_hold said otherwise;
 *	fold_reuse_held_done(k);     // once the sample is folded */
struct fold_reuse_held {
	struct fold_reuse_frame *frames; /* root first; plain ones only are shared */
	uint32_t *keys;                  /* the collapser's key of each plain frame */
	size_t n;
};
struct fold_reuse_keys;
struct fold_reuse_keys *fold_reuse_keys_new(void);
void fold_reuse_keys_free(struct fold_reuse_keys *k);
/* Room for a sample of n frames in slot whose `same` root-side frames are
 * those held there. 1: held, keys of the shared frames valid; 0: held, but
 * they were made for another key variant (fg_collapser_key_variant): make
 * them again from the frames; WP_E_NOMEM; WP_E_USAGE when the slot does not
 * hold `same` frames (the two sides are out of step: a bug, never a guess). */
int fold_reuse_hold(struct fold_reuse_keys *k, uint32_t slot, size_t same, size_t n, int variant,
		    struct fold_reuse_held **held);
void fold_reuse_held_done(struct fold_reuse_keys *k);

#endif
