/* write_behind.c - a ring of buffers between the caller, who fills them in
 * order, and a thread that writes them in the same order. */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "write_behind.h"

/* 4 x 256 KiB: each write(2) is big enough to cost little per byte, and
 * the filler seldom waits on a 2-core machine. */
#define NBUF 4
#define CHUNK ((size_t)256 << 10)

struct write_behind {
	FILE *out;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct wp_buf buf[NBUF];
	size_t fill;   /* the caller's buffer */
	size_t next;   /* the next buffer the thread writes */
	size_t queued; /* buffers handed over and not yet written: next, next + 1, ... */
	bool done;     /* (under lock) nothing more will be handed over */
	bool failed;   /* (under lock) a write failed */
};

static void *writer_main(void *arg)
{
	struct write_behind *w = arg;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (w->queued == 0 && !w->done)
			pthread_cond_wait(&w->changed, &w->lock);
		if (w->queued == 0)
			break;
		struct wp_buf *b = &w->buf[w->next];
		bool failed = w->failed;
		pthread_mutex_unlock(&w->lock);
		/* after a failure the rest is dropped: the caller is told */
		bool ok = failed || b->len == 0 || fwrite(b->data, 1, b->len, w->out) == b->len;
		wp_buf_reset(b);
		pthread_mutex_lock(&w->lock);
		w->failed |= !ok;
		w->next = (w->next + 1) % NBUF;
		w->queued--;
		pthread_cond_broadcast(&w->changed);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct write_behind *write_behind_start(FILE *out)
{
	struct write_behind *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->out = out;
	for (size_t i = 0; i < NBUF; i++)
		wp_buf_init(&w->buf[i], WP_BUF_UNLIMITED);
	if (pthread_mutex_init(&w->lock, NULL) != 0) {
		free(w);
		return NULL;
	}
	if (pthread_cond_init(&w->changed, NULL) != 0) {
		pthread_mutex_destroy(&w->lock);
		free(w);
		return NULL;
	}
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		pthread_cond_destroy(&w->changed);
		pthread_mutex_destroy(&w->lock);
		free(w);
		return NULL;
	}
	return w;
}

struct wp_buf *write_behind_buf(struct write_behind *w)
{
	return &w->buf[w->fill];
}

/* Queues the caller's buffer and waits until the one after it is free. */
static bool hand_over(struct write_behind *w)
{
	pthread_mutex_lock(&w->lock);
	w->queued++;
	pthread_cond_broadcast(&w->changed);
	while (w->queued == NBUF)
		pthread_cond_wait(&w->changed, &w->lock);
	w->fill = (w->fill + 1) % NBUF;
	bool failed = w->failed;
	pthread_mutex_unlock(&w->lock);
	return !failed;
}

int write_behind_ready(struct write_behind *w)
{
	if (w->buf[w->fill].len < CHUNK)
		return 0;
	return hand_over(w) ? 0 : WP_E_IO;
}

int write_behind_finish(struct write_behind *w)
{
	bool ok = hand_over(w);
	pthread_mutex_lock(&w->lock);
	w->done = true;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	ok = ok && !w->failed;
	for (size_t i = 0; i < NBUF; i++)
		wp_buf_release(&w->buf[i]);
	pthread_cond_destroy(&w->changed);
	pthread_mutex_destroy(&w->lock);
	free(w);
	return ok ? 0 : WP_E_IO;
}
