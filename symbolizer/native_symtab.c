/* native_symtab.c - symbol tables with the fix-ups perf applies after
 * loading an ELF symbol table or kallsyms (tools/perf/util/symbol.c, perf
 * 6.1), kept as a sorted array instead of perf's rb-tree.
 *
 * 1. symbols__fixup_end(): walking in address order, a zero-size symbol
 *    ends where the next one starts. For kallsyms (is_kallsyms), a
 *    zero-size symbol followed by one of another module (or core <->
 *    module) ends at roundup(start + 4096, 4096) instead, so that the gap
 *    between kernel text and modules is not filled. The last symbol ends at
 *    roundup(start, 4096) + 4096. Equal starts are walked in insertion
 *    order, so of two zero-size aliases the first stays zero-size.
 * 2. symbols__fixup_duplicate(): of symbols with the same start, one is
 *    kept, compared pairwise in insertion order by choose_best_symbol():
 *      a. a symbol with non-zero size beats one of size zero;
 *      b. a non-weak symbol beats a weak one;
 *      c. a global symbol beats a non-global (local) one;
 *      d. fewer leading underscores win;
 *      e. the longer name wins;
 *      f. otherwise (arch__choose_best_symbol) the first one, unless its
 *         name starts with "SyS" or "compat_SyS" (old syscall aliases).
 *    The type does not take part: perf loads only STT_FUNC/STT_GNU_IFUNC,
 *    STT_OBJECT and text labels, and lets the rules above decide. libc's
 *    debug file has, at one address, the locals __libc_start_main_impl and
 *    __libc_start_main_alias_1/2 and the globals
 *    __libc_start_main@@GLIBC_2.34 and __libc_start_main@GLIBC_2.2.5: the
 *    globals beat the locals (c), the two have as many underscores and
 *    characters, so the first in the symbol table (@@GLIBC_2.34) stays (f).
 * 3. symbols__find(): ip in [start, end), or ip == start for an empty one.
 *    Nested symbols (different starts, overlapping) are rare after step 2;
 *    perf's answer then depends on its tree's shape: ELF tables replay it
 *    (native_rbtree.c); kallsyms take the nearest preceding symbol that
 *    contains ip. */
#include <stdlib.h>
#include <string.h>

#include <elf.h>

#include "native_internal.h"

void native_symtab_release(struct native_symtab *t)
{
	native_rbtree_free(t->tree);
	free(t->v);
	memset(t, 0, sizeof *t);
}

int native_symtab_add(struct native_symtab *t, uint64_t start, uint64_t size, uint8_t bind,
		      uint8_t type, const char *name, uint32_t module)
{
	if (t->n >= NATIVE_MAX_SYMBOLS)
		return WP_E_TOOBIG; /* never silently cut (native_internal.h) */
	if (wp_grow((void **)&t->v, &t->cap, t->n + 1, sizeof *t->v))
		return WP_E_NOMEM;
	/* symbol__new(): end = start + len (len 0: end = start); saturate. */
	uint64_t end = start + size < start ? UINT64_MAX : start + size;
	t->v[t->n] = (struct native_sym){.start = start, .end = end, .name = name,
					 .module = module, .seq = (uint32_t)t->n,
					 .bind = bind, .type = type};
	t->n++;
	return 0;
}

