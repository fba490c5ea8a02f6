/* test_fold_reuse.c - tools/fold_reuse.c against the symbolizer: threads
 * whose call stacks grow and shrink at random while their processes map
 * new code over old (changes of one range), fork and exit (changes of a
 * whole space), with samples now and then at a time before the latest
 * change, samples without a time, and kernel frames at addresses a user
 * frame of the same chain also has. Every frame fold_reuse hands back must
 * be what sym_native_resolve answers for that address now; frames that
 * were not plain are never handed back; most frames are reused all the
 * same (a third of them here); more threads than slots only cost reuse.
 * The folder's half (fold_reuse_hold) refuses a slot out of step. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "check.h"
#include "fold_reuse.h"
#include "symbolizer.h"

enum { THREADS = 150, MAXDEPTH = 60, STEPS = 200000 };

struct thread {
	int32_t pid;
	uint32_t tid;
	uint64_t addr[MAXDEPTH];  /* root first */
	bool kernel[MAXDEPTH];
	size_t depth;
};

static uint64_t x = 88172645463325252ull;
static uint64_t next_rand(void) { return check_rand(&x); }

static void on_warn(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

/* 0x10000 .. 0x290000 in 40 maps of 64 KiB, as each process starts. */
static void map_process(struct sym_native *s, int32_t pid, uint64_t time)
{
	for (int k = 0; k < 40; k++) {
		char name[48];
		snprintf(name, sizeof name, "/nonexistent/%d-%d", pid, k);
		struct sym_native_map m = {.time = time, .pid = pid, .tid = pid,
					   .start = 0x10000 * (uint64_t)(k + 1), .len = 0x10000,
					   .filename = name, .prot = PROT_EXEC};
		CHECK(sym_native_mmap(s, &m) == 0);
	}
}

/* Not plain: the frames of addresses the test pretends were named from
 * their symbol (a WasmEdge AOT function, say). */
static bool plain_addr(uint64_t addr) { return (addr >> 4) % 97 != 0; }

static uint64_t random_addr(void)
{
	uint64_t pick = next_rand() % 3000;
	return 0x10000 + pick * 0x330 + pick % 7;
}

/* The stack changes as a program's does: a few returns, a few calls. */
static void step_stack(struct thread *t)
{
	size_t pops = next_rand() % 4;
	t->depth = pops > t->depth ? 0 : t->depth - pops;
	size_t pushes = next_rand() % 4 + (t->depth == 0);
	for (size_t i = 0; i < pushes && t->depth < MAXDEPTH; i++, t->depth++) {
		t->addr[t->depth] = random_addr();
		/* kernel frames at the leaf end, sometimes at an address the
		 * user part of the chain has too */
		t->kernel[t->depth] = t->depth > 3 && next_rand() % 10 == 0;
		if (t->kernel[t->depth] && next_rand() % 2)
			t->addr[t->depth] = t->addr[next_rand() % t->depth];
	}
}

/* One thread, the same two addresses four times: the root's context
 * changes to kernel at the second sample (a kernel address equal to a
 * user one: nothing is shared), stays at the third (all is), is user again
 * at the fourth (nothing). */
static void test_context(struct sym_native *s, struct fold_reuse *r)
{
	static const uint64_t chain[] = {0x20010, 0x10010}; /* leaf first */
	const struct fold_reuse_frame *same;
	for (int round = 0; round < 4; round++) {
		fold_reuse_begin(r);
		fold_reuse_add(r, chain[0], false);
		fold_reuse_add(r, chain[1], round == 1 || round == 2);
		size_t kept = fold_reuse_match(r, s, 100, 7, 1000000 + (uint64_t)round, &same);
		CHECK(kept == (round == 2 ? 2u : 0u));
		for (size_t i = 0; i < 2 - kept; i++) {
			bool kernel;
			uint64_t addr = fold_reuse_addr(r, i, &kernel);
			struct sym_frame f;
			CHECK(sym_native_resolve(s, 100, 1000000, addr, kernel, &f) == 0);
			fold_reuse_set(r, i, f.symbol, f.module, true);
		}
		fold_reuse_commit(r);
	}
}

/* The folder's half: a slot holds its last sample root first; a sample
 * sharing frames with a slot that does not hold that many is refused (the
 * two sides out of step), as is a slot never done; another key variant
 * says the keys must be made again. */
static void test_held(void)
{
	struct fold_reuse_keys *k = fold_reuse_keys_new();
	struct fold_reuse_held *held;
	CHECK(k != NULL);
	if (!k)
		return;
	CHECK(fold_reuse_hold(k, 3, 1, 4, 0, &held) == WP_E_USAGE); /* never held */
	CHECK(fold_reuse_hold(k, REUSE_SLOTS, 0, 4, 0, &held) == WP_E_USAGE);
	CHECK(fold_reuse_hold(k, 3, 5, 4, 0, &held) == WP_E_USAGE);
	CHECK(fold_reuse_hold(k, 3, 0, 4, 0, &held) == 1 && held && held->n == 4);
	for (uint32_t i = 0; held && i < 4; i++) {
		held->frames[i] = (struct fold_reuse_frame){"f", "m", true};
		held->keys[i] = 10 + i;
	}
	CHECK(fold_reuse_hold(k, 3, 2, 6, 0, &held) == WP_E_USAGE); /* not done */
	CHECK(fold_reuse_hold(k, 3, 0, 4, 0, &held) == 1);
	for (uint32_t i = 0; held && i < 4; i++)
		held->keys[i] = 10 + i;
	fold_reuse_held_done(k);
	CHECK(fold_reuse_hold(k, 3, 5, 6, 0, &held) == WP_E_USAGE); /* holds 4 */
	CHECK(fold_reuse_hold(k, 3, 2, 6, 0, &held) == 1 && held->keys[0] == 10 &&
	      held->keys[1] == 11 && held->n == 6);
	fold_reuse_held_done(k);
	CHECK(fold_reuse_hold(k, 3, 2, 3, 1, &held) == 0); /* another variant */
	fold_reuse_held_done(k);
	fold_reuse_keys_free(k);
}

int main(void)
{
	struct sym_native_options o;
	sym_native_options_init(&o);
	o.no_proc_kallsyms = true;
	struct sym_native *s = sym_native_new(&o, on_warn, NULL);
	struct fold_reuse *r = fold_reuse_new();
	CHECK(s && r);
	if (!s || !r)
		return check_report();
	static struct thread threads[THREADS];
	uint64_t time = 1;
	int32_t next_pid = 1000;
	for (int i = 0; i < THREADS; i++) {
		threads[i].pid = 100 + (i % 3) * 100;
		threads[i].tid = (uint32_t)(threads[i].pid + i);
	}
	for (int32_t pid = 100; pid <= 300; pid += 100)
		map_process(s, pid, time++);
	test_context(s, r);
	test_held();
	unsigned long frames = 0, reused = 0, wrong = 0, not_plain_reused = 0;
	unsigned long past_samples = 0, past_reused = 0, reused_across_change = 0;
	uint64_t last_generation = 0;
	for (int step = 0; step < STEPS; step++) {
		uint64_t roll = next_rand() % 1000;
		struct thread *t = &threads[next_rand() % (step < STEPS / 2 ? 8 : THREADS)];
		if (roll < 3) { /* new code over old in one process */
			char name[48];
			uint64_t start = 0x10000 + (next_rand() % 0x280) * 0x1000;
			snprintf(name, sizeof name, "/nonexistent/overlay-%d", step);
			struct sym_native_map m = {.time = time++, .pid = t->pid, .tid = t->tid,
						   .start = start, .len = 0x3000, .filename = name,
						   .prot = PROT_EXEC};
			CHECK(sym_native_mmap(s, &m) == 0);
			continue;
		}
		if (roll == 3) { /* the thread's process forks into a new one */
			int32_t child = next_pid++;
			CHECK(sym_native_fork(s, time++, child, t->pid, child, (int32_t)t->tid) == 0);
			t->pid = child;
			t->tid = (uint32_t)child;
			continue;
		}
		step_stack(t);
		uint64_t when = time++;
		bool past = roll >= 4 && roll < 20;
		if (past) /* a sample older than the latest change */
			when = 0;
		else if (roll < 40)
			when = UINT64_MAX;
		fold_reuse_begin(r);
		for (size_t i = t->depth; i-- > 0;)
			CHECK(fold_reuse_add(r, t->addr[i], t->kernel[i]) == 0);
		size_t n = fold_reuse_count(r);
		CHECK(n == t->depth);
		const struct fold_reuse_frame *same;
		size_t kept = fold_reuse_match(r, s, t->pid, t->tid, when, &same);
		CHECK(kept <= n);
		uint64_t generation;
		bool now = sym_native_generation(s, when, &generation);
		past_samples += !now;
		past_reused += !now && kept;
		if (kept && now && generation != last_generation)
			reused_across_change++;
		for (size_t i = 0; i < n; i++) {
			bool kernel;
			uint64_t addr = fold_reuse_addr(r, i, &kernel);
			struct sym_frame f;
			CHECK(sym_native_resolve(s, t->pid, when, addr, kernel, &f) == 0);
			if (i < n - kept) {
				fold_reuse_set(r, i, f.symbol, f.module, plain_addr(addr));
				continue;
			}
			const struct fold_reuse_frame *g = &same[i - (n - kept)];
			wrong += g->symbol != f.symbol || g->module != f.module;
			not_plain_reused += !plain_addr(addr);
			reused++;
		}
		frames += n;
		fold_reuse_commit(r);
		if (now)
			last_generation = generation;
	}
	CHECK(wrong == 0);
	CHECK(not_plain_reused == 0);
	CHECK(past_samples > 0 && past_reused == 0);
	CHECK(reused_across_change > 0);
	CHECK(reused * 3 > frames); /* a third, with more threads than slots */
	printf("fold_reuse: %lu frames, %lu reused (%lu wrong), %lu samples after a change reused "
	       "frames, %lu samples in the past\n",
	       frames, reused, wrong, reused_across_change, past_samples);
	fold_reuse_free(r);
	sym_native_free(s);
	return check_report();
}
