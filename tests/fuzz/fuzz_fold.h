/* fuzz_fold.h - wasmperf-fold's folding of one input, as harnesses that
 * compare two runs need it: the output, with the exit status last. */
#ifndef WASMPERF_FUZZ_FOLD_H
#define WASMPERF_FUZZ_FOLD_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fold.h"
#include "fold_args.h"
#include "input.h"

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

/* The input in memfd `fd`, when input_sniff() calls it `kind`, folded
 * twice, as setup(cfg, a) and setup(cfg, b) make it: the two must agree
 * byte for byte, or `harness` aborts saying so. */
static inline void fuzz_fold_agree(int fd, enum input_kind kind, const char *harness,
				   void (*setup)(struct fold_config *cfg, const void *ctx),
				   const void *a, const void *b)
{
	char path[64], what[128];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	if (input_sniff("fuzz", path, what, sizeof what) != kind)
		return;
	size_t na = 0, nb = 0;
	char *one = fuzz_fold(path, setup, a, &na), *two = fuzz_fold(path, setup, b, &nb);
	if (one && two && (na != nb || memcmp(one, two, na) != 0)) {
		fprintf(stderr, "%s: the two runs differ\n", harness);
		abort();
	}
	free(one);
	free(two);
}

#endif
