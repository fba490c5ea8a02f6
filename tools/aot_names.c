/* aot_names.c - WasmEdge AOT frames (f<N> in an object `wasmedge compile`
 * wrote) named after their Wasm functions, for wasmperf-fold and
 * wasmperf-names (see aot_names.h). The symbolizer says which objects are
 * WasmEdge AOT objects and hands out their embedded module; here each
 * object gets the translator that names its frames: the user's (--wasm
 * without M=) or one of its own over the embedded module, with the short
 * WasmEdge rule only (f<N>, N counting imports). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aot_names.h"
#include "tool_warn.h"

#define MAX_OBJECTS 64

struct object {
	const struct sym_wasm_aot *key;
	struct sym_names *own;     /* over the embedded module, or NULL */
	struct sym_names *use;     /* own or the user's, NULL: no translation */
	bool warned;
};

struct aot_names {
	struct tool_warn warn;     /* of a and of its translators */
	struct sym_names_options opt;
	struct sym_names *user;
	const char *symfs;
	bool disabled, warned_many;
	struct object objects[MAX_OBJECTS];
	size_t nobjects;
	/* text input: module path -> probed object (NULL: not one) */
	struct wp_intern *paths;
	struct sym_wasm_aot **probed;
	size_t probed_cap;
};

static void warn(struct aot_names *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct aot_names *a, const char *fmt, ...)
{
	if (a->warn.quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	wp_vwarnf(tool_warn_fn, &a->warn, fmt, ap);
	va_end(ap);
}

struct aot_names *aot_names_new(const char *prog, const struct sym_names_options *opt,
				struct sym_names *user, const char *symfs, bool quiet)
{
	struct aot_names *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	a->warn = (struct tool_warn){prog, quiet};
	if (opt)
		a->opt = *opt;
	else
		sym_names_options_init(&a->opt);
	/* --runtime NAME keeps to NAME's rules: WasmEdge's apply under auto */
	const char *rt = a->opt.runtime;
	a->disabled = rt && strcmp(rt, "auto") != 0 && strcmp(rt, "wasmedge") != 0;
	a->opt.runtime = "wasmedge";
	a->user = user && sym_names_default_module(user) ? user : NULL;
	a->symfs = symfs;
	a->paths = wp_intern_new();
	if (!a->paths) {
		free(a);
		return NULL;
	}
	return a;
}

void aot_names_free(struct aot_names *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nobjects; i++)
		sym_names_free(a->objects[i].own);
	for (uint32_t i = 0; a->paths && i < wp_intern_count(a->paths); i++)
		sym_wasm_aot_free(a->probed[i]);
	wp_intern_free(a->paths);
	free(a->probed);
	free(a);
}

