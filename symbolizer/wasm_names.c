/* wasm_names.c - turns the names runtimes give JIT/AOT-compiled Wasm code
 * (aot_func#12, JS:wasm-function[7]-7-turbofan, wasm[0]::function[9],
 * functionDef3, f12) back into the module's name-section names.
 *
 * The rules come from the shared table in common/ (wp_wasm_patterns), so
 * the renderer's `wasm` palette recognises exactly what is translated
 * here. A profile repeats a few thousand frame names millions of times:
 * every answer is cached per (name, jit), and regexes only run on a miss. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbolizer.h"

#define MAX_RULES 64
#define MAX_MODULES 64

enum runtime { RT_WAMR, RT_V8, RT_WASMTIME, RT_WAVM, RT_WASMEDGE, RT_USER, RT_COUNT };
static const char *const runtime_names[RT_COUNT] = {"wamr", "v8", "wasmtime", "wavm", "wasmedge",
						     "user"};

struct rule {
	pcre2_code *code;
	enum runtime rt;
	bool absolute;
	bool ambiguous;
	int g_index, g_module, g_name, g_tier, g_internal, g_wrapper;
};

struct module {
	char *binding;   /* NULL: default */
	char *stem;      /* file name without directory and .wasm */
	struct sym_wasm_module *m;
};

struct answer {
	int32_t result;  /* id in results, -1 = unchanged, -2 = outside its module */
	struct sym_names_origin origin;
	bool mismatch;   /* translated, but its own name disagrees with the module */
};

struct sym_names {
	struct sym_names_options opt;
	char mark[64];
	size_t mark_len;
	int forced;      /* runtime index, or -1 for auto */
	struct rule rules[MAX_RULES];
	size_t nrules;
	struct module modules[MAX_MODULES];
	size_t nmodules;
	pcre2_match_data *match;
	struct wp_intern *keys;
	struct answer *answers;
	size_t answers_cap;
	struct wp_intern *results;
	struct wp_buf key, out, name, tmp;
	wp_warn_fn warn;
	void *warn_ctx;
	bool warned_mismatch;
	bool mismatch;                  /* set by apply_rule for the answer in progress */
	uint64_t mismatched;            /* translated frames whose own name disagrees */
	uint64_t translated, outside;   /* frames, as they were asked for */
	char outside_example[256];      /* the first frame outside its module */
	char outside_module[256];
	char err[512];
};

void sym_names_options_init(struct sym_names_options *o)
{
	memset(o, 0, sizeof *o);
	o->demangle = true;
}

static int find_group(pcre2_code *code, const char *name)
{
	int n = pcre2_substring_number_from_name(code, (PCRE2_SPTR)name);
	return n > 0 ? n : -1;
}

static int add_rule(struct sym_names *n, const char *regex, enum runtime rt, bool absolute,
		    bool ambiguous, char *errbuf, size_t errlen)
{
	if (n->nrules == MAX_RULES) {
		snprintf(errbuf, errlen, "too many name rules (at most %d)", MAX_RULES);
		return WP_E_TOOBIG;
	}
	int errcode;
	PCRE2_SIZE off;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)regex, PCRE2_ZERO_TERMINATED, 0, &errcode, &off, NULL);
	if (!code) {
		PCRE2_UCHAR msg[160];
		pcre2_get_error_message(errcode, msg, sizeof msg);
		snprintf(errbuf, errlen, "bad pattern '%s' at offset %zu: %s", regex, (size_t)off,
			 (const char *)msg);
		return WP_E_USAGE;
	}
	struct rule *r = &n->rules[n->nrules];
	*r = (struct rule){code, rt, absolute, ambiguous, find_group(code, "index"),
			   find_group(code, "module"), find_group(code, "name"),
			   find_group(code, "tier"), find_group(code, "internal"),
			   find_group(code, "wrapper")};
	if (r->g_index < 0) {
		snprintf(errbuf, errlen, "pattern '%s' has no (?<index>...) group", regex);
		pcre2_code_free(code);
		return WP_E_USAGE;
	}
	pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	n->nrules++;
	return 0;
}

