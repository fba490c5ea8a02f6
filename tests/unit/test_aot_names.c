/* test_aot_names.c - a tools/ test (links wptools): tools/aot_names.c names
 * the f<N> frames of a WasmEdge AOT object (testdata/wasmedge/compute.so,
 * opened with the symbolizer) from the module it embeds (N counts imports),
 * leaves t<N> and indices outside the module alone, and keeps to --runtime.
 * The object itself is test_wasmedge_aot.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aot_names.h"
#include "check.h"
#include "symbolizer.h"

int main(void)
{
	const char *env = getenv("WASMPERF_SRC");
	char so[1200];
	snprintf(so, sizeof so, "%s/testdata/wasmedge/compute.so", env ? env : "../..");
	struct sym_wasm_aot *obj = NULL;
	const char *why;
	CHECK(sym_wasm_aot_open(NULL, so, strlen(so), &obj, &why) == 0 && obj && obj->code);
	if (!obj)
		return check_report();

	struct aot_names *an = aot_names_new("test", NULL, NULL, NULL, true);
	const char *t;
	size_t tlen;
	CHECK(an && aot_names_translate(an, obj, "f5", 2, &t, &tlen) == 1 && tlen == 10 &&
	      memcmp(t, "[Wasm] fib", 10) == 0);
	CHECK(an && aot_names_translate(an, obj, "f1", 2, &t, &tlen) == 1 && tlen == 15 &&
	      memcmp(t, "[Wasm] fd_write", 15) == 0); /* an import's thunk */
	CHECK(an && aot_names_translate(an, obj, "t0", 2, &t, &tlen) == 0);
	CHECK(an && aot_names_translate(an, obj, "f99", 3, &t, &tlen) == 0);
	CHECK(an && aot_names_translate(an, obj, "intrinsics", 10, &t, &tlen) == 0);
	aot_names_free(an);

	struct sym_names_options no;
	sym_names_options_init(&no);
	no.runtime = "v8";
	an = aot_names_new("test", &no, NULL, NULL, true);
	CHECK(an && aot_names_translate(an, obj, "f5", 2, &t, &tlen) == 0);
	aot_names_free(an);
	no.runtime = "wasmedge";
	no.mark = "";
	an = aot_names_new("test", &no, NULL, NULL, true);
	CHECK(an && aot_names_translate(an, obj, "f5", 2, &t, &tlen) == 1 && tlen == 3 &&
	      memcmp(t, "fib", 3) == 0);
	aot_names_free(an);
	sym_wasm_aot_free(obj);
	return check_report();
}
