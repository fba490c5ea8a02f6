/* bundle.h - "a path" as every tool takes it (DESIGN.md, "Phases, bundles,
 * batch"): a bundle that wasmperf record wrote (a directory holding
 * perf.data and meta.json, perf-PID.map files, jit-PID.dump files and
 * copies of the .wasm modules), a plain run directory holding perf.data,
 * or a file (perf.data, perf script text, folded stacks: sniffed by the
 * tool as before, input.h). A directory without perf.data stays what it
 * was: the tool says "is a directory".
 *
 *	struct bundle b;
 *	if (bundle_open(&b, prog, path))        // message printed
 *		return 1;
 *	read b.data; perf maps and jitdumps are looked for in b.dir (the
 *	directory of b.data, where data_feed.c already looks); b.modules are
 *	the Wasm modules to translate with when --wasm is not given
 *	bundle_release(&b);
 *
 * Ownership: every string and array of a bundle belongs to it. */
#ifndef WASMPERF_BUNDLE_H
#define WASMPERF_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BUNDLE_META_MAX (1u << 20)  /* meta.json is small; more is not ours */
#define BUNDLE_MAX_MODULES 64

/* meta.json as wasmperf record writes it (wasmperf-record(1), FORMAT);
 * missing fields are empty strings, empty arrays, has_exit_status false. */
struct bundle_meta {
	char *runtime;               /* "node", "wamr", ... (a preset name) */
	char *runtime_version;
	char *bench;                 /* the first module's stem, else the command's basename */
	char *start_time;            /* ISO 8601, UTC */
	char **command;              /* the workload's argv as given */
	size_t ncommand;
	int32_t *pids;               /* the processes of the run */
	size_t npids;
	char **modules;              /* file names of the module copies in the bundle */
	size_t nmodules;
	bool has_exit_status;
	int exit_status;             /* the workload's (128 + signal when killed) */
};

enum bundle_kind {
	BUNDLE_FILE,                 /* a file, standard input, or a directory without perf.data */
	BUNDLE_RUN_DIR,              /* a directory holding perf.data, no meta.json */
	BUNDLE_RECORDED,             /* a directory holding perf.data and meta.json */
};

struct bundle {
	enum bundle_kind kind;
	const char *path;            /* as given (NULL or "-": standard input) */
	char *data;                  /* what to read: DIR/perf.data, or path itself (NULL: stdin) */
	char *dir;                   /* a directory's path: perf maps and jitdumps; NULL for a file */
	char **modules;              /* paths of the Wasm modules: meta.json's, else DIR/(*.wasm) sorted */
	size_t nmodules;
	struct bundle_meta meta;
};

/* Fills b for path (b is always initialised, so bundle_release is safe).
 * 0, or 1 after printing "PROG: 'DIR/meta.json': offset 0xN: what" (a
 * malformed meta.json, a module it names missing) or a read error. */
int bundle_open(struct bundle *b, const char *prog, const char *path);
void bundle_release(struct bundle *b);

/* Parses meta.json text into m (zeroed first; release with
 * bundle_meta_release also after an error). 0, or WP_E_FORMAT/WP_E_NOMEM
 * with "offset 0xN: what" in err. */
int bundle_meta_parse(const char *text, size_t len, struct bundle_meta *m, char *err,
		      size_t errsize);
void bundle_meta_release(struct bundle_meta *m);

/* Every path of a tool's command line opened as a bundle: paths[i] is
 * what the tool reads in place of the i-th operand (bundles[i].data). */
struct bundle_set {
	struct bundle *bundles;
	char **paths;
	size_t n;
};
/* 0, or 1 after a message (the set is then released). */
int bundle_set_open(struct bundle_set *s, const char *prog, char **paths, size_t n);
void bundle_set_release(struct bundle_set *s);
/* The set's modules become --wasm options of c (names.h) when it was given
 * none, so that Wasm names appear with no option; 0, or 2 after a message
 * when they are more than --wasm takes. */
struct names_config;
int bundle_set_add_modules(const struct bundle_set *s, struct names_config *c);
/* For tools that read inputs apart (wasmperf diff's two sides, one Wasm
 * program before and after a change): a translator of b's own modules
 * with c's other options, in *out; *out is NULL (use the common one) when
 * c names modules (--wasm) or b holds none. 0, or an exit status after a
 * message (names_build). */
struct sym_names;
int bundle_own_names(const struct bundle *b, const struct names_config *c, struct sym_names **out);

#endif
