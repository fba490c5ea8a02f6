/* names.h - Wasm name translation as the tools use it: the options that
 * wasmperf-names and wasmperf-fold share, module loading, and the
 * translation of folded stacks, perf script text and perf maps. */
#ifndef WASMPERF_NAMES_H
#define WASMPERF_NAMES_H

#include <stdbool.h>
#include <stdio.h>

#include "symbolizer.h"
#include "tool_warn.h"

enum {
	NAMES_OPT_WASM = 0x400, NAMES_OPT_RUNTIME, NAMES_OPT_PATTERN, NAMES_OPT_INDEX,
	NAMES_OPT_KEEP_TIERS, NAMES_OPT_MARK, NAMES_OPT_NO_DEMANGLE,
};

/* The option table entries both tools list (in this order). */
#define NAMES_OPTIONS                                                                           \
	{"wasm", NAMES_OPT_WASM, WP_OPT_REQUIRED, "[M=]FILE",                                    \
	 "translate jitted names with FILE's name section (repeatable; M binds a module)"},      \
	{"runtime", NAMES_OPT_RUNTIME, WP_OPT_REQUIRED, "NAME",                                  \
	 "only NAME's rules: auto wamr v8 wasmtime wavm wasmedge"},                              \
	{"pattern", NAMES_OPT_PATTERN, WP_OPT_REQUIRED, "REGEX",                                 \
	 "also translate frames matching REGEX with a (?<index>...) group"},                     \
	{"index", NAMES_OPT_INDEX, WP_OPT_REQUIRED, "KIND",                                      \
	 "the --pattern index counts: defined (default) or absolute"},                           \
	{"keep-tiers", NAMES_OPT_KEEP_TIERS, WP_OPT_NONE, NULL,                                  \
	 "keep V8 tiers apart: name [turbofan]"},                                                \
	{"wasm-mark", NAMES_OPT_MARK, WP_OPT_REQUIRED, "TEXT",                                   \
	 "prefix of translated frames (default '[Wasm] '; none for no prefix)"},                 \
	{"no-demangle", NAMES_OPT_NO_DEMANGLE, WP_OPT_NONE, NULL,                                \
	 "show name-section names as stored"}

struct names_config {
	struct sym_names_options opt;
	const char *modules[64];   /* [M=]FILE as given */
	size_t nmodules;
	const char *patterns[16];
	size_t npatterns;
	bool absolute;
	bool given;                /* --wasm, --runtime or --pattern was given */
	struct tool_warn warn;     /* prog for messages; quiet: -q */
};

void names_config_init(struct names_config *c, const char *prog);
/* Handles one of the options above: 0, or -1 after a usage message;
 * 1 when key is not one of them. */
int names_config_option(struct names_config *c, int key, const char *arg);
/* Splits a --wasm value "[M=]FILE": returns FILE and copies M into binding
 * (empty when there is none). */
const char *names_split_binding(const char *arg, char *binding, size_t size);
/* Builds the translator (NULL after printing an error: exit 1 for an
 * unreadable or malformed module, 2 for a bad option — see *status). */
struct sym_names *names_build(const struct names_config *c, int *status);

/* Translates one folded stack "a;b;c" into out (reset first); WAMR
 * aot_func#N stubs directly calling their own aot_func_internal#N body
 * become one frame. Returns 0 or a negative code (message printed). */
int names_translate_stack(struct sym_names *n, const char *prog, const char *stack, size_t len,
			  struct wp_buf *out);

/* After all output: a warning for frames left alone because their index
 * is outside the module (the count and the first one), an error when they
 * are most of the frames a rule matched (the wrong module), and a note when
 * --wasm was given but no frame could be translated. Returns 1 after the
 * error, else 0. */
int names_report(struct sym_names *n, const char *prog, bool quiet, bool named_otherwise);
/* Whether any of the names carries the Wasm mark (opt: NULL for the
 * default mark). */
bool names_any_marked(const struct wp_intern *names, const struct sym_names_options *opt);
/* named_otherwise: Wasm frames were named by other means (a WasmEdge AOT
 * object's embedded module), so "nothing translated" is not said. */

/* Prints every --wasm module's function index space, names escaped:
 * "# PATH: N imported, M defined functions[, module NAME]" then
 * "FI<TAB>name" (func[FI] when unnamed). Damaged modules are listed as far
 * as they could be read, after their error. Returns 0 or 1. */
int names_list(const struct names_config *c, FILE *out);

/* Input formats of wasmperf-names (a jitdump is written as a perf map). */
enum names_format { NAMES_AUTO, NAMES_FOLDED, NAMES_SCRIPT, NAMES_MAP, NAMES_JITDUMP };
int names_run(struct sym_names *n, const struct names_config *c, enum names_format format,
	      const char *path, FILE *out);

#endif
