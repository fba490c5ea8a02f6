/* symbolizer.h - addresses and names to meaning: ELF/DWARF inline frames,
 * the Wasm module reader, WasmEdge AOT objects, the translation of jitted
 * Wasm names, native symbols of perf.data samples (address spaces, ELF,
 * kallsyms, perf maps, jitdump code) and DWARF unwinding of user stacks.
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
/* warn (may be NULL) gets a one-line message (wp_warn_fn) once per module
 * that cannot be opened or has no DWARF. */
void sym_inline_set_warn(struct sym_inline *s, wp_warn_fn warn, void *ctx);

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


/* ---- the Wasm module reader: function index space, `name` section ---- */
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

/* ---- WasmEdge AOT objects ----
 * `wasmedge compile m.wasm m.so` writes an ELF shared object that exports
 * its code as f<FI> (function indices counting imports), per-type wrappers
 * t<N>, and `version`, `intrinsics`, `wasm.code` and `wasm.size`: an ELF
 * defining all four is one, and wasm.code holds the module's own bytes
 * (name section included), for sym_wasm_module_parse(). The native
 * symbolizer marks the frames of such objects (sym_frame.wasm_aot); text
 * input names the file, which sym_wasm_aot_open() reads. */
struct sym_wasm_aot {
	const char *path;      /* the object, as recorded or named */
	const uint8_t *code;   /* wasm.code, size bytes; NULL when it could not be read */
	size_t size;
	uint32_t version;      /* WasmEdge's AOT binary version (0: unreadable) */
};
/* Opens symfs + path (symfs may be NULL). 0 with *out (free with
 * sym_wasm_aot_free), WP_E_NOTFOUND when there is no such file or it is no
 * WasmEdge AOT object (*why says which, static text), WP_E_NOMEM. */
int sym_wasm_aot_open(const char *symfs, const char *path, size_t path_len,
		      struct sym_wasm_aot **out, const char **why);
void sym_wasm_aot_free(struct sym_wasm_aot *a);

/* ---- jitted/AOT frame names -> Wasm name-section names; demangling ---- */
/* Demangles C++ (Itanium) and Rust (legacy, v0) names as c++filt prints
 * them (parameter lists kept, Rust hash dropped). 1 = rewritten into out,
 * 0 = not a mangled name (out untouched), < 0 = error. */
int sym_demangle(const char *s, size_t n, struct wp_buf *out);
bool sym_looks_mangled(const char *s, size_t n);

struct sym_names_options {
	const char *runtime;  /* NULL or "auto": every unambiguous rule; else one of
			       * wamr v8 wasmtime wavm wasmedge */
	const char *mark;     /* prefix of translated frames; NULL = "[Wasm] " */
	bool keep_tiers;      /* V8: "name [turbofan]" instead of merging tiers */
	bool demangle;        /* demangle name-section names (default on) */
};
void sym_names_options_init(struct sym_names_options *o);

/* What a translated frame came from, for stack-level clean-ups. */
struct sym_names_origin {
	int module;           /* index of the module in add order, -1 none */
	int64_t fi;           /* function index counting imports, -1 unknown */
	bool wamr_stub;       /* WAMR aot_func#N in front of aot_func_internal#N */
	bool wamr_body;       /* WAMR aot_func_internal#N */
};

struct sym_names;
/* NULL on a bad option (message in errbuf). warn (may be NULL) is told,
 * once, when a frame's own name disagrees with its module's. */
struct sym_names *sym_names_new(const struct sym_names_options *o, wp_warn_fn warn,
				void *ctx, char *errbuf, size_t errlen);
void sym_names_free(struct sym_names *n);
/* Adds a module; takes ownership. binding is NULL for the default module,
 * else a wasmtime module index ("0") or a WAMR module name ("fib2"). */
int sym_names_add_module(struct sym_names *n, const char *binding, struct sym_wasm_module *m);
/* A user rule: PCRE2 with a named group (?<index>...); absolute = the
 * index counts imports (else defined functions only). */
int sym_names_add_pattern(struct sym_names *n, const char *regex, bool absolute, char *errbuf,
			  size_t errlen);
/* The module frames without a module binding use, or NULL. */
const struct sym_wasm_module *sym_names_default_module(const struct sym_names *n);
/* Whether any rule can apply (a module or runtime or pattern was given). */
bool sym_names_active(const struct sym_names *n);

/* Translates one frame name. jit: the frame is known to be JIT/AOT code
 * (perf map, jitdump, anonymous memory, `_[j]`), which enables the
 * ambiguous short rules. Returns 1 with *out (owned by n, valid until it is
 * freed) when rewritten, 0 when left alone (also a function index outside
 * its module: counted, see sym_names_stats), < 0 on an error (message:
 * sym_names_errmsg). */
