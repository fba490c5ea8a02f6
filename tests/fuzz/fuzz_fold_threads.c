/* fuzz_fold_threads.c - wasmperf-fold's threaded text folding
 * (tools/fold_text_threads.c, tools/text_chunks.c) against one thread: the
 * input, as a named file (its workers read it with pread, cutting jobs
 * after blank lines of their own finding) in jobs of 16 to 271 bytes (the
 * first byte), must fold to the output and exit status of -j1 byte for
 * byte; anything else aborts. Only input that sniffs as perf script text
 * is folded (other kinds have their own harnesses). Links wptools. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fold.h"
#include "fold_args.h"
#include "input.h"
#include "fuzz_memfd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The output of folding path with `threads` threads (its status first). */
static char *fold_with(char *path, unsigned threads, size_t *len)
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
	a.cfg.threads = threads;
	int status = fold_inputs(&a.cfg, &path, 1, out);
	fprintf(out, "\nstatus %d\n", status);
	fold_args_release(&a);
	fclose(out);
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char chunk[16];
	snprintf(chunk, sizeof chunk, "%u", 16u + data[0]);
	setenv("WASMPERF_CHUNK_BYTES", chunk, 1);
	int fd = fuzz_memfd("fuzz.perf", data + 1, size - 1);
	if (fd < 0)
		return 0;
	char path[64], what[128];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	if (input_sniff("fuzz", path, what, sizeof what) == INPUT_SCRIPT) {
		size_t n1 = 0, n2 = 0;
		char *one = fold_with(path, 1, &n1), *two = fold_with(path, 2, &n2);
		if (one && two && (n1 != n2 || memcmp(one, two, n1) != 0)) {
			fprintf(stderr, "fuzz_fold_threads: -j2 differs from -j1\n");
			abort();
		}
		free(one);
		free(two);
	}
	close(fd);
	return 0;
}
