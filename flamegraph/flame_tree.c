/* flame_tree.c - folded stacks merged into a tree of frames, then laid out.
 *
 * Each line's frames walk down from the root: a frame is a child of the one
 * before it, found by (parent, interned name) in one hash table, so memory
 * grows with distinct frames, not with input lines. A line shares a prefix
 * with the line before it most of the time (sorted or collapsed input), so
 * that prefix is found by comparing bytes and its frames are reused without
 * hashing. flamegraph.pl sorts whole lines and merges neighbours; the tree
 * gives the same frames (see wasmperf-flame(1) for the one corner where it
 * does not). --flamechart keeps input order: only the previous line's open
 * frames can be merged into. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>

#include "flame_internal.h"

#define MAX_LINE (256u << 20)

void fg_flame_warnf(const struct fg_flame *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	wp_vwarnf(f->opt.warn, f->opt.warn_ctx, fmt, ap);
	va_end(ap);
}

static int new_node(struct fg_flame *f, uint32_t parent, uint32_t name, uint32_t *out)
{
	/* Node ids are 32 bits, the top two values taken (FG_NONE, FG_GAP). */
	if (f->nnodes >= UINT32_MAX / 2 + 1)
		return WP_E_TOOBIG;
	if (wp_grow((void **)&f->nodes, &f->nodes_cap, (size_t)f->nnodes + 1, sizeof *f->nodes))
		return WP_E_NOMEM;
	uint32_t id = f->nnodes++;
	struct fg_node *n = &f->nodes[id];
	*n = (struct fg_node){name, parent, FG_NONE, FG_NONE, FG_NONE, 0, 0};
	if (parent != FG_NONE) {
		struct fg_node *p = &f->nodes[parent];
		n->depth = p->depth + 1;
		if (p->last_child == FG_NONE)
			p->first_child = id;
		else
			f->nodes[p->last_child].next_sibling = id;
		p->last_child = id;
	}
	*out = id;
	return 0;
}

static inline uint64_t pair_hash(uint32_t parent, uint32_t name)
{
	/* murmur3's 64-bit finalizer: every input bit reaches the low bits */
	uint64_t h = (uint64_t)parent << 32 | name;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 33);
}

static int grow_slots(struct fg_flame *f)
{
	size_t cap = (f->slots_mask + 1) * 2;
	struct fg_slot *s = calloc(cap, sizeof *s);
	if (!s)
		return WP_E_NOMEM;
	wp_advise_dense(s, cap * sizeof *s);
	for (size_t i = 0; i <= f->slots_mask; i++) {
		if (!f->slots[i].node)
			continue;
		size_t h = pair_hash(f->slots[i].parent, f->slots[i].name) & (cap - 1);
		while (s[h].node)
			h = (h + 1) & (cap - 1);
		s[h] = f->slots[i];
	}
	free(f->slots);
	f->slots = s;
	f->slots_mask = cap - 1;
	return 0;
}

/* The child of parent named name, created when missing. The key is kept
 * in the slot so that a probe touches one cache line, not the node too. */
static int child(struct fg_flame *f, uint32_t parent, uint32_t name, uint32_t *out)
{
	size_t h = pair_hash(parent, name) & f->slots_mask;
	for (struct fg_slot *s; (s = &f->slots[h])->node; h = (h + 1) & f->slots_mask) {
		if (s->parent == parent && s->name == name) {
			*out = s->node - 1;
			return 0;
		}
	}
	int rc = new_node(f, parent, name, out);
	if (rc)
		return rc;
	f->slots[h] = (struct fg_slot){parent, name, *out + 1};
	/* grown at 3/4 full: linear probing stays short, and at 1/2 the table
	 * was as large as the nodes (its fresh pages: 8 % of a 90,000-line
	 * graph's time on this VM) */
	if (++f->slots_used * 4 > f->slots_mask * 3)
		rc = grow_slots(f);
	return rc;
}

struct fg_flame *fg_flame_new(const struct fg_flame_options *o)
{
	if (fg_flame_options_check(o, NULL, 0) != 0)
		return NULL;
	struct fg_flame *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->opt = *o;
	f->palette = fg_palette_parse(o->palette ? o->palette : "hot");
	wp_buf_init(&f->prev, MAX_LINE);
	wp_buf_init(&f->scratch, MAX_LINE);
	wp_buf_init(&f->frame, MAX_LINE);
	f->names = wp_intern_new();
	f->slots_mask = 255; /* doubled as nodes come: small inputs stay cheap */
	f->slots = calloc(f->slots_mask + 1, sizeof *f->slots);
	uint32_t root_name, root;
	if (!f->names || !f->slots || !f->prev.data || !f->scratch.data || !f->frame.data ||
	    wp_intern_get(f->names, "", 0, &root_name) || new_node(f, FG_NONE, root_name, &root)) {
		fg_flame_free(f);
		return NULL;
	}
	snprintf(f->err, sizeof f->err, "no error");
	return f;
}

