/* input.h - what a path holds, told by its content (never its name), and
 * the messages that say so. Every tool sniffs its inputs with it. */
#ifndef WASMPERF_INPUT_H
#define WASMPERF_INPUT_H

#include <stdbool.h>
#include <stddef.h>

enum input_kind {
	INPUT_UNREADABLE,    /* cannot be opened (message printed) */
	INPUT_DIRECTORY,     /* a directory that holds no recording */
	INPUT_PERFDATA,      /* PERFILE2: file or pipe mode, or a --threads directory
			      * (also 1-7 bytes of the magic: a cut one; an empty
			      * perf.data or NAME.data) */
	INPUT_SCRIPT,        /* perf script text (also any other empty file) */
	INPUT_STREAM,        /* text from standard input, a pipe or a device: not looked
			      * into (fold reads it as perf script text, flame and diff
			      * as folded stacks, as they always did) */
	INPUT_FOLDED,        /* folded stacks */
	INPUT_PERF_MAP,      /* START SIZE NAME lines */
	INPUT_JITDUMP,       /* jit-PID.dump */
	INPUT_WASM,          /* a Wasm module */
	INPUT_BINARY,        /* anything else that is not text (ELF, archives, garbage) */
};

/* Looks at the first bytes of path (NULL or "-": standard input, of which
 * only perf.data is told apart, the bytes read being put back). gzip is
 * looked into. *what describes a binary input ("an ELF file", "binary data
 * (first bytes 7f 45 4c 46)") in a static or caller-owned buffer of size
 * whatsize. */
enum input_kind input_sniff(const char *prog, const char *path, char *what, size_t whatsize);
/* "perf.data", "perf script text", ... for messages. */
const char *input_kind_name(enum input_kind k);
/* The display name of a path: <stdin> for NULL and "-". */
const char *input_display(const char *path);

/* The kinds a tool reads, as a mask for input_refuse. */
#define INPUT_FOLDS ((1u << INPUT_PERFDATA) | (1u << INPUT_SCRIPT) | (1u << INPUT_STREAM) | \
		     (1u << INPUT_FOLDED))
#define INPUT_TEXTS ((1u << INPUT_SCRIPT) | (1u << INPUT_STREAM) | (1u << INPUT_FOLDED) | \
		     (1u << INPUT_PERF_MAP) | (1u << INPUT_JITDUMP))
/* 0 when kind is accepted; else prints what the input is and what to do
 * with it instead, and returns 1. */
int input_refuse(const char *prog, const char *path, enum input_kind kind, const char *what,
		 unsigned accepted);

#endif