int sym_names_translate(struct sym_names *n, const char *frame, size_t len, bool jit,
			const char **out, size_t *outlen, struct sym_names_origin *origin);
const char *sym_names_errmsg(const struct sym_names *n);

/* What the translations so far came to, each frame counted as often as it
 * was asked for: translated (mismatched: of those, the ones whose own name,
 * as V8 gives it, differs from the module's), and left alone because its
 * function index is outside the module (the first such frame and its
 * module, or NULL). */
struct sym_names_stats {
	uint64_t translated, mismatched, outside;
	const char *outside_example, *outside_module;
	size_t modules;       /* modules added */
};
void sym_names_stats(const struct sym_names *n, struct sym_names_stats *st);

/* ---- native symbols for perf.data: address spaces, ELF, kallsyms, perf maps ----
 * Turns the addresses of perf.data samples into what `perf script` (perf
 * 6.1, default fields) prints for them: "SYMBOL+0xOFF (MODULE)". The
 * caller feeds the records in time order as plain values (no libperfparse
 * types): build-ids (HEADER_BUILD_ID), MMAP/MMAP2, COMM, FORK, EXIT, then
 * resolves each callchain address. Per process, mappings are kept with the
 * time span they were valid in (an exec or a reused pid ends them; threads
 * share their process's; a fork copies the parent's), so an address
 * resolves to what was mapped there at the sample's time. Kernel and
 * module mappings (pid -1 or kernel cpumode) are global. Symbols come from
 * ELF files (.symtab or .dynsym, debug files by .gnu_debuglink, build-id,
 * /usr/lib/debug and the perf build-id cache, checked against the recorded
 * build-id), from kallsyms and from perf-PID.map files, with perf's rules
 * for aliases and sizes; see the native_*.c files for each rule and for
 * the known differences from perf. Tables are built once per file on first
 * use; memory grows with files, symbols and mappings, never with samples. */
struct sym_native;

/* perf-PID.map names of up to this many bytes (after START, SIZE and one
 * blank, up to the line's end) are kept whole on every path (perf.data
 * folding, wasmperf-names on a map); a line with a longer name is skipped
 * (perf itself has no limit) and reported with its line number. */
#define SYM_PERF_MAP_MAX_NAME 65536u

struct sym_native_options {
	const char *symfs;        /* root prepended to recorded paths (--symfs), NULL none */
	const char *kallsyms;     /* kernel symbols from this file (--kallsyms); NULL:
				   * /proc/kallsyms when the running kernel's build-id
				   * (/sys/kernel/notes) is the recorded one, else the
				   * build-id cache's copy, else SYMFS/proc/kallsyms;
				   * none when no kernel build-id was recorded (the
				   * running kernel is not proven the recorded one) */
	const char *buildid_dir;  /* perf's build-id cache (--buildid-dir; tools pass
				   * $HOME/.debug by default), NULL none */
	const char *perf_map_dir; /* perf-PID.map looked for here first, NULL none
				   * (names up to SYM_PERF_MAP_MAX_NAME bytes) */
	const char *data_dir;     /* then beside the perf.data file, NULL none; then /tmp */
	bool no_demangle;         /* keep C++/Rust ELF names mangled (--no-demangle) */
	bool no_proc_kallsyms;    /* never read /proc/kallsyms nor /sys/kernel/notes */
	unsigned threads;         /* > 1: symbol sources (kallsyms, ELF tables, perf maps)
				   * load in threads - 1 workers from their first MMAP on;
				   * answers and warnings are the same as with 0 or 1 (one
				   * thread: each source loads at its first use) */
};
void sym_native_options_init(struct sym_native_options *o);

/* Strings in o are copied. warn (may be NULL) gets one message per file
 * and kind. NULL when out of memory. */
struct sym_native *sym_native_new(const struct sym_native_options *o, wp_warn_fn warn,
				  void *ctx);
void sym_native_free(struct sym_native *s);

/* A HEADER_BUILD_ID entry: path as recorded ("[kernel.kallsyms]", "[vdso]"
 * or a file), build-id bytes (at most 20 are used). Later calls replace. */
int sym_native_build_id(struct sym_native *s, const char *path, const uint8_t *id, size_t len);

/* One MMAP or MMAP2 record. For MMAP (no prot), pass PROT_EXEC unless the
 * record has PERF_RECORD_MISC_MMAP_DATA, as perf does. kernel: cpumode
 * kernel (the [kernel.kallsyms]_text map with pgoff = address of _text,
 * or a module): such maps are global. build_id: from an MMAP2 with
 * PERF_RECORD_MISC_MMAP_BUILD_ID, else NULL (the HEADER_BUILD_ID of the
 * path is used). */