void fg_flame_free(struct fg_flame *f)
{
	if (!f)
		return;
	wp_intern_free(f->names);
	free(f->nodes);
	free(f->deltas);
	free(f->slots);
	free(f->path);
	free(f->path_end);
	wp_buf_release(&f->prev);
	wp_buf_release(&f->scratch);
	wp_buf_release(&f->frame);
	fg_nameattr_free(f->nameattr);
	fg_palmap_free(f->palmap);
	free(f);
}

const char *fg_flame_errmsg(const struct fg_flame *f)
{
	return f ? f->err : "out of memory";
}

static int reserve_path(struct fg_flame *f, size_t depth)
{
	/* Two arrays of one capacity: both grow to the same size, or path_cap
	 * stays as it was. */
	size_t cap = f->path_cap, cap_end = f->path_cap;
	if (wp_grow((void **)&f->path, &cap, depth, sizeof *f->path) ||
	    wp_grow((void **)&f->path_end, &cap_end, depth, sizeof *f->path_end))
		return WP_E_NOMEM;
	f->path_cap = cap;
	return 0;
}

/* Reverses the frame order of s into f->scratch. */
static int reverse_frames(struct fg_flame *f, const char *s, size_t n)
{
	wp_buf_reset(&f->scratch);
	int rc = wp_buf_reserve(&f->scratch, n + 1);
	if (rc)
		return rc;
	size_t end = n;
	char *out = f->scratch.data;
	size_t k = 0;
	while (1) {
		size_t start = end;
		while (start && s[start - 1] != ';')
			start--;
		memcpy(out + k, s + start, end - start);
		k += end - start;
		if (!start)
			break;
		out[k++] = ';';
		end = start - 1;
	}
	f->scratch.len = k;
	out[k] = '\0';
	return 0;
}

/* chain palette: frames after the first "--" are wakers, marked _[w] for
 * colouring as flamegraph.pl does. */
static int mark_wakers(struct fg_flame *f, const char *s, size_t n, bool *changed)
{
	*changed = false;
	size_t i = 0;
	bool after = false;
	for (size_t start = 0; start <= n; start = i + 1) {
		i = start;
		while (i < n && s[i] != ';')
			i++;
		if (i - start == 2 && s[start] == '-' && s[start + 1] == '-' && i < n) {
			after = true;
			break;
		}
		if (i >= n)
			break;
	}
	if (!after)
		return 0;
	*changed = true;
	struct wp_buf *b = &f->scratch;
	if (b->data == s) {
		/* reversed stack in scratch: copy it aside first */
		int rc = wp_buf_append(&f->frame, s, n);
		if (rc)
			return rc;
		wp_buf_reset(b);
		s = f->frame.data;
	} else {
		wp_buf_reset(b);
	}
	int rc = 0;
	after = false;
	for (size_t start = 0; start <= n && !rc; start = i + 1) {
		i = start;
		while (i < n && s[i] != ';')
			i++;
		bool sep = i - start == 2 && s[start] == '-' && s[start + 1] == '-';
		if (start)
			rc = wp_buf_putc(b, ';');
		if (!rc)
			rc = wp_buf_append(b, s + start, i - start);
		if (!rc && after && !sep && !wp_has_suffix(s + start, i - start, "_[w]"))
			rc = wp_buf_append(b, "_[w]", 4);
		if (sep)
			after = true;
		if (i >= n)
			break;
	}
	wp_buf_reset(&f->frame);
	return rc;
}

/* The stack as it is merged: without trailing empty frames (Perl's split
 * drops them: "a;b;" is "a;b"), reversed for --reverse, with the wakers
 * marked for the chain palette. *s may then point into f->scratch. */
static int transform_stack(struct fg_flame *f, const char **s, size_t *n)
{
	int rc;
	while (*n && (*s)[*n - 1] == ';')
		(*n)--;
	if (f->opt.reverse && *n) {
		if ((rc = reverse_frames(f, *s, *n)))
			return rc;
		*s = f->scratch.data;
		*n = f->scratch.len;
	}
	if (f->palette == FG_PAL_CHAIN && *n) {
		bool changed;
		if ((rc = mark_wakers(f, *s, *n, &changed)))
			return rc;
		if (changed) {
			*s = f->scratch.data;
			*n = f->scratch.len;
		}
	}
	return 0;
}

