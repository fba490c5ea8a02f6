/* native_rbtree.c - the shape of perf's symbol rb-tree, for nested symbols.
 *
 * perf keeps a file's symbols in a red-black tree (lib/rbtree.c, the
 * classic insert and erase): symbols__insert() in symbol-table order keyed
 * by start (equal starts go right), symbols__fixup_duplicate() erasing the
 * losers, then the synthesized PLT symbols inserted. symbols__find() returns
 * the first node on the search path whose [start, end) holds the address.
 * When symbols nest (a zero-size label stretched to the next symbol inside a
 * sized function, as V8's construct_stub_create_deopt_addr in
 * Builtins_JSConstructStubGeneric), which one perf names depends on that
 * shape, so the same operations are replayed here on node indices.
 * testdata/gen/fold-kinds/perf_symfind.py is the same algorithm in Python,
 * checked against perf on every node address of a recording. */
#include <stdlib.h>
#include <string.h>

#include "native_internal.h"

#define NIL (-1)

/* A node's fields together: an insert's walk and fix-up touch one cache
 * line per node instead of five (node's 106,000 inserts were a seventh
 * of the folding thread's time with a column per field). */
struct node {
	uint64_t key;
	int32_t l, r, p;
	uint8_t red;
};

struct native_rbtree {
	struct node *node;
	const struct native_sym **sym;
	int32_t root;
	size_t n, cap;
};

struct native_rbtree *native_rbtree_new(void)
{
	struct native_rbtree *t = calloc(1, sizeof *t);
	if (t)
		t->root = NIL;
	return t;
}

void native_rbtree_free(struct native_rbtree *t)
{
	if (!t)
		return;
	free(t->node);
	free(t->sym);
	free(t);
}

int native_rbtree_reserve(struct native_rbtree *t, size_t n)
{
	if (n <= t->cap)
		return 0;
	/* one block for all the nodes, on huge pages where the kernel grants
	 * them: growing by doubling faulted every 4 KiB page of the copies
	 * (node's table: 2.5 MB of nodes, 10 us a fault here) */
	struct node *p = wp_alloc_dense(n * sizeof *t->node);
	const struct native_sym **sym = realloc(t->sym, n * sizeof *sym);
	if (!p || !sym) {
		free(p);
		if (sym)
			t->sym = sym;
		return WP_E_NOMEM;
	}
	if (t->n)
		memcpy(p, t->node, t->n * sizeof *t->node);
	free(t->node);
	t->node = p;
	t->sym = sym;
	t->cap = n;
	return 0;
}

/* Room for one more node; cap grows only once both arrays have. */
static int grow(struct native_rbtree *t)
{
	size_t need = t->n < 1024 ? 1024 : t->n + 1, c0 = t->cap, c1 = t->cap;
	if (wp_grow((void **)&t->node, &c0, need, sizeof *t->node) ||
	    wp_grow((void **)&t->sym, &c1, need, sizeof *t->sym))
		return WP_E_NOMEM;
	t->cap = c0; /* both the same: wp_grow doubles alike from one cap */
	return 0;
}

static bool is_red(const struct native_rbtree *t, int32_t x)
{
	return x != NIL && t->node[x].red;
}

/* v takes u's place under u's parent */
static void replace(struct native_rbtree *t, int32_t u, int32_t v)
{
	if (v != NIL)
		t->node[v].p = t->node[u].p;
	if (t->node[u].p == NIL)
		t->root = v;
	else if (u == t->node[t->node[u].p].l)
		t->node[t->node[u].p].l = v;
	else
		t->node[t->node[u].p].r = v;
}

static void rot_left(struct native_rbtree *t, int32_t x)
{
	int32_t y = t->node[x].r;
	t->node[x].r = t->node[y].l;
	if (t->node[y].l != NIL)
		t->node[t->node[y].l].p = x;
	replace(t, x, y);
	t->node[y].l = x;
	t->node[x].p = y;
}

static void rot_right(struct native_rbtree *t, int32_t x)
{
	int32_t y = t->node[x].l;
	t->node[x].l = t->node[y].r;
	if (t->node[y].r != NIL)
		t->node[t->node[y].r].p = x;
	replace(t, x, y);
	t->node[y].r = x;
	t->node[x].p = y;
}

int native_rbtree_insert(struct native_rbtree *t, uint64_t key, int32_t *id)
{
	if (t->n >= (size_t)INT32_MAX || grow(t))
		return WP_E_NOMEM;
	int32_t z = (int32_t)t->n++, y = NIL, x = t->root;
	t->node[z].l = t->node[z].r = NIL;
	t->node[z].key = key;
	t->sym[z] = NULL;
	t->node[z].red = 1;
	while (x != NIL) {
		y = x;
		x = key < t->node[x].key ? t->node[x].l : t->node[x].r;
	}
	t->node[z].p = y;
	if (y == NIL)
		t->root = z;
	else if (key < t->node[y].key)
		t->node[y].l = z;
	else
		t->node[y].r = z;
	*id = z;
	while (t->node[z].p != NIL && t->node[t->node[z].p].red) {
		int32_t zp = t->node[z].p, g = t->node[zp].p;
		bool left = zp == t->node[g].l;
		int32_t u = left ? t->node[g].r : t->node[g].l;
		if (is_red(t, u)) {
			t->node[zp].red = t->node[u].red = 0;
			t->node[g].red = 1;
			z = g;
			continue;
		}
		if (left && z == t->node[zp].r) {
			z = zp;
			rot_left(t, z);
		} else if (!left && z == t->node[zp].l) {
			z = zp;
			rot_right(t, z);
		}
		zp = t->node[z].p;
		g = t->node[zp].p;
		t->node[zp].red = 0;
		t->node[g].red = 1;
		if (left)
			rot_right(t, g);
		else
			rot_left(t, g);
	}
	t->node[t->root].red = 0;
	return 0;
}

