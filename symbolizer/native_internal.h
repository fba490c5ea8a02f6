/* native_internal.h - (private to symbolizer/native_*.c and unwind.c) the
 * pieces of the native symbolizer: symbol tables with perf's fix-ups, the
 * ELF loader, kallsyms, perf maps and the build-id cache paths, and the
 * sym_native handle they make up. Each file owns one concern:
 *   native.c          the handle: options, lifetime, warnings, stats
 *   native_maps.c     per-process address spaces from build-id, MMAP, COMM,
 *                     FORK and EXIT records
 *   native_jit.c      JIT code named by jitdumps
 *   native_sources.c  where symbols come from: ELF files, perf maps and
 *                     kallsyms, each loaded on first use
 *   native_resolve.c  an address at a time to a frame, with its caches */
#ifndef WASMPERF_NATIVE_INTERNAL_H
#define WASMPERF_NATIVE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "symbolizer.h"
#include "wpcommon.h"

#define NATIVE_MAX_BUILD_ID 20       /* perf's BUILD_ID_SIZE */
/* Per table: the rb-tree's node ids are int32_t. Never reached by a file
 * under its byte cap (a perf map line or a kallsyms line that makes an
 * entry takes at least 6 bytes of 1 GiB; an ELF symbol 24 bytes); memory
 * runs out first, which is reported as such. */
#define NATIVE_MAX_SYMBOLS ((uint32_t)INT32_MAX)

/* ---- native_symtab.c: perf's struct symbol rb-tree as a sorted array ---- */
struct native_sym {
	uint64_t start, end;   /* [start, end); end == start: covers start only */
	const char *name;      /* interned, NUL-terminated */
	uint32_t module;       /* kallsyms: 0 core kernel, else module id + 1 */
	uint32_t seq;          /* insertion order (perf inserts equal starts after) */
	uint8_t bind, type;    /* STB_*, STT_* */
	bool mangled;          /* name as the ELF spells it, demangled at first
				* use (native_symtab.lazy) */
};

/* ---- native_rbtree.c: perf's rb-tree shape, for nested and overlapping symbols
 * (ELF tables, perf maps) ---- */
struct native_rbtree;
struct native_rbtree *native_rbtree_new(void);
void native_rbtree_free(struct native_rbtree *t);
/* A node keyed by start (equal keys go right); its symbol is set later. */
/* Room for n nodes at once (a tree whose size is known); WP_E_NOMEM. */
int native_rbtree_reserve(struct native_rbtree *t, size_t n);
int native_rbtree_insert(struct native_rbtree *t, uint64_t key, int32_t *id);
void native_rbtree_erase(struct native_rbtree *t, int32_t id);
void native_rbtree_set(struct native_rbtree *t, int32_t id, const struct native_sym *s);
/* perf's symbols__find(): the first node on the path holding ip. */
const struct native_sym *native_rbtree_find(const struct native_rbtree *t, uint64_t ip);
/* For tests: the black height when every red-black and order rule holds
 * (nodes reachable in *nodes), else -1. */
int native_rbtree_check(const struct native_rbtree *t, size_t *nodes);

struct native_span {
	uint64_t from, to;          /* [from, to) */
};
/* What it takes to build perf's tree of an ELF table when a lookup first
 * needs it (native_symtab.c). */
struct native_replay {
	uint64_t *starts;           /* every symbol's start, in table order */
	size_t ninserted;
	int32_t *erased;            /* the fix-ups' losers, in the order erased */
	size_t nerased, erased_cap;
	const struct native_symtab *extra; /* PLT entries, inserted last */
	struct native_span *nested; /* sorted: where symbols overlap */
	size_t nnested, nested_cap;
	bool failed;                /* out of memory while noting */
};

struct native_symtab {
	struct native_sym *v;
	size_t n, cap;
	/* ELF tables: perf's tree, for lookups inside nested symbols; built
	 * from replay at the first such lookup, NULL before (or without
	 * memory: the array rule then answers) */
	struct native_rbtree *tree;
	struct native_replay *replay;
	const struct native_symtab *extra; /* searched first by the array rule */
	/* Demangling a C++ program's whole table was most of its load (node:
	 * 100,000 names, of which a profile prints a few thousand): names are
	 * demangled when a lookup or a fix-up first needs them, interned here.
	 * NULL: names are final. */
	struct wp_intern *lazy;
};

