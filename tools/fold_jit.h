/* fold_jit.h - jitdumps for the perf.data fold (fold_jit.c): found from
 * the recording's marker mmaps and --jitdump, fed to the symbolizer in
 * time order. */
#ifndef WASMPERF_FOLD_JIT_H
#define WASMPERF_FOLD_JIT_H

#include <stdbool.h>
#include <stdint.h>

#include "symbolizer.h"
#include "wpcommon.h"

struct fold_jit;
/* data_dir: the perf.data's directory (may be NULL); kept, not copied.
 * error gets damaged or missing dumps (the fold then ends with status 1),
 * warn the rest. */
struct fold_jit *fold_jit_new(struct sym_native *sym, const char *data_dir,
			      wp_warn_fn warn, wp_warn_fn error, void *ctx);
void fold_jit_free(struct fold_jit *j);
/* --jitdump FILE|DIR (path kept, not copied). */
int fold_jit_add(struct fold_jit *j, const char *path);
/* Once the recording's clock is known: true when it is CLOCK_MONOTONIC. */
void fold_jit_clock(struct fold_jit *j, bool monotonic);
/* The recording's TIME_CONV record (for TSC-stamped dumps). */
struct pp_time_conv;
void fold_jit_time_conv(struct fold_jit *j, const struct pp_time_conv *tc);
/* Every MMAP/MMAP2: finds the dump of a marker or of a vanished
 * jitted-PID-N.so. */
int fold_jit_mmap(struct fold_jit *j, const char *symfs, int32_t pid, const char *filename);
/* Feeds every load and move up to time (UINT64_MAX: all) to the symbolizer. */
int fold_jit_advance(struct fold_jit *j, uint64_t time);
/* 1 when a dump was damaged or missing (a message was given), else 0. */
int fold_jit_status(const struct fold_jit *j);

#endif
