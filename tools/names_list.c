/* names_list.c - wasmperf-names --list: what the module reader saw, for
 * checking that a module is the one that ran. */
#include <string.h>

#include "names.h"

static void put_escaped(FILE *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || c == '\\')
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
}

int names_list(const struct names_config *c, FILE *out)
{
	int status = 0;
	for (size_t i = 0; i < c->nmodules; i++) {
		char binding[256] = "";
		const char *path = names_split_binding(c->modules[i], binding, sizeof binding);
		struct sym_wasm_module *m;
		char err[600];
		if (sym_wasm_module_load(path, &m, err, sizeof err) != 0) {
			fprintf(stderr, "%s: %s\n", c->warn.prog, err);
			status = 1;
			if (!m)
				continue;
		}
		uint32_t imported = sym_wasm_imported_functions(m), defined = sym_wasm_defined_functions(m);
		fprintf(out, "# %s: %u imported, %u defined functions", path, imported, defined);
		size_t len;
		const char *name = sym_wasm_module_name(m, &len);
		if (name) {
			fputs(", module ", out);
			put_escaped(out, name, len);
		}
		fputc('\n', out);
		for (uint64_t fi = 0; fi < (uint64_t)imported + defined; fi++) {
			name = sym_wasm_function_name(m, (uint32_t)fi, &len);
			fprintf(out, "%llu\t", (unsigned long long)fi);
			if (name)
				put_escaped(out, name, len);
			else
				fprintf(out, "func[%llu]", (unsigned long long)fi);
			fputc('\n', out);
		}
		sym_wasm_module_free(m);
	}
	return status;
}
