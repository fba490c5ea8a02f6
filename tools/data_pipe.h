/* data_pipe.h - perf.data records read on a second thread: a producer
 * (the reader: read(2), framing, zstd, time ordering, decoding) copies each
 * record it gets from pp_data_next into a bounded queue of batches; the
 * consumer (the thread that owns the symbolizer, the unwinder and the
 * collapser) takes them in the same order. Warnings the reader gives are
 * queued between the records too, so that standard error reads as with one
 * thread.
 *
 *	struct data_pipe *p = data_pipe_new(0);
 *	data_pipe_start(p, produce, ctx);  // produce() runs on the new thread:
 *		// while pp_data_next(...) == 1: data_pipe_put_record(p, r, &rc)
 *	while ((it = data_pipe_next(p)) != NULL)
 *		... it->rec (valid until the next call) ...
 *	rc = data_pipe_finish(p);          // what produce() returned
 *	data_pipe_free(p);
 *
 * Memory is bounded: DATA_PIPE_BATCHES batches of about batch_bytes each
 * (a record of up to 64 KiB always fits), whatever the input's size.
 */
#ifndef WASMPERF_DATA_PIPE_H
#define WASMPERF_DATA_PIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "perfparse.h"

#define DATA_PIPE_BATCHES 4

enum data_pipe_kind { DATA_PIPE_RECORD, DATA_PIPE_WARNING };

struct data_pipe_item {
	enum data_pipe_kind kind;
	struct pp_record rec;   /* a copy whose pointers point into the batch
				 * (rec.data is NULL: the raw bytes are not kept;
				 * of a sample's stack copy only the valid part,
				 * stack_user_size = stack_user_dyn_size) */
	const char *msg;        /* DATA_PIPE_WARNING: the message */
	unsigned notes;         /* the producer's notes for the consumer */
	int rc;                 /* likewise: an error to give after the record */
};

struct data_pipe;
/* batch_bytes: how many copied bytes make a batch (0: the default). NULL
 * when out of memory. */
struct data_pipe *data_pipe_new(size_t batch_bytes);
/* Every item not yet taken is dropped; the producer must have finished. */
void data_pipe_free(struct data_pipe *p);

/* The producer's body, run on its own thread: it returns 0 at the end of
 * the records or < 0 (WP_E_*) on failure; data_pipe_finish returns that. */
typedef int (*data_pipe_produce_fn)(void *ctx, struct data_pipe *p);
/* Starts the thread: 0, or WP_E_NOMEM when it cannot be created. */
int data_pipe_start(struct data_pipe *p, data_pipe_produce_fn fn, void *ctx);

/* Producer side. A copy of r in the queue, for the producer to add notes
 * to until its next put; NULL when the record is larger than any perf
 * record can be (*rc = WP_E_TOOBIG), or when the consumer stopped (*rc = 0:
 * the producer just returns). */
struct data_pipe_item *data_pipe_put_record(struct data_pipe *p, const struct pp_record *r,
					    int *rc);
/* A warning, in order with the records (cut to 4 KiB). */
void data_pipe_put_warning(struct data_pipe *p, const char *msg);

/* Consumer side: the next item (valid until the next call) or NULL after
 * the last one. */
const struct data_pipe_item *data_pipe_next(struct data_pipe *p);
/* The items after the one data_pipe_next returned last, in the batch it
 * holds (a look ahead: nothing is taken; valid until the next call), and
 * whether that item began the batch. */
const struct data_pipe_item *data_pipe_ahead(const struct data_pipe *p, size_t *n, bool *first);
/* Stops the producer if it is still running (the consumer gave up early),
 * waits for it, and returns what it returned (0 when it was stopped). */
int data_pipe_finish(struct data_pipe *p);

#endif
