/* wasm_patterns.c - the jitted/AOT Wasm name patterns of every runtime
 * (DESIGN.md "Jitted names"; research/wasm-naming.md). One table, read by
 * the symbolizer (translation) and by the renderer (`wasm` palette). */
#include "wpcommon.h"

static const struct wp_wasm_pattern patterns[] = {
	/* WAMR AOT/JIT: aot_func#N, aot_func_internal#N, aot_func#N_wrapper,
	 * [module]#aot_func#N; N counts defined functions only. */
	{"wamr", "^(?:\\[(?<module>[^\\]]*)\\]#)?aot_func(?:_internal)?#(?<index>[0-9]+)(?:_wrapper)?$",
	 false, false},
	/* V8 / node: JS:NAME-N-TIER, JS:wasm-function[N]-N-TIER (also Function:). */
	{"v8", "^(?:JS:|Function:)?\\*?wasm-function\\[(?<index>[0-9]+)\\](?:-[0-9]+)?(?:-(?<tier>[a-z]+))?$",
	 true, false},
	{"v8", "^(?:JS:|Function:)\\*?(?<name>.+)-(?<index>[0-9]+)-(?<tier>liftoff|turbofan|[a-z]+)$",
	 true, false},
	/* wasmtime: wasm[M]::function[N], wasm::wasm-function[N], <wasm function N>. */
	{"wasmtime", "^wasm\\[(?<module>[0-9]+)\\]::function\\[(?<index>[0-9]+)\\](?:::.*)?$", true, false},
	{"wasmtime", "^wasm::wasm-function\\[(?<index>[0-9]+)\\]$", true, false},
	{"wasmtime", "^<wasm function (?<index>[0-9]+)>$", true, false},
	/* WAVM: functionDefN counts defined functions, functionImportN imports. */
	{"wavm", "^functionDef(?<index>[0-9]+)$", false, true},
	{"wavm", "^functionImport(?<index>[0-9]+)$", true, true},
	/* WasmEdge AOT: fN (tN are its wrappers). */
	{"wasmedge", "^[ft](?<index>[0-9]+)$", true, true},
};

const struct wp_wasm_pattern *wp_wasm_patterns(size_t *count)
{
	*count = sizeof patterns / sizeof patterns[0];
	return patterns;
}
