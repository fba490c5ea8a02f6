/* collapse.c - samples of raw frames -> interned stacks with counts, by
 * the folding rules of stackcollapse-perf.pl as inferno fixed them (see
 * wasmperf-fold(1) for every deviation from the perl script).
 *
 * Tidying a frame is the costly part, and a profile repeats the same few
 * thousand (symbol, module) pairs millions of times: the result of each
 * pair is cached, so a frame line costs one hash lookup. */
#include <stdlib.h>
#include <string.h>

#include "flame_internal.h"

#define MAX_NAME (1u << 20)
#define MEMO_SLOTS 16384u
#define MEMO_AFTER 256u

struct fg_collapser {
	struct fg_collapse_options opt;
	struct wp_intern *names;
	struct wp_stacks *stacks;
	/* cache: raw key id -> the frame ids it expands to */
	struct wp_intern *raw_keys;
	uint32_t *expand;        /* ids, runs per key */
	size_t expand_len, expand_cap;
	uint64_t *key_run;       /* per key: offset << 16 | count */
	size_t key_run_cap;
	struct fg_jitted *jitted; /* names kept whole (not with --perl-compat);
				   * compiled at the first name that needs it */
	/* name id -> 1 + id in modules of the module it was first seen in (0:
	 * none): what an export needs to give a frame its mapping */
	struct wp_intern *modules;
	uint32_t *module_of;
	size_t module_of_cap;
	size_t last_stack;       /* the stack the last sample ended in */
	/* the sample in progress */
	uint32_t root;
	bool java;               /* comm is a JVM: tidy Java names */
	bool active;
	uint32_t *frames;        /* leaf first, each line's parts reversed */
	size_t nframes, frames_cap;
	/* positions in frames of names pushed as inlined (leaf first while the
	 * sample is in progress, root first once it ended): only an export
	 * tells them apart, the stacks do not */
	uint32_t *inlined;
	size_t ninlined, inlined_cap;
	struct wp_buf key, name, tmp, tmp2;
	/* raw key id + 1 (0: empty) of a recent frame, by a few bytes of its
	 * symbol and module: a profile repeats the same frame lines, and one
	 * exact comparison with the key found here costs a fraction of
	 * building, hashing and probing the key. A slot only ever speeds up a
	 * lookup: a miss or a mismatch takes the full path. Made after
	 * MEMO_AFTER frames (a short input never pays for zeroing it). */
	uint32_t *memo;
	unsigned memo_wait;
};

void fg_collapse_options_init(struct fg_collapse_options *o)
{
	memset(o, 0, sizeof *o);
	o->tidy_generic = true;
	o->tidy_java = true;
	o->rust_fix = true;
}

struct fg_collapser *fg_collapser_new(const struct fg_collapse_options *o)
{
	struct fg_collapser *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->opt = *o;
	if (c->opt.include_tid)
		c->opt.include_pid = true;
	c->names = wp_intern_new();
	c->stacks = wp_stacks_new();
	c->raw_keys = wp_intern_new();
	c->modules = wp_intern_new();
	wp_buf_init(&c->key, MAX_NAME * 3);
	wp_buf_init(&c->name, MAX_NAME);
	wp_buf_init(&c->tmp, MAX_NAME);
	wp_buf_init(&c->tmp2, MAX_NAME);
	if (!c->names || !c->stacks || !c->raw_keys || !c->modules) {
		fg_collapser_free(c);
		return NULL;
	}
	return c;
}

void fg_collapser_free(struct fg_collapser *c)
{
	if (!c)
		return;
	wp_intern_free(c->names);
	wp_stacks_free(c->stacks);
	wp_intern_free(c->raw_keys);
	wp_intern_free(c->modules);
	free(c->module_of);
	fg_jitted_free(c->jitted);
	free(c->expand);
	free(c->key_run);
	free(c->frames);
	free(c->inlined);
	free(c->memo);
	wp_buf_release(&c->key);
	wp_buf_release(&c->name);
	wp_buf_release(&c->tmp);
	wp_buf_release(&c->tmp2);
	free(c);
}