/* The translator of obj, set up on first sight. */
static struct object *object_of(struct aot_names *a, const struct sym_wasm_aot *obj)
{
	for (size_t i = 0; i < a->nobjects; i++)
		if (a->objects[i].key == obj)
			return &a->objects[i];
	if (a->nobjects == MAX_OBJECTS) {
		if (!a->warned_many)
			warn(a, "more than %d WasmEdge AOT objects: the frames of '%s' stay as they are",
			     MAX_OBJECTS, obj->path);
		a->warned_many = true;
		return NULL;
	}
	struct object *o = &a->objects[a->nobjects++];
	*o = (struct object){.key = obj};
	struct sym_wasm_module *m = NULL;
	char err[600] = "";
	char name[4200];
	snprintf(name, sizeof name, "%s:wasm.code", obj->path);
	int rc = obj->code ? sym_wasm_module_parse(obj->code, obj->size, name, &m, err, sizeof err)
			   : WP_E_FORMAT;
	if (rc == WP_E_NOMEM)
		return NULL;
	if (rc) {
		if (!a->user)
			warn(a, "'%s' is a WasmEdge AOT object but its wasm.code %s%s: its frames show "
				"function indices",
			     obj->path, obj->code ? "is damaged: " : "cannot be read", obj->code ? err : "");
		sym_wasm_module_free(m); /* a damaged module is unsafe to name with */
		m = NULL;
	}
	if (a->user) {
		const struct sym_wasm_module *um = sym_names_default_module(a->user);
		if (!m || (sym_wasm_imported_functions(um) == sym_wasm_imported_functions(m) &&
			   sym_wasm_defined_functions(um) == sym_wasm_defined_functions(m))) {
			o->use = a->user;
			sym_wasm_module_free(m);
			return o;
		}
		warn(a, "'%s' (%u imported, %u defined functions) is not the module compiled into '%s' "
			"(%u imported, %u defined): its frames are named from the embedded one",
		     sym_wasm_module_path(um), sym_wasm_imported_functions(um),
		     sym_wasm_defined_functions(um), obj->path, sym_wasm_imported_functions(m),
		     sym_wasm_defined_functions(m));
	}
	o->own = sym_names_new(&a->opt, tool_warn_fn, &a->warn, err, sizeof err);
	if (!o->own || (m && sym_names_add_module(o->own, NULL, m) != 0)) {
		sym_wasm_module_free(m);
		sym_names_free(o->own);
		o->own = NULL;
		a->nobjects--;
		return NULL;
	}
	o->use = o->own;
	return o;
}

/* WasmEdge's code functions: f<N> (_f<N> on macOS). */
static bool is_code_name(const char *s, size_t n)
{
	if (n && s[0] == '_')
		s++, n--;
	if (n < 2 || n > 11 || s[0] != 'f')
		return false;
	for (size_t i = 1; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

int aot_names_translate(struct aot_names *a, const struct sym_wasm_aot *obj, const char *sym,
			size_t len, const char **out, size_t *outlen)
{
	if (a->disabled || !obj || !is_code_name(sym, len))
		return 0;
	struct object *o = object_of(a, obj);
	if (!o || !o->use)
		return 0;
	struct sym_names_origin origin;
	int rc = sym_names_translate(o->use, sym, len, true, out, outlen, &origin);
	if (rc == WP_E_NOMEM)
		return rc;
	if (rc < 0) {
		if (!o->warned)
			warn(a, "%s", sym_names_errmsg(o->use));
		o->warned = true;
		return 0;
	}
	return rc;
}

/* A shared object with a name before ".so". */
static bool ends_with_so(const char *s, size_t n)
{
	return n > 3 && wp_has_suffix(s, n, ".so");
}

const struct sym_wasm_aot *aot_names_probe(struct aot_names *a, const char *module, size_t len)
{
	if (a->disabled || !ends_with_so(module, len))
		return NULL;
	uint32_t before = wp_intern_count(a->paths), id;
	/* room first: every id the table hands out has its slot */
	if (wp_grow((void **)&a->probed, &a->probed_cap, (size_t)before + 1, sizeof *a->probed) != 0 ||
	    wp_intern_get(a->paths, module, len, &id) != 0)
		return NULL;
	if (id < before)
		return a->probed[id];
	a->probed[id] = NULL;
	const char *why;
	sym_wasm_aot_open(a->symfs, module, len, &a->probed[id], &why);
	return a->probed[id];
}

int aot_names_rename(void *ctx, const struct fg_raw_frame *f, const char **out, size_t *outlen)
{
	struct aot_names *a = ctx;
	if (a->disabled || !ends_with_so(f->module, f->module_len))
		return 0;
	/* the symbol without perf's +0x offset */
	size_t n = f->sym_len;
	for (size_t i = n; i-- > 2;)
		if (f->sym[i - 2] == '+' && f->sym[i - 1] == '0' && f->sym[i] == 'x') {
			n = i - 2;
			break;
		}
	if (!is_code_name(f->sym, n))
		return 0;
	const struct sym_wasm_aot *obj = aot_names_probe(a, f->module, f->module_len);
	return obj ? aot_names_translate(a, obj, f->sym, n, out, outlen) : 0;
}
