/* text_chunks.c - perf script text cut into jobs for worker threads (see
 * text_chunks.h). One mutex guards everything shared: the pool of free
 * chunks, the queue of jobs, each job's chain of chunks still to read;
 * it is taken once per chunk, never per line.
 *
 * A regular file needs no reader thread: each worker reads its own job
 * with pread, into a buffer of its own. The reader thread's copy of the
 * whole input was a third of the CPU time of esbuild.perf at -j2, it
 * competed with both workers for the two cores, and its chunks were parsed
 * on the other core, out of the cache they were written in. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "text_chunks.h"

struct chunk {
	struct chunk *next;
	char *data;
	size_t len;
	bool last;     /* ends its job: after a blank line, at the end, or failed */
	bool failed;   /* reading the input failed after these bytes */
};

struct text_job {
	struct text_chunks *q;
	struct text_job *next_queued, *next_all, *prev_all;
	uint64_t seq, first_offset;
	struct chunk *head, *tail;     /* filled by the reader */
	bool complete;                 /* the reader has added its last chunk */
	bool abandoned;                /* the worker is done: chunks go back */
	/* the worker's side, touched only by the worker */
	struct chunk *cur;             /* lent to the worker's line reader */
	bool ended, failed;
	struct file_job *file;         /* a job of text_chunks_new_file */
};

struct text_chunks {
	pthread_mutex_t lock;
	pthread_cond_t pool_cv, jobs_cv, chain_cv;
	size_t chunk_bytes;
	unsigned buffers, allocated;
	struct chunk *free;
	struct text_job *queue_head, *queue_tail;
	struct text_job *all;          /* the jobs not freed yet (see forget) */
	bool done, stopped;
	/* a regular file read by the workers (fd >= 0) */
	int fd;
	uint64_t size, next_index, njobs;
	const char *name;
	struct text_job *idle_jobs;    /* file jobs not handed out, buffers with them */
	struct file_slot *file_slots;  /* all of them (`buffers`), to free */
};

struct text_chunks *text_chunks_new(size_t chunk_bytes, unsigned buffers)
{
	struct text_chunks *q = calloc(1, sizeof *q);
	if (!q)
		return NULL;
	/* the first read must see gzip's two magic bytes, as a line reader's does */
	q->chunk_bytes = chunk_bytes < 16 ? 16 : chunk_bytes;
	q->buffers = buffers < 2 ? 2 : buffers;
	q->fd = -1;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->pool_cv, NULL);
	pthread_cond_init(&q->jobs_cv, NULL);
	pthread_cond_init(&q->chain_cv, NULL);
	return q;
}

static void free_chunks(struct chunk *c)
{
	while (c) {
		struct chunk *next = c->next;
		free(c->data);
		free(c);
		c = next;
	}
}

static void free_file_slots(struct text_chunks *q);

void text_chunks_free(struct text_chunks *q)
{
	if (!q)
		return;
	free_file_slots(q);
	free_chunks(q->free);
	for (struct text_job *j = q->all, *next; j; j = next) {
		next = j->next_all;
		free_chunks(j->head);
		if (j->cur)
			free_chunks(j->cur);
		free(j);
	}
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->pool_cv);
	pthread_cond_destroy(&q->jobs_cv);
	pthread_cond_destroy(&q->chain_cv);
	free(q);
}

/* Under the lock. */
static void give_back(struct text_chunks *q, struct chunk *c)
{
	c->next = q->free;
	q->free = c;
	pthread_cond_signal(&q->pool_cv);
}

/* A free chunk (waiting for one when all are in use); NULL once stopped,
 * or with *nomem when a new one cannot be allocated. */
static struct chunk *take_free(struct text_chunks *q, bool *nomem)
{
	pthread_mutex_lock(&q->lock);
	while (!q->free && q->allocated == q->buffers && !q->stopped)
		pthread_cond_wait(&q->pool_cv, &q->lock);
	struct chunk *c = NULL;
	if (!q->stopped && q->free) {
		c = q->free;
		q->free = c->next;
	} else if (!q->stopped) {
		q->allocated++;
		pthread_mutex_unlock(&q->lock);
		c = calloc(1, sizeof *c);
		if (c && !(c->data = malloc(q->chunk_bytes))) {
			free(c);
			c = NULL;
		}
		*nomem = !c;
		return c;
	}
	pthread_mutex_unlock(&q->lock);
	return c;
}

