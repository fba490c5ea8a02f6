/* wasm_patterns.c - the jitted/AOT Wasm name patterns of every runtime
 * (DESIGN.md "Jitted names"; research/wasm-naming.md). One table, read by
 * the symbolizer (translation) and by the renderer (`wasm` palette). */
#include "wpcommon.h"

static const struct wp_wasm_pattern patterns[] = {
	/* WAMR AOT/JIT: aot_func#N, aot_func_internal#N (the body behind a
	 * stack-check stub), aot_func#N_wrapper (JIT lazy-compile stubs),
	 * [module]#aot_func#N; N counts defined functions only. */
	{"wamr",
	 "^(?:\\[(?<module>[^\\]]*)\\]#)?aot_func(?<internal>_internal)?#(?<index>[0-9]+)(?<wrapper>_wrapper)?$",
	 false, false},
	/* V8 / node: JS:NAME-N-TIER (Function: before V8 11), where NAME is the
	 * name-section name or wasm-function[N]; N counts imports. */
	{"v8", "^(?:JS|Function):[*~]?(?<name>.+)-(?<index>[0-9]+)-(?<tier>[a-z]+)$", true, false},
	{"v8", "^wasm-function\\[(?<index>[0-9]+)\\]$", true, false},
	/* wasmtime: wasm[M]::function[N] (>= v10, ::name appended in ELF
	 * symbols since v22), wasm::wasm-function[N] (<= 0.33),
	 * <wasm function N> (0.34-9). */
	{"wasmtime", "^wasm\\[(?<module>[0-9]+)\\]::function\\[(?<index>[0-9]+)\\](?:::(?<name>.*))?$",
	 true, false},
	{"wasmtime", "^wasm::wasm-function\\[(?<index>[0-9]+)\\]$", true, false},
	{"wasmtime", "^<wasm function (?<index>[0-9]+)>$", true, false},
	/* WAVM: functionDefN counts defined functions, functionImportN imports. */
	{"wavm", "^functionDef(?<index>[0-9]+)$", false, true},
	{"wavm", "^functionImport(?<index>[0-9]+)$", true, true},
	/* WasmEdge AOT: fN (FI); tN are per-type wrappers, left alone. */
	{"wasmedge", "^_?f(?<index>[0-9]+)$", true, true},
};

const struct wp_wasm_pattern *wp_wasm_patterns(size_t *count)
{
	*count = sizeof patterns / sizeof patterns[0];
	return patterns;
}
