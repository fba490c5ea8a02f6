/* wpcommon.h - building blocks shared by every wasmperf library and tool.
 *
 * Ownership: every handle returned by a *_new() is freed by its *_free(),
 * which accepts NULL; value structs are set up by *_init() and torn down by
 * *_release(). Strings handed in are copied; strings handed out stay owned
 * by the handle and live as long as it does.
 *
 * Nothing here prints, exits or keeps global mutable state.
 */
#ifndef WPCOMMON_H
#define WPCOMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- error codes: one X-macro list gives the enum and the messages ---- */
#define WP_ERRORS(_)                                        \
	_(WP_OK, 0, "success")                              \
	_(WP_E_NOMEM, -1, "out of memory")                  \
	_(WP_E_IO, -2, "input/output error")                \
	_(WP_E_FORMAT, -3, "malformed input")               \
	_(WP_E_TRUNCATED, -4, "truncated input")            \
	_(WP_E_TOOBIG, -5, "input exceeds a size limit")    \
	_(WP_E_USAGE, -6, "invalid argument")               \
	_(WP_E_UNSUPPORTED, -7, "unsupported input")        \
	_(WP_E_NOTFOUND, -8, "not found")

enum wp_error {
#define WP_ERROR_ENUM(name, value, msg) name = value,
	WP_ERRORS(WP_ERROR_ENUM)
#undef WP_ERROR_ENUM
};

const char *wp_strerror(int code);

/* ---- growable byte buffer with a hard cap (for untrusted input) ----
 * Invariant: data is never NULL after init and always NUL-terminated, so
 * wp_buf_cstr() is free. Appends beyond `max` fail with WP_E_TOOBIG. */
struct wp_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
};

#define WP_BUF_UNLIMITED ((size_t)-1)

void wp_buf_init(struct wp_buf *b, size_t max);
void wp_buf_release(struct wp_buf *b);
/* (An unallocated buffer's data is a shared empty string: never written,
 * so buffers in different threads do not race on it.) */