struct sym_names *sym_names_new(const struct sym_names_options *o, wp_warn_fn warn,
				void *ctx, char *errbuf, size_t errlen)
{
	struct sym_names *n = calloc(1, sizeof *n);
	if (!n) {
		snprintf(errbuf, errlen, "out of memory");
		return NULL;
	}
	n->opt = *o;
	n->warn = warn;
	n->warn_ctx = ctx;
	snprintf(n->mark, sizeof n->mark, "%s", o->mark ? o->mark : WP_WASM_MARK);
	n->mark_len = strlen(n->mark);
	n->forced = -1;
	if (o->runtime && strcmp(o->runtime, "auto") != 0) {
		for (int i = 0; i < RT_USER; i++)
			if (strcmp(o->runtime, runtime_names[i]) == 0)
				n->forced = i;
		if (n->forced < 0) {
			snprintf(errbuf, errlen,
				 "unknown runtime '%s' (auto, wamr, v8, wasmtime, wavm, wasmedge)", o->runtime);
			free(n);
			return NULL;
		}
	}
	n->keys = wp_intern_new();
	n->results = wp_intern_new();
	n->match = pcre2_match_data_create(16, NULL);
	wp_buf_init(&n->key, 1u << 20);
	wp_buf_init(&n->out, 1u << 20);
	wp_buf_init(&n->name, 1u << 20);
	wp_buf_init(&n->tmp, 1u << 20);
	if (!n->keys || !n->results || !n->match) {
		snprintf(errbuf, errlen, "out of memory");
		sym_names_free(n);
		return NULL;
	}
	size_t count;
	const struct wp_wasm_pattern *p = wp_wasm_patterns(&count);
	for (size_t i = 0; i < count; i++) {
		enum runtime rt = RT_USER;
		for (int k = 0; k < RT_USER; k++)
			if (strcmp(p[i].runtime, runtime_names[k]) == 0)
				rt = (enum runtime)k;
		if (add_rule(n, p[i].regex, rt, p[i].index_counts_imports, p[i].ambiguous, errbuf,
			     errlen) != 0) {
			sym_names_free(n);
			return NULL;
		}
	}
	return n;
}

void sym_names_free(struct sym_names *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nrules; i++)
		pcre2_code_free(n->rules[i].code);
	for (size_t i = 0; i < n->nmodules; i++) {
		free(n->modules[i].binding);
		free(n->modules[i].stem);
		sym_wasm_module_free(n->modules[i].m);
	}
	pcre2_match_data_free(n->match);
	wp_intern_free(n->keys);
	wp_intern_free(n->results);
	free(n->answers);
	wp_buf_release(&n->key);
	wp_buf_release(&n->out);
	wp_buf_release(&n->name);
	wp_buf_release(&n->tmp);
	free(n);
}

int sym_names_add_module(struct sym_names *n, const char *binding, struct sym_wasm_module *m)
{
	if (n->nmodules == MAX_MODULES)
		return WP_E_TOOBIG;
	const char *path = sym_wasm_module_path(m);
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t len = strlen(base);
	if (len > 5 && wp_has_suffix(base, len, ".wasm"))
		len -= 5;
	struct module *mod = &n->modules[n->nmodules];
	mod->binding = binding ? strdup(binding) : NULL;
	mod->stem = strndup(base, len);
	mod->m = m;
	if ((binding && !mod->binding) || !mod->stem) {
		free(mod->binding);
		free(mod->stem);
		return WP_E_NOMEM;
	}
	n->nmodules++;
	return 0;
}

int sym_names_add_pattern(struct sym_names *n, const char *regex, bool absolute, char *errbuf,
			  size_t errlen)
{
	/* User rules go first: they are the most specific. */
	int rc = add_rule(n, regex, RT_USER, absolute, false, errbuf, errlen);
	if (rc)
		return rc;
	struct rule user = n->rules[n->nrules - 1];
	memmove(n->rules + 1, n->rules, (n->nrules - 1) * sizeof *n->rules);
	n->rules[0] = user;
	return 0;
}

bool sym_names_active(const struct sym_names *n)
{
	return n->nmodules > 0 || n->forced >= 0 || n->rules[0].rt == RT_USER;
}

static int default_module(const struct sym_names *n)
{
	for (size_t i = 0; i < n->nmodules; i++)
		if (!n->modules[i].binding)
			return (int)i;
	return n->nmodules == 1 ? 0 : -1;
}

const struct sym_wasm_module *sym_names_default_module(const struct sym_names *n)
{
	int i = default_module(n);
	return i >= 0 ? n->modules[i].m : NULL;
}

const char *sym_names_errmsg(const struct sym_names *n) { return n->err; }

