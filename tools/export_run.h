/* export_run.h - wasmperf-export's pipeline: an input folded as wasmperf
 * fold folds it (the same options apply), each sample kept with its time,
 * thread and stack in a flamegraph profile, then written for a viewer. */
#ifndef WASMPERF_EXPORT_RUN_H
#define WASMPERF_EXPORT_RUN_H

#include <stdio.h>

#include "fold.h"

enum export_format { EXPORT_SPEEDSCOPE, EXPORT_FIREFOX, EXPORT_PPROF };

/* "speedscope" ... -> 0 and *f; -1 for another name. */
int export_format_parse(const char *name, enum export_format *f);

/* Exports path (NULL or "-": standard input): perf.data, perf script text
 * or folded stacks. 0, 1 (input or output error, after writing what was
 * read) or 2 (usage). */
int export_run(const struct fold_config *cfg, enum export_format format, const char *path,
	       FILE *out);

/* Phases (export_phases.c): when the perf.data file at path has probe
 * events, its phases as wasmperf phases finds them, into the profile
 * (before its samples). 0, or 1 after a message (out of memory); a
 * recording whose probes make no phase is a warning. */
int export_phases(const struct fold_config *cfg, const char *path, struct fg_profile *p);

#endif