/* The number of equal leading bytes of a and b (n bytes each), 8 at a
 * time: sorted folded lines share most of their kilobyte of frames. */
static size_t common_prefix(const char *a, const char *b, size_t n)
{
	size_t c = 0;
	while (n - c >= 64 && memcmp(a + c, b + c, 64) == 0) /* libc's vector compare */
		c += 64;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	for (; n - c >= 8; c += 8) {
		uint64_t x, y;
		memcpy(&x, a + c, 8);
		memcpy(&y, b + c, 8);
		if (x != y) /* the lowest differing byte is the first */
			return c + (size_t)__builtin_ctzll(x ^ y) / 8;
	}
#endif
	while (c < n && a[c] == b[c])
		c++;
	return c;
}

/* How many leading frames s shares with the previous line (equal bytes up
 * to a frame end); *common is the number of equal leading bytes. The
 * previous line's frame ends grow: the frames ending within the c equal
 * bytes are found by binary search, and only the last of them needs a
 * look at s (every earlier end is a ';' both lines have). */
static size_t shared_frames(const struct fg_flame *f, const char *s, size_t n, size_t *common)
{
	size_t plen = f->prev.len, c = common_prefix(s, f->prev.data, n < plen ? n : plen);
	*common = c;
	if (!n)
		return 0;
	size_t lo = 0, hi = f->path_len; /* frames [0, lo) end at or before c */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->path_end[mid] <= c)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && f->path_end[lo - 1] < n && s[f->path_end[lo - 1]] != ';')
		lo--;
	return lo;
}

/* Walks s's frames down the tree from the previous line's shared path,
 * creating the missing ones; *leaf is the last frame's node (the root for
 * a stack without frames). s becomes the previous line. */
static int merge_frames(struct fg_flame *f, const char *s, size_t n, uint32_t *leaf)
{
	size_t common;
	size_t shared = shared_frames(f, s, n, &common);
	uint32_t node = shared ? f->path[shared - 1] : 0;
	size_t pos = shared ? f->path_end[shared - 1] + 1 : 0;
	size_t depth = shared;
	int rc;
	if (n == 0)
		pos = 1; /* no frames: the count goes to the root */
	while (pos <= n) {
		const char *semi = memchr(s + pos, ';', n - pos);
		size_t end = semi ? (size_t)(semi - s) : n;
		uint32_t name;
		if (!(rc = wp_intern_get(f->names, s + pos, end - pos, &name)))
			rc = f->opt.flamechart ? new_node(f, node, name, &node) : child(f, node, name, &node);
		if (rc || (rc = reserve_path(f, depth + 1))) {
			f->path_len = f->prev.len = 0; /* the next line starts afresh */
			return rc;
		}
		f->path[depth] = node;
		f->path_end[depth] = end;
		depth++;
		pos = end + 1;
	}
	f->path_len = depth;
	*leaf = node;
	/* Remember this line for the next one (only the differing tail moves). */
	f->prev.len = common < f->prev.len ? common : f->prev.len;
	return wp_buf_append(&f->prev, s + f->prev.len, n - f->prev.len);
}

/* A line's counts, on its last frame: its width as self time, its change
 * (count2 - count) when differential. */
static int add_counts(struct fg_flame *f, uint32_t node, fg_amount count, fg_amount count2,
		      bool has_count2)
{
	fg_amount width = has_count2 ? count2 : count;
	uint32_t self = node;
	if (f->opt.flamechart && f->nodes[node].first_child != FG_NONE) {
		/* Self time after children: a spacer keeps it in time order. */
		self = f->nodes[node].last_child;
		int rc;
		if (f->nodes[self].name != FG_GAP && (rc = new_node(f, node, FG_GAP, &self)))
			return rc;
	}
	if (has_count2 && node >= f->deltas_cap) {
		size_t had = f->deltas_cap;
		if (wp_grow((void **)&f->deltas, &f->deltas_cap, (size_t)node + 1, sizeof *f->deltas))
			return WP_E_NOMEM;
		memset(f->deltas + had, 0, (f->deltas_cap - had) * sizeof *f->deltas);
	}
	f->nodes[self].self += width;
	if (has_count2) {
		f->deltas[node] += (fg_change)count2 - (fg_change)count;
		f->differential = true;
	}
	f->total += width;
	return 0;
}