void native_symtab_release(struct native_symtab *t);
/* Room for n more symbols at once, on huge pages when it is big (an ELF
 * table's count is known before its symbols are read: node's 4 MB of them
 * cost a thousand page faults added one by one). Only faster: 0 always. */
void native_symtab_reserve(struct native_symtab *t, size_t n);
int native_symtab_add(struct native_symtab *t, uint64_t start, uint64_t size, uint8_t bind,
		      uint8_t type, const char *name, uint32_t module);
/* Sorts and applies symbols__fixup_end() then symbols__fixup_duplicate();
 * for ELF tables (not kallsyms) also notes how to replay perf's tree,
 * which then answers native_symtab_find() as perf would where symbols
 * nest. */
void native_symtab_finish(struct native_symtab *t, bool is_kallsyms);
/* After native_symtab_finish() of an ELF table (always called, extra may
 * be empty): the symbols of extra join t's tree after t's fix-ups, as perf
 * inserts its synthesized PLT symbols; extra must outlive t. */
int native_symtab_tree_add(struct native_symtab *t, const struct native_symtab *extra);
/* perf's symbols__find(); may build the tree (so not const). */
const struct native_sym *native_symtab_find(struct native_symtab *t, uint64_t addr);
/* Gives s (one of t's symbols, as a lookup returned it) its demangled
 * name if it still waits for it; 0 or WP_E_NOMEM. */
int native_symtab_demangle(struct native_symtab *t, const struct native_sym *s);
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
 * (static text). NULL only when out of memory. With demangle, names are
 * demangled at first use: lookups go through native_elf_demangle(). */
struct native_elf *native_elf_load(const struct sym_native_paths *p, const char *path,
				   const uint8_t *id, size_t id_len, struct wp_intern *names,
				   bool demangle, const char **why, char *found_id_hex);
void native_elf_free(struct native_elf *e);
/* A file offset (ip - map start + pgoff) to the table's address domain. */
const struct native_sym *native_elf_lookup(struct native_elf *e, uint64_t file_off, uint64_t *addr);
/* The demangled name for s, a symbol native_elf_lookup() gave (s->name
 * is final after it); 0 or WP_E_NOMEM. */
int native_elf_demangle(struct native_elf *e, const struct native_sym *s);
size_t native_elf_symbols(const struct native_elf *e);
/* 1 when the file's symbols (those kept) hold name, as loaded (demangled
 * with demangle) or, for a mangled name, demangled; 0 if not; WP_E_NOMEM. */
int native_elf_defines(struct native_elf *e, const char *name, bool demangle);
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
	char *bytes;                /* the file's bytes, which the names point into */
};
/* Parses /proc/kallsyms text ("ADDR TYPE NAME[\t[module]]") as perf's
 * kallsyms__parse + map__process_kallsym_symbol; memory-only so that the
 * fuzzer can call it (data is copied). Release k whatever the result. */
int native_kallsyms_parse(struct native_kallsyms *k, const char *data, size_t len);
int native_kallsyms_load(struct native_kallsyms *k, const char *path);
void native_kallsyms_release(struct native_kallsyms *k);

/* ---- native_perfmap.c: /tmp/perf-PID.map as perf's dso__load_perf_map ---- */
struct native_perfmap;
/* Names of any length up to this many bytes are kept (perf has no limit);
 * a longer one is skipped as NATIVE_PERFMAP_LONG_NAME. */
#define NATIVE_PERFMAP_MAX_NAME SYM_PERF_MAP_MAX_NAME
/* START and SIZE, with the blanks before them, within this many bytes */
#define NATIVE_PERFMAP_MAX_FIELDS 4096u
/* A larger map is not read ("the 1 GiB cap", wasmperf-fold(1), LIMITS) */
#define NATIVE_PERFMAP_MAX_BYTES ((size_t)1 << 30)
/* Why a line was skipped. Lines perf itself skips (too short) and lines it
 * would make a symbol of that is not kept here. */
