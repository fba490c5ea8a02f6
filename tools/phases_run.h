/* phases_run.h - perf.data -> per-phase wall and CPU time (wasmperf-phases):
 * one pass over the recording feeds the symbolizer (data_feed.c) and the
 * phase model (phases/): exec/exit from sched tracepoints (or COMM(exec)
 * and EXIT records), probe hits identified by the function their address
 * symbolizes to (or by their event name), and the samples of the chosen
 * event with their stacks resolved as wasmperf-fold resolves them. */
#ifndef WASMPERF_PHASES_RUN_H
#define WASMPERF_PHASES_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "phases.h"
#include "symbolizer.h"

enum phases_format { PHASES_TEXT, PHASES_TSV, PHASES_JSON, PHASES_CHROME };

struct phases_config {
	const char *prog;               /* for messages */
	const char *preset;             /* --preset NAME, or NULL: chosen per process */
	const char *rules_file;         /* --rules FILE, or NULL */
	const int32_t *pids;            /* --pid (none: all) */
	size_t npids;
	const char **comms;             /* --comm (none: all) */
	size_t ncomms;
	const char *event;              /* --event (NULL: cpu-clock) */
	const char *marks;              /* --marks FILE, or NULL */
	enum phases_format format;
	bool folded;                    /* --folded: stacks under [phase:NAME] */
	bool count_samples;             /* --samples: folded counts are samples */
	const char *svg;                /* --svg FILE: stacked bars, or NULL */
	const char *symfs, *kallsyms, *buildid_dir, *perf_map_dir;
	const char **jitdumps;          /* --jitdump FILE|DIR */
	size_t njitdumps;
	/* Wasm names (--wasm ...): frames are translated before they are
	 * classified, and in the --folded output, as wasmperf fold does; or NULL */
	struct sym_names *names;
	const struct sym_names_options *names_opt; /* NULL: defaults */
	bool quiet;
};

/* Reads the recording at path ("-": standard input; --folded needs a file,
 * as it reads it twice) and writes the chosen output. 0, 1 (input or
 * output error, after writing the phases read up to it) or 2 (usage). */
int phases_run(const struct phases_config *cfg, const char *path, FILE *out);

/* --format chrome: the model's rows as complete events on a track per
 * process, its threads named, probes as instant events (phases_chrome.c). */
struct phases_probe_hit {
	int32_t pid, tid;
	uint64_t time_ns;
	const char *name;               /* interned, owned by the run */
};
struct phases_thread {
	int32_t pid, tid;
	const char *comm;
};
int phases_write_chrome(FILE *f, const struct ph_model *m, const struct phases_probe_hit *hits,
			size_t nhits, const struct phases_thread *threads, size_t nthreads);
/* --svg: a stacked bar per process (with exec and exit), a segment per
 * phase, CPU categories as tones (phases_svg.c). 0 or < 0 (WP_E_*). */
int phases_write_svg(FILE *f, const struct ph_model *m);

#endif
