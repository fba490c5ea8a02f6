/* output.h - the one way a tool opens and closes its output (-o FILE, or
 * standard output), so that every write error is reported the same way. */
#ifndef WASMPERF_OUTPUT_H
#define WASMPERF_OUTPUT_H

#include <stdio.h>

#include "wpcommon.h"

/* path NULL: standard output. NULL after "PROG: cannot write 'PATH': why". */
FILE *tool_output_open(const struct wp_cli *cli, const char *path);
/* Flushes, checks for a write error and closes (standard output is only
 * flushed and checked); 0, or 1 after "PROG: cannot write 'PATH'" (path
 * NULL: '<stdout>'). */
int tool_output_close(const struct wp_cli *cli, const char *path, FILE *f);

#endif
