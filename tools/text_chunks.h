/* text_chunks.h - perf script text cut into jobs that worker threads
 * parse independently: one reader thread fills fixed-size chunks and cuts
 * them after a blank line (where perf script's reader holds no state: no
 * sample in progress, nothing skipped, nothing read ahead), so a fresh
 * reader over a job reads exactly what a reader of the whole stream would.
 * A chunk holding no blank line (one sample longer than a chunk, text
 * without -g) is continued by the next chunk in the same job. Memory is
 * bounded by `buffers` chunks; the reader waits for a free one. */
#ifndef WASMPERF_TEXT_CHUNKS_H
#define WASMPERF_TEXT_CHUNKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wpcommon.h"

struct text_chunks;
struct text_job;

/* NULL when out of memory. */
struct text_chunks *text_chunks_new(size_t chunk_bytes, unsigned buffers);
/* Jobs of a regular file that the workers read for themselves, with
 * pread(2) on fd (not owned) up to `size` bytes (its size when opened),
 * into one of `buffers` chunks each (at least the number of workers); no
 * reader thread, and text_chunks_fill returns at once. Job k is the share
 * of the k-th chunk_bytes of the file: from the end of the first blank
 * line that starts in it (or the start of the file) to the next such end,
 * so the workers find their jobs' ends from the bytes alone; a chunk in
 * which no blank line starts is read by the job before it, and its own
 * job is empty. name is used in messages. NULL when out of memory. */
struct text_chunks *text_chunks_new_file(int fd, uint64_t size, const char *name,
					 size_t chunk_bytes, unsigned buffers);
/* After the reader and every worker are done with it. */
void text_chunks_free(struct text_chunks *q);

/* The reader side: the stream of lr into jobs until its end, an error or
 * text_chunks_stop(); then tells the workers there is no more. 0, or the
 * WP_E_* of the read that failed (the last job then ends in that failure,
 * see text_job_failed; the message is lr's), or WP_E_NOMEM. */
int text_chunks_fill(struct text_chunks *q, struct wp_lines *lr);
/* Reading ends at the next chunk; jobs not yet taken are handed out
 * still, their bytes may stop short. */
void text_chunks_stop(struct text_chunks *q);

/* The worker side: the next job in input order, NULL when none is left. */
struct text_job *text_chunks_next(struct text_chunks *q);
uint64_t text_job_seq(const struct text_job *j);          /* 0, 1, ... */
uint64_t text_job_first_offset(const struct text_job *j); /* bytes before it */
/* wp_lines_open_segments' callback over the job's chunks (ctx: the job):
 * the next one, lent until the next call (the previous one goes back to
 * the reader then); fails (< 0) where the input failed. */
int text_job_segment(void *job, const char **p, size_t *n);
/* Whether the job's bytes end where reading the input failed. */
bool text_job_failed(const struct text_job *j);
/* Then, for a job of text_chunks_new_file, what failed ("NAME: offset N:
 * why"); NULL for a stream's jobs (the reader's wp_lines says). */
const char *text_job_errmsg(const struct text_job *j);
/* The worker is done with the job: its chunks (those still to come too)
 * go back to the reader, and the job is freed as soon as the reader has
 * completed it: j must not be used after this call. */
void text_job_done(struct text_job *j);

#endif