struct sym_native_map {
	uint64_t time;
	int32_t pid, tid;
	uint64_t start, len, pgoff;
	const char *filename;
	uint32_t prot, flags;     /* PROT_*, MAP_* (MAP_HUGETLB marks anon memory) */
	const uint8_t *build_id;
	size_t build_id_len;
	bool kernel;
};
int sym_native_mmap(struct sym_native *s, const struct sym_native_map *m);
/* A mapping a later sym_native_mmap will make, seen ahead: with workers
 * (sym_native_options.threads > 1), its file, perf map or kallsyms starts
 * loading now. Adds no mapping, changes no answer; without workers, or for
 * a map with an MMAP2 build-id, nothing. */
void sym_native_prefetch(struct sym_native *s, const struct sym_native_map *m);
/* COMM: with exec (PERF_RECORD_MISC_COMM_EXEC) the process's mappings end
 * at time. comm itself is not needed for symbols and may be NULL. */
int sym_native_comm(struct sym_native *s, uint64_t time, int32_t pid, int32_t tid,
		    const char *comm, bool exec);
/* FORK: pid != ppid is a new process that starts with a copy of ppid's
 * mappings at time; pid == ppid is a new thread of the same process. */
int sym_native_fork(struct sym_native *s, uint64_t time, int32_t pid, int32_t ppid,
		    int32_t tid, int32_t ptid);
int sym_native_exit(struct sym_native *s, uint64_t time, int32_t pid, int32_t ppid,
		    int32_t tid, int32_t ptid);

/* JIT code named by a jitdump (JIT_CODE_LOAD): [start, start + size) of
 * pid holds name from time on (0: from the start, for dumps whose clock is
 * not the recording's). JIT code hides every mapping under it (the
 * anonymous code region, or the runtime's own text where V8 logs its
 * builtins); of overlapping JIT code the latest load wins, so a reused
 * address resolves, at each time, to what was loaded there last. module
 * is what `perf script` prints after `perf inject --jit`
 * ("DIR/jitted-PID-INDEX.so"); frames from here have jit set and
 * map_addr = addr - start + 0x80, as in those files. */
struct sym_native_jit {
	uint64_t time;
	int32_t pid;
	uint64_t start, size;
	const char *name;         /* load only; copied */
	const char *module;       /* copied; for a move, NULL keeps the old one */
	/* JIT_CODE_UNWINDING_INFO before the load, or NULL: .eh_frame then
	 * .eh_frame_hdr (perf's layout), laid out right after the code; copied
	 * and given to the unwinder (sym_unwind) as that code's CFI */
	const uint8_t *unwind;
	uint64_t unwind_size, unwind_hdr_size;
};
int sym_native_jit_load(struct sym_native *s, const struct sym_native_jit *j);
/* JIT_CODE_MOVE: the code loaded at old_start lives at j->start from
 * j->time on (and no longer at old_start, unless j->time is 0). WP_E_NOTFOUND when no code was
 * loaded at old_start. */
int sym_native_jit_move(struct sym_native *s, const struct sym_native_jit *j, uint64_t old_start);
/* A jitdump names the JIT code of pid from now on (call it where `perf
 * inject --jit` would inject the dump: at its marker mmap, or before the
 * records for a dump given by hand). As after perf inject, the anonymous
 * maps pid makes from then on ("//anon", "[anon:", "/memfd:" prefixes) are
 * dropped, so JIT addresses no load covers resolve as unmapped
 * ("[unknown]"), and a missing perf-PID.map of pid is not warned about. */
int sym_native_jit_pid(struct sym_native *s, int32_t pid);

/* One resolved address. Strings are owned by s and live as long as it. */
struct sym_frame {
	const char *symbol;   /* NULL: unknown (perf prints "[unknown]") */
	uint64_t offset;      /* address - symbol start (perf's "+0x..."), 0 when unknown */
	const char *module;   /* what perf prints in parentheses: the mmap filename,
			       * "[kernel.kallsyms]", "[module]", "[vdso]",
			       * "/tmp/perf-PID.map" for anonymous executable memory,
			       * or "[unknown]" when no mapping holds the address */
	uint64_t map_addr;    /* the address perf script prints: file-relative
			       * (ip - start + pgoff) in file mappings, else ip */
	bool kernel;          /* kernel or module address */
	bool jit;             /* from a perf map (JIT code) or a jitted-*.so */
	bool unmapped;        /* no mapping holds the address */
	/* the module is a WasmEdge AOT object (its f<N> are Wasm functions,
	 * code its embedded module), else NULL */
	const struct sym_wasm_aot *wasm_aot;
};

/* Resolves addr of a sample of pid at time; kernel: the callchain context
 * (or cpumode) says kernel. Times are those of the records (one clock);
 * a sample without a timestamp passes UINT64_MAX (the latest mappings),
 * records without one pass 0 (their order then decides). Always fills
 * *out when it returns 0; < 0 only on WP_E_NOMEM or a bad argument. */
