/* data_pipe.c - perf.data records handed from a reader thread to the
 * folding thread (see data_pipe.h).
 *
 * Why a copy per record and batches: a pp_record points into pp_data's
 * buffers, which the next pp_data_next call reuses, so the reader copies
 * what a record points to (callchain, registers, the stack copy, names)
 * into the batch it fills; the two threads meet once per batch (a mutex
 * and two condition variables), not once per record. The batches form a
 * ring: the consumer keeps the batch it reads from until it asks for an
 * item past its end, so the producer never writes over what the consumer
 * still points into. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "data_pipe.h"

#define BATCH_BYTES (256u << 10)
#define BATCH_ITEMS 512u
/* The copies of one record: at most the record itself (header.size is a
 * u16) plus alignment padding and the NUL of a name. */
#define ITEM_MAX (68u << 10)
#define MSG_MAX 4096u

struct batch {
	struct data_pipe_item *items;
	size_t n;
	uint8_t *arena;         /* the copied bytes of items[0, n) */
	size_t used;
};

struct data_pipe {
	pthread_mutex_t lock;
	pthread_cond_t filled;  /* a batch was published, or the producer ended */
	pthread_cond_t freed;   /* the consumer let go of a batch, or stopped */
	struct batch batches[DATA_PIPE_BATCHES];
	size_t batch_bytes, arena_cap;
	/* under lock: batches[head] onwards, count of them, are published */
	size_t head, count;
	bool ended, stop;
	int produced_rc;
	/* the producer's own: the batch it fills (batches[fill]) */
	size_t fill;
	bool filling;
	/* the consumer's own: its place in batches[head] */
	size_t next_item;
	bool holding;
	pthread_t thread;
	bool started, joined;
	data_pipe_produce_fn fn;
	void *fn_ctx;
};

struct data_pipe *data_pipe_new(size_t batch_bytes)
{
	struct data_pipe *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->batch_bytes = batch_bytes ? batch_bytes : BATCH_BYTES;
	if (p->batch_bytes > (64u << 20))
		p->batch_bytes = 64u << 20;
	p->arena_cap = p->batch_bytes + ITEM_MAX + MSG_MAX;
	bool ok = true;
	for (size_t i = 0; i < DATA_PIPE_BATCHES; i++) {
		p->batches[i].items = malloc(BATCH_ITEMS * sizeof *p->batches[i].items);
		p->batches[i].arena = malloc(p->arena_cap);
		ok = ok && p->batches[i].items && p->batches[i].arena;
	}
	if (!ok || pthread_mutex_init(&p->lock, NULL)) {
		for (size_t i = 0; i < DATA_PIPE_BATCHES; i++) {
			free(p->batches[i].items);
			free(p->batches[i].arena);
		}
		free(p);
		return NULL;
	}
	pthread_cond_init(&p->filled, NULL);
	pthread_cond_init(&p->freed, NULL);
	return p;
}