void text_chunks_stop(struct text_chunks *q)
{
	pthread_mutex_lock(&q->lock);
	q->stopped = true;
	pthread_cond_broadcast(&q->pool_cv);
	pthread_cond_broadcast(&q->chain_cv);
	pthread_mutex_unlock(&q->lock);
}

/* Under the lock: j is done for its worker and complete for the reader,
 * so nobody holds it any more. Freed at once, not with q: a 10 GB input
 * makes 20,000 jobs, and memory must not grow with the input. */
static void forget(struct text_chunks *q, struct text_job *j)
{
	if (j->prev_all)
		j->prev_all->next_all = j->next_all;
	else
		q->all = j->next_all;
	if (j->next_all)
		j->next_all->prev_all = j->prev_all;
	free(j);
}

/* Adds c to job (a new one when *open is NULL, queued for the workers);
 * the job is complete with its last chunk. c == NULL only completes it. */
static int hand_over(struct text_chunks *q, struct text_job **open, struct chunk *c,
		     uint64_t *seq, uint64_t offset)
{
	struct text_job *j = *open;
	if (!j) {
		if (!(j = calloc(1, sizeof *j)))
			return WP_E_NOMEM;
		*j = (struct text_job){.q = q, .seq = (*seq)++, .first_offset = offset};
	}
	pthread_mutex_lock(&q->lock);
	if (!*open) {
		j->next_all = q->all;
		if (q->all)
			q->all->prev_all = j;
		q->all = j;
		if (q->queue_tail)
			q->queue_tail->next_queued = j;
		else
			q->queue_head = j;
		q->queue_tail = j;
		pthread_cond_signal(&q->jobs_cv);
	}
	if (c && j->abandoned) {
		give_back(q, c);
	} else if (c) {
		c->next = NULL;
		if (j->tail)
			j->tail->next = c;
		else
			j->head = c;
		j->tail = c;
	}
	bool completes = !c || c->last;
	if (completes)
		j->complete = true;
	pthread_cond_broadcast(&q->chain_cv);
	if (completes && j->abandoned)
		forget(q, j);
	pthread_mutex_unlock(&q->lock);
	*open = completes ? NULL : j;
	return 0;
}

/* The end of the last blank line in p[0, n) (its '\n' included), 0 when
 * there is none: perf script ends every sample with one, and the reader
 * after it is as fresh as a new one (a line of blanks counts too).
 * at_line_start: p[0] begins a line (not so in a chunk continuing one). */
static size_t after_last_blank_line(const char *p, size_t n, bool at_line_start)
{
	for (const char *nl = memrchr(p, '\n', n); nl; ) {
		size_t stop = (size_t)(nl - p), start = stop; /* the line is p[start, stop) */
		while (start > 0 && (p[start - 1] == ' ' || p[start - 1] == '\t' || p[start - 1] == '\r'))
			start--;
		if (start > 0 ? p[start - 1] == '\n' : at_line_start)
			return stop + 1;
		nl = start > 0 ? memrchr(p, '\n', start) : NULL; /* the previous line's end */
	}
	return 0;
}

/* Fills c up to the chunk size; 1 at the end of the input, 0 when full,
 * < 0 when reading failed. */
static int fill(struct text_chunks *q, struct wp_lines *lr, struct chunk *c)
{
	while (c->len < q->chunk_bytes) {
		long got = wp_lines_read(lr, c->data + c->len, q->chunk_bytes - c->len);
		if (got < 0)
			return (int)got;
		if (got == 0)
			return 1;
		c->len += (size_t)got;
	}
	return 0;
}