void sym_names_stats(const struct sym_names *n, struct sym_names_stats *st)
{
	st->translated = n->translated;
	st->outside = n->outside;
	st->mismatched = n->mismatched;
	st->outside_example = n->outside_example[0] ? n->outside_example : NULL;
	st->outside_module = n->outside_module[0] ? n->outside_module : NULL;
	st->modules = n->nmodules;
}

static void warn_once(struct sym_names *n, bool *flag, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void warn_once(struct sym_names *n, bool *flag, const char *fmt, ...)
{
	if (*flag)
		return;
	*flag = true;
	va_list ap;
	va_start(ap, fmt);
	wp_vwarnf(n->warn, n->warn_ctx, fmt, ap);
	va_end(ap);
}

/* ---- module selection ---- */

static int module_by_binding(const struct sym_names *n, const char *b, size_t len)
{
	for (size_t i = 0; i < n->nmodules; i++) {
		const char *name = n->modules[i].binding;
		if (name && strlen(name) == len && memcmp(name, b, len) == 0)
			return (int)i;
	}
	for (size_t i = 0; i < n->nmodules; i++)
		if (strlen(n->modules[i].stem) == len && memcmp(n->modules[i].stem, b, len) == 0)
			return (int)i;
	return -1;
}

/* ---- building the answer ---- */

/* A Rust legacy name stored demangled keeps its hash
 * ("mycrate::work::h0123456789abcdef", as wasm-ld writes it): drop it, as
 * the demangler does for the mangled form. */
static size_t without_rust_hash(const char *s, size_t len)
{
	if (len < 20 || memcmp(s + len - 19, "::h", 3) != 0)
		return len;
	for (size_t i = len - 16; i < len; i++)
		if (!wp_is_hex(s[i]))
			return len;
	return len - 19;
}

/* Appends a display name: demangled if it looks mangled, with the folded
 * format's separator and line breaks replaced. */
static int append_name(struct sym_names *n, struct wp_buf *out, const char *s, size_t len)
{
	if (n->opt.demangle) {
		int rc = sym_demangle(s, len, &n->tmp);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			s = n->tmp.data;
			len = n->tmp.len;
		}
	}
	if (n->opt.demangle)
		len = without_rust_hash(s, len);
	size_t start = out->len;
	int rc = wp_buf_append(out, s, len);
	for (size_t i = start; !rc && i < out->len; i++)
		if (out->data[i] == ';')
			out->data[i] = ':';
		else if (out->data[i] == '\n' || out->data[i] == '\r')
			out->data[i] = ' ';
	return rc;
}

struct hit {
	const char *frame;
	size_t len;
	const struct rule *rule;
	PCRE2_SIZE *ov;
};

static bool group(const struct hit *h, int g, const char **p, size_t *len)
{
	if (g < 0 || h->ov[2 * g] == PCRE2_UNSET)
		return false;
	*p = h->frame + h->ov[2 * g];
	*len = h->ov[2 * g + 1] - h->ov[2 * g];
	return true;
}

static bool parse_index(const char *p, size_t len, uint32_t *v)
{
	uint64_t x = 0;
	if (!len || len > 10)
		return false;
	for (size_t i = 0; i < len; i++)
		x = x * 10 + (uint64_t)(p[i] - '0');
	if (x > UINT32_MAX)
		return false;
	*v = (uint32_t)x;
	return true;
}

/* What a matched frame names, from its groups and its module. */
struct parts {
	const char *name, *modname, *tier, *own;
	size_t name_len, modname_len, tier_len, own_len;
	int mod;                /* index in modules, -1 none */
	const struct sym_wasm_module *m;
	int64_t fi;
};

/* The module a hit names (its binding, else the default module), or -1. */
static int module_of(const struct sym_names *n, const struct hit *h, struct parts *pt)
{
	if (!group(h, h->rule->g_module, &pt->modname, &pt->modname_len))
		return default_module(n);
	int mod = module_by_binding(n, pt->modname, pt->modname_len);
	return mod < 0 && n->nmodules == 1 ? 0 : mod;
}

/* Whether pt->fi lies outside its module: such frames are left as they
 * are and counted (another module's frame, or the wrong module: the
 * caller decides from the counts); the first is kept as an example. */
static bool outside_module(struct sym_names *n, const struct hit *h, const struct parts *pt)
{
	uint64_t total =
		(uint64_t)sym_wasm_imported_functions(pt->m) + sym_wasm_defined_functions(pt->m);
	if ((uint64_t)pt->fi < total)
		return false;
	if (!n->outside_example[0]) {
		char shown[200];
		snprintf(n->outside_example, sizeof n->outside_example, "'%s' (function %lld of %llu)",
			 wp_visible(shown, sizeof shown, h->frame, h->len), (long long)pt->fi,
			 (unsigned long long)total);
		snprintf(n->outside_module, sizeof n->outside_module, "%s",
			 sym_wasm_module_path(pt->m));
	}
	return true;
}