/* Widths are 64-bit counts: a total past them is an error (the line is not
 * added), never a rounded or clamped graph. Below FG_MAX_TOTAL, every sum
 * of widths (a frame's, a start) is exact and cannot overflow. */
static int add_amounts(struct fg_flame *f, const char *s, size_t n, fg_amount count,
		       fg_amount count2, bool has_count2)
{
	fg_amount width = has_count2 ? count2 : count;
	if (width > FG_MAX_TOTAL - f->total) {
		snprintf(f->err, sizeof f->err, "counts add up to more than 64 bits");
		return WP_E_TOOBIG;
	}
	uint32_t leaf;
	int rc = transform_stack(f, &s, &n);
	rc = rc ? rc : merge_frames(f, s, n, &leaf);
	return rc ? rc : add_counts(f, leaf, count, count2, has_count2);
}

/* A double count as an amount; false when negative, not finite or past
 * 64 bits. */
static bool to_amount(double v, fg_amount *out)
{
	if (!(v >= 0) || !(v < 18446744073709551616.0))
		return false;
	double whole = floor(v);
	double nano = nearbyint((v - whole) * FG_UNIT);
	*out = (fg_amount)(uint64_t)whole * FG_UNIT + (fg_amount)(uint64_t)nano;
	return true;
}

int fg_flame_add_stack(struct fg_flame *f, const char *s, size_t n, double count, double count2,
		       bool has_count2)
{
	fg_amount c = 0, c2 = 0;
	if (!to_amount(count, &c) || (has_count2 && !to_amount(count2, &c2))) {
		snprintf(f->err, sizeof f->err, "count %.17g is not a count of 64 bits",
			 !to_amount(count, &c) ? count : count2);
		return WP_E_TOOBIG;
	}
	return add_amounts(f, s, n, c, c2, has_count2);
}

int fg_flame_add_line(struct fg_flame *f, const char *line, size_t len)
{
	struct fg_folded_line fl;
	f->lines++;
	int rc = fg_folded_parse_line(line, len, &fl);
	if (rc == WP_E_NOTFOUND) {
		f->lines--;
		return 0;
	}
	if (rc == WP_E_TOOBIG) {
		fg_folded_count_error(&fl, f->err, sizeof f->err);
		return rc;
	}
	if (rc) {
		f->bad_lines++;
		return 0;
	}
	/* flamegraph.pl's /^(.*)\s+?(\d+(?:\.\d*)?)$/ leaves all but one of the
	 * blanks before the count in the stack: "a;  3" has a frame " ". */
	size_t n = fl.stack_len;
	if (fl.count_text > line + n + 1)
		n = (size_t)(fl.count_text - line) - 1;
	fg_amount c = (fg_amount)fl.count * FG_UNIT + fl.count_nano;
	fg_amount c2 = (fg_amount)fl.count2 * FG_UNIT + fl.count2_nano;
	return add_amounts(f, line, n, c, c2, fl.has_count2);
}

void fg_flame_get_stats(const struct fg_flame *f, struct fg_flame_stats *st)
{
	st->lines = f->lines;
	st->bad_lines = f->bad_lines;
	st->frames = f->nnodes;
	st->total = fg_amount_double(f->total);
	st->differential = f->differential;
}

/* ---- layout ---- */