void data_pipe_free(struct data_pipe *p)
{
	if (!p)
		return;
	if (p->started && !p->joined)
		data_pipe_finish(p);
	for (size_t i = 0; i < DATA_PIPE_BATCHES; i++) {
		free(p->batches[i].items);
		free(p->batches[i].arena);
	}
	pthread_cond_destroy(&p->filled);
	pthread_cond_destroy(&p->freed);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

/* ---- producer ---- */

/* Hands the batch being filled to the consumer (nothing when empty). */
static void publish(struct data_pipe *p)
{
	if (!p->filling)
		return;
	p->filling = false;
	pthread_mutex_lock(&p->lock);
	p->count++;
	pthread_cond_signal(&p->filled);
	pthread_mutex_unlock(&p->lock);
}

/* A batch with room for need more bytes and one more item: the current
 * one until it holds batch_bytes, else the next free one (waiting for the
 * consumer to let go of it). A full batch is published here, at the next
 * put, not when its last item is made: the producer writes that item's
 * notes in between. NULL when the consumer stopped. */
static struct batch *room(struct data_pipe *p, size_t need)
{
	if (p->filling) {
		struct batch *b = &p->batches[p->fill];
		if (b->n < BATCH_ITEMS && b->used < p->batch_bytes && b->used + need <= p->arena_cap)
			return b;
		publish(p);
	}
	pthread_mutex_lock(&p->lock);
	while (p->count == DATA_PIPE_BATCHES && !p->stop)
		pthread_cond_wait(&p->freed, &p->lock);
	bool stop = p->stop;
	p->fill = (p->head + p->count) % DATA_PIPE_BATCHES;
	pthread_mutex_unlock(&p->lock);
	if (stop)
		return NULL;
	p->filling = true;
	struct batch *b = &p->batches[p->fill];
	b->n = 0;
	b->used = 0;
	return b;
}

static size_t aligned(size_t n) { return (n + 7) & ~(size_t)7; }

/* Bytes a copy of n elements of size each takes (SIZE_MAX when absurd). */
static size_t span(const void *ptr, uint64_t n, size_t size)
{
	if (!ptr || !n)
		return 0;
	if (n > ITEM_MAX / size)
		return SIZE_MAX / 16;
	return aligned((size_t)n * size);
}

static size_t str_span(const char *s) { return s ? aligned(strlen(s) + 1) : 0; }

/* What the copies of r's pointed-to parts take in a batch. */
static size_t record_span(const struct pp_record *r)
{
	const struct pp_sample *s = &r->u.sample;
	switch (r->type) {
	case PP_RECORD_SAMPLE:
		return span(s->read, s->nr_read, sizeof *s->read) +
		       span(s->callchain, s->nr_callchain, 8) + span(s->raw, s->raw_size, 1) +
		       span(s->branches, s->nr_branch, sizeof *s->branches) +
		       span(s->branch_counters, s->nr_branch, 8) +
		       span(s->regs_user, s->nr_regs_user, 8) +
		       span(s->stack_user, s->stack_user_dyn_size, 1) +
		       span(s->regs_intr, s->nr_regs_intr, 8) + span(s->aux, s->aux_size, 1);
	case PP_RECORD_MMAP:
	case PP_RECORD_MMAP2:
		return str_span(r->u.mmap.filename) +
		       span(r->u.mmap.build_id, r->u.mmap.build_id_size, 1);
	case PP_RECORD_COMM:
		return str_span(r->u.comm.comm);
	case PP_RECORD_KSYMBOL:
		return str_span(r->u.ksymbol.name);
	default:
		return 0;
	}
}

/* Copies n elements at *ptr into the arena and points *ptr there (also
 * when n is 0: no pointer into the reader's buffers may be left). */
static void move_in(struct batch *b, const void **ptr, uint64_t n, size_t size)
{
	if (!*ptr)
		return;
	uint8_t *dst = b->arena + b->used;
	if (n) {
		memcpy(dst, *ptr, (size_t)n * size);
		b->used += aligned((size_t)n * size);
	}
	*ptr = dst;
}

static void move_str(struct batch *b, const char **s)
{
	if (*s)
		move_in(b, (const void **)s, strlen(*s) + 1, 1);
}

static void copy_sample(struct batch *b, struct pp_sample *s)
{
	move_in(b, (const void **)&s->read, s->nr_read, sizeof *s->read);
	move_in(b, (const void **)&s->callchain, s->nr_callchain, 8);
	move_in(b, &s->raw, s->raw_size, 1);
	move_in(b, (const void **)&s->branch_counters, s->nr_branch, 8);
	move_in(b, (const void **)&s->branches, s->nr_branch, sizeof *s->branches);
	move_in(b, (const void **)&s->regs_user, s->nr_regs_user, 8);
	/* of the stack copy only its valid part: perf records the full size
	 * (8 KiB by default) whatever the stack held */
	if (s->stack_user_dyn_size < s->stack_user_size)
		s->stack_user_size = s->stack_user_dyn_size;
	move_in(b, &s->stack_user, s->stack_user_size, 1);
	move_in(b, (const void **)&s->regs_intr, s->nr_regs_intr, 8);
	move_in(b, &s->aux, s->aux_size, 1);
}

struct data_pipe_item *data_pipe_put_record(struct data_pipe *p, const struct pp_record *r,
					    int *rc)
{
	size_t need = record_span(r);
	*rc = need > ITEM_MAX ? WP_E_TOOBIG : 0;
	struct batch *b = *rc ? NULL : room(p, need);
	if (!b)
		return NULL;
	struct data_pipe_item *it = &b->items[b->n++];
	*it = (struct data_pipe_item){.kind = DATA_PIPE_RECORD, .rec = *r};
	it->rec.data = NULL;
	switch (r->type) {
	case PP_RECORD_SAMPLE:
		copy_sample(b, &it->rec.u.sample);
		break;
	case PP_RECORD_MMAP:
	case PP_RECORD_MMAP2:
		move_str(b, &it->rec.u.mmap.filename);
		move_in(b, (const void **)&it->rec.u.mmap.build_id, it->rec.u.mmap.build_id_size, 1);
		break;
	case PP_RECORD_COMM:
		move_str(b, &it->rec.u.comm.comm);
		break;
	case PP_RECORD_KSYMBOL:
		move_str(b, &it->rec.u.ksymbol.name);
		break;
	default:
		break;
	}
	return it;
}

void data_pipe_put_warning(struct data_pipe *p, const char *msg)
{
	size_t len = strlen(msg);
	if (len >= MSG_MAX)
		len = MSG_MAX - 1;
	struct batch *b = room(p, aligned(len + 1));
	if (!b)
		return;
	char *copy = (char *)b->arena + b->used;
	memcpy(copy, msg, len);
	copy[len] = '\0';
	b->used += aligned(len + 1);
	b->items[b->n++] = (struct data_pipe_item){.kind = DATA_PIPE_WARNING, .msg = copy};
}

static void *produce(void *arg)
{
	struct data_pipe *p = arg;
	int rc = p->fn(p->fn_ctx, p);
	publish(p);
	pthread_mutex_lock(&p->lock);
	p->ended = true;
	p->produced_rc = rc;
	pthread_cond_signal(&p->filled);
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int data_pipe_start(struct data_pipe *p, data_pipe_produce_fn fn, void *ctx)
{
	p->fn = fn;
	p->fn_ctx = ctx;
	if (pthread_create(&p->thread, NULL, produce, p) != 0)
		return WP_E_NOMEM;
	p->started = true;
	return 0;
}

/* ---- consumer ---- */

const struct data_pipe_item *data_pipe_next(struct data_pipe *p)
{
	/* the held batch is the consumer's until it lets go: its items need
	 * no lock (one lock per record was 5 % of the folding thread's time) */
	if (p->holding && p->next_item < p->batches[p->head].n)
		return &p->batches[p->head].items[p->next_item++];
	pthread_mutex_lock(&p->lock);
	if (p->holding && p->next_item >= p->batches[p->head].n) {
		/* done with this batch: the producer may refill it */
		p->holding = false;
		p->head = (p->head + 1) % DATA_PIPE_BATCHES;
		p->count--;
		pthread_cond_signal(&p->freed);
	}
	while (!p->holding && p->count == 0 && !p->ended)
		pthread_cond_wait(&p->filled, &p->lock);
	if (!p->holding && p->count > 0) {
		p->holding = true;
		p->next_item = 0;
	}
	bool have = p->holding && p->next_item < p->batches[p->head].n;
	pthread_mutex_unlock(&p->lock);
	return have ? &p->batches[p->head].items[p->next_item++] : NULL;
}

const struct data_pipe_item *data_pipe_ahead(const struct data_pipe *p, size_t *n, bool *first)
{
	/* the held batch is the consumer's alone until data_pipe_next */
	*first = p->holding && p->next_item == 1;
	*n = p->holding ? p->batches[p->head].n - p->next_item : 0;
	return *n ? &p->batches[p->head].items[p->next_item] : NULL;
}

int data_pipe_finish(struct data_pipe *p)
{
	if (!p->started || p->joined)
		return p->produced_rc;
	pthread_mutex_lock(&p->lock);
	bool early = !p->ended;
	p->stop = true;
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	p->joined = true;
	return early ? 0 : p->produced_rc;
}
