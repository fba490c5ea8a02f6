/* aot_names.h - the f<N> frames of WasmEdge AOT objects, as wasmperf-fold
 * (perf.data and perf script text) and wasmperf-names (perf script text)
 * translate them: such frames are known to be AOT code, so the short
 * WasmEdge rule applies to them and to nothing else, with the --wasm
 * module that binds them or else the module the object embeds. */
#ifndef WASMPERF_AOT_NAMES_H
#define WASMPERF_AOT_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#include "flamegraph.h"
#include "symbolizer.h"

struct aot_names;

/* opt: the user's naming options (mark, demangling, --runtime; NULL:
 * defaults); user: the --wasm translator or NULL, whose default module (one
 * given without M=) names the objects' frames unless it is plainly another
 * module than the one embedded (other function counts: warned); symfs:
 * prepended to the module paths of text input. Warnings go to stderr unless
 * quiet. NULL when out of memory. */
struct aot_names *aot_names_new(const char *prog, const struct sym_names_options *opt,
				struct sym_names *user, const char *symfs, bool quiet);
void aot_names_free(struct aot_names *a);

/* Translates a symbol (NUL-free, without "+0x..." offset) of a frame of the
 * AOT object obj: 1 with *out (owned by a), 0 when it is no Wasm function
 * or cannot be named (warned once), < 0 on WP_E_NOMEM. */
int aot_names_translate(struct aot_names *a, const struct sym_wasm_aot *obj, const char *sym,
			size_t len, const char **out, size_t *outlen);

/* Text input: the object a frame's module names when it is a WasmEdge AOT
 * object (a path ending in ".so", read once per path), else NULL. */
const struct sym_wasm_aot *aot_names_probe(struct aot_names *a, const char *module, size_t len);

/* Text input, the collapser's rename hook (ctx: the aot_names): the
 * frame f (symbol as perf script prints it, with or without +0x offset)
 * named when its module is a WasmEdge AOT object: 1 with *out, 0 to fold
 * it as usual, < 0 error. Asked once per distinct frame. */
int aot_names_rename(void *ctx, const struct fg_raw_frame *f, const char **out, size_t *outlen);

#endif