int fg_name_ref_cmp(const void *a, const void *b)
{
	const struct fg_name_ref *x = a, *y = b;
	size_t n = x->n < y->n ? x->n : y->n;
	int c = memcmp(x->s, y->s, n);
	return c ? c : (x->n > y->n) - (x->n < y->n);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* rank[id] = position of name id in bytewise order. */
static uint32_t *name_ranks(const struct wp_intern *names)
{
	uint32_t n = wp_intern_count(names);
	struct fg_name_ref *refs = malloc((n ? n : 1) * sizeof *refs);
	uint32_t *rank = malloc((n ? n : 1) * sizeof *rank);
	if (!refs || !rank) {
		free(refs);
		free(rank);
		return NULL;
	}
	for (uint32_t i = 0; i < n; i++) {
		refs[i].s = wp_intern_str(names, i, &refs[i].n);
		refs[i].id = i;
	}
	qsort(refs, n, sizeof *refs, fg_name_ref_cmp);
	for (uint32_t i = 0; i < n; i++)
		rank[refs[i].id] = i;
	free(refs);
	return rank;
}

/* Orders every sibling list by name (flamegraph.pl sorts lines). */
static int sort_children(struct fg_flame *f)
{
	uint32_t *rank = name_ranks(f->names);
	size_t cap = 0;
	uint64_t *keys = NULL;
	if (!rank)
		return WP_E_NOMEM;
	for (uint32_t p = 0; p < f->nnodes; p++) {
		struct fg_node *pn = &f->nodes[p];
		if (pn->first_child == FG_NONE || f->nodes[pn->first_child].next_sibling == FG_NONE)
			continue;
		size_t k = 0;
		for (uint32_t c = pn->first_child; c != FG_NONE; c = f->nodes[c].next_sibling) {
			if (wp_grow((void **)&keys, &cap, k + 1, sizeof *keys)) {
				free(rank);
				free(keys);
				return WP_E_NOMEM;
			}
			keys[k++] = (uint64_t)rank[f->nodes[c].name] << 32 | c;
		}
		qsort(keys, k, sizeof *keys, cmp_u64);
		pn->first_child = (uint32_t)keys[0];
		for (size_t i = 0; i + 1 < k; i++)
			f->nodes[(uint32_t)keys[i]].next_sibling = (uint32_t)keys[i + 1];
		f->nodes[(uint32_t)keys[k - 1]].next_sibling = FG_NONE;
		pn->last_child = (uint32_t)keys[k - 1];
	}
	free(rank);
	free(keys);
	return 0;
}

void fg_layout_release(struct fg_layout *l)
{
	free(l->order);
	free(l->start);
	free(l->width);
	memset(l, 0, sizeof *l);
}

int fg_flame_layout(struct fg_flame *f, struct fg_layout *l)
{
	memset(l, 0, sizeof *l);
	uint32_t n = f->nnodes;
	l->order = malloc((size_t)n * sizeof *l->order);
	l->start = malloc((size_t)n * sizeof *l->start);
	l->width = malloc((size_t)n * sizeof *l->width);
	uint32_t *stack = malloc((size_t)n * sizeof *stack);
	int rc = 0;
	if (!l->order || !l->start || !l->width || !stack) {
		rc = WP_E_NOMEM;
		goto out;
	}
	wp_advise_dense(l->order, (size_t)n * sizeof *l->order);
	wp_advise_dense(l->start, (size_t)n * sizeof *l->start);
	wp_advise_dense(l->width, (size_t)n * sizeof *l->width);
	wp_advise_dense(stack, (size_t)n * sizeof *stack);
	/* Subtree totals: a child's index is always above its parent's. */
	for (uint32_t i = 0; i < n; i++)
		l->width[i] = f->nodes[i].self;
	for (uint32_t i = n; i-- > 1;)
		l->width[f->nodes[i].parent] += l->width[i];
	if (!f->opt.flamechart && (rc = sort_children(f)))
		goto out;

	fg_amount timemax = f->total, given;
	if (f->opt.total > 0 && to_amount(f->opt.total, &given)) {
		if (given < f->total)
			fg_flame_warnf(f, "specified --total %.17g is less than the actual total %.17g, so ignored",
				       f->opt.total, fg_amount_double(f->total));
		else
			timemax = given;
	}
	l->timemax = timemax;
	l->width[0] = timemax; /* the root spans the whole width, as in flamegraph.pl */
	double dmax = fg_amount_double(timemax);
	double minw = f->opt.min_width_percent
			      ? dmax * f->opt.min_width / 100
			      : f->opt.min_width * dmax / ((double)f->opt.width - 20);

	/* Pre-order walk; a pruned frame's subtree is narrower still. */
	size_t sp = 0;
	l->start[0] = 0;
	stack[sp++] = 0;
	while (sp) {
		uint32_t id = stack[--sp];
		if (fg_amount_double(l->width[id]) < minw)
			continue;
		l->order[l->n++] = id;
		if (f->nodes[id].depth > l->depth_max)
			l->depth_max = f->nodes[id].depth;
		/* Children: starts left to right, pushed right to left. */
		/* Self time first: flamegraph.pl's sorted "a 5" precedes "a;b 3". */
		fg_amount x = l->start[id] + f->nodes[id].self;
		size_t first = sp;
		for (uint32_t c = f->nodes[id].first_child; c != FG_NONE; c = f->nodes[c].next_sibling) {
			l->start[c] = x;
			x += l->width[c];
			if (f->nodes[c].name != FG_GAP)
				stack[sp++] = c;
		}
		for (size_t a = first, b = sp; a + 1 < b; a++, b--) {
			uint32_t t = stack[a];
			stack[a] = stack[b - 1];
			stack[b - 1] = t;
		}
	}
out:
	free(stack);
	if (rc)
		fg_layout_release(l);
	return rc;
}
