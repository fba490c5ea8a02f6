/* symbolizer.h - addresses in ELF files -> functions and source lines.
 *
 * Ownership: every handle returned by a sym_*_new() is freed by its
 * sym_*_free(), which accepts NULL. Strings handed in are copied; strings
 * and arrays handed out stay owned by the handle and live as long as it.
 * Nothing here prints, exits or keeps global state: problems are counted
 * and reported through the handle's warning callback.
 */
#ifndef WASMPERF_SYMBOLIZER_H
#define WASMPERF_SYMBOLIZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wpcommon.h"

/* Called with a one-line message (lowercase, no full stop, path quoted),
 * at most once per module and kind. */
typedef void (*sym_warn_fn)(void *ctx, const char *message);

/* ---- inline frames: what `addr2line -i -f -C -s` prints, from libdw ----
 * Resolves a frame of `perf script` text (module, symbol+offset, pc) to the
 * chain of functions DWARF says were inlined at that address, as
 * stackcollapse-perf.pl --inline does with addr2line, without processes.
 * Opened files (and files that failed to open) and resolved addresses are
 * cached per module path and per (module, address). */
struct sym_inline;

/* symfs: root prepended to every module path (perf --symfs), or NULL.
 * NULL when out of memory. */
struct sym_inline *sym_inline_new(const char *symfs);
void sym_inline_free(struct sym_inline *s);
void sym_inline_set_warn(struct sym_inline *s, sym_warn_fn warn, void *ctx);

/* One function of an inline chain. file is the basename of the source file
 * (NULL when DWARF names none) and line its line number (0 when unknown):
 * for the innermost function the line of the address, for the others the
 * line of the call that was inlined. */
struct sym_inline_frame {
	const char *function;
	const char *file;
	unsigned line;
};

/* Looks up one frame. module is the path perf printed (symfs is prepended);
 * symbol (NULL, empty or "[unknown]" = none) and sym_offset locate the
 * address as the symbol's value in the ELF (or its debug file) plus the
 * offset; without a symbol, pc is used when the ELF is ET_EXEC and pc falls
 * in a PT_LOAD segment (perf prints runtime or map-relative pcs, which are
 * file addresses only there). Modules stackcollapse-perf.pl skips (perf-N.map,
 * names containing "kernel.", "[...]") are never opened.
 *
 * On success fills *frames with *n >= 1 frames, root to leaf (the real
 * function first, the innermost inlined callee last), valid as long as s.
 * Returns 0, WP_E_NOTFOUND when the frame cannot be resolved (no such file,
 * not an ELF, no DWARF for the address, unknown symbol: fold it as usual),
 * or another negative WP_E_* code (out of memory). */
int sym_inline_lookup(struct sym_inline *s, const char *module, size_t module_len,
		      const char *symbol, size_t symbol_len, uint64_t sym_offset,
		      bool has_offset, uint64_t pc,
		      const struct sym_inline_frame **frames, size_t *n);

/* Counters for --verbose style summaries. */
struct sym_inline_stats {
	uint64_t lookups;       /* calls of sym_inline_lookup */
	uint64_t cache_hits;    /* answered from the (module, address) cache */
	uint64_t resolved;      /* calls that returned 0 */
	uint64_t modules;       /* distinct module paths seen */
	uint64_t modules_failed; /* of which could not be opened as ELF */
	uint64_t modules_nodwarf; /* of which have no DWARF (nor a debug file) */
};
void sym_inline_get_stats(const struct sym_inline *s, struct sym_inline_stats *st);

#endif
