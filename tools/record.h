/* record.h - the pieces of wasmperf-record (see wasmperf-record(1)): the
 * runtime's binary read with libelf (record_elf.c), the libraries it
 * needs found as the dynamic loader finds them (record_libs.c), runtime detection and
 * its flags (record_detect.c), phase probes planned from the phases
 * presets (record_probes.c), the perf command lines (record_command.c),
 * processes run with signals forwarded (record_spawn.c) and the bundle
 * written (record_bundle.c). wasmperf-record.c strings them together. */
#ifndef WASMPERF_RECORD_H
#define WASMPERF_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "wpcommon.h"

#define RECORD_MAX_EVENTS 16
#define RECORD_MAX_PROBES 64
#define RECORD_PROBES_PER_FUNCTION_SET 8  /* symbols one marker may probe */

/* ---- a string vector (argv, environment additions) ---- */
struct record_argv {
	char **v;                 /* NULL-terminated */
	size_t n, cap;
};
int record_argv_add(struct record_argv *a, const char *s);
int record_argv_addf(struct record_argv *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void record_argv_release(struct record_argv *a);
/* Writes the vector as a shell command line (quoted where needed). */
void record_argv_print(FILE *f, char *const *v);

/* ---- the options ---- */
struct record_options {
	const char *prog;
	const char *output;       /* -o DIR, or NULL: wasmperf-DATE-COMMAND */
	const char *runtime;      /* --runtime NAME, or NULL: detected */
	const char *call_graph;   /* --call-graph MODE, or NULL: -g */
	const char *events[RECORD_MAX_EVENTS];
	size_t nevents;           /* -e: the sampling events (default cpu-clock/freq=999/) */
	bool jitdump, no_probes, dry_run, force, quiet;
	char **command;           /* the workload, argv[0] first */
	size_t ncommand;
};

/* ---- the runtime's binary (record_elf.c) ---- */
struct record_elf;
/* Opens path; NULL with *why (static text, or errno's) when it is no ELF
 * file that can be read. */
struct record_elf *record_elf_open(const char *path, const char **why);
void record_elf_close(struct record_elf *e);
/* Calls fn for each defined function symbol (.symtab and .dynsym, each
 * address once): raw name, address, whether it is global. Stops at a
 * nonzero return, which is returned. */
typedef int (*record_sym_fn)(void *ctx, const char *name, uint64_t addr, bool global);
int record_elf_functions(struct record_elf *e, record_sym_fn fn, void *ctx);
/* Whether the file defines a function of this raw name. */
bool record_elf_has_function(struct record_elf *e, const char *name);
/* The file offset of a virtual address (its PT_LOAD segment); 0 on success. */
int record_elf_file_offset(const struct record_elf *e, uint64_t addr, uint64_t *offset);
/* Whether the bytes of the file contain s (an option's name in its help text). */
bool record_elf_contains(const struct record_elf *e, const char *s);
/* The GNU build-id as hex, "" when there is none. */
void record_elf_build_id(const struct record_elf *e, char out[41]);
/* What the dynamic loader reads of the dynamic section: the DT_NEEDED
 * names in order, DT_RUNPATH and DT_RPATH ("" when absent). The strings
 * belong to e. 0, or WP_E_FORMAT (a name outside the string table). */
#define RECORD_MAX_NEEDED 64
struct record_dynamic {
	const char *needed[RECORD_MAX_NEEDED];
	size_t nneeded;
	bool truncated;           /* more DT_NEEDED than that: the rest ignored */
	const char *runpath, *rpath;
};
int record_elf_dynamic(const struct record_elf *e, struct record_dynamic *d);
/* Same ELF class, byte order and machine: the loader skips a library
 * that is not, and looks further. */
bool record_elf_same_machine(const struct record_elf *a, const struct record_elf *b);

/* ---- the executable's libraries (record_libs.c) ---- */
#define RECORD_MAX_LIBS 128
struct record_lib {
	char *name;               /* the DT_NEEDED name */
	char *path;               /* where the dynamic loader finds it */
	char *file;               /* its real path: where probes go */
	const char *how;          /* "DT_RUNPATH", "LD_LIBRARY_PATH", ... (static) */
	struct record_elf *elf;
	char build_id[41];
};
struct record_libs {
	struct record_lib *v;     /* in the loader's order: breadth first */
	size_t n, cap;
	char **missing;           /* DT_NEEDED names found nowhere */
	size_t nmissing, missing_cap;
	bool too_many;            /* more than RECORD_MAX_LIBS: the rest not looked for */
};
/* Finds the libraries exe needs (all of them, transitively) as the
 * dynamic loader would: DT_RPATH, LD_LIBRARY_PATH, DT_RUNPATH ($ORIGIN
 * expanded), the directories of /etc/ld.so.conf, then the default ones
 * (wasmperf-record(1), LIBRARIES). 0, or WP_E_NOMEM. */
int record_libs_resolve(struct record_libs *l, const char *exe, struct record_elf *elf);
void record_libs_release(struct record_libs *l);

/* ---- the runtime (record_detect.c) ---- */
struct record_runtime {
	char *exe;                /* COMMAND's executable, found as execvp would */
	const char *name;         /* "node", "wamr", "wasmtime", "wasmer", "wasmedge", "wasm3"
				   * (a phases preset's name), or NULL: unknown */
	char how[96];             /* "its name", "its symbols", "--runtime", "the symbols
				   * of LIB"; "" when unknown */
	bool elf;
	char build_id[41];
	struct record_libs libs;  /* the executable's libraries */
};
/* Resolves the executable and its libraries and names the runtime
 * (opts->runtime wins). 0, 1 (out of memory), 2 after a usage message (no
 * such command, unknown --runtime). */
int record_detect(const struct record_options *opts, struct record_runtime *rt,
		  struct record_elf **elf);
void record_runtime_release(struct record_runtime *rt);
/* The runtimes --runtime takes, for messages: "node wamr ...". */
const char *record_runtime_names(void);

/* ---- phase probes (record_probes.c) ---- */
struct record_probe {
	const char *binary;       /* where it goes: the executable or one of its
				   * libraries (the runtime's strings) */
	char *marker;             /* the preset's marker */
	char *function;           /* demangled name */
	char *symbol;             /* raw ELF name */
	uint64_t address, offset; /* virtual address; file offset */
	bool by_name;             /* a global C name: perf places it by name */
	bool is_return;
	char event[64];           /* without the group; perf adds __return */
	bool added;
};
struct record_probes {
	char group[32];           /* probe_wasmperf_PID: this run's own (probe_*: wasmperf phases reads them) */
	struct record_probe *v;   /* those of one binary next to each other */
	size_t n;
};
/* Plans entry (and return) probes on every function of the runtime
 * preset's markers that the executable defines, then its libraries in
 * the loader's order until every marker has a function. 0, or 1 after a
 * message. */
int record_probes_plan(struct record_probes *p, const struct record_options *opts,
		       const struct record_runtime *rt, struct record_elf *elf);
void record_probes_release(struct record_probes *p);
/* "GROUP:EVENT=WHERE[%return]" of probe i (WHERE: a name or 0xOFFSET). */
int record_probe_spec(const struct record_probes *p, size_t i, char *out, size_t size);
/* The end of the run of probes from first on that go in the same binary. */
size_t record_probes_binary_end(const struct record_probes *p, size_t first);
/* The perf probe command adding probes [first, end) (one binary: one -x,
 * one -a each) / removing the group. */
int record_probe_add_argv(const struct record_probes *p, size_t first, size_t end,
			  struct record_argv *a);
int record_probe_del_argv(const struct record_probes *p, struct record_argv *a);

/* ---- command lines (record_command.c) ---- */
struct record_plan {
	struct record_argv workload;   /* COMMAND with the runtime's flags */
	struct record_argv env;        /* NAME=VALUE added to the environment */
	struct record_argv perf;       /* perf record ... -- workload */
	bool mono;                     /* -k mono: a jitdump is written */
	char *flags_note;              /* what was added and why, for -q-less runs */
};
/* Builds the workload's and perf's command lines; data is the bundle's
 * perf.data path, dir the bundle directory. 0 or 1 (out of memory). */
int record_plan_build(struct record_plan *plan, const struct record_options *opts,
		      const struct record_runtime *rt, struct record_elf *elf,
		      const struct record_probes *probes, const char *dir, const char *data);
/* No probe could be placed: perf record without -e GROUP:* (perf would
 * refuse an event that does not exist). */
void record_plan_drop_probes(struct record_plan *plan, const struct record_probes *probes);
void record_plan_release(struct record_plan *plan);

/* ---- processes (record_spawn.c) ---- */
/* Runs argv (PATH searched) with env additions and waits for it, forwarding
 * SIGINT, SIGTERM, SIGHUP and SIGQUIT to it. Returns its status as a shell
 * gives it (128 + signal when killed), 127 when it could not be started
 * (*spawn_errno set). quiet_out: its stdout to /dev/null. */
int record_run(char *const *argv, char *const *env_add, bool quiet_out, int *spawn_errno);
/* The same; shield: the child runs in its own process group and is told
 * no signal, so that it finishes (perf probe adding or removing probes);
 * the signal is still noted for record_last_signal. */
int record_run_as(char *const *argv, char *const *env_add, bool quiet_out, bool shield,
		  int *spawn_errno);
/* The first line perf/the runtime prints for ARGS (e.g. "--version"), with
 * a time limit; "" when there is none. */
void record_capture_line(char *const *argv, char *out, size_t size);
/* The signal forwarded during the last record_run, or 0. */
int record_last_signal(void);

/* ---- the whole recording (record_session.c): the exit status ---- */
int record_session(const struct record_options *opts);

/* ---- the bundle (record_bundle.c) ---- */
/* The directory: opts->output, or wasmperf-DATE-COMMAND; created (it must
 * not exist unless --force, which empties what a bundle holds). 0, 1 after
 * a message, 2 after a usage message. In a dry run nothing is created. */
int record_bundle_dir(const struct record_options *opts, char **dir);
struct record_result {
	int exit_status;
	char start_time[32];
	const struct record_runtime *rt;
	const char *runtime_version;
	const struct record_probes *probes;
	const struct record_plan *plan;
};
/* After the run: the run's pids, perf maps and jitdumps (read from
 * perf.data), the modules of the command line copied, meta.json written.
 * 0, or 1 after a message. */
int record_bundle_finish(const char *dir, const struct record_options *opts,
			 const struct record_result *res);

#endif
