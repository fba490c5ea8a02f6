/* phases_choose.h - the preset of each process for wasmperf-phases: the
 * shipped rule set that best fits its binary's name, the symbols its binary
 * defines (and those of the libraries a preset names with `select symbol
 * NAME lib=PREFIX`), and the probes of the recording
 * (wasmperf-phases-rules(5), "Choosing a preset").
 *
 * A process is looked at again whenever one of these becomes known: its
 * exec (COMM(exec) record or sched_process_exec), the first file mapping
 * of code after it (its binary: the kernel maps it before the exec
 * tracepoint fires), a mapping of a library some preset names (mapped
 * later, by the dynamic loader), a probe hit. Once a preset fits, the
 * choice is final. Symbols are asked of the symbolizer about the file
 * mapped there (sym_native_defines): only the binary and the libraries
 * presets name are ever asked about, each file's names indexed once. */
#ifndef WASMPERF_PHASES_CHOOSE_H
#define WASMPERF_PHASES_CHOOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "perfparse.h"
#include "phases.h"
#include "symbolizer.h"

struct phases_choose;

/* The choices go to model (ph_model_set_rules, with why they were made).
 * NULL when out of memory. */
struct phases_choose *phases_choose_new(const struct ph_catalog *catalog, struct ph_model *model);
void phases_choose_free(struct phases_choose *c);
/* The symbolizer of the pass being read (fed the same records), and the
 * recording's probe event names (borrowed; again when they change). */
void phases_choose_sources(struct phases_choose *c, struct sym_native *sym,
			   const char *const *probes, size_t nprobes);

/* A process's exec: binary is the exec filename (sched_process_exec) or
 * NULL for a COMM(exec) record, comm its new name. 0 or < 0 (WP_E_*). */
int phases_choose_exec(struct phases_choose *c, int32_t pid, const char *binary, const char *comm);
/* An MMAP/MMAP2 record (time: the record's, 0 when it has none). */
int phases_choose_mmap(struct phases_choose *c, const struct pp_mmap *m, uint64_t time);
/* Anything else that may make a preset fit (a probe hit of pid). */
int phases_choose_retry(struct phases_choose *c, int32_t pid);

/* At the end: each process no preset fitted gets, in the model, why (its
 * binary, and that none of the presets' names, symbols or probes
 * matched). Returns how many processes got a preset, or < 0 (WP_E_*). */
int phases_choose_finish(struct phases_choose *c);

#endif