int text_chunks_fill(struct text_chunks *q, struct wp_lines *lr)
{
	if (q->fd >= 0) /* the workers read */
		return 0;
	struct text_job *open = NULL;
	uint64_t seq = 0, offset = 0;
	bool nomem = false, at_line_start = true;
	int status = 0;
	struct chunk *c = take_free(q, &nomem);
	if (c)
		c->len = 0;
	while (c) {
		int end = fill(q, lr, c);
		struct chunk *next = NULL;
		c->last = end != 0;
		c->failed = end < 0;
		if (end == 0) {
			size_t cut = after_last_blank_line(c->data, c->len, at_line_start);
			if ((next = take_free(q, &nomem))) {
				next->len = 0;
				if (cut) { /* the bytes after the blank line start the next job */
					next->len = c->len - cut;
					memcpy(next->data, c->data + cut, next->len);
					c->len = cut;
					c->last = true;
				}
			}
			at_line_start = cut || c->data[c->len - 1] == '\n';
		}
		uint64_t bytes = c->len;
		int rc = 0;
		if (c->len || c->failed || open)
			rc = hand_over(q, &open, c, &seq, offset);
		else
			pthread_mutex_lock(&q->lock), give_back(q, c), pthread_mutex_unlock(&q->lock);
		offset += bytes;
		status = end < 0 ? end : rc ? rc : nomem ? WP_E_NOMEM : 0;
		c = status || end ? NULL : next;
		if (!c && next) {
			pthread_mutex_lock(&q->lock);
			give_back(q, next);
			pthread_mutex_unlock(&q->lock);
		}
	}
	if (open)
		hand_over(q, &open, NULL, &seq, offset);
	pthread_mutex_lock(&q->lock);
	q->done = true;
	pthread_cond_broadcast(&q->jobs_cv);
	pthread_mutex_unlock(&q->lock);
	return status;
}

static struct text_job *next_file_job(struct text_chunks *q);

struct text_job *text_chunks_next(struct text_chunks *q)
{
	if (q->fd >= 0)
		return next_file_job(q);
	pthread_mutex_lock(&q->lock);
	while (!q->queue_head && !q->done)
		pthread_cond_wait(&q->jobs_cv, &q->lock);
	struct text_job *j = q->queue_head;
	if (j) {
		q->queue_head = j->next_queued;
		if (!q->queue_head)
			q->queue_tail = NULL;
	}
	pthread_mutex_unlock(&q->lock);
	return j;
}

uint64_t text_job_seq(const struct text_job *j) { return j->seq; }
uint64_t text_job_first_offset(const struct text_job *j) { return j->first_offset; }
bool text_job_failed(const struct text_job *j) { return j->failed; }

/* The job's next chunk as j->cur (waiting for the reader); false at the
 * job's end. */
static bool next_chunk(struct text_job *j)
{
	struct text_chunks *q = j->q;
	pthread_mutex_lock(&q->lock);
	if (j->cur) {
		give_back(q, j->cur);
		j->cur = NULL;
	}
	while (!j->head && !j->complete && !q->stopped)
		pthread_cond_wait(&q->chain_cv, &q->lock);
	struct chunk *c = j->head;
	if (c) {
		j->head = c->next;
		if (!j->head)
			j->tail = NULL;
	}
	pthread_mutex_unlock(&q->lock);
	j->cur = c;
	return c != NULL;
}

static int file_segment(struct text_job *j, const char **p, size_t *n);

int text_job_segment(void *job, const char **p, size_t *n)
{
	struct text_job *j = job;
	if (j->file)
		return file_segment(j, p, n);
	struct chunk *c = j->cur;
	if (!j->ended && c && (c->last || c->failed)) {
		j->ended = true;
		j->failed = c->failed;
	}
	if (!j->ended && next_chunk(j)) {
		*p = j->cur->data;
		*n = j->cur->len;
		return 1;
	}
	j->ended = true;
	return j->failed ? -1 : 0;
}

void text_job_done(struct text_job *j)
{
	struct text_chunks *q = j->q;
	pthread_mutex_lock(&q->lock);
	if (j->file) { /* back with its buffer */
		j->next_queued = q->idle_jobs;
		q->idle_jobs = j;
		pthread_cond_signal(&q->pool_cv);
		pthread_mutex_unlock(&q->lock);
		return;
	}
	j->abandoned = true;
	if (j->cur)
		give_back(q, j->cur);
	j->cur = NULL;
	while (j->head) {
		struct chunk *c = j->head;
		j->head = c->next;
		give_back(q, c);
	}
	j->tail = NULL;
	if (j->complete)
		forget(q, j);
	pthread_mutex_unlock(&q->lock);
}

