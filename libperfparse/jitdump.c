/* jitdump.c - jit-PID.dump, as runtimes write it for perf (the format of
 * tools/perf/Documentation/jitdump-specification.txt in the kernel tree;
 * perf's own reader is tools/perf/util/jitdump.c): a header
 * of at least 40 bytes, then records of {u32 id, u32 total_size, u64
 * timestamp} + payload, in the writer's byte order (the magic tells which).
 *
 * Records are read one at a time, from a FILE or from memory, into a
 * buffer that grows with the bytes that actually arrive (never to a size
 * field's promise) and stops at MAX_RECORD, so memory follows the largest
 * record, not the file. Every size comes from the input and is checked
 * before use: a record smaller than its own fields, a name without its
 * NUL, code, debug entries or unwinding data beyond the record are errors
 * naming the record's offset; a record cut by the end of the file is how
 * the dump of a runtime that was still running (or was killed) ends: a
 * warning, and the end of the stream. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "perfparse.h"

#define JIT_MAGIC 0x4A695444u          /* "JiTD" in the writer's order */
#define JIT_MAGIC_SWAPPED 0x4454694Au
#define HEADER_SIZE 40u
#define PREFIX_SIZE 16u
#define MAX_RECORD (1u << 30)          /* one record (the code of one function) */
#define FIRST_CHUNK (64u << 10)        /* first buffer; then doubling */
#define MAX_DEBUG_ENTRIES (1u << 24)

/* Fixed payload bytes after the prefix (jitdump-specification.txt). */
#define LOAD_FIELDS 40u    /* u32 pid, tid; u64 vma, code_addr, code_size, code_index */
#define MOVE_FIELDS 48u    /* u32 pid, tid; u64 vma, old, new, code_size, code_index */
#define DEBUG_FIELDS 16u   /* u64 code_addr, nr_entry */
#define DEBUG_ENTRY 16u    /* u64 code_addr; u32 line, discrim; then char name[] */
#define UNWIND_FIELDS 24u  /* u64 unwind_data_size, eh_frame_hdr_size, mapped_size */

struct pp_jitdump {
	FILE *f;                    /* NULL for memory input */
	const unsigned char *mem;
	size_t mem_len;
	char *name;                 /* for messages: the path or the caller's name */
	wp_warn_fn warn;
	void *ctx;
	uint64_t off;               /* of the next byte to read */
	struct pp_jit_header hdr;
	unsigned char *buf;         /* the current record, prefix included */
	size_t cap;
	struct pp_jit_debug_entry *entries;
	size_t entries_cap;
	struct pp_jit_record rec;
	int state;                  /* 0 reading, 1 ended, < 0 the error returned again */
	char err[512];
};

static uint32_t u32_at(const struct pp_jitdump *j, const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return j->hdr.swapped ? __builtin_bswap32(v) : v;
}

static uint64_t u64_at(const struct pp_jitdump *j, const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return j->hdr.swapped ? __builtin_bswap64(v) : v;
}