static inline void wp_buf_reset(struct wp_buf *b)
{
	b->len = 0;
	if (b->cap)
		b->data[0] = '\0';
}
/* Keeps the first len (<= b->len) bytes. */
static inline void wp_buf_truncate(struct wp_buf *b, size_t len)
{
	b->len = len;
	if (b->cap)
		b->data[len] = '\0';
}
int wp_buf_reserve(struct wp_buf *b, size_t extra);
int wp_buf_append_slow(struct wp_buf *b, const void *p, size_t n);
/* Appends n bytes; the common case (room left) is inline. */
static inline int wp_buf_append(struct wp_buf *b, const void *p, size_t n)
{
	if (n < b->cap - b->len && b->cap) {
		if (n)
			__builtin_memcpy(b->data + b->len, p, n);
		b->len += n;
		b->data[b->len] = '\0';
		return 0;
	}
	return wp_buf_append_slow(b, p, n);
}
int wp_buf_putc_slow(struct wp_buf *b, char c);
static inline int wp_buf_putc(struct wp_buf *b, char c)
{
	if (b->len + 1 < b->cap) {
		b->data[b->len++] = c;
		b->data[b->len] = '\0';
		return 0;
	}
	return wp_buf_putc_slow(b, c);
}
int wp_buf_puts(struct wp_buf *b, const char *s);
int wp_buf_printf(struct wp_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int wp_buf_vprintf(struct wp_buf *b, const char *fmt, va_list ap);
static inline const char *wp_buf_cstr(const struct wp_buf *b) { return b->data; }
/* Hands the bytes to the caller (free() them) and leaves b empty. */
char *wp_buf_detach(struct wp_buf *b, size_t *len);

/* ---- small helpers every parser needs ---- */
/* The value of a hex digit, or -1. A table (value + 1, 0 for none), not
 * range tests: addresses mix digits and letters ("ffffffff8a1b40c0"), on
 * which the range branches mispredict. */
extern const unsigned char wp_hex_digits[256];
static inline int wp_hex_value(char c)
{
	return (int)wp_hex_digits[(unsigned char)c] - 1;
}
static inline bool wp_is_hex(char c) { return wp_hex_value(c) >= 0; }

/* Decimal text of v, written at the end of tmp; returns its start and
 * sets *len (no printf on hot output paths). */
static inline const char *wp_u64_text(uint64_t v, char tmp[24], size_t *len)
{
	size_t n = 0;
	do {
		tmp[23 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	*len = n;
	return tmp + 24 - n;
}

/* Grows the array *v of *cap elements of elem bytes to hold at least need
 * (doubling, from 16); 0 or WP_E_NOMEM (the array is then unchanged). The
 * common case (room left) is inline. */
int wp_grow_slow(void **v, size_t *cap, size_t need, size_t elem);
/* A block of n bytes that will be written through (a node table, hash
 * slots): from 4 MiB on, backed by huge pages where the system allows
 * (dense.c says why). Its bytes are not changed. wp_grow does it itself. */
void wp_advise_dense(void *p, size_t n);
/* A block of n bytes to be written through at once (a table whose size is
 * known): from a huge page's start and advised from there when it is at
 * least one huge page (wp_advise_dense asks for two, its blocks are not
 * aligned), else malloc's. NULL without memory; free() it. */
void *wp_alloc_dense(size_t n);
static inline int wp_grow(void **v, size_t *cap, size_t need, size_t elem)
{
	return need <= *cap ? 0 : wp_grow_slow(v, cap, need, elem);
}

/* ---- hashing ---- */
uint64_t wp_hash_bytes(const void *p, size_t n, uint64_t seed);

/* ---- string interning: bytes -> dense id (0, 1, 2, ...) ----
 * Strings may contain any byte, NUL included; wp_intern_str() returns a
 * NUL-terminated copy. */
struct wp_intern;
struct wp_intern *wp_intern_new(void);
void wp_intern_free(struct wp_intern *t);
int wp_intern_get(struct wp_intern *t, const char *s, size_t n, uint32_t *id);
/* Looks up without inserting: WP_E_NOTFOUND if absent. */
int wp_intern_find(const struct wp_intern *t, const char *s, size_t n, uint32_t *id);
const char *wp_intern_str(const struct wp_intern *t, uint32_t id, size_t *len);
uint32_t wp_intern_count(const struct wp_intern *t);

/* ---- stack table: sequence of frame ids -> counts ----
 * Each distinct sequence is stored once; adding it again adds the counts
 * (WP_E_TOOBIG, the entry unchanged, when a sum would not fit in 64 bits).
 * Two count columns serve differential (before/after) data; single-count
 * users pass 0 for the second. Entries are numbered in insertion order. */
struct wp_stacks;
struct wp_stacks *wp_stacks_new(void);
void wp_stacks_free(struct wp_stacks *st);
int wp_stacks_add(struct wp_stacks *st, const uint32_t *ids, size_t n,
		  uint64_t count, uint64_t count2);
/* The same, also giving the entry's index (when index is not NULL). */
int wp_stacks_add_at(struct wp_stacks *st, const uint32_t *ids, size_t n,
		     uint64_t count, uint64_t count2, size_t *index);
size_t wp_stacks_count(const struct wp_stacks *st);
/* Empties the table, keeping its memory for the next entries. */
void wp_stacks_clear(struct wp_stacks *st);
/* Adds to the counts of entry `index` (< wp_stacks_count) without looking
 * it up: 0, or WP_E_TOOBIG (the entry unchanged) as wp_stacks_add. */
int wp_stacks_add_to(struct wp_stacks *st, size_t index, uint64_t count, uint64_t count2);
/* Sets the counts of entry `index`: a table whose counts are moved
 * elsewhere keeps its entries (and what they map to) for the next ones. */
void wp_stacks_set_counts(struct wp_stacks *st, size_t index, uint64_t count, uint64_t count2);
void wp_stacks_get(const struct wp_stacks *st, size_t index, const uint32_t **ids,
		   size_t *n, uint64_t *count, uint64_t *count2);
/* Entry indices ordered as the joined strings "f0;f1;..." compare bytewise
 * (the order stackcollapse-perf.pl prints), given that no frame name
 * contains ';' (the folded format forbids it). Caller frees the array. */
int wp_stacks_sorted(const struct wp_stacks *st, const struct wp_intern *names,
		     size_t **order);

/* ---- line reader over a file or stdin, in bounded windows ----
 * Reads through a fixed buffer (gzip input is detected and inflated), so
 * memory does not grow with the input; one line may grow the buffer up to
 * `max_line` bytes, beyond which wp_lines_next() fails with WP_E_TOOBIG.
 * Returned lines exclude the '\n' (and a '\r' before it) and stay valid
 * until the next call. */
struct wp_lines;
/* path NULL or "-" means stdin. *out is always set: NULL when out of
 * memory (wp_lines_errmsg and wp_lines_free accept NULL), else a reader to
 * free also after an error (its message says what went wrong). */
int wp_lines_open(struct wp_lines **out, const char *path, size_t max_line);
/* Reads from a memory buffer (fuzzers, tests); the bytes must outlive it.
 * *out as for wp_lines_open. */
int wp_lines_open_mem(struct wp_lines **out, const char *data, size_t len, const char *name);
/* Reads segments a callback lends (pieces of a larger stream, e.g. the
 * chunks of a file split among threads): next() sets *p and *n to the next
 * segment and returns 1, 0 at the end or < 0 to fail (the reader then
 * fails with WP_E_IO). A segment stays valid until next() is called again:
 * lines that end in the segment they start in are returned in place,
 * without a copy. No gzip is sniffed. Offsets (messages, wp_lines_offset)
 * continue from first_offset bytes before the first byte; lines are
 * numbered from 1 until wp_lines_renumber says how many came before.
 * *out as for wp_lines_open. */
int wp_lines_open_segments(struct wp_lines **out, const char *name, size_t max_line,
			   int (*next)(void *ctx, const char **p, size_t *n), void *ctx,
			   uint64_t first_offset);
/* `before` lines preceded the stream: wp_lines_lineno and a message that
 * names a line (a line too long) count them from now on. */
void wp_lines_renumber(struct wp_lines *lr, uint64_t before);
/* Bytes instead of lines, for a reader that has not returned a line: up to
 * cap bytes of the (decompressed) stream into dst; the count, 0 at the end,
 * or < 0 (WP_E_*, see wp_lines_errmsg: the message names the offset as
 * wp_lines_next() would). */
long wp_lines_read(struct wp_lines *lr, char *dst, size_t cap);
void wp_lines_free(struct wp_lines *lr);
/* 1 = a line, 0 = end of input, < 0 = error (see wp_lines_errmsg). */
int wp_lines_next(struct wp_lines *lr, const char **line, size_t *len);
uint64_t wp_lines_lineno(const struct wp_lines *lr);
/* Byte offset of the start of the last returned line (in the decompressed stream). */
uint64_t wp_lines_offset(const struct wp_lines *lr);
const char *wp_lines_name(const struct wp_lines *lr);
const char *wp_lines_errmsg(const struct wp_lines *lr);
/* The descriptor of a file opened by name (for readers of their own,
 * with pread), -1 for stdin, memory and segments. */
int wp_lines_fd(const struct wp_lines *lr);

/* ---- command-line options ----
 * One table feeds getopt_long_only (so perl-style -all and unique prefixes
 * work) and the --help text. --help and --version are added automatically. */
enum wp_opt_arg { WP_OPT_NONE, WP_OPT_REQUIRED, WP_OPT_OPTIONAL };

struct wp_option {
	const char *name;      /* long name without dashes */
	int key;               /* value returned for it: a short letter or >= 256 */
	enum wp_opt_arg arg;
	const char *arg_name;  /* e.g. "REGEX", shown in --help */
	const char *help;      /* one line */
};

struct wp_cli {
	const char *prog;      /* e.g. "wasmperf-fold" */
	const char *synopsis;  /* e.g. "[OPTIONS] [FILE...]" */
	const char *summary;   /* one sentence */
	const struct wp_option *options; /* terminated by an entry with name NULL */
};

/* Calls on_option(key, optarg, ctx) for every option; returns the index of
 * the first operand, or -1 after printing a usage error (exit 2), or -2
 * after printing --help/--version (exit 0). on_option returns 0 or -1
 * (it printed a usage error). */
int wp_cli_parse(const struct wp_cli *cli, int argc, char **argv,
		 int (*on_option)(int key, const char *arg, void *ctx), void *ctx);
void wp_cli_print_help(const struct wp_cli *cli, void *stream);
/* Prints "PROG: message\n" to stderr. */
void wp_cli_error(const struct wp_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Parses a decimal/float option value, printing a usage error when bad. */
int wp_cli_parse_u64(const struct wp_cli *cli, const char *opt, const char *s, uint64_t *out);
int wp_cli_parse_double(const struct wp_cli *cli, const char *opt, const char *s, double *out);

/* ---- jitted / Wasm frame names shared by the symbolizer and the renderer ----
 * Each entry is a PCRE2 pattern (kept here as text so that common/ depends
 * on nothing) matching one runtime's name for JIT/AOT-compiled Wasm code;
 * DESIGN.md "Jitted names". `ambiguous` entries (fN, functionDefN) only
 * apply to frames known to be JIT/AOT code. */
struct wp_wasm_pattern {
	const char *runtime;   /* "wamr", "v8", "wasmtime", "wavm", "wasmedge" */
	const char *regex;     /* with a named group (?<index>...) */
	bool index_counts_imports; /* true: FI (absolute), false: DI (defined only) */
	bool ambiguous;
};
/* Prefix that marks a frame translated to its Wasm name. */
#define WP_WASM_MARK "[Wasm] "
const struct wp_wasm_pattern *wp_wasm_patterns(size_t *count);

/* ---- warnings: the one callback type every library reports through ----
 * Libraries never print: they format one line (no trailing newline, at
 * most WP_WARN_MAX bytes) and hand it to the caller's callback, which may
 * be NULL (then nothing happens). */
#define WP_WARN_MAX 1024
typedef void (*wp_warn_fn)(void *ctx, const char *msg);
void wp_warnf(wp_warn_fn fn, void *ctx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void wp_vwarnf(wp_warn_fn fn, void *ctx, const char *fmt, va_list ap);

/* ---- small string tests on (pointer, length) text ----
 * Prefix and suffix tests are inline: with a literal, the length folds to
 * a constant and the test costs what a hand-written memcmp does. */
static inline bool wp_has_prefix(const char *s, size_t n, const char *prefix)
{
	size_t k = __builtin_strlen(prefix);
	return n >= k && __builtin_memcmp(s, prefix, k) == 0;
}
static inline bool wp_has_suffix(const char *s, size_t n, const char *suffix)
{
	size_t k = __builtin_strlen(suffix);
	return n >= k && __builtin_memcmp(s + n - k, suffix, k) == 0;
}
bool wp_contains(const char *s, size_t n, const char *needle);
/* s[0, n) is a hex number as perf map files write them: an optional "0x",
 * then 1 to 16 hex digits. */
bool wp_is_hex_number(const char *s, size_t n);

/* ---- whole small files (maps, kallsyms, modules) ----
 * Reads a regular file of at most max bytes into *data (NUL-terminated,
 * caller frees). 0, WP_E_NOTFOUND (missing or not a regular file), WP_E_IO
 * (errno kept) or WP_E_TOOBIG (larger than max: refused from its size
 * before any byte is read; one growing meanwhile stops at max + 1). */
int wp_read_file(const char *path, size_t max, char **data, size_t *len);

/* Writes s[0, n) into dst (size bytes, NUL-terminated) with control bytes
 * as \xNN, cut with "..." when it does not fit; returns dst. For messages
 * that quote input. */
const char *wp_visible(char *dst, size_t size, const char *s, size_t n);

#endif
