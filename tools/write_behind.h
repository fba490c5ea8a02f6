/* write_behind.h - output written by a second thread while the caller
 * fills the next buffer.
 *
 * A big result (esbuild's 164 MB of folded lines) costs as much to copy
 * into the page cache as to format; with a core to spare the two overlap.
 * The caller appends to write_behind_buf() and calls write_behind_ready()
 * after each piece; full buffers go to the thread in order. Memory stays
 * at a few buffers whatever the output's size. */
#ifndef WASMPERF_WRITE_BEHIND_H
#define WASMPERF_WRITE_BEHIND_H

#include <stdio.h>

#include "wpcommon.h"

struct write_behind;

/* NULL without memory or a thread: the caller writes by itself. The
 * caller must not use `out` until write_behind_finish. */
struct write_behind *write_behind_start(FILE *out);
/* The buffer to append to (owned by the caller until the next ready). */
struct wp_buf *write_behind_buf(struct write_behind *w);
/* Hands the buffer over when it holds a chunk, waiting for a free one;
 * 0, or WP_E_IO once a write has failed (later pieces are dropped). */
int write_behind_ready(struct write_behind *w);
/* Hands over the rest, waits for every write and frees w: 0 or WP_E_IO. */
int write_behind_finish(struct write_behind *w);

#endif