int sym_native_resolve(struct sym_native *s, int32_t pid, uint64_t time, uint64_t addr,
		       bool kernel, struct sym_frame *out);

/* Keeping answers. Between two changes of the address spaces (MMAP, FORK,
 * EXIT, JIT loads: each starts a generation) every question at a time at
 * or after the latest change, and every question without a time, gets the
 * same answer each time it is asked. sym_native_generation gives the
 * generation such a question is answered at now, or false for a question
 * at an earlier time (it sees mappings since replaced: ask each time).
 * sym_native_answer_holds says whether what resolve answered for (pid,
 * addr, kernel) at generation g is still its answer: no change since g
 * covered that address (false also when too many changes were made since
 * to know). A question without a time and one with may differ: keep them
 * apart. */
bool sym_native_generation(const struct sym_native *s, uint64_t time, uint64_t *generation);
bool sym_native_answer_holds(const struct sym_native *s, uint64_t generation, int32_t pid,
			     uint64_t addr, bool kernel);

/* Does the file mapped at addr in pid's address space at time define a
 * symbol named name? The symbols are those resolving uses (the file found
 * as for resolving, loaded once; of aliases at one address the one perf
 * keeps); name as the ELF spells it (mangled) or as loaded (demangled
 * without parameters, unless no_demangle). The first question about a file
 * sorts its names once; each answer is then a binary search. 1 yes, 0 no
 * (also: no ELF file mapped there, or one without symbols), WP_E_NOMEM. */
int sym_native_defines(struct sym_native *s, int32_t pid, uint64_t time, uint64_t addr,
		       const char *name);

struct sym_native_stats {
	uint64_t resolves, cache_hits, unmapped, unknown_symbol;
	uint64_t files, files_failed;       /* ELF files loaded / without symbols */
	uint64_t perf_maps, perf_map_bad_lines;
	uint64_t kallsyms_symbols, kallsyms_bad_lines;
	uint64_t mappings, processes;
	uint64_t jit_functions;             /* JIT code loads and moves */
	uint64_t jit_unwind_refused;        /* their unwinding info, refused as unsafe for libdw */
};
void sym_native_get_stats(const struct sym_native *s, struct sym_native_stats *st);

/* ---- DWARF unwinding of `perf record --call-graph dwarf` samples ----
 *
 * The user part of such a sample is a copy of the registers and of the top
 * of the user stack; sym_unwind walks it with libdw's CFI (.eh_frame, and
 * .debug_frame from debug files) over the files the native symbolizer maps
 * at the sample's time. Where code has no CFI (JIT code, WAMR's AOT code,
 * anonymous memory) libdw continues through the frame-pointer chain inside
 * the copied stack, so Wasm stacks are not cut at their first Wasm frame;
 * JIT code a jitdump gave unwinding info for (V8 --perf-prof-unwinding-info)
 * is unwound with that CFI, from an ELF image built in memory, once it is
 * checked (a warning says why one is refused: see cfi_check.c).
 * One libdw session per process serves all its threads and samples
 * (modules and CFI are read once); it starts over when the process's
 * files change. x86_64 and aarch64. */
struct sym_unwind;
/* warn (may be NULL) is told once per process libdw cannot unwind. */
struct sym_unwind *sym_unwind_new(struct sym_native *s, wp_warn_fn warn, void *ctx);
void sym_unwind_free(struct sym_unwind *u);

struct sym_unwind_sample {
	int32_t pid, tid;
	uint64_t time;               /* UINT64_MAX: none */
	uint16_t machine;            /* EM_X86_64 (62) or EM_AARCH64 (183) */
	uint64_t abi;                /* PERF_SAMPLE_REGS_ABI_*: 0 none, 2 64-bit */
	uint64_t mask;               /* sample_regs_user */
	const uint64_t *regs;        /* in ascending bit order of mask */
	size_t nregs;
	const uint8_t *stack;        /* the copy, starting at the user sp */
	uint64_t stack_size;         /* valid bytes (dyn_size) */
};

/* The user frames of a sample, leaf first, at most max: the sampled pc,
 * then each caller's call site (return address - 1, as perf shows them),
 * to be resolved with sym_native_resolve as they are. Returns the count,
 * 0 when the sample carries no user registers, < 0 only on WP_E_NOMEM. */
int sym_unwind_frames(struct sym_unwind *u, const struct sym_unwind_sample *smp, uint64_t *pcs,
		      size_t max);

struct sym_unwind_stats {
	uint64_t samples, frames, fp_frames; /* fp: callers in code without a module */
	uint64_t sessions, modules;          /* libdw sessions and modules reported */
	uint64_t jit_cfi;                    /* of which JIT code with its own CFI */
};
void sym_unwind_get_stats(const struct sym_unwind *u, struct sym_unwind_stats *st);

#endif