/* A frame carrying its own name (V8) that the module names otherwise:
 * marked for the stats, and warned about once. */
static void check_own_name(struct sym_names *n, const struct hit *h, const struct parts *pt)
{
	if (!pt->name || !pt->own ||
	    (pt->own_len == pt->name_len && memcmp(pt->own, pt->name, pt->name_len) == 0))
		return;
	n->mismatch = true;
	if (n->warned_mismatch)
		return;
	char f[160], a[120], b[120];
	warn_once(n, &n->warned_mismatch,
		  "frame '%s' names '%s' but '%s' calls function %lld '%s': "
		  "is it the module that ran?",
		  wp_visible(f, sizeof f, h->frame, h->len),
		  wp_visible(a, sizeof a, pt->name, pt->name_len), sym_wasm_module_path(pt->m),
		  (long long)pt->fi, wp_visible(b, sizeof b, pt->own, pt->own_len));
}

/* n->out = the mark, "[module] " (WAMR), the name (or func[FI]), " [tier]". */
static int build_name(struct sym_names *n, const struct rule *r, const struct parts *pt)
{
	struct wp_buf *out = &n->out;
	wp_buf_reset(out);
	int rc = wp_buf_puts(out, n->mark);
	if (!rc && r->rt == RT_WAMR && pt->modname && pt->modname_len) {
		rc = wp_buf_putc(out, '[');
		rc = rc ? rc : append_name(n, out, pt->modname, pt->modname_len);
		rc = rc ? rc : wp_buf_append(out, "] ", 2);
	}
	if (!rc) {
		if (pt->name)
			rc = append_name(n, out, pt->name, pt->name_len);
		else if (pt->own)
			rc = append_name(n, out, pt->own, pt->own_len);
		else
			rc = wp_buf_printf(out, "func[%lld]", (long long)pt->fi);
	}
	if (!rc && pt->tier && n->opt.keep_tiers) {
		rc = wp_buf_append(out, " [", 2);
		rc = rc ? rc : wp_buf_append(out, pt->tier, pt->tier_len);
		rc = rc ? rc : wp_buf_putc(out, ']');
	}
	return rc;
}

/* Returns 1 with the translation in n->out, 0 to leave the frame, 2 when
 * its index is outside its module (left too, counted), < 0 on error. */
static int apply_rule(struct sym_names *n, const struct hit *h, struct sym_names_origin *origin)
{
	const struct rule *r = h->rule;
	struct parts pt = {0};
	const char *p;
	size_t len;
	uint32_t index;
	if (!group(h, r->g_index, &p, &len) || !parse_index(p, len, &index))
		return 0;
	group(h, r->g_name, &pt.name, &pt.name_len);
	group(h, r->g_tier, &pt.tier, &pt.tier_len);
	if (r->rt == RT_V8 && pt.name &&
	    (wp_has_prefix(pt.name, pt.name_len, "wasm-to-js") ||
	     wp_has_prefix(pt.name, pt.name_len, "js-to-wasm") ||
	     wp_has_prefix(pt.name, pt.name_len, "wasm-to-c")))
		return 0; /* wrappers stay wrappers */
	if (r->rt == RT_V8 && pt.name && wp_has_prefix(pt.name, pt.name_len, "wasm-function["))
		pt.name = NULL; /* no name of its own: look it up */

	pt.mod = module_of(n, h, &pt);
	pt.m = pt.mod >= 0 ? n->modules[pt.mod].m : NULL;
	pt.fi = index;
	if (!r->absolute) {
		if (!pt.m)
			return 0; /* a defined-function index means nothing without its module */
		pt.fi = (int64_t)index + sym_wasm_imported_functions(pt.m);
	}
	if (pt.m && outside_module(n, h, &pt))
		return 2;
	pt.own = pt.m ? sym_wasm_function_name(pt.m, (uint32_t)pt.fi, &pt.own_len) : NULL;
	if (pt.own && pt.own_len == 0)
		pt.own = NULL; /* an empty name says nothing: show the index */
	check_own_name(n, h, &pt);
	int rc = build_name(n, r, &pt);
	if (rc)
		return rc;
	const char *unused;
	size_t unused_len;
	origin->module = pt.mod;
	origin->fi = pt.fi;
	origin->wamr_body = r->rt == RT_WAMR && group(h, r->g_internal, &unused, &unused_len);
	origin->wamr_stub = r->rt == RT_WAMR && !origin->wamr_body &&
			    !group(h, r->g_wrapper, &unused, &unused_len);
	return 1;
}