/* ---- a regular file: the workers read their jobs ---- */

/* Finds where a job may start: after a blank line (only blanks before
 * its '\n', as after_last_blank_line) that starts at or after some
 * offset, fed the bytes from the one before that offset on. */
struct cut_scan {
	bool blank;                /* the line being read has only blanks so far */
	uint64_t line_start;
};

struct file_job {
	char *data;                /* the file's bytes [at, at + len) */
	size_t len;
	uint64_t at;
	uint64_t pos, end;         /* still to hand out: [pos, end), end UINT64_MAX until found */
	struct cut_scan scan;      /* finds end in the bytes from scan_at on */
	uint64_t scan_at;
	uint64_t tail;             /* the next chunk's bytes start here (less 1)... */
	size_t tail_read;          /* ...and are read this many at a time, doubling */
	char err[320];
};

struct file_slot {
	struct text_job job;
	struct file_job file;
};

/* Feeds p[0, n), the bytes at offset `at`: 1 with *cut after the first
 * blank line, 0 when there is none yet, -1 when none can start before
 * `limit` any more (the scanner is past it, in a line that is not blank or
 * that starts at or after it). */
static int cut_scan_feed(struct cut_scan *s, const char *p, size_t n, uint64_t at, uint64_t limit,
			 uint64_t *cut)
{
	for (size_t i = 0; i < n; i++) {
		if (s->blank ? s->line_start >= limit : at + i >= limit)
			return -1;
		char c = p[i];
		if (c == '\n') {
			if (s->blank) {
				*cut = at + i + 1;
				return 1;
			}
			s->blank = true;
			s->line_start = at + i + 1;
		} else if (c != ' ' && c != '\t' && c != '\r') {
			s->blank = false;
		}
	}
	return 0;
}

struct text_chunks *text_chunks_new_file(int fd, uint64_t size, const char *name,
					 size_t chunk_bytes, unsigned buffers)
{
	struct text_chunks *q = text_chunks_new(chunk_bytes, buffers);
	if (!q)
		return NULL;
	q->fd = fd;
	q->size = size;
	q->name = name;
	q->njobs = size / q->chunk_bytes + (size % q->chunk_bytes != 0);
	/* every job a worker may hold, made now: a job that could not be
	 * made later would leave its turn to merge unfilled */
	q->file_slots = calloc(q->buffers, sizeof *q->file_slots);
	for (unsigned i = 0; q->file_slots && i < q->buffers; i++) {
		struct file_slot *sl = &q->file_slots[i];
		if (!(sl->file.data = malloc(q->chunk_bytes))) {
			text_chunks_free(q);
			return NULL;
		}
		sl->job.q = q;
		sl->job.file = &sl->file;
		sl->job.next_queued = q->idle_jobs;
		q->idle_jobs = &sl->job;
	}
	if (!q->file_slots) {
		text_chunks_free(q);
		return NULL;
	}
	return q;
}

static void free_file_slots(struct text_chunks *q)
{
	for (unsigned i = 0; q->file_slots && i < q->buffers; i++)
		free(q->file_slots[i].file.data);
	free(q->file_slots);
}

/* The file's bytes from `at` into the job's buffer (up to `most`, not
 * past the size); 1, 0 at the size, -1 when reading failed (the message
 * set). */
static int read_at(struct text_job *j, uint64_t at, size_t most)
{
	struct text_chunks *q = j->q;
	struct file_job *f = j->file;
	size_t want = at >= q->size ? 0 : q->size - at < most ? (size_t)(q->size - at) : most;
	size_t have = 0;
	while (have < want) {
		ssize_t got = pread(q->fd, f->data + have, want - have, (off_t)(at + have));
		if (got < 0 && errno == EINTR)
			continue;
		if (got == 0 && have > 0)
			break; /* these first: the next read fails where they end */
		if (got <= 0) {
			if (got < 0)
				snprintf(f->err, sizeof f->err, "%s: offset %llu: %s", q->name,
					 (unsigned long long)(at + have), strerror(errno));
			else
				snprintf(f->err, sizeof f->err, "%s: offset %llu: the file was cut short "
					 "while being read (it had %llu bytes when opened)", q->name,
					 (unsigned long long)(at + have), (unsigned long long)q->size);
			j->failed = true;
			return -1;
		}
		have += (size_t)got;
	}
	f->at = at;
	f->len = have;
	return have > 0;
}