struct wp_intern *fg_collapser_names(struct fg_collapser *c) { return c->names; }
struct wp_stacks *fg_collapser_stacks(struct fg_collapser *c) { return c->stacks; }

static int push_frame(struct fg_collapser *c, uint32_t id)
{
	if (wp_grow((void **)&c->frames, &c->frames_cap, c->nframes + 1, sizeof *c->frames))
		return WP_E_NOMEM;
	c->frames[c->nframes++] = id;
	return 0;
}

int fg_collapser_begin(struct fg_collapser *c, const char *comm, size_t comm_len,
		       const char *pid, size_t pid_len, const char *tid, size_t tid_len)
{
	struct wp_buf *b = &c->name;
	wp_buf_reset(b);
	int rc = wp_buf_append(b, comm, comm_len);
	for (size_t i = 0; i < b->len; i++)
		if (b->data[i] == ' ')
			b->data[i] = '_';
		else if (b->data[i] == ';')
			b->data[i] = ':';
	if (!rc && c->opt.include_pid) {
		rc = wp_buf_putc(b, '-');
		rc = rc ? rc : (pid_len ? wp_buf_append(b, pid, pid_len) : wp_buf_putc(b, '?'));
		if (!rc && c->opt.include_tid) {
			rc = wp_buf_putc(b, '/');
			rc = rc ? rc : wp_buf_append(b, tid, tid_len);
		}
	}
	if (rc)
		return rc;
	/* The perl script tidies Java names when the root frame begins with
	 * "java"; its reference outputs for --pid/--tid predate that, so we
	 * only do it without them (wasmperf-fold(1), DEVIATIONS). */
	c->java = c->opt.tidy_java && wp_has_prefix(comm, comm_len, "java") &&
		  (!c->opt.include_pid || c->opt.perl_compat);
	c->nframes = 0;
	c->ninlined = 0;
	c->active = true;
	return wp_intern_get(c->names, b->data, b->len, &c->root);
}

