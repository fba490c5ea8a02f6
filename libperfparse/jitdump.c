/* jitdump.c - jit-PID.dump, as runtimes write it for perf (the format of
 * tools/perf/Documentation/jitdump-specification.txt; perf's own reader is
 * tools/perf/util/jitdump.c): a 40-byte header, then records of
 * {u32 id, u32 total_size, u64 timestamp} + payload, in the writer's byte
 * order (the magic tells which).
 *
 * Records are read one at a time into a buffer that grows to the largest
 * record (capped), so memory does not grow with the file. Every size comes
 * from the input and is checked before use: a record smaller than its own
 * fields, a name without its NUL, debug entries or unwinding data beyond
 * the record are errors naming the offset; a record cut by the end of the
 * file is the normal end of a dump whose runtime was killed: a warning. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perfparse.h"

#define JIT_MAGIC 0x4A695444u
#define JIT_MAGIC_SWAPPED 0x4454694Au
#define HEADER_SIZE 40u
#define PREFIX_SIZE 16u
#define MAX_RECORD (1u << 30)       /* one record: code of one function, 1 GiB */
#define MAX_DEBUG_ENTRIES (1u << 24)

struct pp_jitdump {
	FILE *f;                    /* NULL for memory input */
	const unsigned char *mem;
	size_t mem_len;
	char *name;
	pp_warn_fn warn;
	void *ctx;
	uint64_t off;               /* of the next record */
	struct pp_jit_header hdr;
	unsigned char *buf;         /* the current record */
	size_t cap;
	struct pp_jit_debug_entry *entries;
	size_t entries_cap;
	struct pp_jit_record rec;
	bool done;
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

static int fail(struct pp_jitdump *j, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct pp_jitdump *j, uint64_t off, const char *fmt, ...)
{
	int n = snprintf(j->err, sizeof j->err, "%s: offset 0x%llx: ", j->name,
			 (unsigned long long)off);
	va_list ap;
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof j->err)
		vsnprintf(j->err + n, sizeof j->err - (size_t)n, fmt, ap);
	va_end(ap);
	j->done = true;
	return WP_E_FORMAT;
}

/* Reads up to n bytes at the current position; returns how many. */
static size_t read_bytes(struct pp_jitdump *j, uint64_t off, void *dst, size_t n, int *io)
{
	*io = 0;
	if (!j->f) {
		if (off >= j->mem_len)
			return 0;
		size_t have = j->mem_len - (size_t)off;
		size_t got = n < have ? n : have;
		memcpy(dst, j->mem + off, got);
		return got;
	}
	size_t got = fread(dst, 1, n, j->f);
	if (got < n && ferror(j->f))
		*io = errno ? errno : EIO;
	return got;
}

static int parse_header(struct pp_jitdump *j)
{
	unsigned char h[HEADER_SIZE];
	int io;
	size_t got = read_bytes(j, 0, h, sizeof h, &io);
	if (io) {
		snprintf(j->err, sizeof j->err, "%s: cannot read: %s", j->name, strerror(io));
		return WP_E_IO;
	}
	if (got < 4)
		return fail(j, 0, "not a jitdump: shorter than its magic");
	uint32_t magic;
	memcpy(&magic, h, 4);
	if (magic == JIT_MAGIC_SWAPPED)
		j->hdr.swapped = true;
	else if (magic != JIT_MAGIC)
		return fail(j, 0, "not a jitdump: magic 0x%08x, want 0x%08x (\"JiTD\")", magic,
			    JIT_MAGIC);
	if (got < sizeof h)
		return fail(j, got, "header cut short: %zu of %u bytes", got, HEADER_SIZE);
	j->hdr.version = u32_at(j, h + 4);
	j->hdr.total_size = u32_at(j, h + 8);
	j->hdr.elf_mach = u32_at(j, h + 12);
	j->hdr.pid = u32_at(j, h + 20);
	j->hdr.timestamp = u64_at(j, h + 24);
	j->hdr.flags = u64_at(j, h + 32);
	if (j->hdr.version != 1 && j->hdr.version != 2)
		return fail(j, 4, "jitdump version %u: only 1 and 2 are known", j->hdr.version);
	if (j->hdr.total_size < HEADER_SIZE || j->hdr.total_size > MAX_RECORD)
		return fail(j, 8, "header size %u: must be at least %u", j->hdr.total_size,
			    HEADER_SIZE);
	j->off = j->hdr.total_size;
	if (j->f && fseeko(j->f, (off_t)j->off, SEEK_SET) != 0)
		return fail(j, j->off, "cannot seek past the header");
	return 0;
}

static int open_common(struct pp_jitdump **out, const char *name, pp_warn_fn warn, void *ctx,
		       FILE *f, const void *data, size_t len)
{
	struct pp_jitdump *j = calloc(1, sizeof *j);
	*out = j;
	if (!j) {
		if (f)
			fclose(f);
		return WP_E_NOMEM;
	}
	j->f = f;
	j->mem = data;
	j->mem_len = len;
	j->warn = warn;
	j->ctx = ctx;
	j->name = strdup(name ? name : "<jitdump>");
	if (!j->name) {
		snprintf(j->err, sizeof j->err, "out of memory");
		return WP_E_NOMEM;
	}
	return parse_header(j);
}

