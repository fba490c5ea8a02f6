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

struct native_rbtree {
	int32_t *l, *r, *p;
	uint8_t *red;
	uint64_t *key;
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
	free(t->l);
	free(t->r);
	free(t->p);
	free(t->red);
	free(t->key);
	free(t->sym);
	free(t);
}

/* Room for one more node in every column; cap grows only once all have. */
static int grow(struct native_rbtree *t)
{
	size_t need = t->n < 1024 ? 1024 : t->n + 1, cap = t->cap;
	size_t c0 = cap, c1 = cap, c2 = cap, c3 = cap, c4 = cap, c5 = cap;
	if (wp_grow((void **)&t->l, &c0, need, sizeof *t->l) ||
	    wp_grow((void **)&t->r, &c1, need, sizeof *t->r) ||
	    wp_grow((void **)&t->p, &c2, need, sizeof *t->p) ||
	    wp_grow((void **)&t->red, &c3, need, sizeof *t->red) ||
	    wp_grow((void **)&t->key, &c4, need, sizeof *t->key) ||
	    wp_grow((void **)&t->sym, &c5, need, sizeof *t->sym))
		return WP_E_NOMEM;
	t->cap = c0; /* all the same: wp_grow doubles alike from one cap */
	return 0;
}

static bool is_red(const struct native_rbtree *t, int32_t x)
{
	return x != NIL && t->red[x];
}

/* v takes u's place under u's parent */
static void replace(struct native_rbtree *t, int32_t u, int32_t v)
{
	if (v != NIL)
		t->p[v] = t->p[u];
	if (t->p[u] == NIL)
		t->root = v;
	else if (u == t->l[t->p[u]])
		t->l[t->p[u]] = v;
	else
		t->r[t->p[u]] = v;
}

static void rot_left(struct native_rbtree *t, int32_t x)
{
	int32_t y = t->r[x];
	t->r[x] = t->l[y];
	if (t->l[y] != NIL)
		t->p[t->l[y]] = x;
	replace(t, x, y);
	t->l[y] = x;
	t->p[x] = y;
}

static void rot_right(struct native_rbtree *t, int32_t x)
{
	int32_t y = t->l[x];
	t->l[x] = t->r[y];
	if (t->r[y] != NIL)
		t->p[t->r[y]] = x;
	replace(t, x, y);
	t->r[y] = x;
	t->p[x] = y;
}

int native_rbtree_insert(struct native_rbtree *t, uint64_t key, int32_t *id)
{
	if (t->n >= (size_t)INT32_MAX || grow(t))
		return WP_E_NOMEM;
	int32_t z = (int32_t)t->n++, y = NIL, x = t->root;
	t->l[z] = t->r[z] = NIL;
	t->key[z] = key;
	t->sym[z] = NULL;
	t->red[z] = 1;
	while (x != NIL) {
		y = x;
		x = key < t->key[x] ? t->l[x] : t->r[x];
	}
	t->p[z] = y;
	if (y == NIL)
		t->root = z;
	else if (key < t->key[y])
		t->l[y] = z;
	else
		t->r[y] = z;
	*id = z;
	while (t->p[z] != NIL && t->red[t->p[z]]) {
		int32_t zp = t->p[z], g = t->p[zp];
		bool left = zp == t->l[g];
		int32_t u = left ? t->r[g] : t->l[g];
		if (is_red(t, u)) {
			t->red[zp] = t->red[u] = 0;
			t->red[g] = 1;
			z = g;
			continue;
		}
		if (left && z == t->r[zp]) {
			z = zp;
			rot_left(t, z);
		} else if (!left && z == t->l[zp]) {
			z = zp;
			rot_right(t, z);
		}
		zp = t->p[z];
		g = t->p[zp];
		t->red[zp] = 0;
		t->red[g] = 1;
		if (left)
			rot_right(t, g);
		else
			rot_left(t, g);
	}
	t->red[t->root] = 0;
	return 0;
}

static int32_t first_of(const struct native_rbtree *t, int32_t x)
{
	while (t->l[x] != NIL)
		x = t->l[x];
	return x;
}

void native_rbtree_erase(struct native_rbtree *t, int32_t z)
{
	int32_t y = z, x, xp;
	bool y_red = t->red[z];
	if (t->l[z] == NIL || t->r[z] == NIL) {
		x = t->l[z] == NIL ? t->r[z] : t->l[z];
		xp = t->p[z];
		replace(t, z, x);
	} else {
		y = first_of(t, t->r[z]);
		y_red = t->red[y];
		x = t->r[y];
		if (t->p[y] == z) {
			xp = y;
		} else {
			xp = t->p[y];
			replace(t, y, t->r[y]);
			t->r[y] = t->r[z];
			t->p[t->r[y]] = y;
		}
		replace(t, z, y);
		t->l[y] = t->l[z];
		t->p[t->l[y]] = y;
		t->red[y] = t->red[z];
	}
	if (y_red)
		return;
	while (x != t->root && !is_red(t, x)) {
		if (xp == NIL)
			break;
		bool left = x == t->l[xp];
		int32_t w = left ? t->r[xp] : t->l[xp];
		if (w == NIL)
			break; /* cannot happen in a valid tree; never loop */
		if (t->red[w]) {
			t->red[w] = 0;
			t->red[xp] = 1;
			if (left)
				rot_left(t, xp);
			else
				rot_right(t, xp);
			w = left ? t->r[xp] : t->l[xp];
			if (w == NIL)
				break;
		}
		int32_t near = left ? t->l[w] : t->r[w], far = left ? t->r[w] : t->l[w];
		if (!is_red(t, near) && !is_red(t, far)) {
			t->red[w] = 1;
			x = xp;
			xp = t->p[xp];
			continue;
		}
		if (!is_red(t, far)) {
			t->red[near] = 0;
			t->red[w] = 1;
			if (left)
				rot_right(t, w);
			else
				rot_left(t, w);
			w = left ? t->r[xp] : t->l[xp];
			far = left ? t->r[w] : t->l[w];
		}
		t->red[w] = t->red[xp];
		t->red[xp] = 0;
		if (far != NIL)
			t->red[far] = 0;
		if (left)
			rot_left(t, xp);
		else
			rot_right(t, xp);
		x = t->root;
		break;
	}
	if (x != NIL)
		t->red[x] = 0;
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
			n = t->l[n];
		else if (ip > s->end || (ip == s->end && ip != s->start))
			n = t->r[n];
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
	if (t->p[x] != parent || (t->red[x] && parent != NIL && t->red[parent]))
		return -1;
	if ((t->l[x] != NIL && t->key[t->l[x]] > t->key[x]) ||
	    (t->r[x] != NIL && t->key[t->r[x]] < t->key[x]))
		return -1;
	(*count)++;
	int hl = check_at(t, t->l[x], x, count), hr = check_at(t, t->r[x], x, count);
	if (hl < 0 || hl != hr)
		return -1;
	return hl + !t->red[x];
}

int native_rbtree_check(const struct native_rbtree *t, size_t *nodes)
{
	*nodes = 0;
	if (t->root != NIL && t->red[t->root])
		return -1;
	return check_at(t, t->root, NIL, nodes);
}
