/* export_samples.c - the samples of an export, in bounded memory. The
 * timelines of speedscope and the Firefox Profiler want each thread's
 * samples in time order, and a recording can hold hundreds of millions:
 * FG_STORE_BUDGET samples (1.5 MB) are kept in memory; a full buffer is
 * sorted by (thread, time, arrival) and appended to an unlinked temporary
 * file as one run, with a segment per thread it holds. Reading a thread
 * merges its segments (one per run at most): a binary heap on (time, run)
 * over windows read with pread, FG_MERGE_BUDGET samples among them all.
 * perf.data arrives in time order, so the merge mostly drains one
 * segment after another; text of several recordings may not, and still
 * comes out sorted. I/O is a write and, per pass of a writer, a read of
 * each sample. The last run never leaves memory: a small recording never
 * touches the disk. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* O_TMPFILE */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "export_internal.h"

struct fg_iter_seg {
	uint32_t run;
	const struct fg_psample *mem;  /* the in-memory run's samples, or NULL */
	uint64_t offset;               /* file: byte offset of the next unread sample */
	uint64_t left;                 /* samples not yet read into the window */
	struct fg_psample *win;
	size_t pos, have, cap;
};

int fg_store_init(struct fg_store *st)
{
	memset(st, 0, sizeof *st);
	st->fd = -1;
	st->mem = malloc(FG_STORE_BUDGET * sizeof *st->mem);
	st->order = malloc(FG_STORE_BUDGET * sizeof *st->order);
	return st->mem && st->order ? 0 : WP_E_NOMEM;
}

void fg_store_release(struct fg_store *st)
{
	if (st->fd >= 0)
		close(st->fd);
	free(st->mem);
	free(st->order);
	free(st->run_offset);
	free(st->segs);
	memset(st, 0, sizeof *st);
	st->fd = -1;
}

/* An unlinked file in dir: O_TMPFILE where the file system has it, else
 * mkstemp and unlink. */
static int open_spill(const char *dir)
{
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd;
	size_t n = strlen(dir) + sizeof "/wasmperf-export-XXXXXX";
	char *path = malloc(n);
	if (!path)
		return -1;
	snprintf(path, n, "%s/wasmperf-export-XXXXXX", dir);
	fd = mkstemp(path);
	if (fd >= 0)
		unlink(path);
	free(path);
	return fd;
}

static int by_thread_time(const void *a, const void *b, void *ctx)
{
	const struct fg_psample *s = ctx;
	uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
	if (s[i].thread != s[j].thread)
		return s[i].thread < s[j].thread ? -1 : 1;
	if (s[i].time != s[j].time)
		return s[i].time < s[j].time ? -1 : 1;
	return i < j ? -1 : i > j;
}

/* Sorts the buffer as a run and records its segments; the sorted samples
 * are left in st->mem. */
static int sort_run(struct fg_store *st, uint32_t run)
{
	size_t n = st->nmem;
	for (size_t i = 0; i < n; i++)
		st->order[i] = (uint32_t)i;
	qsort_r(st->order, n, sizeof *st->order, by_thread_time, st->mem); /* glibc: no globals */
	/* permute in place along the cycles of order */
	for (size_t i = 0; i < n; i++) {
		if (st->order[i] == i)
			continue;
		struct fg_psample keep = st->mem[i];
		size_t j = i;
		while (st->order[j] != i) {
			size_t k = st->order[j];
			st->mem[j] = st->mem[k];
			st->order[j] = (uint32_t)j;
			j = k;
		}
		st->mem[j] = keep;
		st->order[j] = (uint32_t)j;
	}
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && st->mem[j].thread == st->mem[i].thread)
			j++;
		if (wp_grow((void **)&st->segs, &st->segs_cap, st->nsegs + 1, sizeof *st->segs))
			return WP_E_NOMEM;
		st->segs[st->nsegs++] = (struct fg_store_seg){run, st->mem[i].thread, i, j - i};
		i = j;
	}
	return 0;
}

static int spill(struct fg_store *st, const char *dir)
{
	if (st->fd < 0 && (st->fd = open_spill(dir ? dir : "/tmp")) < 0) {
		st->spill_errno = errno;
		return WP_E_IO;
	}
	if (wp_grow((void **)&st->run_offset, &st->runs_cap, st->nruns + 1, sizeof *st->run_offset))
		return WP_E_NOMEM;
	int rc = sort_run(st, (uint32_t)st->nruns);
	if (rc)
		return rc;
	uint64_t offset = st->nruns ? st->run_offset[st->nruns - 1] : 0;
	if (st->nruns)
		offset += (uint64_t)FG_STORE_BUDGET * sizeof *st->mem; /* every spilled run is full */
	const char *b = (const char *)st->mem;
	size_t len = st->nmem * sizeof *st->mem, done = 0;
	while (done < len) {
		ssize_t w = pwrite(st->fd, b + done, len - done, (off_t)(offset + done));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			st->spill_errno = w < 0 ? errno : ENOSPC;
			return WP_E_IO;
		}
		done += (size_t)w;
	}
	st->run_offset[st->nruns++] = offset;
	st->nmem = 0;
	return 0;
}