static int cmp_start(const void *pa, const void *pb)
{
	const struct native_sym *a = pa, *b = pb;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static size_t underscores(const char *s)
{
	size_t n = 0;
	while (s[n] == '_')
		n++;
	return n;
}

int native_choose_best(const struct native_sym *a, const struct native_sym *b)
{
	uint64_t la = a->end - a->start, lb = b->end - b->start;
	if (lb == 0 && la > 0)
		return 1;
	if (la == 0 && lb > 0)
		return -1;
	bool wa = a->bind == STB_WEAK, wb = b->bind == STB_WEAK;
	if (wb && !wa)
		return 1;
	if (wa && !wb)
		return -1;
	bool ga = a->bind == STB_GLOBAL, gb = b->bind == STB_GLOBAL;
	if (ga && !gb)
		return 1;
	if (gb && !ga)
		return -1;
	size_t ua = underscores(a->name), ub = underscores(b->name);
	if (ub > ua)
		return 1;
	if (ua > ub)
		return -1;
	size_t na = strlen(a->name), nb = strlen(b->name);
	if (na > nb)
		return 1;
	if (na < nb)
		return -1;
	if (strncmp(a->name, "SyS", 3) == 0 || strncmp(a->name, "compat_SyS", 10) == 0)
		return -1;
	return 1;
}

static uint64_t page_roundup(uint64_t x)
{
	uint64_t r = (x + 4095) & ~(uint64_t)4095;
	return r < x ? UINT64_MAX & ~(uint64_t)4095 : r;
}

static uint64_t add_page(uint64_t x)
{
	return x > UINT64_MAX - 4096 ? UINT64_MAX : x + 4096;
}

/* Nodes in insertion (symbol-table) order: node id == seq. */
static struct native_rbtree *tree_of(const struct native_symtab *t)
{
	struct native_rbtree *tree = native_rbtree_new();
	for (size_t i = 0; tree && i < t->n; i++) {
		int32_t id;
		if (native_rbtree_insert(tree, t->v[i].start, &id) != 0) {
			native_rbtree_free(tree);
			return NULL;
		}
	}
	return tree;
}

/* Already sorted (seq grows with the index): /proc/kallsyms lists its
 * 120,000 symbols by address, which qsort() would copy around anyway. */
static bool in_order(const struct native_symtab *t)
{
	for (size_t i = 1; i < t->n; i++)
		if (t->v[i - 1].start > t->v[i].start)
			return false;
	return true;
}

void native_symtab_finish(struct native_symtab *t, bool is_kallsyms)
{
	if (t->n == 0)
		return;
	/* without memory for the tree, lookups fall back to the array rule */
	struct native_rbtree *tree = is_kallsyms ? NULL : tree_of(t);
	if (!in_order(t))
		qsort(t->v, t->n, sizeof *t->v, cmp_start);
	struct native_sym *v = t->v;
	/* symbols__fixup_end */
	for (size_t i = 1; i < t->n; i++) {
		struct native_sym *prev = &v[i - 1], *curr = &v[i];
		if (prev->end != prev->start)
			continue;
		if (!is_kallsyms || prev->module == curr->module)
			prev->end = curr->start;
		else
			prev->end = page_roundup(add_page(prev->end));
	}
	struct native_sym *last = &v[t->n - 1];
	if (last->end == last->start)
		last->end = add_page(page_roundup(last->start));
	/* symbols__fixup_duplicate: keep one per start, compared pairwise;
	 * the loser's node leaves the tree at once, as perf erases it */
	size_t out = 0;
	for (size_t i = 0; i < t->n;) {
		struct native_sym best = v[i];
		size_t j = i + 1;
		for (; j < t->n && v[j].start == best.start; j++) {
			bool keep = native_choose_best(&best, &v[j]) >= 0;
			if (tree)
				native_rbtree_erase(tree, (int32_t)(keep ? v[j].seq : best.seq));
			if (!keep)
				best = v[j];
		}
		v[out++] = best;
		i = j;
	}
	t->n = out;
	for (size_t k = 0; tree && k < t->n; k++)
		native_rbtree_set(tree, (int32_t)v[k].seq, &v[k]);
	t->tree = tree;
}

int native_symtab_tree_add(struct native_symtab *t, const struct native_symtab *extra)
{
	for (size_t i = 0; t->tree && i < extra->n; i++) {
		int32_t id;
		if (native_rbtree_insert(t->tree, extra->v[i].start, &id) != 0)
			return WP_E_NOMEM;
		native_rbtree_set(t->tree, id, &extra->v[i]);
	}
	return 0;
}

const struct native_sym *native_symtab_find(const struct native_symtab *t, uint64_t addr)
{
	if (t->tree)
		return native_rbtree_find(t->tree, addr);
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->v[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* lo: first with start > addr; look back a little for a container. */
	for (size_t k = 0; k < 8 && lo > 0; k++, lo--) {
		const struct native_sym *s = &t->v[lo - 1];
		if (addr < s->end || addr == s->start)
			return s;
	}
	return NULL;
}
