/* test_rbtree.c - the replay of perf's symbol rb-tree (native_rbtree.c):
 * random inserts (with equal keys) and erases keep every red-black and
 * order rule, and perf's symbols__find() rule answers nested symbols by
 * the tree's shape; room reserved at once changes nothing. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "native_internal.h"

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void) { return check_rand(&rng); }

/* reserved: room made at once (a huge-page block past 2 MiB), then the
 * same operations as a tree that grows node by node */
static void test_invariants(bool reserved)
{
	struct native_rbtree *t = native_rbtree_new();
	enum { N = 100000 };
	if (reserved) {
		CHECK(native_rbtree_reserve(t, 70) == 0);  /* then grown past it */
		CHECK(native_rbtree_reserve(t, N) == 0);
	}
	static bool gone[N];
	int32_t ids[N];
	for (int i = 0; i < N; i++)
		CHECK(native_rbtree_insert(t, next_rand() % 40000, &ids[i]) == 0 && ids[i] == i);
	size_t nodes;
	CHECK(native_rbtree_check(t, &nodes) > 0 && nodes == N);
	size_t left = N, bad = 0;
	for (int k = 0; k < 60000; k++) {
		int i = (int)(next_rand() % N);
		if (gone[i])
			continue;
		native_rbtree_erase(t, ids[i]);
		gone[i] = true;
		left--;
		if (k % 9973 == 0 && (native_rbtree_check(t, &nodes) < 0 || nodes != left))
			bad++;
	}
	CHECK(bad == 0);
	CHECK(native_rbtree_check(t, &nodes) > 0 && nodes == left);
	native_rbtree_free(t);
}

/* A function [100, 200) and a label at 150 stretched to 180: ip 160 is in
 * both; perf returns the first node on the search path that holds it,
 * which the insert order decides. */
static void test_nested(void)
{
	struct native_sym fn = {.start = 100, .end = 200, .name = "fn"};
	struct native_sym label = {.start = 150, .end = 180, .name = "label"};
	struct native_sym after = {.start = 180, .end = 190, .name = "after"};
	struct native_rbtree *t = native_rbtree_new();
	int32_t a, b, c;
	CHECK(native_rbtree_insert(t, fn.start, &a) == 0);
	CHECK(native_rbtree_insert(t, label.start, &b) == 0);
	CHECK(native_rbtree_insert(t, after.start, &c) == 0);
	native_rbtree_set(t, a, &fn);
	native_rbtree_set(t, b, &label);
	native_rbtree_set(t, c, &after);
	/* three inserts rotate: label becomes the root */
	CHECK_STR(native_rbtree_find(t, 160)->name, "label");
	CHECK_STR(native_rbtree_find(t, 120)->name, "fn");
	/* 185 is in fn and in after: right of the root lies after, fn is left */
	CHECK_STR(native_rbtree_find(t, 185)->name, "after");
	CHECK(native_rbtree_find(t, 250) == NULL);
	native_rbtree_free(t);
}

/* A reserved tree has the shape of one grown node by node: both give the
 * same symbol at every address (the replay must not depend on how the
 * nodes were allocated). */
static void test_reserve_same_shape(void)
{
	enum { N = 3000 };
	static struct native_sym syms[N];
	struct native_rbtree *a = native_rbtree_new(), *b = native_rbtree_new();
	CHECK(native_rbtree_reserve(b, N) == 0);
	for (int i = 0; i < N; i++) {
		uint64_t start = next_rand() % 50000;
		syms[i] = (struct native_sym){.start = start, .end = start + next_rand() % 300};
		int32_t ia = -1, ib = -1;
		CHECK(native_rbtree_insert(a, start, &ia) == 0);
		CHECK(native_rbtree_insert(b, start, &ib) == 0);
		CHECK(ia == i && ib == i);
		if (ia == i && ib == i) {
			native_rbtree_set(a, ia, &syms[i]);
			native_rbtree_set(b, ib, &syms[i]);
		}
	}
	size_t differ = 0;
	for (uint64_t ip = 0; ip < 50400; ip++)
		differ += native_rbtree_find(a, ip) != native_rbtree_find(b, ip);
	CHECK(differ == 0);
	native_rbtree_free(a);
	native_rbtree_free(b);
}

int main(void)
{
	test_invariants(false);
	test_invariants(true);
	test_reserve_same_shape();
	test_nested();
	return check_report();
}
