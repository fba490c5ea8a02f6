/* fuzz_batch_record.c - bytes as a run's record.tsv through the reader
 * wasmperf batch --merge applies to other outputs' records (tools/
 * batch_record.c, batch_record_parse: batch_record_read without the file).
 * Nothing may crash, leak or read past the bytes; an error is
 * "'FILE': ..." with a line number inside the input; a record read in
 * --merge mode has its name, input, runtime and bench, at most BATCH_TOP
 * hot functions and BATCH_MAX_PHASES phases of depth 0 to 8, a pid in
 * [-1, 2^31); and what was read, written again and read back, is written
 * the same (the reader takes everything the writer puts). Read once more
 * as a run's own record (the name given): the same limits. Links wptools.
 * Corpus: the records a real batch writes (gen_corpus_batch.sh) and
 * rec-escapes.tsv (every escape, every line kind, the largest numbers). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FILE_NAME "fuzz.tsv"

/* An error names the file and, when it names a line, one of the input's
 * (or the one after the last, for a record cut short). */
static void check_error(const char *err, size_t nlines)
{
	static const char prefix[] = "'" FILE_NAME "': ";
	unsigned line;
	if (strncmp(err, prefix, sizeof prefix - 1) != 0 || !err[sizeof prefix - 1])
		__builtin_trap();
	if (sscanf(err + sizeof prefix - 1, "line %u:", &line) == 1 && (line == 0 || line > nlines + 1))
		__builtin_trap();
}

static void check_run(const struct batch_run *r, bool merge)
{
	if (merge && (!r->name || !r->input || !r->runtime || !r->bench))
		__builtin_trap();
	if (r->nhot > BATCH_TOP || r->nphases > BATCH_MAX_PHASES || r->pid < -1 || r->pid > INT32_MAX)
		__builtin_trap();
	for (size_t i = 0; i < r->nhot; i++)
		if (!r->hot[i].name)
			__builtin_trap();
	for (size_t i = 0; i < r->nphases; i++)
		if (!r->phases[i].name || r->phases[i].depth < 0 || r->phases[i].depth > 8)
			__builtin_trap();
}

/* r as the writer puts it (malloc'd, *len bytes), or NULL. */
static char *written(const struct batch_run *r, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);
	if (!f)
		return NULL;
	int rc = batch_record_write(f, r);
	if (fclose(f) || rc) {
		free(text);
		return NULL;
	}
	return text;
}

/* Written, read back, written again: the same bytes. */
static void check_round_trip(const struct batch_run *r)
{
	size_t len, len2;
	char *text = written(r, &len);
	if (!text)
		return;
	char *copy = malloc(len + 1);
	if (copy) {
		memcpy(copy, text, len + 1);
		struct batch_run back = {.pid = -1};
		char err[512];
		if (batch_record_parse(copy, len, FILE_NAME, &back, err, sizeof err) != 0)
			__builtin_trap();
		char *again = written(&back, &len2);
		if (again && (len2 != len || memcmp(again, text, len) != 0))
			__builtin_trap();
		free(again);
		batch_run_release(&back);
	}
	free(copy);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > BATCH_RECORD_MAX)
		return 0;
	size_t nlines = 1;
	for (size_t i = 0; i < size; i++)
		nlines += data[i] == '\n';
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	for (int merge = 1; merge >= 0; merge--) {
		memcpy(text, data, size);
		text[size] = '\0';
		struct batch_run r = {.pid = -1, .name = merge ? NULL : strdup("run")};
		if (!merge && !r.name)
			break;
		char err[512];
		if (batch_record_parse(text, size, FILE_NAME, &r, err, sizeof err) != 0) {
			check_error(err, nlines);
		} else {
			check_run(&r, merge);
			if (merge)
				check_round_trip(&r);
		}
		batch_run_release(&r);
	}
	free(text);
	return 0;
}