static bool is_vmlinux(const char *m, size_t n)
{
	const char *found = NULL;
	for (size_t i = 0; i + 7 <= n; i++)
		if (memcmp(m + i, "vmlinux", 7) == 0)
			found = m + i;
	if (!found)
		return false;
	for (const char *p = found + 7; p < m + n; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_'))
			return false;
	return true;
}

static bool is_kernel_module(const char *m, size_t n)
{
	if (n == 9 && memcmp(m, "[unknown]", 9) == 0)
		return false;
	return (n && m[0] == '[') || wp_has_suffix(m, n, ".ko") || is_vmlinux(m, n);
}

/* /tmp/perf-PID.map (perf maps) and .../jitted-PID-N.so (perf inject --jit). */
static bool is_jit_module(const char *m, size_t n)
{
	if (n > 14 && wp_has_prefix(m, n, "/tmp/perf-") && wp_has_suffix(m, n, ".map"))
		return true;
	return n > 3 && wp_has_suffix(m, n, ".so") && wp_contains(m, n, "/jitted-");
}

/* A frame name cannot hold the folded separator: ';' becomes ':'. */
static void replace_separators(struct wp_buf *b)
{
	for (char *p = b->data; (p = memchr(p, ';', b->len - (size_t)(p - b->data))); p++)
		*p = ':';
}

/* The chosen clean-up of a name into out: bracket-aware (default), the perl
 * script's own (--perl-compat), or none but the separator. */
static int tidy(struct fg_collapser *c, const char *s, size_t n, struct wp_buf *out)
{
	if (c->opt.perl_compat)
		return fg_tidy_perl(s, n, out);
	if (c->opt.tidy_generic)
		return fg_tidy_generic(s, n, out);
	wp_buf_reset(out);
	int rc = wp_buf_append(out, s, n);
	replace_separators(out);
	return rc;
}

/* The collapser's annotations of a finished name: _[i] for inlined parts,
 * _[k] kernel, _[j] JIT (each once), then ":srcline" when the input has it. */
static int annotate(struct fg_collapser *c, struct wp_buf *out, const struct fg_raw_frame *f,
		    bool inlined)
{
	int rc = 0;
	if (inlined) {
		if (!wp_contains(out->data, out->len, "_[i]"))
			rc = wp_buf_append(out, "_[i]", 4);
	} else if (c->opt.annotate_kernel && is_kernel_module(f->module, f->module_len)) {
		rc = wp_buf_append(out, "_[k]", 4);
	} else if (c->opt.annotate_jit && is_jit_module(f->module, f->module_len) &&
		   !wp_contains(out->data, out->len, "_[j]")) {
		rc = wp_buf_append(out, "_[j]", 4);
	}
	if (!rc && f->srcline_len) {
		rc = wp_buf_putc(out, ':');
		rc = rc ? rc : wp_buf_append(out, f->srcline, f->srcline_len);
		replace_separators(out);
	}
	return rc;
}

/* Builds the final name of one "->"-separated part into c->name. */
static int tidy_part(struct fg_collapser *c, const char *part, size_t n,
		     const struct fg_raw_frame *f, bool inlined)
{
	struct wp_buf *out = &c->name;
	int rc = 0;
	wp_buf_reset(out);
	if ((n == 9 && memcmp(part, "[unknown]", 9) == 0) || n == 0) {
		/* Unknown symbol: name the module instead, as the perl script. */
		const char *m = f->module;
		size_t mn = f->module_len;
		bool unknown_module = mn == 0 || (mn == 9 && memcmp(m, "[unknown]", 9) == 0);
		if (unknown_module && !c->opt.include_addrs) {
			rc = wp_buf_append(out, "[unknown]", 9);
		} else {
			const char *base = unknown_module ? "unknown" : m;
			size_t bn = unknown_module ? 7 : mn;
			if (!unknown_module) {
				const char *slash = memrchr(m, '/', mn);
				if (slash) {
					base = slash + 1;
					bn = mn - (size_t)(base - m);
				}
			}
			rc = wp_buf_putc(out, '[');
			rc = rc ? rc : wp_buf_append(out, base, bn);
			if (!rc && c->opt.include_addrs) {
				rc = wp_buf_append(out, " <", 2);
				rc = rc ? rc : wp_buf_append(out, f->pc, f->pc_len);
				rc = rc ? rc : wp_buf_putc(out, '>');
			}
			rc = rc ? rc : wp_buf_putc(out, ']');
		}
		if (rc)
			return rc;
		rc = tidy(c, out->data, out->len, &c->tmp2);
		if (rc)
			return rc;
		wp_buf_reset(out);
		rc = wp_buf_append(out, c->tmp2.data, c->tmp2.len);
	} else {
		rc = tidy(c, part, n, out);
	}
	if (rc)
		return rc;
	if (c->java && out->len && out->data[0] == 'L' && memchr(out->data, '/', out->len)) {
		memmove(out->data, out->data + 1, out->len);
		out->len--;
	}
	return annotate(c, out, f, inlined);
}

/* A name kept whole: only the folded separator is replaced; annotations
 * and source lines as for any frame. */
static int tidy_whole(struct fg_collapser *c, const char *s, size_t n, const struct fg_raw_frame *f)
{
	struct wp_buf *out = &c->name;
	wp_buf_reset(out);
	int rc = wp_buf_append(out, s, n);
	replace_separators(out);
	return rc ? rc : annotate(c, out, f, false);
}

static int remember_expansion(struct fg_collapser *c, uint32_t key, size_t offset, size_t count)
{
	if (wp_grow((void **)&c->key_run, &c->key_run_cap, (size_t)key + 1, sizeof *c->key_run))
		return WP_E_NOMEM;
	c->key_run[key] = (uint64_t)offset << 16 | (count & 0xffff);
	return 0;
}

/* The first module a name comes from (a name seen in two modules keeps
 * the first: the names are what the folded output tells apart). */
static int note_module(struct fg_collapser *c, uint32_t id, const struct fg_raw_frame *f)
{
	size_t old = c->module_of_cap;
	if (wp_grow((void **)&c->module_of, &c->module_of_cap, (size_t)id + 1, sizeof *c->module_of))
		return WP_E_NOMEM;
	if (c->module_of_cap > old)
		memset(c->module_of + old, 0, (c->module_of_cap - old) * sizeof *c->module_of);
	if (c->module_of[id] || !f->module_len)
		return 0;
	uint32_t m;
	int rc = wp_intern_get(c->modules, f->module, f->module_len, &m);
	if (!rc)
		c->module_of[id] = m + 1;
	return rc;
}

static int append_expand(struct fg_collapser *c, uint32_t id)
{
	if (wp_grow((void **)&c->expand, &c->expand_cap, c->expand_len + 1, sizeof *c->expand))
		return WP_E_NOMEM;
	c->expand[c->expand_len++] = id;
	return 0;
}

/* Length of a symbol without its "+0x1f" offset, which never shows in the
 * output: leaving it out of the cache key also makes the cache far smaller. */
static size_t without_offset(const char *s, size_t n)
{
	size_t i = n;
	while (i > 0 && wp_is_hex(s[i - 1]))
		i--;
	if (i < n && i >= 3 && s[i - 1] == 'x' && s[i - 2] == '0' && s[i - 3] == '+')
		return i - 3;
	return n;
}

/* Tidies a raw frame into one or more names (Java "a->b->c" inlining). */
static int expand_frame(struct fg_collapser *c, const struct fg_raw_frame *f, uint32_t key)
{
	const char *s = f->sym;
	size_t n = f->sym_len;
	n = without_offset(s, n);
	/* The perl script skips frames that start with '(' (meant for old
	 * "(process name)" lines; it loses "(anonymous namespace)::f" too). */
	if (c->opt.perl_compat && n && s[0] == '(')
		return remember_expansion(c, key, c->expand_len, 0);
	const char *renamed;
	size_t renamed_len;
	int rrc = c->opt.rename ? c->opt.rename(c->opt.rename_ctx, f, &renamed, &renamed_len) : 0;
	if (rrc < 0)
		return rrc;
	if (rrc == 1) {
		s = renamed;
		n = renamed_len;
	}
	/* A jitted Wasm name ("JS:app::Worker::fib(int)-3-turbofan") is kept
	 * whole: its index and tier follow the argument list, and translation
	 * (wasmperf-names, --wasm) needs them. */
	bool tidy_would_change = memchr(s, '(', n) || memchr(s, '$', n) || wp_contains(s, n, "->");
	if (tidy_would_change && !c->opt.perl_compat && !c->jitted && !(c->jitted = fg_jitted_new()))
		return WP_E_NOMEM;
	bool whole = rrc == 1 || (tidy_would_change && !c->opt.perl_compat &&
				  fg_jitted_match(c->jitted, s, n, is_jit_module(f->module, f->module_len)));
	if (whole) {
		int rc = tidy_whole(c, s, n, f);
		uint32_t id;
		rc = rc ? rc : wp_intern_get(c->names, c->name.data, c->name.len, &id);
		size_t offset = c->expand_len;
		rc = rc ? rc : note_module(c, id, f);
		rc = rc ? rc : append_expand(c, id);
		return rc ? rc : remember_expansion(c, key, offset, 1);
	}
	if (c->opt.rust_fix && !c->opt.perl_compat && fg_rust_fix(s, n, &c->tmp) == 1) {
		s = c->tmp.data;
		n = c->tmp.len;
	}
	size_t offset = c->expand_len, count = 0;
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && !(s[i] == '-' && i + 1 < n && s[i + 1] == '>'))
			continue;
		int rc = tidy_part(c, s + start, i - start, f, count > 0);
		uint32_t id;
		rc = rc ? rc : wp_intern_get(c->names, c->name.data, c->name.len, &id);
		rc = rc ? rc : note_module(c, id, f);
		rc = rc ? rc : append_expand(c, id);
		if (rc)
			return rc;
		count++;
		if (count == 0xffff)
			break;
		start = i + 2;
		i++;
	}
	return remember_expansion(c, key, offset, count);
}

