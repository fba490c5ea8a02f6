/* fuzz_fold.h - wasmperf-fold's folding of one input, as harnesses that
 * compare two runs need it: the output, with the exit status last. */
#ifndef WASMPERF_FUZZ_FOLD_H
#define WASMPERF_FUZZ_FOLD_H

#include <stdio.h>
#include <stdlib.h>

#include "fold.h"
#include "fold_args.h"

/* Folds path (quiet) with the configuration setup(cfg, ctx) adjusts;
 * the text written and its length, or NULL without memory. */
static inline char *fuzz_fold(char *path, void (*setup)(struct fold_config *cfg, const void *ctx),
			      const void *ctx, size_t *len)
{
	char *text = NULL;
	FILE *out = open_memstream(&text, len);
	struct fold_args a;
	if (!out || fold_args_init(&a, "fuzz")) {
		if (out)
			fclose(out);
		free(text);
		return NULL;
	}
	a.cfg.quiet = true;
	setup(&a.cfg, ctx);
	int status = fold_inputs(&a.cfg, &path, 1, out);
	fprintf(out, "\nstatus %d\n", status);
	fold_args_release(&a);
	fclose(out);
	return text;
}

#endif
