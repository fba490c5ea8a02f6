/* wasm_aot.h - (private to symbolizer/) recognising WasmEdge AOT objects
 * in an ELF file already open, for the native symbolizer's loader. */
#ifndef WASMPERF_WASM_AOT_H
#define WASMPERF_WASM_AOT_H

#include <libelf.h>

#include "symbolizer.h"

/* Looks for WasmEdge's exports (version, intrinsics, wasm.code,
 * wasm.size) in the .symtab and .dynsym of syms, and reads wasm.code from
 * data (the runtime image, may be NULL) or else from syms. path is what
 * the object is called (copied). 0 with *out set, WP_E_NOTFOUND when it
 * is not such an object, WP_E_NOMEM. */
int wasm_aot_from_elf(Elf *syms, Elf *data, const char *path, struct sym_wasm_aot **out);

#endif