int pp_jitdump_open(struct pp_jitdump **out, const char *path, pp_warn_fn warn, void *ctx)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		int e = errno;
		int rc = open_common(out, path, warn, ctx, NULL, NULL, 0);
		if (*out) {
			snprintf((*out)->err, sizeof (*out)->err, "cannot open '%.400s': %s", path,
				 strerror(e));
			(*out)->done = true;
		}
		return rc == WP_E_NOMEM ? rc : (e == ENOENT ? WP_E_NOTFOUND : WP_E_IO);
	}
	return open_common(out, path, warn, ctx, f, NULL, 0);
}

int pp_jitdump_open_mem(struct pp_jitdump **out, const void *data, size_t len, const char *name,
			pp_warn_fn warn, void *ctx)
{
	return open_common(out, name, warn, ctx, NULL, data, len);
}

void pp_jitdump_free(struct pp_jitdump *j)
{
	if (!j)
		return;
	if (j->f)
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

/* A NUL-terminated string at *pos inside [.., end): its end, or NULL. */
static const unsigned char *string_end(const unsigned char *p, const unsigned char *end)
{
	const unsigned char *nul = memchr(p, '\0', (size_t)(end - p));
	return nul;
}

static int decode_load(struct pp_jitdump *j, const unsigned char *p, const unsigned char *end)
{
	uint64_t off = j->rec.offset;
	if (end - p < 40)
		return fail(j, off, "JIT_CODE_LOAD of %zu bytes: shorter than its fields",
			    (size_t)(end - j->buf));
	struct pp_jit_record *r = &j->rec;
	r->u.load.pid = u32_at(j, p);
	r->u.load.tid = u32_at(j, p + 4);
	r->u.load.vma = u64_at(j, p + 8);
	r->u.load.code_addr = u64_at(j, p + 16);
	r->u.load.code_size = u64_at(j, p + 24);
	r->u.load.code_index = u64_at(j, p + 32);
	p += 40;
	const unsigned char *nul = string_end(p, end);
	if (!nul)
		return fail(j, off, "JIT_CODE_LOAD name without its NUL");
	r->u.load.name = (const char *)p;
	p = nul + 1;
	if (r->u.load.code_size > (uint64_t)(end - p))
		return fail(j, off, "JIT_CODE_LOAD code size %llu: only %zu bytes left in the record",
			    (unsigned long long)r->u.load.code_size, (size_t)(end - p));
	if (r->u.load.code_addr + r->u.load.code_size < r->u.load.code_addr)
		return fail(j, off, "JIT_CODE_LOAD code at 0x%llx of %llu bytes wraps around",
			    (unsigned long long)r->u.load.code_addr,
			    (unsigned long long)r->u.load.code_size);
	r->u.load.code = p;
	return 0;
}

static int decode_move(struct pp_jitdump *j, const unsigned char *p, const unsigned char *end)
{
	if (end - p < 48)
		return fail(j, j->rec.offset, "JIT_CODE_MOVE of %zu bytes: shorter than its fields",
			    (size_t)(end - j->buf));
	struct pp_jit_record *r = &j->rec;
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
	uint64_t off = j->rec.offset;
	if (end - p < 16)
		return fail(j, off, "JIT_CODE_DEBUG_INFO of %zu bytes: shorter than its fields",
			    (size_t)(end - j->buf));
	struct pp_jit_record *r = &j->rec;
	r->u.debug.code_addr = u64_at(j, p);
	uint64_t n = u64_at(j, p + 8);
	p += 16;
	/* each entry takes at least 17 bytes: a bound before allocating */
	if (n > (uint64_t)(end - p) / 17 || n > MAX_DEBUG_ENTRIES)
		return fail(j, off, "JIT_CODE_DEBUG_INFO says %llu entries: the record holds fewer",
			    (unsigned long long)n);
	if (n > j->entries_cap) {
		struct pp_jit_debug_entry *e = realloc(j->entries, (size_t)n * sizeof *e);
		if (!e) {
			snprintf(j->err, sizeof j->err, "out of memory");
			return WP_E_NOMEM;
		}
		j->entries = e;
		j->entries_cap = (size_t)n;
	}
	for (uint64_t i = 0; i < n; i++) {
		if (end - p < 16)
			return fail(j, off, "JIT_CODE_DEBUG_INFO entry %llu cut by the record's end",
				    (unsigned long long)i);
		struct pp_jit_debug_entry *e = &j->entries[i];
		e->code_addr = u64_at(j, p);
		e->line = u32_at(j, p + 8);
		e->discrim = u32_at(j, p + 12);
		p += 16;
		const unsigned char *nul = string_end(p, end);
		if (!nul)
			return fail(j, off, "JIT_CODE_DEBUG_INFO entry %llu: file name without its NUL",
				    (unsigned long long)i);
		e->file = (const char *)p;
		p = nul + 1;
	}
	r->u.debug.nentries = (size_t)n;
	r->u.debug.entries = j->entries;
	return 0;
}

static int decode_unwind(struct pp_jitdump *j, const unsigned char *p, const unsigned char *end)
{
	uint64_t off = j->rec.offset;
	if (end - p < 24)
		return fail(j, off, "JIT_CODE_UNWINDING_INFO of %zu bytes: shorter than its fields",
			    (size_t)(end - j->buf));
	struct pp_jit_record *r = &j->rec;
	r->u.unwind.unwind_data_size = u64_at(j, p);
	r->u.unwind.eh_frame_hdr_size = u64_at(j, p + 8);
	r->u.unwind.mapped_size = u64_at(j, p + 16);
	p += 24;
	/* the data may be followed by padding to 8 bytes */
	if (r->u.unwind.unwind_data_size > (uint64_t)(end - p) ||
	    r->u.unwind.eh_frame_hdr_size > r->u.unwind.unwind_data_size)
		return fail(j, off,
			    "JIT_CODE_UNWINDING_INFO sizes (data %llu, .eh_frame_hdr %llu) do not fit its %zu bytes",
			    (unsigned long long)r->u.unwind.unwind_data_size,
			    (unsigned long long)r->u.unwind.eh_frame_hdr_size, (size_t)(end - p));
	r->u.unwind.data = p;
	return 0;
}

int pp_jitdump_next(struct pp_jitdump *j, const struct pp_jit_record **out)
{
	*out = NULL;
	for (;;) {
		if (j->done)
			return j->err[0] ? WP_E_FORMAT : 0;
		unsigned char prefix[PREFIX_SIZE];
		int io;
		uint64_t off = j->off;
		size_t got = read_bytes(j, off, prefix, sizeof prefix, &io);
		if (io) {
			snprintf(j->err, sizeof j->err, "%s: offset 0x%llx: cannot read: %s", j->name,
				 (unsigned long long)off, strerror(io));
			j->done = true;
			return WP_E_IO;
		}
		if (got == 0) {
			j->done = true;
			return 0;
		}
		char msg[600];
		if (got < sizeof prefix) {
			snprintf(msg, sizeof msg,
				 "%s: offset 0x%llx: record cut by the end of the file (the runtime was still writing?)",
				 j->name, (unsigned long long)off);
			if (j->warn)
				j->warn(j->ctx, msg);
			j->done = true;
			return 0;
		}
		uint32_t id = u32_at(j, prefix);
		uint32_t size = u32_at(j, prefix + 4);
		if (size < PREFIX_SIZE)
			return fail(j, off, "record size %u: smaller than its %u-byte prefix", size,
				    PREFIX_SIZE);
		if (size > MAX_RECORD)
			return fail(j, off, "record size %u: larger than %u", size, MAX_RECORD);
		if (size > j->cap) {
			size_t ncap = j->cap ? j->cap : 4096;
			while (ncap < size)
				ncap *= 2;
			unsigned char *nb = realloc(j->buf, ncap);
			if (!nb) {
				snprintf(j->err, sizeof j->err, "out of memory");
				j->done = true;
				return WP_E_NOMEM;
			}
			j->buf = nb;
			j->cap = ncap;
		}
		memcpy(j->buf, prefix, sizeof prefix);
		size_t body = size - PREFIX_SIZE;
		got = read_bytes(j, off + PREFIX_SIZE, j->buf + PREFIX_SIZE, body, &io);
		if (io) {
			snprintf(j->err, sizeof j->err, "%s: offset 0x%llx: cannot read: %s", j->name,
				 (unsigned long long)off, strerror(io));
			j->done = true;
			return WP_E_IO;
		}
		if (got < body) {
			snprintf(msg, sizeof msg,
				 "%s: offset 0x%llx: record of %u bytes cut by the end of the file after %zu (the runtime was still writing?)",
				 j->name, (unsigned long long)off, size, got + PREFIX_SIZE);
			if (j->warn)
				j->warn(j->ctx, msg);
			j->done = true;
			return 0;
		}
		j->off = off + size;
		struct pp_jit_record *r = &j->rec;
		memset(r, 0, sizeof *r);
		r->type = (enum pp_jit_record_type)id;
		r->timestamp = u64_at(j, prefix + 8);
		r->offset = off;
		const unsigned char *p = j->buf + PREFIX_SIZE, *end = j->buf + size;
		int rc;
		switch (id) {
		case PP_JIT_CODE_LOAD: rc = decode_load(j, p, end); break;
		case PP_JIT_CODE_MOVE: rc = decode_move(j, p, end); break;
		case PP_JIT_CODE_DEBUG_INFO: rc = decode_debug(j, p, end); break;
		case PP_JIT_CODE_UNWINDING_INFO: rc = decode_unwind(j, p, end); break;
		case PP_JIT_CODE_CLOSE: rc = 0; break;
		default: continue; /* unknown records are skipped by their size */
		}
		if (rc)
			return rc;
		*out = r;
		return 1;
	}
}