int fg_store_add(struct fg_store *st, const char *dir, const struct fg_psample *s)
{
	if (st->finished)
		return WP_E_USAGE;
	if (st->nmem == FG_STORE_BUDGET) {
		int rc = spill(st, dir);
		if (rc)
			return rc;
	}
	st->mem[st->nmem++] = *s;
	return 0;
}

int fg_store_finish(struct fg_store *st)
{
	if (st->finished)
		return 0;
	int rc = sort_run(st, (uint32_t)st->nruns); /* the in-memory run: number nruns */
	st->finished = !rc;
	return rc;
}

/* ---- reading a thread back ---- */

static int read_window(struct fg_sample_iter *it, struct fg_iter_seg *g)
{
	g->pos = 0;
	g->have = 0;
	if (!g->left)
		return 0;
	if (g->mem) { /* the in-memory run: the window is the segment itself */
		g->win = (struct fg_psample *)g->mem;
		g->have = g->left;
		g->mem += g->left;
		g->left = 0;
		return 0;
	}
	size_t take = g->left < g->cap ? (size_t)g->left : g->cap;
	char *b = (char *)g->win;
	size_t len = take * sizeof *g->win, done = 0;
	while (done < len) {
		ssize_t r = pread(it->st->fd, b + done, len - done, (off_t)(g->offset + done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return it->err = WP_E_IO;
		done += (size_t)r;
	}
	g->offset += len;
	g->left -= take;
	g->have = take;
	return 0;
}

static bool seg_before(const struct fg_sample_iter *it, uint32_t a, uint32_t b)
{
	const struct fg_iter_seg *x = &it->segs[a], *y = &it->segs[b];
	uint64_t tx = x->win[x->pos].time, ty = y->win[y->pos].time;
	return tx != ty ? tx < ty : x->run < y->run;
}

static void sift_down(struct fg_sample_iter *it, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < it->nheap && seg_before(it, it->heap[l], it->heap[m]))
			m = l;
		if (r < it->nheap && seg_before(it, it->heap[r], it->heap[m]))
			m = r;
		if (m == i)
			return;
		uint32_t t = it->heap[i];
		it->heap[i] = it->heap[m];
		it->heap[m] = t;
		i = m;
	}
}

int fg_sample_iter_open(struct fg_sample_iter *it, const struct fg_profile *p, uint32_t thread)
{
	const struct fg_store *st = &p->store;
	memset(it, 0, sizeof *it);
	it->st = st;
	if (!st->finished)
		return WP_E_USAGE;
	size_t n = 0, spilled = 0;
	for (size_t i = 0; i < st->nsegs; i++)
		if (st->segs[i].thread == thread) {
			n++;
			spilled += st->segs[i].run < st->nruns;
		}
	if (!n)
		return 0;
	size_t cap = spilled ? FG_MERGE_BUDGET / spilled : 0;
	if (spilled && cap < FG_MERGE_MIN_WINDOW)
		cap = FG_MERGE_MIN_WINDOW;
	it->segs = calloc(n, sizeof *it->segs);
	it->heap = malloc(n * sizeof *it->heap);
	it->windows = spilled ? malloc(spilled * cap * sizeof *it->windows) : NULL;
	if (!it->segs || !it->heap || (spilled && !it->windows)) {
		fg_sample_iter_close(it);
		return WP_E_NOMEM;
	}
	size_t w = 0;
	for (size_t i = 0; i < st->nsegs; i++) {
		const struct fg_store_seg *s = &st->segs[i];
		if (s->thread != thread)
			continue;
		struct fg_iter_seg *g = &it->segs[it->nsegs];
		g->run = s->run;
		g->left = s->count;
		if (s->run < st->nruns) {
			g->offset = st->run_offset[s->run] + s->first * sizeof *st->mem;
			g->win = it->windows + w++ * cap;
			g->cap = cap;
		} else {
			g->mem = st->mem + s->first;
		}
		if (read_window(it, g)) {
			int rc = it->err;
			fg_sample_iter_close(it);
			return rc;
		}
		it->heap[it->nheap++] = (uint32_t)it->nsegs++;
	}
	for (size_t i = it->nheap / 2; i-- > 0;)
		sift_down(it, i);
	return 0;
}

int fg_sample_iter_next(struct fg_sample_iter *it, struct fg_psample *s)
{
	if (it->err)
		return it->err;
	if (!it->nheap)
		return 0;
	struct fg_iter_seg *g = &it->segs[it->heap[0]];
	*s = g->win[g->pos++];
	if (g->pos == g->have && read_window(it, g))
		return it->err;
	if (g->pos == g->have) /* the segment is done */
		it->heap[0] = it->heap[--it->nheap];
	sift_down(it, 0);
	return 1;
}

void fg_sample_iter_close(struct fg_sample_iter *it)
{
	free(it->segs);
	free(it->heap);
	free(it->windows);
	it->segs = NULL;
	it->heap = NULL;
	it->windows = NULL;
	it->nsegs = it->nheap = 0;
}
