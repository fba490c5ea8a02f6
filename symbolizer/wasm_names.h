/* wasm_names.h - (to be merged into symbolizer.h) jitted/AOT frame names ->
 * Wasm name-section names, for every runtime; demangling. */
#ifndef WASMPERF_WASM_NAMES_H
#define WASMPERF_WASM_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasm_module.h"
#include "wpcommon.h"

/* Demangles C++ (Itanium) and Rust (legacy, v0) names as c++filt prints
 * them (parameter lists kept, Rust hash dropped). 1 = rewritten into out,
 * 0 = not a mangled name (out untouched), < 0 = error. */
int sym_demangle(const char *s, size_t n, struct wp_buf *out);
bool sym_looks_mangled(const char *s, size_t n);

struct sym_names_options {
	const char *runtime;  /* NULL or "auto": every unambiguous rule; else one of
			       * wamr v8 wasmtime wavm wasmedge */
	const char *mark;     /* prefix of translated frames; NULL = "[Wasm] " */
	bool keep_tiers;      /* V8: "name [turbofan]" instead of merging tiers */
	bool demangle;        /* demangle name-section names (default on) */
};
void sym_names_options_init(struct sym_names_options *o);

/* What a translated frame came from, for stack-level clean-ups. */
struct sym_names_origin {
	int module;           /* index of the module in add order, -1 none */
	int64_t fi;           /* function index counting imports, -1 unknown */
	bool wamr_stub;       /* WAMR aot_func#N in front of aot_func_internal#N */
	bool wamr_body;       /* WAMR aot_func_internal#N */
};

typedef void (*sym_names_warn_fn)(void *ctx, const char *message);

struct sym_names;
/* NULL on a bad option (message in errbuf). */
struct sym_names *sym_names_new(const struct sym_names_options *o, sym_names_warn_fn warn,
				void *ctx, char *errbuf, size_t errlen);
void sym_names_free(struct sym_names *n);
/* Adds a module; takes ownership. binding is NULL for the default module,
 * else a wasmtime module index ("0") or a WAMR module name ("fib2"). */
int sym_names_add_module(struct sym_names *n, const char *binding, struct sym_wasm_module *m);
/* A user rule: PCRE2 with a named group (?<index>...); absolute = the
 * index counts imports (else defined functions only). */
int sym_names_add_pattern(struct sym_names *n, const char *regex, bool absolute, char *errbuf,
			  size_t errlen);
/* The module frames without a module binding use, or NULL. */
const struct sym_wasm_module *sym_names_default_module(const struct sym_names *n);
/* Whether any rule can apply (a module or runtime or pattern was given). */
bool sym_names_active(const struct sym_names *n);

/* Translates one frame name. jit: the frame is known to be JIT/AOT code
 * (perf map, jitdump, anonymous memory, `_[j]`), which enables the
 * ambiguous short rules. Returns 1 with *out (owned by n, valid until it is
 * freed) when rewritten, 0 when left alone, < 0 on an error such as an
 * index outside the module (message: sym_names_errmsg). */
int sym_names_translate(struct sym_names *n, const char *frame, size_t len, bool jit,
			const char **out, size_t *outlen, struct sym_names_origin *origin);
const char *sym_names_errmsg(const struct sym_names *n);

#endif