/* 8 bytes of p[0, n) from `at` (fewer, zero-padded, near the end). */
static uint64_t word_at(const char *p, size_t n, size_t at)
{
	uint64_t w = 0;
	if (n - at >= 8 && at < n)
		memcpy(&w, p + at, 8); /* one load */
	else if (at < n)
		memcpy(&w, p + at, n - at);
	return w;
}

/* The memo slot of a frame whose key is symbol (sym_len bytes, offset
 * dropped) and module: a few words of the symbol (its start, middle and
 * last 16 bytes: V8's "JS:wasm-function[N]-N-liftoff" differ only inside),
 * the module's last 8 bytes and both lengths. */
static size_t memo_slot(const struct fg_raw_frame *f, size_t sym_len)
{
	size_t tail = sym_len > 16 ? sym_len - 16 : 0;
	uint64_t h = (word_at(f->sym, sym_len, 0) ^ ((uint64_t)sym_len << 40)) * 0x9e3779b97f4a7c15ULL;
	h = (h ^ (h >> 29) ^ word_at(f->sym, sym_len, sym_len / 2)) * 0xff51afd7ed558ccdULL;
	h = (h ^ (h >> 29) ^ word_at(f->sym, sym_len, tail)) * 0xc4ceb9fe1a85ec53ULL;
	h = (h ^ (h >> 29) ^ word_at(f->sym, sym_len, tail + 8)) * 0x9e3779b97f4a7c15ULL;
	size_t mtail = f->module_len > 8 ? f->module_len - 8 : 0;
	h = (h ^ (h >> 29) ^ word_at(f->module, f->module_len, mtail) ^ f->module_len) * 0xc2b2ae3d27d4eb4fULL;
	return (size_t)(h >> 40) & (MEMO_SLOTS - 1);
}

