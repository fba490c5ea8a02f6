/* fuzz_wasm_module.c - .wasm bytes through the module reader, then frame
 * names through the translator with that module. */
#include <stdint.h>
#include <string.h>

#include "symbolizer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sym_wasm_module *m;
	char err[256];
	sym_wasm_module_parse(data, size, "fuzz.wasm", &m, err, sizeof err);
	if (!m)
		return 0;
	uint32_t total = sym_wasm_imported_functions(m) + sym_wasm_defined_functions(m);
	for (uint32_t fi = 0; fi < total && fi < 4096; fi++) {
		size_t len;
		const char *name = sym_wasm_function_name(m, fi, &len);
		if (name && memchr(name, '\0', len + 1) == NULL)
			__builtin_trap(); /* names are NUL-terminated copies */
	}
	struct sym_names_options o;
	sym_names_options_init(&o);
	struct sym_names *n = sym_names_new(&o, NULL, NULL, err, sizeof err);
	if (!n) {
		sym_wasm_module_free(m);
		return 0;
	}
	sym_names_add_module(n, NULL, m);
	static const char *const frames[] = {"aot_func#0", "aot_func_internal#3", "[x]#aot_func#1",
					     "JS:wasm-function[2]-2-liftoff", "JS:f-1-turbofan",
					     "wasm[0]::function[4]", "functionDef0", "f1", "main"};
	for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++) {
		const char *out;
		size_t len;
		struct sym_names_origin origin;
		sym_names_translate(n, frames[i], strlen(frames[i]), i % 2, &out, &len, &origin);
	}
	sym_names_free(n);
	return 0;
}
