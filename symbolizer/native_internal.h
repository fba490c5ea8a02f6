/* native_internal.h - (private to symbolizer/native_*.c) the pieces of the
 * native symbolizer: symbol tables with perf's fix-ups, the ELF loader,
 * kallsyms, perf maps and the build-id cache paths. Each file owns one
 * concern; native_space.c wires them into the public sym_native_* API. */
#ifndef WASMPERF_NATIVE_INTERNAL_H
#define WASMPERF_NATIVE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "symbolizer.h"
#include "wpcommon.h"

#define NATIVE_MAX_BUILD_ID 20       /* perf's BUILD_ID_SIZE */
#define NATIVE_MAX_SYMBOLS (1u << 24) /* per table: beyond, the table is cut */

/* ---- native_symtab.c: perf's struct symbol rb-tree as a sorted array ---- */
struct native_sym {
	uint64_t start, end;   /* [start, end); end == start: covers start only */
	const char *name;      /* interned, NUL-terminated */
	uint32_t module;       /* kallsyms: 0 core kernel, else module id + 1 */
	uint32_t seq;          /* insertion order (perf inserts equal starts after) */
	uint8_t bind, type;    /* STB_*, STT_* */
};

/* ---- native_rbtree.c: perf's rb-tree shape, for nested symbols ---- */
struct native_rbtree;
struct native_rbtree *native_rbtree_new(void);
void native_rbtree_free(struct native_rbtree *t);
/* A node keyed by start (equal keys go right); its symbol is set later. */
int native_rbtree_insert(struct native_rbtree *t, uint64_t key, int32_t *id);
void native_rbtree_erase(struct native_rbtree *t, int32_t id);
void native_rbtree_set(struct native_rbtree *t, int32_t id, const struct native_sym *s);
/* perf's symbols__find(): the first node on the path holding ip. */
const struct native_sym *native_rbtree_find(const struct native_rbtree *t, uint64_t ip);
/* For tests: the black height when every red-black and order rule holds
 * (nodes reachable in *nodes), else -1. */
int native_rbtree_check(const struct native_rbtree *t, size_t *nodes);

struct native_symtab {
	struct native_sym *v;
	size_t n, cap;
	bool truncated;        /* more than NATIVE_MAX_SYMBOLS were offered */
	struct native_rbtree *tree; /* ELF tables: perf's tree, for lookups */
};

void native_symtab_release(struct native_symtab *t);
int native_symtab_add(struct native_symtab *t, uint64_t start, uint64_t size, uint8_t bind,
		      uint8_t type, const char *name, uint32_t module);
/* Sorts and applies symbols__fixup_end() then symbols__fixup_duplicate();
 * for ELF tables (not kallsyms) also replays perf's tree, which then
 * answers native_symtab_find() as perf would where symbols nest. */
void native_symtab_finish(struct native_symtab *t, bool is_kallsyms);
/* Inserts the symbols of extra into t's tree after t's fix-ups, as perf
 * inserts its synthesized PLT symbols; extra must outlive t. */
int native_symtab_tree_add(struct native_symtab *t, const struct native_symtab *extra);
const struct native_sym *native_symtab_find(const struct native_symtab *t, uint64_t addr);
/* perf's choose_best_symbol(): > 0 keeps a, < 0 keeps b. */
int native_choose_best(const struct native_sym *a, const struct native_sym *b);

/* ---- native_buildid.c ---- */
/* Lowercase hex of id into out (2 * len + 1 bytes). */
void native_hex(const uint8_t *id, size_t len, char *out);
/* Candidate paths in perf's dso__load order (binary_type_symtab) for the
 * recorded path and build-id (may be NULL/0). Calls fn for each existing
 * candidate until it returns true. runtime_elf: the file at symfs+path when
 * it opened (for its .gnu_debuglink), else NULL. */
struct sym_native_paths {
	const char *symfs;       /* "" for none */
	const char *buildid_dir; /* perf's ~/.debug, or NULL */
};
typedef bool (*native_path_fn)(void *ctx, const char *path, bool is_debug_only);
void native_candidates(const struct sym_native_paths *p, const char *path, const uint8_t *id,
		       size_t id_len, void *runtime_elf, native_path_fn fn, void *ctx);

/* ---- native_elf.c: symbols of one ELF file as perf 6.1 loads them ---- */
struct native_elf;
/* Never fails for a bad file: the table is then empty and *why says why
 * (static text). NULL only when out of memory. */
struct native_elf *native_elf_load(const struct sym_native_paths *p, const char *path,
				   const uint8_t *id, size_t id_len, struct wp_intern *names,
				   bool demangle, const char **why, char *found_id_hex);
void native_elf_free(struct native_elf *e);
/* A file offset (ip - map start + pgoff) to the table's address domain. */
const struct native_sym *native_elf_lookup(const struct native_elf *e, uint64_t file_off,
					   uint64_t *addr);