/* Whether raw key id is the key of (symbol, module) as
 * fg_collapser_frame_key builds it without pc or source line. */
static bool memo_matches(const struct fg_collapser *c, uint32_t id, const struct fg_raw_frame *f,
			 size_t sym_len)
{
	size_t len;
	const char *k = wp_intern_str(c->raw_keys, id, &len);
	return len == sym_len + f->module_len + 2 && (!sym_len || memcmp(k, f->sym, sym_len) == 0) &&
	       k[sym_len] == '\0' && (!f->module_len || memcmp(k + sym_len + 1, f->module, f->module_len) == 0) &&
	       k[len - 1] == (c->java ? 'J' : '-');
}

int fg_collapser_frame_key(struct fg_collapser *c, const struct fg_raw_frame *f, uint32_t *key)
{
	size_t sym_len = without_offset(f->sym, f->sym_len);
	if (!c->memo && c->memo_wait < MEMO_AFTER && ++c->memo_wait == MEMO_AFTER)
		c->memo = calloc(MEMO_SLOTS, sizeof *c->memo); /* NULL: no memo, only slower */
	bool plain = c->memo && !c->opt.include_addrs && !f->srcline_len;
	size_t slot = plain ? memo_slot(f, sym_len) : 0;
	if (plain && c->memo[slot] && memo_matches(c, c->memo[slot] - 1, f, sym_len)) {
		*key = c->memo[slot] - 1;
		return 0;
	}
	/* Cache key: symbol, module, and the pc only where it is printed. */
	struct wp_buf *k = &c->key;
	wp_buf_reset(k);
	int rc = wp_buf_append(k, f->sym, sym_len);
	rc = rc ? rc : wp_buf_putc(k, '\0');
	rc = rc ? rc : wp_buf_append(k, f->module, f->module_len);
	rc = rc ? rc : wp_buf_putc(k, c->java ? 'J' : '-');
	if (!rc && c->opt.include_addrs)
		rc = wp_buf_append(k, f->pc, f->pc_len);
	if (!rc && f->srcline_len) {
		rc = wp_buf_putc(k, '\0');
		rc = rc ? rc : wp_buf_append(k, f->srcline, f->srcline_len);
	}
	if (rc)
		return rc;
	uint32_t before = wp_intern_count(c->raw_keys);
	rc = wp_intern_get(c->raw_keys, k->data, k->len, key);
	if (rc)
		return rc;
	rc = *key == before ? expand_frame(c, f, *key) : 0;
	if (!rc && plain)
		c->memo[slot] = *key + 1;
	return rc;
}