static int32_t first_of(const struct native_rbtree *t, int32_t x)
{
	while (t->node[x].l != NIL)
		x = t->node[x].l;
	return x;
}

void native_rbtree_erase(struct native_rbtree *t, int32_t z)
{
	int32_t y = z, x, xp;
	bool y_red = t->node[z].red;
	if (t->node[z].l == NIL || t->node[z].r == NIL) {
		x = t->node[z].l == NIL ? t->node[z].r : t->node[z].l;
		xp = t->node[z].p;
		replace(t, z, x);
	} else {
		y = first_of(t, t->node[z].r);
		y_red = t->node[y].red;
		x = t->node[y].r;
		if (t->node[y].p == z) {
			xp = y;
		} else {
			xp = t->node[y].p;
			replace(t, y, t->node[y].r);
			t->node[y].r = t->node[z].r;
			t->node[t->node[y].r].p = y;
		}
		replace(t, z, y);
		t->node[y].l = t->node[z].l;
		t->node[t->node[y].l].p = y;
		t->node[y].red = t->node[z].red;
	}
	if (y_red)
		return;
	while (x != t->root && !is_red(t, x)) {
		if (xp == NIL)
			break;
		bool left = x == t->node[xp].l;
		int32_t w = left ? t->node[xp].r : t->node[xp].l;
		if (w == NIL)
			break; /* cannot happen in a valid tree; never loop */
		if (t->node[w].red) {
			t->node[w].red = 0;
			t->node[xp].red = 1;
			if (left)
				rot_left(t, xp);
			else
				rot_right(t, xp);
			w = left ? t->node[xp].r : t->node[xp].l;
			if (w == NIL)
				break;
		}
		int32_t near = left ? t->node[w].l : t->node[w].r, far = left ? t->node[w].r : t->node[w].l;
		if (!is_red(t, near) && !is_red(t, far)) {
			t->node[w].red = 1;
			x = xp;
			xp = t->node[xp].p;
			continue;
		}
		if (!is_red(t, far)) {
			t->node[near].red = 0;
			t->node[w].red = 1;
			if (left)
				rot_right(t, w);
			else
				rot_left(t, w);
			w = left ? t->node[xp].r : t->node[xp].l;
			far = left ? t->node[w].r : t->node[w].l;
		}
		t->node[w].red = t->node[xp].red;
		t->node[xp].red = 0;
		if (far != NIL)
			t->node[far].red = 0;
		if (left)
			rot_left(t, xp);
		else
			rot_right(t, xp);
		x = t->root;
		break;
	}
	if (x != NIL)
		t->node[x].red = 0;
}

void native_rbtree_set(struct native_rbtree *t, int32_t id, const struct native_sym *s)
{
	t->sym[id] = s;
}

const struct native_sym *native_rbtree_find(const struct native_rbtree *t, uint64_t ip)
{
	int32_t n = t->root;
	for (size_t steps = 0; n != NIL && steps < 128; steps++) {
		const struct native_sym *s = t->sym[n];
		if (!s)
			return NULL; /* not finished: never happens after finish */
		if (ip < s->start)
			n = t->node[n].l;
		else if (ip > s->end || (ip == s->end && ip != s->start))
			n = t->node[n].r;
		else
			return s;
	}
	return NULL;
}

/* Red-black and order invariants (tests): the black height, or -1. */
static int check_at(const struct native_rbtree *t, int32_t x, int32_t parent, size_t *count)
{
	if (x == NIL)
		return 1;
	if (t->node[x].p != parent || (t->node[x].red && parent != NIL && t->node[parent].red))
		return -1;
	if ((t->node[x].l != NIL && t->node[t->node[x].l].key > t->node[x].key) ||
	    (t->node[x].r != NIL && t->node[t->node[x].r].key < t->node[x].key))
		return -1;
	(*count)++;
	int hl = check_at(t, t->node[x].l, x, count), hr = check_at(t, t->node[x].r, x, count);
	if (hl < 0 || hl != hr)
		return -1;
	return hl + !t->node[x].red;
}

int native_rbtree_check(const struct native_rbtree *t, size_t *nodes)
{
	*nodes = 0;
	if (t->root != NIL && t->node[t->root].red)
		return -1;
	return check_at(t, t->root, NIL, nodes);
}