size_t native_elf_symbols(const struct native_elf *e);
/* The embedded module when the file is a WasmEdge AOT object, else NULL. */
const struct sym_wasm_aot *native_elf_wasm_aot(const struct native_elf *e);

/* ---- native_plt.c: perf 6.1's NAME@plt symbols of the runtime image ---- */
typedef struct Elf Elf;
/* Appends one symbol per .rela.plt/.rel.plt slot of .plt to t, in
 * relocation order (the order perf inserts them; t is not to be
 * finished: perf applies no fix-ups to them). A PLT that does not read
 * cleanly adds nothing; fails only when out of memory. */
int native_plt_load(struct native_symtab *t, Elf *elf, struct wp_intern *names, bool demangle);

/* ---- native_kallsyms.c ---- */
struct native_kallsyms {
	struct native_symtab syms;
	struct wp_intern *modules;  /* module name -> id */
	uint64_t text, stext;       /* addresses of _text/_stext, 0 if absent */
	uint64_t lines, bad_lines;
};
/* Parses /proc/kallsyms text ("ADDR TYPE NAME[\t[module]]") as perf's
 * kallsyms__parse + map__process_kallsym_symbol; memory-only so that the
 * fuzzer can call it. */
int native_kallsyms_parse(struct native_kallsyms *k, const char *data, size_t len,
			  struct wp_intern *names);
int native_kallsyms_load(struct native_kallsyms *k, const char *path, struct wp_intern *names);
void native_kallsyms_release(struct native_kallsyms *k);

/* ---- native_perfmap.c: /tmp/perf-PID.map as perf's dso__load_perf_map ---- */
struct native_perfmap;
/* Names of any length up to this many bytes are kept (perf has no limit);
 * a longer one is skipped as NATIVE_PERFMAP_LONG_NAME. */
#define NATIVE_PERFMAP_MAX_NAME SYM_PERF_MAP_MAX_NAME
/* START and SIZE, with the blanks before them, within this many bytes */
#define NATIVE_PERFMAP_MAX_FIELDS 4096u
/* Why a line was skipped. Lines perf itself skips (too short) and lines it
 * would make a symbol of that is not kept here. */
enum native_perfmap_skip {
	NATIVE_PERFMAP_NO_NAME,     /* no SIZE or NAME, or a name of 1-2 bytes (perf skips it) */
	NATIVE_PERFMAP_BAD_FIELDS,  /* START or SIZE not hex followed by a blank */
	NATIVE_PERFMAP_LONG_NAME,   /* name longer than NATIVE_PERFMAP_MAX_NAME */
	NATIVE_PERFMAP_LONG_FIELDS, /* START and SIZE beyond NATIVE_PERFMAP_MAX_FIELDS */
	NATIVE_PERFMAP_TOO_MANY,    /* beyond NATIVE_MAX_SYMBOLS entries (the rest is not read) */
	NATIVE_PERFMAP_NSKIPS
};
/* Per reason: how many lines, and the (1-based) number of the first. */
struct native_perfmap_skips {
	uint64_t count[NATIVE_PERFMAP_NSKIPS], first_line[NATIVE_PERFMAP_NSKIPS];
};
/* "name longer than 65536 bytes", ... */
const char *native_perfmap_skip_what(enum native_perfmap_skip why);
/* Lines parsed and lines skipped as malformed are counted. */
int native_perfmap_parse(struct native_perfmap **out, const char *data, size_t len,
			 struct wp_intern *names);
int native_perfmap_load(struct native_perfmap **out, const char *path, struct wp_intern *names);
void native_perfmap_free(struct native_perfmap *m);
/* perf's symbols__find over its rb-tree (overlapping entries included). */
const struct native_sym *native_perfmap_find(const struct native_perfmap *m, uint64_t addr);
void native_perfmap_counts(const struct native_perfmap *m, uint64_t *entries, uint64_t *bad);
const struct native_perfmap_skips *native_perfmap_skipped(const struct native_perfmap *m);

/* ---- native_space.c, for the unwinder: the file mapping at an address ---- */
struct native_module {
	const char *path;          /* as recorded (an ELF file), NULL: no file there */
	const uint8_t *build_id;   /* recorded build-id, or NULL */
	size_t build_id_len;
	uint64_t start, end, pgoff;
	bool jit;                  /* JIT code or anonymous memory */
	const uint8_t *cfi;        /* JIT code with unwinding info: .eh_frame + hdr */
	uint32_t cfi_size, cfi_hdr_size;
};
/* false when no mapping holds addr in pid at time. */
bool native_module_at(struct sym_native *s, int32_t pid, uint64_t time, uint64_t addr,
		      struct native_module *out);
const struct sym_native_paths *native_paths(const struct sym_native *s);


#endif
