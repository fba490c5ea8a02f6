/* perfdata_order.c - delivers records in time order.
 *
 * perf writes records per CPU ring buffer, one pass over all buffers per
 * "round", and a FINISHED_ROUND after each pass. Records of round N may
 * interleave with round N+1 but never with N+2, so on a FINISHED_ROUND
 * everything up to the largest time seen at the previous FINISHED_ROUND can
 * be sorted and handed out (perf's ordered_events, OE_FLUSH__ROUND;
 * tools/perf/util/ordered-events.c). Files without FINISHED_ROUND (data.N of
 * a --threads directory, some injected files) and oversized rounds are
 * bounded instead: when the queue passes its cap, the older half is handed
 * out. Sorting is stable (time, then arrival). Records without a time are
 * handed out at once, ahead of queued ones, as perf does. */
#include <stdlib.h>

#include "perfdata_internal.h"

void pd_queue_init(struct pd_queue *q, uint64_t max_bytes, size_t max_items)
{
	memset(q, 0, sizeof *q);
	q->max_bytes = max_bytes;
	q->max_items = max_items;
}

void pd_queue_release(struct pd_queue *q)
{
	for (size_t i = 0; i < q->npending; i++)
		free(q->pending[i]);
	for (size_t i = 0; i < q->nready; i++)
		free(q->ready[q->rhead + i]);
	free(q->pending);
	free(q->ready);
	memset(q, 0, sizeof *q);
}

/* The queue's arrays hold pointers to items. */
static int grow(struct pd_item ***items, size_t *cap, size_t need)
{
	return wp_grow((void **)items, cap, need, sizeof **items);
}

static int ready_append(struct pd_queue *q, struct pd_item *it)
{
	if (q->rhead > 0 && q->rhead + q->nready == q->ready_cap) {
		memmove(q->ready, q->ready + q->rhead, q->nready * sizeof *q->ready);
		q->rhead = 0;
	}
	int rc = grow(&q->ready, &q->ready_cap, q->rhead + q->nready + 1);
	if (rc)
		return rc;
	q->ready[q->rhead + q->nready++] = it;
	return 0;
}

static int cmp_item(const void *a, const void *b)
{
	const struct pd_item *x = *(const struct pd_item *const *)a;
	const struct pd_item *y = *(const struct pd_item *const *)b;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Hands out the first `count` pending records in time order, or all with
 * time <= limit when count is SIZE_MAX. */
static int flush(struct pd_queue *q, uint64_t limit, size_t count)
{
	if (q->npending == 0)
		return 0;
	qsort(q->pending, q->npending, sizeof *q->pending, cmp_item);
	size_t n = 0;
	if (count == SIZE_MAX)
		while (n < q->npending && q->pending[n]->time <= limit)
			n++;
	else
		n = count < q->npending ? count : q->npending;
	int rc = grow(&q->ready, &q->ready_cap, q->rhead + q->nready + n);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct pd_item *it = q->pending[i];
		q->bytes -= it->size;
		q->ready[q->rhead + q->nready++] = it;
		q->flushed_time = it->time;
		q->flushed_any = true;
	}
	memmove(q->pending, q->pending + n, (q->npending - n) * sizeof *q->pending);
	q->npending -= n;
	return 0;
}

int pd_queue_push(struct pd_queue *q, struct pd_item *it)
{
	it->seq = q->seq++;
	if (!it->has_time)
		return ready_append(q, it);
	int rc = grow(&q->pending, &q->pending_cap, q->npending + 1);
	if (rc)
		return rc;
	if (q->flushed_any && it->time < q->flushed_time)
		q->late++;
	q->pending[q->npending++] = it;
	q->bytes += it->size;
	if (it->time > q->max_time)
		q->max_time = it->time;
	if (q->bytes > q->max_bytes || q->npending > q->max_items) {
		rc = flush(q, 0, q->npending / 2 + 1);
		return rc ? rc : 1;
	}
	return 0;
}

int pd_queue_round(struct pd_queue *q)
{
	int rc = flush(q, q->next_flush, SIZE_MAX);
	q->next_flush = q->max_time;
	return rc;
}

int pd_queue_flush_all(struct pd_queue *q) { return flush(q, UINT64_MAX, SIZE_MAX); }

struct pd_item *pd_queue_peek(const struct pd_queue *q)
{
	return q->nready ? q->ready[q->rhead] : NULL;
}

struct pd_item *pd_queue_pop(struct pd_queue *q)
{
	if (!q->nready)
		return NULL;
	struct pd_item *it = q->ready[q->rhead++];
	if (--q->nready == 0)
		q->rhead = 0;
	return it;
}