enum native_perfmap_skip {
	NATIVE_PERFMAP_NO_NAME,     /* no SIZE or NAME, or a name of 1-2 bytes (perf skips it) */
	NATIVE_PERFMAP_BAD_FIELDS,  /* START or SIZE not hex followed by a blank */
	NATIVE_PERFMAP_LONG_NAME,   /* name longer than NATIVE_PERFMAP_MAX_NAME */
	NATIVE_PERFMAP_LONG_FIELDS, /* START and SIZE beyond NATIVE_PERFMAP_MAX_FIELDS */
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

/* ---- the sym_native handle (native.c and the files listed at the top) ---- */
#define NATIVE_KERNEL_PID (-1)   /* the global space of kernel and module maps */
#define NATIVE_CACHE_SLOTS 4096  /* direct-mapped (file, offset) -> symbol cache */
#define NATIVE_ANSWER_SLOTS (1u << 16) /* (pid, address) -> frame answers, at most */
#define NATIVE_ANSWER_FIRST (1u << 10) /* ... and at first: grown x8 as questions come */
#define NATIVE_RECENT_SLOTS (1u << 12) /* the answers asked lately, in front of them */
#define NATIVE_CHANGES 64              /* ranges changed, kept to keep answers (sym_native) */

enum native_map_kind { K_ELF, K_VDSO, K_PERFMAP, K_NONE, K_KERNEL, K_MODULE, K_JITCODE };

/* One mapping (or one JIT function) of an address space, valid for sample
 * times in [t_from, t_to). */
struct native_mapping {
	uint64_t start, end, pgoff;
	uint64_t t_from, t_to;
	uint32_t seq;
	uint32_t path;     /* paths id of the filename (ELF, VDSO) */
	uint32_t bid;      /* index + 1 into bids, 0: use the path's header build-id */
	uint32_t module;   /* strings id of the printed module */
	uint32_t ref;      /* K_KERNEL: strings id + 1 of the reference symbol ("_text") */
	int32_t pid;       /* perf map owner (K_PERFMAP) */
	const char *name;  /* K_JITCODE: the function (interned in names) */
	const uint8_t *cfi; /* K_JITCODE: unwinding info (owned by cfi_blobs) */
	uint32_t cfi_size, cfi_hdr_size;
	uint8_t kind;      /* enum native_map_kind */
	bool jit;
};

/* Mappings sorted by start; maxend[i] = max end over v[0..i], so a lookup
 * scans back only over entries that may still hold the address; newest[i]
 * = the newest (t_from, then seq) of v[0..i], so it stops once nothing
 * before could be more recent than what it found (V8 maps its code space
 * at one start hundreds of times, growing). */
struct native_list_key {
	uint64_t t_from;
	uint32_t seq;
};
struct native_mapping_list {
	struct native_mapping *v;
	uint64_t *maxend;
	struct native_list_key *newest;
	size_t n, cap, newest_cap;
};

/* JIT functions (jitdumps) are kept apart from the mappings: they are
 * many and small, and they hide whatever mapping lies under them (the
 * anonymous code region, or the runtime's own text for V8's builtins). */
struct native_space {
	struct native_mapping_list maps, jit;
};

struct native_file {           /* one (path, build-id) */
	uint32_t path;
	uint8_t id[NATIVE_MAX_BUILD_ID];
	size_t id_len;
	struct native_elf *elf; /* NULL until loaded */
	struct wp_intern *names; /* its symbol names */
	struct native_elf_job *job; /* its load, started ahead (native_prefetch.c) */
	bool loaded, failed;
};

struct native_cache_slot {
	uint32_t file;     /* index + 1; 0 empty */
	uint64_t off;
	const struct native_sym *sym;
};

struct native_bid {
	uint8_t id[NATIVE_MAX_BUILD_ID];
	size_t len;
};

/* One range of one space changed (native_note_range). */
struct native_change {
	uint64_t start, end;
	int32_t space;               /* the pid, or NATIVE_KERNEL_PID */
};

struct native_answer {
	uint64_t addr, generation;
	int32_t pid;
	bool kernel, latest, used;
	struct sym_frame frame;
};

struct sym_native {
	struct sym_native_options o;
	struct sym_native_paths paths_opt;
	wp_warn_fn warn;
	void *warn_ctx;
	struct wp_intern *names;     /* symbol names */
	struct wp_intern *strings;   /* module strings handed out */
	struct wp_intern *paths;     /* recorded paths */
	struct native_bid *path_bids; /* header build-id per paths id */
	size_t path_bids_cap;
	struct native_bid *bids;     /* MMAP2 build-ids */
	size_t nbids, bids_cap;
	struct wp_intern *space_keys; /* pid -> index in spaces */
	struct native_space *spaces;
	size_t nspaces, spaces_cap;
	struct wp_intern *file_keys;  /* (path id, build-id) -> index in files */
	struct native_file *files;
	size_t nfiles, files_cap;
	struct wp_intern *pmap_keys;  /* pid -> index in pmaps */
	struct native_pmap_job **pmaps; /* the perf map load of each pid */
	size_t npmaps, pmaps_cap;
	struct wp_intern *jit_pids;   /* pids whose JIT code a jitdump names */
	struct native_kallsyms kall;
	struct native_kall_job *kall_job; /* kallsyms' load, started ahead */
	bool kall_tried, kall_ok;
	struct native_loader *loader; /* workers for loads ahead, NULL: one thread */
	uint32_t seq;
	uint32_t s_unknown, s_kernel;  /* strings ids */
	struct native_cache_slot *cache;
	/* Samples repeat addresses: answers are cached per (pid, address),
	 * each made at a generation (the count of changes to address spaces).
	 * An older answer still holds when no change since held its address:
	 * the ring keeps the last NATIVE_CHANGES ranges changed (MMAP, JIT
	 * load); a change of a whole space (COMM, FORK, EXIT, a JIT move)
	 * ends every older answer. */
	struct native_answer *answers;
	/* A copy of the answers asked lately, in 290 KB that stay in the
	 * core's cache (the 4.7 MB of answers do not: a sample's frames
	 * missed it at every address); valid only at their own generation. */
	struct native_answer *recent;
	uint32_t answer_slots;        /* a power of two, 0 before the first question */
	uint64_t answer_misses;       /* since the table was last (re)made */
	uint64_t generation;
	uint64_t wide_generation;     /* the last change of a whole space */
	struct native_change changes[NATIVE_CHANGES]; /* generation g at g % NATIVE_CHANGES */
	uint64_t changed_at;          /* latest time of a record that changed a space */
	struct wp_intern *warned;     /* warning keys already given */
	uint8_t **cfi_blobs;          /* JIT unwinding info copies */
	size_t ncfi, cfi_cap;
	struct sym_native_stats st;
};

/* native.c */
/* Calls the warning callback unless a warning with this key was given. */
void native_warn_once(struct sym_native *s, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Input text (a recorded path) made safe to quote in a warning. */
#define native_shown(buf, str) wp_visible(buf, sizeof buf, str, strlen(str))
int native_intern(struct wp_intern *t, const char *str, uint32_t *id);
/* A change of a whole space (COMM, FORK, EXIT) or of one not known to be
 * smaller drops every cached answer. */
void native_note_change(struct sym_native *s, uint64_t time);
/* A change of only [start, end) of space's mappings (an MMAP, a JIT load):
 * answers elsewhere still hold. */
void native_note_range(struct sym_native *s, uint64_t time, int32_t space, uint64_t start,
		       uint64_t end);

/* native_maps.c */
struct native_space *native_space_get(struct sym_native *s, int32_t pid, bool create);
int native_list_add(struct native_mapping_list *l, const struct native_mapping *e);
/* The mapping holding addr at time, the most recent of several. */
const struct native_mapping *native_list_find(const struct native_mapping_list *l,
					      uint64_t addr, uint64_t time);
/* JIT code first: it hides the mappings under it. */
const struct native_mapping *native_space_find(const struct native_space *sp, uint64_t addr,
					       uint64_t time);
/* The build-id a file mapping was recorded with. */
static inline const struct native_bid *native_mapping_bid(const struct sym_native *s,
							  const struct native_mapping *e)
{
	return e->bid ? &s->bids[e->bid - 1] : &s->path_bids[e->path];
}

/* native_jit.c */
bool native_is_jit_pid(const struct sym_native *s, int32_t pid);

/* ---- native_loader.c: worker threads loading symbol sources ahead ---- */
struct native_job {
	void (*run)(struct native_job *j); /* fills the job's results, touching nothing else */
	struct native_job *next;
	int state;
};
struct native_loader;
/* NULL when workers is 0, or when no thread could be started. */
struct native_loader *native_loader_new(unsigned workers);
/* Running jobs finish, queued ones stay unrun. Accepts NULL. */
void native_loader_free(struct native_loader *l);
void native_loader_submit(struct native_loader *l, struct native_job *j);
/* Returns once j has run: runs it here if no worker has taken it yet. */
void native_job_finish(struct native_loader *l, struct native_job *j);

/* ---- native_prefetch.c: each source's load, at first use or ahead of it ---- */
struct native_elf_job {
	struct native_job job;
	const struct sym_native_paths *paths;
	const char *path;             /* interned in paths (never moves) */
	uint8_t id[NATIVE_MAX_BUILD_ID];
	size_t id_len;
	bool demangle;
	struct wp_intern *names;      /* results: the names of elf's symbols */
	struct native_elf *elf;       /* NULL when out of memory */
	const char *why;
	char found[2 * NATIVE_MAX_BUILD_ID + 1];
};
struct native_pmap_job {
	struct native_job job;
	const char *dirs[3];          /* looked in, in order (option strings) */
	int32_t pid;
	bool started, taken;          /* taken: reported at first use */
	bool found;                   /* results: a file was there ... */
	int rc;                       /* ... and read (0), or why not */
	char path[4096];
	struct native_perfmap *map;
	struct wp_intern *names;
};
struct native_kall_job {
	struct native_job job;
	char path[4096];
	int rc;                       /* results */
	struct native_kallsyms k;
};
/* The file entry of a file mapping, made when new; NULL when out of memory. */
struct native_file *native_file_entry(struct sym_native *s, const struct native_mapping *e);
struct native_elf_job *native_elf_job_new(const struct sym_native *s, const struct native_file *f);
/* The perf map entry of pid, made when new; NULL when out of memory. */
struct native_pmap_job *native_pmap_entry(struct sym_native *s, int32_t pid);
struct native_kall_job *native_kall_job_new(const char *path);
void native_elf_job_free(struct native_elf_job *j);
void native_pmap_job_free(struct native_pmap_job *j);
void native_kall_job_free(struct native_kall_job *j);
/* A new mapping: with workers, its source starts loading now. */
void native_prefetch(struct sym_native *s, const struct native_mapping *e);
/* Frees every source (after stopping the workers). */
void native_sources_release(struct sym_native *s);

/* native_sources.c: each loaded (and warned about) on first use */
/* The ELF file of a file mapping; NULL when out of memory. */
struct native_file *native_file_get(struct sym_native *s, const struct native_mapping *e);
/* The perf map of pid, NULL when there is none. */
struct native_perfmap *native_perfmap_get(struct sym_native *s, int32_t pid);
/* Whether kernel symbols (s->kall) could be loaded. */
bool native_kallsyms_ready(struct sym_native *s);
/* The kallsyms file to read, NULL with *why when there is none. */
const char *native_kallsyms_source(const struct sym_native *s, char *path, size_t size,
				   const char **why);

/* ---- native_resolve.c, for the unwinder: the file mapping at an address ---- */
/* ---- cfi_check.c: a jitdump's unwinding info, checked before libdw ----
 * cfi: .eh_frame then .eh_frame_hdr (its last hdr_size bytes), .eh_frame
 * at image address eh_vaddr. 0 when libdw may read it, WP_E_FORMAT with
 * the first problem (*bad: its byte offset in cfi, *why: what), or
 * WP_E_NOMEM. */
int native_cfi_check(const uint8_t *cfi, size_t size, size_t hdr_size, uint64_t eh_vaddr,
		     size_t *bad, const char **why);

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