/* wasmtime writes a named function's name alone: in JIT code, a frame
 * equal to a name-section name is that Wasm function. */
static int by_name(struct sym_names *n, const char *frame, size_t len,
		   struct sym_names_origin *origin)
{
	for (size_t i = 0; i < n->nmodules; i++) {
		int64_t fi = sym_wasm_function_by_name(n->modules[i].m, frame, len);
		if (fi < 0)
			continue;
		wp_buf_reset(&n->out);
		int rc = wp_buf_puts(&n->out, n->mark);
		rc = rc ? rc : append_name(n, &n->out, frame, len);
		if (rc)
			return rc;
		origin->module = (int)i;
		origin->fi = fi;
		return 1;
	}
	return 0;
}

static int translate_uncached(struct sym_names *n, const char *frame, size_t len, bool jit,
			      struct sym_names_origin *origin)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(n->match);
	for (size_t i = 0; i < n->nrules; i++) {
		const struct rule *r = &n->rules[i];
		if (r->rt != RT_USER && n->forced >= 0 && (int)r->rt != n->forced)
			continue;
		if (r->ambiguous && !jit && (int)r->rt != n->forced)
			continue;
		if (pcre2_match(r->code, (PCRE2_SPTR)frame, len, 0, 0, n->match, NULL) < 0)
			continue;
		struct hit h = {frame, len, r, ov};
		int rc = apply_rule(n, &h, origin);
		if (rc != 0)
			return rc;
	}
	if (jit && n->nmodules && (n->forced < 0 || n->forced == RT_WASMTIME))
		return by_name(n, frame, len, origin);
	return 0;
}

static size_t annotation_length(const char *s, size_t n)
{
	/* _[k] _[j] _[i] _[w] as FlameGraph's collapsers append them */
	if (n >= 4 && s[n - 4] == '_' && s[n - 3] == '[' && s[n - 1] == ']' &&
	    strchr("kjiw", s[n - 2]))
		return 4;
	return 0;
}

int sym_names_translate(struct sym_names *n, const char *frame, size_t len, bool jit,
			const char **out, size_t *outlen, struct sym_names_origin *origin)
{
	struct sym_names_origin none = {-1, -1, false, false};
	*origin = none;
	size_t mark_len = n->mark_len;
	if (mark_len && len >= mark_len && memcmp(frame, n->mark, mark_len) == 0)
		return 0; /* already translated */
	size_t ann = annotation_length(frame, len);
	if (ann && frame[len - 2] == 'j')
		jit = true;
	wp_buf_reset(&n->key);
	int rc = wp_buf_append(&n->key, frame, len);
	rc = rc ? rc : wp_buf_putc(&n->key, jit ? 'J' : '-');
	uint32_t key;
	uint32_t before = wp_intern_count(n->keys);
	rc = rc ? rc : wp_intern_get(n->keys, n->key.data, n->key.len, &key);
	if (rc)
		return rc;
	if (key == before) {
		if (wp_grow((void **)&n->answers, &n->answers_cap, (size_t)key + 1, sizeof *n->answers))
			return WP_E_NOMEM;
		struct answer *a = &n->answers[key];
		a->origin = none;
		n->mismatch = false;
		rc = translate_uncached(n, frame, len - ann, jit, &a->origin);
		a->mismatch = n->mismatch;
		if (rc < 0)
			return rc;
		a->result = rc == 2 ? -2 : -1;
		if (rc == 1) {
			uint32_t id;
			int arc = wp_buf_append(&n->out, frame + len - ann, ann);
			arc = arc ? arc : wp_intern_get(n->results, n->out.data, n->out.len, &id);
			if (arc)
				return arc;
			a->result = (int32_t)id;
		}
	}
	const struct answer *a = &n->answers[key];
	if (a->result == -2)
		n->outside++;
	if (a->result < 0)
		return 0;
	n->translated++;
	n->mismatched += a->mismatch;
	*origin = a->origin;
	*out = wp_intern_str(n->results, (uint32_t)a->result, outlen);
	return 1;
}