int fg_collapser_push_key(struct fg_collapser *c, uint32_t key)
{
	if (!c->active || key >= wp_intern_count(c->raw_keys))
		return WP_E_USAGE;
	size_t offset = (size_t)(c->key_run[key] >> 16), count = c->key_run[key] & 0xffff;
	/* Parts are pushed last first: the whole stack is reversed at the end,
	 * which puts them back in order, outermost first. */
	for (size_t i = count; i-- > 0;) {
		int rc = push_frame(c, c->expand[offset + i]);
		if (rc)
			return rc;
	}
	return 0;
}

int fg_collapser_key_variant(const struct fg_collapser *c)
{
	return c->java ? 1 : 0;
}

int fg_collapser_frame(struct fg_collapser *c, const struct fg_raw_frame *f)
{
	if (!c->active)
		return WP_E_USAGE;
	uint32_t key;
	int rc = fg_collapser_frame_key(c, f, &key);
	return rc ? rc : fg_collapser_push_key(c, key);
}

int fg_collapser_frame_name(struct fg_collapser *c, const char *name, size_t len)
{
	if (!c->active)
		return WP_E_USAGE;
	/* The folded format cannot hold ';' inside a frame. */
	if (memchr(name, ';', len)) {
		wp_buf_reset(&c->name);
		int rc = wp_buf_append(&c->name, name, len);
		if (rc)
			return rc;
		replace_separators(&c->name);
		name = c->name.data;
	}
	uint32_t id;
	int rc = wp_intern_get(c->names, name, len, &id);
	return rc ? rc : push_frame(c, id);
}

int fg_collapser_inline_name(struct fg_collapser *c, const char *name, size_t len)
{
	if (!c->active)
		return WP_E_USAGE;
	if (wp_grow((void **)&c->inlined, &c->inlined_cap, c->ninlined + 1, sizeof *c->inlined) ||
	    c->nframes > UINT32_MAX)
		return WP_E_NOMEM;
	c->inlined[c->ninlined++] = (uint32_t)c->nframes;
	return fg_collapser_frame_name(c, name, len);
}

size_t fg_collapser_last_inlined(const struct fg_collapser *c, const uint32_t **positions)
{
	*positions = c->inlined;
	return c->last_stack == SIZE_MAX ? 0 : c->ninlined;
}

int fg_collapser_end(struct fg_collapser *c, uint64_t weight)
{
	if (!c->active)
		return WP_E_USAGE;
	c->active = false;
	c->last_stack = SIZE_MAX;
	if (c->nframes == 0 && !c->opt.perl_compat)
		return 0; /* perl prints such a sample as "comm count" */
	int rc = push_frame(c, c->root);
	if (rc)
		return rc;
	for (size_t i = 0, j = c->nframes - 1; i < j; i++, j--) {
		uint32_t t = c->frames[i];
		c->frames[i] = c->frames[j];
		c->frames[j] = t;
	}
	/* leaf-first positions -> root first, in increasing order */
	for (size_t i = 0, j = c->ninlined; i < j--; i++) {
		uint32_t t = c->inlined[i];
		c->inlined[i] = (uint32_t)(c->nframes - 1 - c->inlined[j]);
		c->inlined[j] = (uint32_t)(c->nframes - 1 - t);
	}
	return wp_stacks_add_at(c->stacks, c->frames, c->nframes, weight, 0, &c->last_stack);
}

size_t fg_collapser_last_stack(const struct fg_collapser *c) { return c->last_stack; }

const char *fg_collapser_name_module(const struct fg_collapser *c, uint32_t id, size_t *len)
{
	if (id >= c->module_of_cap || !c->module_of[id])
		return NULL;
	return wp_intern_str(c->modules, c->module_of[id] - 1, len);
}

void fg_collapser_abort(struct fg_collapser *c)
{
	c->active = false;
	c->nframes = 0;
}
