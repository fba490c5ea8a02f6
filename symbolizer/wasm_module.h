/* wasm_module.h - (to be merged into symbolizer.h) the Wasm module reader:
 * function index space and the `name` custom section. */
#ifndef WASMPERF_WASM_MODULE_H
#define WASMPERF_WASM_MODULE_H

#include <stddef.h>
#include <stdint.h>

#include "wpcommon.h"

struct sym_wasm_module;

/* Parses a module. On a malformed module, returns a negative WP_E_* code
 * with a one-line message naming the byte offset in errbuf, and *out still
 * holds what was read before the damage (NULL only on WP_E_NOMEM or when
 * the file could not be read at all). */
int sym_wasm_module_parse(const uint8_t *data, size_t len, const char *name,
			  struct sym_wasm_module **out, char *errbuf, size_t errlen);
int sym_wasm_module_load(const char *path, struct sym_wasm_module **out, char *errbuf,
			 size_t errlen);
void sym_wasm_module_free(struct sym_wasm_module *m);

const char *sym_wasm_module_path(const struct sym_wasm_module *m);
/* Functions imported (they take indices 0..imports-1) and defined. */
uint32_t sym_wasm_imported_functions(const struct sym_wasm_module *m);
uint32_t sym_wasm_defined_functions(const struct sym_wasm_module *m);
/* The name section's module name, or NULL. */
const char *sym_wasm_module_name(const struct sym_wasm_module *m, size_t *len);
/* The name-section name of function FI (imports counted), or NULL. Names
 * are raw bytes (not necessarily UTF-8) and may be empty. */
const char *sym_wasm_function_name(const struct sym_wasm_module *m, uint32_t fi, size_t *len);
/* Number of entries in the function name map. */
size_t sym_wasm_named_functions(const struct sym_wasm_module *m);
/* Looks a name up: the lowest FI carrying exactly that name, or -1. */
int64_t sym_wasm_function_by_name(const struct sym_wasm_module *m, const char *name, size_t len);
/* The `build_id` custom section's bytes, or NULL. */
const uint8_t *sym_wasm_build_id(const struct sym_wasm_module *m, size_t *len);

#endif
