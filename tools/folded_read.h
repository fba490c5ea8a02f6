/* folded_read.h - reading folded stacks files into a flame graph or a diff
 * with the messages every tool gives: "PROG: 'FILE': line N: count
 * 99999999999999999999 does not fit in 64 bits", "PROG: 'DIR': is a
 * directory". */
#ifndef WASMPERF_FOLDED_READ_H
#define WASMPERF_FOLDED_READ_H

#include "flamegraph.h"

/* Streams path (NULL or "-": standard input) into f. 0, or 1 after one
 * line on stderr; the lines read before the error stay in f (drawn, as
 * for any input error). */
int folded_read_flame(const char *prog, struct fg_flame *f, const char *path);
/* The same into side 0 (before) or 1 (after) of a diff. */
int folded_read_diff(const char *prog, struct fg_diff *d, int side, const char *path);

#endif