/* "NAME: offset 0x..: what"; the reader stays failed with `code`. */
static int fail(struct pp_jitdump *j, int code, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(struct pp_jitdump *j, int code, uint64_t off, const char *fmt, ...)
{
	int n = snprintf(j->err, sizeof j->err, "'%s': offset 0x%llx: ", j->name,
			 (unsigned long long)off);
	if (n < 0 || (size_t)n >= sizeof j->err)
		n = 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(j->err + n, sizeof j->err - (size_t)n, fmt, ap);
	va_end(ap);
	j->state = code;
	return code;
}

static int fail_nomem(struct pp_jitdump *j)
{
	return fail(j, WP_E_NOMEM, j->off, "out of memory");
}

/* Up to n bytes at j->off into dst: how many arrived (fewer only at the end
 * of the input), or WP_E_IO (message set). */
static int64_t read_bytes(struct pp_jitdump *j, void *dst, size_t n)
{
	size_t got;
	if (!j->f) {
		size_t have = j->off < j->mem_len ? j->mem_len - (size_t)j->off : 0;
		got = n < have ? n : have;
		if (got)
			memcpy(dst, j->mem + j->off, got);
	} else {
		got = fread(dst, 1, n, j->f);
		if (got < n && ferror(j->f)) {
			int e = errno ? errno : EIO;
			return fail(j, WP_E_IO, j->off + got, "cannot read: %s", strerror(e));
		}
	}
	j->off += got;
	return (int64_t)got;
}

/* Makes room for `want` bytes in buf (keeping what it holds). */
static int reserve(struct pp_jitdump *j, size_t want)
{
	if (want <= j->cap)
		return 0;
	unsigned char *nb = realloc(j->buf, want);
	if (!nb)
		return fail_nomem(j);
	j->buf = nb;
	j->cap = want;
	return 0;
}

/* The body of the record of `size` bytes whose prefix is in buf, into buf
 * after it. 1 = whole, 0 = cut by the end of the input, < 0 = error. From
 * a file, the buffer grows at most twofold per read, so a size field that
 * promises more than the file holds costs no more memory than the bytes
 * that are there. */
static int read_body(struct pp_jitdump *j, size_t size)
{
	size_t have = PREFIX_SIZE;
	if (!j->f && size - PREFIX_SIZE > j->mem_len - (size_t)j->off)
		return 0;
	while (have < size) {
		if (have == j->cap) {
			size_t want = j->cap < FIRST_CHUNK ? FIRST_CHUNK : j->cap * 2;
			if (!j->f || want > size)
				want = size;
			if (reserve(j, want) != 0)
				return j->state;
		}
		size_t chunk = (j->cap < size ? j->cap : size) - have;
		int64_t got = read_bytes(j, j->buf + have, chunk);
		if (got < 0)
			return (int)got;
		if ((size_t)got < chunk)
			return 0;
		have += chunk;
	}
	return 1;
}

/* Skips n bytes (extra header bytes, unknown records): 1 = done, 0 = the
 * input ended first, < 0 = error. */
static int skip_bytes(struct pp_jitdump *j, uint64_t n)
{
	if (!j->f) {
		uint64_t have = j->off < j->mem_len ? j->mem_len - j->off : 0;
		if (n > have) {
			j->off += have;
			return 0;
		}
		j->off += n;
		return 1;
	}
	if (reserve(j, PREFIX_SIZE + FIRST_CHUNK) != 0)
		return j->state;
	while (n > 0) {
		size_t chunk = n < FIRST_CHUNK ? (size_t)n : FIRST_CHUNK;
		int64_t got = read_bytes(j, j->buf + PREFIX_SIZE, chunk);
		if (got < 0)
			return (int)got;
		if ((size_t)got < chunk)
			return 0;
		n -= chunk;
	}
	return 1;
}

static void warn_cut(struct pp_jitdump *j, uint64_t off)
{
	wp_warnf(j->warn, j->ctx,
		 "'%s': offset 0x%llx: record cut by the end of the file (the runtime was still writing?)",
		 j->name, (unsigned long long)off);
	j->state = 1;
}

/* The header (jitdump-specification.txt "File header"). */
static int parse_header(struct pp_jitdump *j)
{
	unsigned char h[HEADER_SIZE];
	int64_t got = read_bytes(j, h, sizeof h);
	if (got < 0)
		return (int)got;
	if (got < 4)
		return fail(j, WP_E_FORMAT, 0, "not a jitdump: %lld bytes, shorter than the magic",
			    (long long)got);
	uint32_t magic;
	memcpy(&magic, h, 4);
	if (magic == JIT_MAGIC_SWAPPED)
		j->hdr.swapped = true;
	else if (magic != JIT_MAGIC)
		return fail(j, WP_E_FORMAT, 0, "not a jitdump: magic 0x%08x, want 0x%08x (\"JiTD\")",
			    magic, JIT_MAGIC);
	if ((size_t)got < sizeof h)
		return fail(j, WP_E_FORMAT, 0, "header cut short: %lld of %u bytes", (long long)got,
			    HEADER_SIZE);
	j->hdr.version = u32_at(j, h + 4);
	j->hdr.total_size = u32_at(j, h + 8);
	j->hdr.elf_mach = u32_at(j, h + 12);
	/* h + 16: pad1 */
	j->hdr.pid = u32_at(j, h + 20);
	j->hdr.timestamp = u64_at(j, h + 24);
	j->hdr.flags = u64_at(j, h + 32);
	if (j->hdr.version != 1 && j->hdr.version != 2)
		return fail(j, WP_E_FORMAT, 4, "jitdump version %u: only 1 and 2 are known",
			    j->hdr.version);
	if (j->hdr.total_size < HEADER_SIZE)
		return fail(j, WP_E_FORMAT, 8, "header size %u: smaller than %u bytes",
			    j->hdr.total_size, HEADER_SIZE);
	/* a newer writer's extra header fields: skipped */
	int rc = skip_bytes(j, j->hdr.total_size - HEADER_SIZE);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return fail(j, WP_E_FORMAT, 8, "header size %u: the file ends at 0x%llx",
			    j->hdr.total_size, (unsigned long long)j->off);
	return 0;
}

/* A reader over f or the bytes at data; NULL when memory ran out. */
static struct pp_jitdump *new_reader(const char *name, wp_warn_fn warn, void *ctx, FILE *f,
				     const void *data, size_t len)
{
	struct pp_jitdump *j = calloc(1, sizeof *j);
	if (!j || !(j->name = strdup(name))) {
		free(j);
		return NULL;
	}
	j->f = f;
	j->mem = data;
	j->mem_len = data ? len : 0;
	j->warn = warn;
	j->ctx = ctx;
	return j;
}

int pp_jitdump_open(struct pp_jitdump **out, const char *path, wp_warn_fn warn, void *ctx)
{
	bool in = !path || !strcmp(path, "-");
	FILE *f = in ? stdin : fopen(path, "rb");
	int e = errno;
	struct pp_jitdump *j = *out = new_reader(in ? "<stdin>" : path, warn, ctx, f, NULL, 0);
	if (!j) {
		if (f && !in)
			fclose(f);
		return WP_E_NOMEM;
	}
	if (!f) {
		snprintf(j->err, sizeof j->err, "cannot open '%.400s': %s", path, strerror(e));
		j->state = e == ENOENT ? WP_E_NOTFOUND : WP_E_IO;
		return j->state;
	}
	struct stat st;
	if (!in && fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(j->err, sizeof j->err, "'%.400s': is a directory", path);
		j->state = WP_E_IO;
		return j->state;
	}
	return parse_header(j);
}

int pp_jitdump_open_mem(struct pp_jitdump **out, const void *data, size_t len, const char *name,
			wp_warn_fn warn, void *ctx)
{
	struct pp_jitdump *j = *out = new_reader(name ? name : "jitdump", warn, ctx, NULL, data, len);
	return j ? parse_header(j) : WP_E_NOMEM;
}

void pp_jitdump_free(struct pp_jitdump *j)
{
	if (!j)
		return;
	if (j->f && j->f != stdin)
		fclose(j->f);
	free(j->name);
	free(j->buf);
	free(j->entries);
	free(j);
}

const struct pp_jit_header *pp_jitdump_header(const struct pp_jitdump *j)
{
	return &j->hdr;
}

const char *pp_jitdump_errmsg(const struct pp_jitdump *j)
{
	return j ? j->err : "out of memory";
}

/* A name from the input as messages show it: one line, at most 60 bytes,
 * control and non-ASCII bytes as '?'. */
static const char *shown(const char *name, char out[64])
{
	size_t i = 0;
	for (; name[i] && i < 60; i++)
		out[i] = name[i] >= 0x20 && name[i] < 0x7f ? name[i] : '?';
	if (name[i])
		out[i - 1] = out[i - 2] = out[i - 3] = '.';
	out[i] = '\0';
	return out;
}

/* Payload decoders: p..end is the record after its prefix. */

static int decode_load(struct pp_jitdump *j, const unsigned char *p, const unsigned char *end)
{
	struct pp_jit_record *r = &j->rec;
	char name[64];
	if ((size_t)(end - p) < LOAD_FIELDS)
		return fail(j, WP_E_FORMAT, r->offset,
			    "JIT_CODE_LOAD of %zu bytes: shorter than its %u bytes of fields",
			    (size_t)(end - j->buf), PREFIX_SIZE + LOAD_FIELDS);
	r->u.load.pid = u32_at(j, p);
	r->u.load.tid = u32_at(j, p + 4);
	r->u.load.vma = u64_at(j, p + 8);
	r->u.load.code_addr = u64_at(j, p + 16);
	r->u.load.code_size = u64_at(j, p + 24);
	r->u.load.code_index = u64_at(j, p + 32);
	p += LOAD_FIELDS;
	const unsigned char *nul = memchr(p, '\0', (size_t)(end - p));
	if (!nul)
		return fail(j, WP_E_FORMAT, r->offset, "JIT_CODE_LOAD name without its NUL");
	r->u.load.name = (const char *)p;
	p = nul + 1;
	/* the code may be followed by padding (V8 pads records to 8 bytes) */
	if (r->u.load.code_size > (uint64_t)(end - p))
		return fail(j, WP_E_FORMAT, r->offset,
			    "JIT_CODE_LOAD '%s': code size %llu, only %zu bytes left in the record",
			    shown(r->u.load.name, name), (unsigned long long)r->u.load.code_size,
			    (size_t)(end - p));
	if (r->u.load.code_addr + r->u.load.code_size < r->u.load.code_addr)
		return fail(j, WP_E_FORMAT, r->offset,
			    "JIT_CODE_LOAD '%s': code at 0x%llx of %llu bytes wraps around",
			    shown(r->u.load.name, name), (unsigned long long)r->u.load.code_addr,
			    (unsigned long long)r->u.load.code_size);
	r->u.load.code = p;
	return 0;
}

static int decode_move(struct pp_jitdump *j, const unsigned char *p, const unsigned char *end)
{
	struct pp_jit_record *r = &j->rec;
	if ((size_t)(end - p) < MOVE_FIELDS)
		return fail(j, WP_E_FORMAT, r->offset,
			    "JIT_CODE_MOVE of %zu bytes: shorter than its %u bytes of fields",
			    (size_t)(end - j->buf), PREFIX_SIZE + MOVE_FIELDS);
	r->u.move.pid = u32_at(j, p);
	r->u.move.tid = u32_at(j, p + 4);
	r->u.move.vma = u64_at(j, p + 8);
	r->u.move.old_code_addr = u64_at(j, p + 16);
	r->u.move.new_code_addr = u64_at(j, p + 24);
	r->u.move.code_size = u64_at(j, p + 32);
	r->u.move.code_index = u64_at(j, p + 40);
	return 0;
}

static int decode_debug(struct pp_jitdump *j, const unsigned char *p, const unsigned char *end)
{
	struct pp_jit_record *r = &j->rec;
	if ((size_t)(end - p) < DEBUG_FIELDS)
		return fail(j, WP_E_FORMAT, r->offset,
			    "JIT_CODE_DEBUG_INFO of %zu bytes: shorter than its %u bytes of fields",
			    (size_t)(end - j->buf), PREFIX_SIZE + DEBUG_FIELDS);
	r->u.debug.code_addr = u64_at(j, p);
	uint64_t n = u64_at(j, p + 8);
	p += DEBUG_FIELDS;
	/* an entry takes at least DEBUG_ENTRY + 1 bytes: a bound before allocating */
	if (n > (uint64_t)(end - p) / (DEBUG_ENTRY + 1))
		return fail(j, WP_E_FORMAT, r->offset,
			    "JIT_CODE_DEBUG_INFO of %llu entries: they do not fit in its %zu bytes",
			    (unsigned long long)n, (size_t)(end - p));
	if (n > MAX_DEBUG_ENTRIES)
		return fail(j, WP_E_TOOBIG, r->offset,
			    "JIT_CODE_DEBUG_INFO of %llu entries: more than %u",
			    (unsigned long long)n, MAX_DEBUG_ENTRIES);
	if (n > j->entries_cap) {
		struct pp_jit_debug_entry *e = realloc(j->entries, (size_t)n * sizeof *e);
		if (!e)
			return fail_nomem(j);
		j->entries = e;
		j->entries_cap = (size_t)n;
	}
	for (uint64_t i = 0; i < n; i++) {
		if ((size_t)(end - p) < DEBUG_ENTRY)
			return fail(j, WP_E_FORMAT, r->offset,
				    "JIT_CODE_DEBUG_INFO entry %llu of %llu cut by the record's end",
				    (unsigned long long)i, (unsigned long long)n);
		struct pp_jit_debug_entry *e = &j->entries[i];
		e->code_addr = u64_at(j, p);
		e->line = u32_at(j, p + 8);
		e->discrim = u32_at(j, p + 12);
		p += DEBUG_ENTRY;
		const unsigned char *nul = memchr(p, '\0', (size_t)(end - p));
		if (!nul)
			return fail(j, WP_E_FORMAT, r->offset,
				    "JIT_CODE_DEBUG_INFO entry %llu of %llu: file name without its NUL",
				    (unsigned long long)i, (unsigned long long)n);
		e->file = (const char *)p;
		p = nul + 1;
	}
	r->u.debug.nentries = (size_t)n;
	r->u.debug.entries = n ? j->entries : NULL;
	return 0;
}

static int decode_unwind(struct pp_jitdump *j, const unsigned char *p, const unsigned char *end)
{
	struct pp_jit_record *r = &j->rec;
	if ((size_t)(end - p) < UNWIND_FIELDS)
		return fail(j, WP_E_FORMAT, r->offset,
			    "JIT_CODE_UNWINDING_INFO of %zu bytes: shorter than its %u bytes of fields",
			    (size_t)(end - j->buf), PREFIX_SIZE + UNWIND_FIELDS);
	r->u.unwind.unwind_data_size = u64_at(j, p);
	r->u.unwind.eh_frame_hdr_size = u64_at(j, p + 8);
	r->u.unwind.mapped_size = u64_at(j, p + 16);
	p += UNWIND_FIELDS;
	/* the data may be followed by padding to 8 bytes (V8) */
	if (r->u.unwind.unwind_data_size > (uint64_t)(end - p) ||
	    r->u.unwind.eh_frame_hdr_size > r->u.unwind.unwind_data_size)
		return fail(j, WP_E_FORMAT, r->offset,
			    "JIT_CODE_UNWINDING_INFO of %llu bytes (.eh_frame_hdr %llu): "
			    "the record holds %zu",
			    (unsigned long long)r->u.unwind.unwind_data_size,
			    (unsigned long long)r->u.unwind.eh_frame_hdr_size, (size_t)(end - p));
	r->u.unwind.data = p;
	return 0;
}

int pp_jitdump_next(struct pp_jitdump *j, const struct pp_jit_record **out)
{
	*out = NULL;
	while (j->state == 0) {
		uint64_t off = j->off;
		if (reserve(j, PREFIX_SIZE) != 0)
			return j->state;
		int64_t got = read_bytes(j, j->buf, PREFIX_SIZE);
		if (got < 0)
			return (int)got;
		if (got == 0) {
			j->state = 1;
			break;
		}
		if (got < PREFIX_SIZE) {
			warn_cut(j, off);
			break;
		}
		uint32_t id = u32_at(j, j->buf);
		uint32_t size = u32_at(j, j->buf + 4);
		if (size < PREFIX_SIZE)
			return fail(j, WP_E_FORMAT, off,
				    "record size %u: smaller than its %u-byte prefix", size,
				    PREFIX_SIZE);
		if (size > MAX_RECORD)
			return fail(j, WP_E_TOOBIG, off, "record size %u: larger than the %u MiB limit",
				    size, MAX_RECORD >> 20);
		int rc;
		if (id > PP_JIT_CODE_UNWINDING_INFO) {
			/* unknown records are skipped by their size, as the
			 * specification asks of readers */
			rc = skip_bytes(j, size - PREFIX_SIZE);
			if (rc == 0)
				warn_cut(j, off);
			if (rc < 0)
				return rc;
			continue;
		}
		rc = read_body(j, size);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			warn_cut(j, off);
			break;
		}
		struct pp_jit_record *r = &j->rec;
		memset(r, 0, sizeof *r);
		r->type = (enum pp_jit_record_type)id;
		r->timestamp = u64_at(j, j->buf + 8);
		r->offset = off;
		const unsigned char *p = j->buf + PREFIX_SIZE, *end = j->buf + size;
		switch (id) {
		case PP_JIT_CODE_LOAD: rc = decode_load(j, p, end); break;
		case PP_JIT_CODE_MOVE: rc = decode_move(j, p, end); break;
		case PP_JIT_CODE_DEBUG_INFO: rc = decode_debug(j, p, end); break;
		case PP_JIT_CODE_UNWINDING_INFO: rc = decode_unwind(j, p, end); break;
		default: rc = 0; break; /* JIT_CODE_CLOSE: no payload */
		}
		if (rc)
			return rc;
		*out = r;
		return 1;
	}
	return j->state < 0 ? j->state : 0;
}
