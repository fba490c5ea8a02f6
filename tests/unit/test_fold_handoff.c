/* test_fold_handoff.c - tools/fold_handoff.c: samples built on one thread
 * arrive on the folder thread whole, in order, across many batches; the
 * folder's first error reaches the producer and stops the folding; an
 * aborted sample never arrives; freeing without finishing returns. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fold_handoff.h"
#include "wpcommon.h"

#define SAMPLES 20000

/* Stable "symbolizer" strings the frames point at. */
static const char *symbols[] = {"main", "work", NULL, "f(int)", "[unknown]"};
static const char *modules[] = {"/bin/a", "/lib/libc.so.6", "[kernel.kallsyms]"};

struct expect {
	unsigned next;        /* the sample expected next */
	unsigned bad;         /* samples that differ from what was built */
	unsigned fail_at;     /* fold returns WP_E_NOMEM at this sample (0: never) */
	unsigned aborted;     /* the producer aborted this one: it is skipped */
	unsigned long frames;
};

static unsigned nframes_of(unsigned i) { return (i * 7919u) % 41u; }

static void root_of(unsigned i, char comm[32], char pid[16])
{
	snprintf(comm, 32, "comm %u", i % 13);
	snprintf(pid, 16, "%u", 1000 + i % 5);
}

/* The name of frame k of sample i when it is a final name (one in five). */
static bool name_of(unsigned i, unsigned k, char out[48])
{
	if ((i + k) % 5)
		return false;
	snprintf(out, 48, "[Wasm] fn_%u_%u", i, k);
	return true;
}

static int fold(void *ctx, const struct fold_handoff_sample *s)
{
	struct expect *e = ctx;
	if (e->next == e->aborted && e->aborted)
		e->next++;
	unsigned i = e->next++;
	if (e->fail_at && i == e->fail_at)
		return WP_E_NOMEM;
	char comm[32], pid[16], name[48];
	root_of(i, comm, pid);
	bool ok = s->comm_len == strlen(comm) && !memcmp(s->comm, comm, s->comm_len) &&
		  s->pid_len == strlen(pid) && !memcmp(s->pid, pid, s->pid_len) && s->tid_len == 0 &&
		  s->weight == i + 1 && s->nframes == nframes_of(i);
	for (unsigned k = 0; ok && k < s->nframes; k++) {
		const struct fold_handoff_frame *f = &s->frames[k];
		if (name_of(i, k, name))
			ok = f->is_name && f->name_len == strlen(name) &&
			     !memcmp(s->arena + f->name_at, name, f->name_len);
		else
			ok = !f->is_name && f->symbol == symbols[(i + k) % 5] &&
			     f->module == modules[k % 3];
	}
	e->bad += !ok;
	e->frames += s->nframes;
	return 0;
}

/* Builds the samples [0, n) (sample `abort_at` aborted half-way):
 * the first non-zero fold_handoff_end, or 0. */
static int produce(struct fold_handoff *h, unsigned n, unsigned abort_at)
{
	int first = 0;
	for (unsigned i = 0; i < n; i++) {
		char comm[32], pid[16], name[48];
		root_of(i, comm, pid);
		fold_handoff_begin(h, comm, strlen(comm), pid, strlen(pid), "", 0);
		for (unsigned k = 0; k < nframes_of(i); k++) {
			if (abort_at && i == abort_at && k == 3)
				break;
			if (name_of(i, k, name))
				fold_handoff_name(h, name, strlen(name));
			else
				fold_handoff_frame(h, symbols[(i + k) % 5], modules[k % 3]);
		}
		if (abort_at && i == abort_at) {
			fold_handoff_abort(h);
			continue;
		}
		int rc = fold_handoff_end(h, i + 1);
		if (rc && !first)
			first = rc;
	}
	return first;
}

int main(void)
{
	/* every sample, in order, whole; one aborted in the middle */
	struct expect e = {.aborted = 777};
	struct fold_handoff *h = fold_handoff_new(fold, &e);
	CHECK(h != NULL);
	if (!h)
		return check_report();
	CHECK(produce(h, SAMPLES, 777) == 0);
	CHECK(fold_handoff_finish(h) == 0);
	CHECK(e.next == SAMPLES);
	CHECK(e.bad == 0);
	/* many batches went across */
	CHECK(e.frames > 20 * (unsigned long)FOLD_HANDOFF_FRAMES);
	fold_handoff_free(h);
	printf("fold_handoff: %u samples, %lu frames in order\n", e.next, e.frames);

	/* the folder fails at sample 5000: the producer hears of it, nothing
	 * after it is folded, finish says it */
	struct expect f = {.fail_at = 5000};
	h = fold_handoff_new(fold, &f);
	CHECK(h != NULL);
	if (!h)
		return check_report();
	CHECK(produce(h, SAMPLES, 0) == WP_E_NOMEM);
	CHECK(fold_handoff_finish(h) == WP_E_NOMEM);
	CHECK(f.next == 5001);
	CHECK(f.bad == 0);
	fold_handoff_free(h);

	/* given up: freed without finish, with samples pending */
	struct expect g = {0};
	h = fold_handoff_new(fold, &g);
	CHECK(h != NULL);
	if (h) {
		CHECK(produce(h, 3000, 0) == 0);
		fold_handoff_free(h);
		CHECK(g.bad == 0);
	}
	return check_report();
}
