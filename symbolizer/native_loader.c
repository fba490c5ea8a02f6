/* native_loader.c - worker threads that load symbol sources (kallsyms, ELF
 * symbol tables, perf maps) while the caller goes on reading records. A
 * job is queued as soon as its source is known (native_prefetch.c) and
 * taken at its first use: a job no worker has started yet is then run by
 * the caller itself, so a lookup never waits behind loads it does not
 * need; while a running one is waited for, the caller runs the queued
 * ones in their turn, as one more worker. Jobs only build private results
 * (their own name tables included) and never touch the handle, warn or
 * count: the caller reports each source at its first use, in the order a
 * single thread would, so the output and the warnings do not depend on
 * the number of threads (tests/threads/test_fold_data_threads.sh). */
#include <pthread.h>
#include <stdlib.h>

#include "native_internal.h"

enum { JOB_QUEUED, JOB_RUNNING, JOB_DONE };

struct native_loader {
	pthread_mutex_t lock;
	pthread_cond_t work;       /* a job was queued, or stop */
	pthread_cond_t done;       /* a job finished */
	struct native_job *head, *tail;
	pthread_t *workers;
	unsigned nworkers;
	bool stop;
};

/* The next queued job, unlinked; NULL when stopping with none. */
static struct native_job *next_job(struct native_loader *l)
{
	while (!l->head && !l->stop)
		pthread_cond_wait(&l->work, &l->lock);
	struct native_job *j = l->head;
	if (j) {
		l->head = j->next;
		if (!l->head)
			l->tail = NULL;
		j->next = NULL;
		j->state = JOB_RUNNING;
	}
	return j;
}

static void *worker_main(void *arg)
{
	struct native_loader *l = arg;
	pthread_mutex_lock(&l->lock);
	for (struct native_job *j; (j = next_job(l)) != NULL;) {
		pthread_mutex_unlock(&l->lock);
		j->run(j);
		pthread_mutex_lock(&l->lock);
		j->state = JOB_DONE;
		pthread_cond_broadcast(&l->done);
	}
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

struct native_loader *native_loader_new(unsigned workers)
{
	if (workers == 0)
		return NULL;
	struct native_loader *l = calloc(1, sizeof *l);
	if (!l)
		return NULL;
	l->workers = calloc(workers, sizeof *l->workers);
	if (!l->workers || pthread_mutex_init(&l->lock, NULL) != 0) {
		free(l->workers);
		free(l);
		return NULL;
	}
	pthread_cond_init(&l->work, NULL);
	pthread_cond_init(&l->done, NULL);
	/* fewer workers than asked (no thread to be had) still work; none
	 * at all is the one-thread path */
	while (l->nworkers < workers &&
	       pthread_create(&l->workers[l->nworkers], NULL, worker_main, l) == 0)
		l->nworkers++;
	if (l->nworkers == 0) {
		native_loader_free(l);
		return NULL;
	}
	return l;
}

void native_loader_free(struct native_loader *l)
{
	if (!l)
		return;
	pthread_mutex_lock(&l->lock);
	l->stop = true;
	/* queued jobs stay unrun: their owners free what they hold */
	l->head = l->tail = NULL;
	pthread_cond_broadcast(&l->work);
	pthread_mutex_unlock(&l->lock);
	for (unsigned i = 0; i < l->nworkers; i++)
		pthread_join(l->workers[i], NULL);
	pthread_cond_destroy(&l->work);
	pthread_cond_destroy(&l->done);
	pthread_mutex_destroy(&l->lock);
	free(l->workers);
	free(l);
}

void native_loader_submit(struct native_loader *l, struct native_job *j)
{
	j->next = NULL;
	j->state = JOB_QUEUED;
	pthread_mutex_lock(&l->lock);
	if (l->tail)
		l->tail->next = j;
	else
		l->head = j;
	l->tail = j;
	pthread_cond_signal(&l->work);
	pthread_mutex_unlock(&l->lock);
}

/* Unlinks a queued job (the queue is short: one entry per source). */
static void unqueue(struct native_loader *l, struct native_job *j)
{
	struct native_job *prev = NULL;
	for (struct native_job *p = l->head; p; prev = p, p = p->next) {
		if (p != j)
			continue;
		if (prev)
			prev->next = p->next;
		else
			l->head = p->next;
		if (l->tail == p)
			l->tail = prev;
		p->next = NULL;
		return;
	}
}

/* Runs a job taken off the queue (lock held on entry and on return). */
static void run_here(struct native_loader *l, struct native_job *j)
{
	j->state = JOB_RUNNING;
	pthread_mutex_unlock(&l->lock);
	j->run(j);
	pthread_mutex_lock(&l->lock);
	j->state = JOB_DONE;
	pthread_cond_broadcast(&l->done);
}

void native_job_finish(struct native_loader *l, struct native_job *j)
{
	pthread_mutex_lock(&l->lock);
	while (j->state != JOB_DONE) {
		if (j->state == JOB_QUEUED) {
			unqueue(l, j);
			run_here(l, j);
		} else if (l->head) {
			/* j runs on a worker: rather than idle, take the job a
			 * worker would take next (esbuild.data at -j2: node's
			 * symbol table here while kallsyms loads there, instead of
			 * both on the one worker, one after the other) */
			struct native_job *next = l->head;
			unqueue(l, next);
			run_here(l, next);
		} else {
			pthread_cond_wait(&l->done, &l->lock);
		}
	}
	pthread_mutex_unlock(&l->lock);
}
