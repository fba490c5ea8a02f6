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
#include <libiberty/demangle.h>

#include "demangle.h"
#include "native_internal.h"

static void replay_free(struct native_replay *r);

void native_symtab_release(struct native_symtab *t)
{
	native_rbtree_free(t->tree);
	replay_free(t->replay);
	free(t->v);
	memset(t, 0, sizeof *t);
}

void native_symtab_reserve(struct native_symtab *t, size_t n)
{
	if (n > NATIVE_MAX_SYMBOLS - t->n)
		n = NATIVE_MAX_SYMBOLS - t->n;
	if (t->v || t->n + n <= t->cap)
		return; /* a table already growing keeps growing as it does */
	struct native_sym *v = wp_alloc_dense(n * sizeof *v);
	if (!v)
		return;
	t->v = v;
	t->cap = n;
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

/* Gives v its demangled name (perf loads names demangled, and its
 * fix-ups and output use them): cplus_demangle(name, 0), kept as is when
 * it does not demangle. */
static int demangle_entry(struct native_symtab *t, struct native_sym *v)
{
	if (!v->mangled)
		return 0;
	char *dm = sym_cplus_demangle(v->name, DMGL_NO_OPTS);
	int rc = 0;
	if (dm) {
		uint32_t id;
		rc = wp_intern_get(t->lazy, dm, strlen(dm), &id);
		if (rc == 0)
			v->name = wp_intern_str(t->lazy, id, NULL);
		free(dm);
	}
	if (rc == 0)
		v->mangled = false;
	return rc;
}

int native_symtab_demangle(struct native_symtab *t, const struct native_sym *s)
{
	/* only a symbol of t's own array (not a PLT entry of its tree) */
	uintptr_t at = (uintptr_t)s, lo = (uintptr_t)t->v;
	if (!s->mangled || !t->lazy || at < lo || at >= lo + t->n * sizeof *t->v)
		return 0;
	return demangle_entry(t, &t->v[(at - lo) / sizeof *t->v]);
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

/* choose_best_symbol()'s rules a-c, which do not read names: > 0 keeps a,
 * < 0 keeps b, 0 when they tie. */
static int choose_by_kind(const struct native_sym *a, const struct native_sym *b)
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
	return 0;
}

int native_choose_best(const struct native_sym *a, const struct native_sym *b)
{
	int by_kind = choose_by_kind(a, b);
	if (by_kind)
		return by_kind;
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

/* Already sorted (seq grows with the index): /proc/kallsyms lists its
 * 120,000 symbols by address, which qsort() would copy around anyway. */
static bool in_order(const struct native_symtab *t)
{
	for (size_t i = 1; i < t->n; i++)
		if (t->v[i - 1].start > t->v[i].start)
			return false;
	return true;
}

static unsigned start_byte(const struct native_sym *v, unsigned byte)
{
	return (unsigned)(v->start >> (8 * byte)) & 0xff;
}

/* v[0..n) in cmp_start's order, in place: an MSD radix sort of the starts
 * from byte `byte` down (American flag: each entry swapped straight into
 * its bucket), bytes that every start of a bucket shares skipped, small
 * buckets and equal starts by comparison. glibc's qsort is a merge sort
 * through a copy as large as the table: on node (106,000 symbols, 4.3 MB)
 * that copy's fresh pages cost more than the sorting. At most 8 levels
 * of passes over a bucket, then comparisons within equal starts. */
static void sort_range(struct native_sym *v, size_t n, int byte)
{
	while (n > 32 && byte >= 0 &&
	       start_byte(&v[0], (unsigned)byte) == start_byte(&v[n - 1], (unsigned)byte)) {
		bool shared = true;
		for (size_t i = 1; i < n - 1 && shared; i++)
			shared = start_byte(&v[i], (unsigned)byte) == start_byte(&v[0], (unsigned)byte);
		if (!shared)
			break;
		byte--;
	}
	if (n <= 32 || byte < 0) {
		/* equal starts (byte < 0) are few in real tables; qsort
		 * bounds a hostile file's many */
		if (n > 32)
			qsort(v, n, sizeof *v, cmp_start);
		for (size_t i = 1; n <= 32 && i < n; i++)
			for (size_t k = i; k > 0 && cmp_start(&v[k - 1], &v[k]) > 0; k--) {
				struct native_sym x = v[k];
				v[k] = v[k - 1];
				v[k - 1] = x;
			}
		return;
	}
	size_t count[256] = {0}, head[256], end[256];
	for (size_t i = 0; i < n; i++)
		count[start_byte(&v[i], (unsigned)byte)]++;
	size_t at = 0;
	for (unsigned b = 0; b < 256; b++) {
		head[b] = at;
		at += count[b];
		end[b] = at;
	}
	for (unsigned b = 0; b < 256; b++)
		while (head[b] < end[b]) {
			unsigned d = start_byte(&v[head[b]], (unsigned)byte);
			if (d == b) {
				head[b]++;
				continue;
			}
			struct native_sym x = v[head[b]];
			v[head[b]] = v[head[d]];
			v[head[d]++] = x;
		}
	size_t from = 0;
	for (unsigned b = 0; b < 256; b++) {
		if (end[b] - from > 1)
			sort_range(v + from, end[b] - from, byte - 1);
		from = end[b];
	}
}

void native_symtab_finish(struct native_symtab *t, bool is_kallsyms)
{
	if (t->n == 0)
		return;
	/* perf's tree is replayed from these only if a lookup needs it
	 * (native_symtab_find); without memory, lookups take the array rule */
	struct native_replay *r = is_kallsyms ? NULL : calloc(1, sizeof *r);
	if (r && !(r->starts = malloc(t->n * sizeof *r->starts))) {
		free(r);
		r = NULL;
	}
	for (size_t i = 0; r && i < t->n; i++)
		r->starts[i] = t->v[i].start; /* insertion order: node id == seq */
	if (r)
		r->ninserted = t->n;
	if (!in_order(t))
		sort_range(t->v, t->n, 7);
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
	 * the loser's node leaves the tree at once, as perf erases it (noted
	 * for the replay) */
	size_t out = 0;
	for (size_t i = 0; i < t->n;) {
		struct native_sym best = v[i];
		size_t j = i + 1;
		for (; j < t->n && v[j].start == best.start; j++) {
			/* names decide only a tie of kinds (fewer underscores, then
			 * the longer name): then both are demangled, as perf
			 * compares them; without memory a name stays mangled (and
			 * is tried again at its first lookup) */
			if (t->lazy && choose_by_kind(&best, &v[j]) == 0) {
				demangle_entry(t, &best);
				demangle_entry(t, &v[j]);
			}
			bool keep = native_choose_best(&best, &v[j]) >= 0;
			if (r && wp_grow((void **)&r->erased, &r->erased_cap, r->nerased + 1, sizeof *r->erased) == 0)
				r->erased[r->nerased++] = (int32_t)(keep ? v[j].seq : best.seq);
			else if (r)
				r->failed = true;
			if (!keep)
				best = v[j];
		}
		v[out++] = best;
		i = j;
	}
	t->n = out;
	t->replay = r;
}

/* ---- perf's tree, replayed when a lookup needs it ----
 * Where no two symbols overlap, perf's tree search and a binary search of
 * the sorted array give the same symbol (the only one that holds the
 * address); only inside nested symbols does the answer depend on the
 * tree's shape. node's 100,000 symbols have 5 such places: building its
 * tree (100,000 red-black inserts) for every run was most of its load. */

static void replay_free(struct native_replay *r)
{
	if (!r)
		return;
	free(r->starts);
	free(r->erased);
	free(r->nested);
	free(r);
}

/* The next symbol by start of t and extra (both sorted), or NULL. */
static const struct native_sym *next_of_two(const struct native_symtab *t, size_t *i,
					    const struct native_symtab *extra, size_t *k)
{
	bool take_t = *i < t->n && (!extra || *k >= extra->n || t->v[*i].start <= extra->v[*k].start);
	if (take_t)
		return &t->v[(*i)++];
	return extra && *k < extra->n ? &extra->v[(*k)++] : NULL;
}

/* r->nested: the address ranges where symbols of t and extra overlap
 * (each a run of symbols that nest or cross, from its first start to its
 * furthest end). */
static int find_nested(struct native_replay *r, const struct native_symtab *t,
		       const struct native_symtab *extra)
{
	size_t i = 0, k = 0, members = 0;
	uint64_t from = 0, to = 0;
	for (const struct native_sym *s = next_of_two(t, &i, extra, &k);; s = next_of_two(t, &i, extra, &k)) {
		if (s && members && s->start < to) { /* overlaps the run */
			members++;
			to = s->end > to ? s->end : to;
			continue;
		}
		if (members > 1) {
			if (wp_grow((void **)&r->nested, &r->nested_cap, r->nnested + 1, sizeof *r->nested))
				return WP_E_NOMEM;
			r->nested[r->nnested++] = (struct native_span){from, to};
		}
		if (!s)
			return 0;
		members = 1;
		from = s->start;
		to = s->end > s->start ? s->end : s->start == UINT64_MAX ? UINT64_MAX : s->start + 1;
	}
}

int native_symtab_tree_add(struct native_symtab *t, const struct native_symtab *extra)
{
	struct native_replay *r = t->replay;
	t->extra = extra;
	if (!r)
		return 0;
	r->extra = extra;
	if (r->failed || find_nested(r, t, extra) != 0) {
		replay_free(r); /* lookups take the array rule, as without memory for the tree */
		t->replay = NULL;
		return 0;
	}
	if (r->nnested == 0) { /* the array answers as the tree would */
		t->replay = NULL;
		replay_free(r);
	}
	return 0;
}

static bool in_nested(const struct native_replay *r, uint64_t addr)
{
	size_t lo = 0, hi = r->nnested;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->nested[mid].to <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->nnested && r->nested[lo].from <= addr;
}

/* perf's tree as dso__load() leaves it: every symbol inserted in table
 * order, the fix-ups' losers erased in turn, then the extra (PLT) entries
 * inserted. NULL without memory. */
static struct native_rbtree *replay_tree(const struct native_symtab *t, const struct native_replay *r)
{
	struct native_rbtree *tree = native_rbtree_new();
	int32_t id;
	if (tree && native_rbtree_reserve(tree, r->ninserted + (r->extra ? r->extra->n : 0)) != 0)
		goto fail;
	for (size_t i = 0; tree && i < r->ninserted; i++)
		if (native_rbtree_insert(tree, r->starts[i], &id) != 0)
			goto fail;
	for (size_t i = 0; tree && i < r->nerased; i++)
		native_rbtree_erase(tree, r->erased[i]);
	for (size_t k = 0; tree && k < t->n; k++)
		native_rbtree_set(tree, (int32_t)t->v[k].seq, &t->v[k]);
	for (size_t i = 0; tree && r->extra && i < r->extra->n; i++) {
		if (native_rbtree_insert(tree, r->extra->v[i].start, &id) != 0)
			goto fail;
		native_rbtree_set(tree, id, &r->extra->v[i]);
	}
	return tree;
fail:
	native_rbtree_free(tree);
	return NULL;
}

static const struct native_sym *array_find(const struct native_symtab *t, uint64_t addr)
{
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

const struct native_sym *native_symtab_find(struct native_symtab *t, uint64_t addr)
{
	/* Only inside nested symbols is the tree asked, also once it is built:
	 * elsewhere the array answers as the tree would, with a third of its
	 * cache misses (node's tree has 106,000 nodes). */
	struct native_replay *r = t->replay;
	if (r && in_nested(r, addr)) {
		if (!t->tree && r->starts) {
			t->tree = replay_tree(t, r); /* NULL: the array rule answers */
			free(r->starts);         /* (what built it; the spans stay) */
			free(r->erased);
			r->starts = NULL;
			r->erased = NULL;
		}
		if (t->tree)
			return native_rbtree_find(t->tree, addr);
	}
	const struct native_sym *s = t->extra ? array_find(t->extra, addr) : NULL;
	return s ? s : array_find(t, addr);
}