/* Where job k starts: 0 for the first, else after the first blank line
 * starting in its chunk; pos = end when there is none (an empty job: the
 * job before reads on to the next blank line). */
static void find_start(struct text_job *j, uint64_t k)
{
	struct text_chunks *q = j->q;
	struct file_job *f = j->file;
	uint64_t from = k * q->chunk_bytes, limit = from + q->chunk_bytes, cut = 0;
	int found = k == 0;
	struct cut_scan scan = {0};
	for (uint64_t at = from - 1; !found; at += f->len) {
		if (read_at(j, at, q->chunk_bytes) <= 0) /* (at the size: no blank line in reach) */
			break;
		found = cut_scan_feed(&scan, f->data, f->len, at, limit, &cut);
		if (found < 0)
			break;
	}
	if (found != 1) {
		f->pos = f->end = from;
		return;
	}
	f->pos = cut;
	f->end = UINT64_MAX;
	f->tail = limit - 1;
	f->tail_read = 4096;
	/* the end is after the first blank line starting in a later chunk; a
	 * blank line running past this chunk's end already starts a line */
	if (cut >= limit) {
		f->scan = (struct cut_scan){.blank = true, .line_start = cut};
		f->scan_at = cut;
	} else {
		f->scan = (struct cut_scan){0};
		f->scan_at = limit - 1;
	}
}

static struct text_job *next_file_job(struct text_chunks *q)
{
	pthread_mutex_lock(&q->lock);
	while (!q->idle_jobs && !q->stopped && q->next_index < q->njobs)
		pthread_cond_wait(&q->pool_cv, &q->lock);
	struct text_job *j = NULL;
	uint64_t k = q->next_index;
	if (!q->stopped && k < q->njobs) {
		j = q->idle_jobs;
		q->idle_jobs = j->next_queued;
		q->next_index++;
	}
	pthread_mutex_unlock(&q->lock);
	if (!j)
		return NULL;
	struct file_job *f = j->file;
	j->seq = k;
	j->failed = false;
	f->len = 0;
	f->err[0] = '\0';
	find_start(j, k);
	j->first_offset = f->pos;
	return j;
}

/* text_job_segment for a file's job: its bytes, a chunk at a time, up to
 * its end (found on the way). */
static int file_segment(struct text_job *j, const char **p, size_t *n)
{
	struct file_job *f = j->file;
	if (j->failed)
		return -1;
	if (f->pos >= f->end)
		return 0;
	if (f->pos < f->at || f->pos >= f->at + f->len) {
		/* the chunk's own bytes at once, the next one's a little at a
		 * time: its job reads it all, this one only up to a blank line */
		size_t most = j->q->chunk_bytes;
		if (f->pos < f->tail && f->tail - f->pos < most)
			most = (size_t)(f->tail - f->pos);
		else if (f->pos >= f->tail && f->tail_read < most)
			most = f->tail_read, f->tail_read *= 2;
		int got = read_at(j, f->pos, most);
		if (got <= 0) {
			f->end = f->pos;
			return got;
		}
	}
	uint64_t stop = f->at + f->len, cut;
	if (f->end == UINT64_MAX && stop > f->scan_at) {
		uint64_t from = f->scan_at > f->pos ? f->scan_at : f->pos;
		if (cut_scan_feed(&f->scan, f->data + (from - f->at), stop - from, from, UINT64_MAX,
				  &cut) == 1)
			f->end = cut;
		f->scan_at = stop;
	}
	if (stop > f->end)
		stop = f->end;
	*p = f->data + (f->pos - f->at);
	*n = (size_t)(stop - f->pos);
	f->pos = stop;
	return 1;
}

const char *text_job_errmsg(const struct text_job *j)
{
	return j->file && j->failed ? j->file->err : NULL;
}
