/* lines.c - line reader over a file, stdin or memory, in bounded windows.
 *
 * Input goes through one buffer that starts small (a short input costs no
 * large allocation), doubles on each refill up to WINDOW (1 MiB), and grows
 * past it only when a single line is longer, up to the caller's cap: memory
 * stays flat however large the input. gzip input (magic 1f 8b, also
 * concatenated members) is inflated on the fly with zlib.
 *
 * A reader over lent segments (wp_lines_open_segments: the chunks that
 * worker threads fold) returns lines in place, pointing into the segment:
 * the bytes were read once already, and a second copy per line cost as
 * much as parsing it. Only a line that spans two segments is assembled in
 * the window. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "wpcommon.h"

#define FIRST_WINDOW (16u << 10)
#define WINDOW (1u << 20)
#define GZ_IN (1u << 16)

struct wp_lines {
	int fd;
	bool own_fd;
	uint64_t file_size;  /* a regular file's size when opened (0: not known)... */
	uint64_t raw_read;   /* ...against the bytes read: a file cut short is an error */
	const char *mem;     /* memory input, or NULL */
	size_t mem_len, mem_pos;
	char *buf;
	size_t cap, start, end, max_line;
	uint64_t base;       /* stream offset of buf[0] */
	uint64_t lineno, line_offset;
	bool eof;
	bool refilled;       /* the window was filled once: later fills grow it */
	bool gz;
	z_stream zs;
	unsigned char *zin;
	size_t zin_cap;
	bool zin_eof;
	bool mid_member; /* inside a gzip member: EOF here means truncation */
	/* lent segments (wp_lines_open_segments), or seg_next NULL */
	int (*seg_next)(void *ctx, const char **p, size_t *n);
	void *seg_ctx;
	const char *seg;
	size_t seg_len, seg_pos;
	uint64_t seg_base;   /* stream offset of seg[0] */
	int failed;          /* the stream's first error (WP_E_*), given again by
			      * every later read: a damaged stream stays damaged */
	bool too_long;       /* err names a line: renumbered by wp_lines_renumber */
	uint64_t too_long_at; /* that line's offset */
	char name[256];
	char err[512];
};

static void set_err(struct wp_lines *lr, const char *what)
{
	snprintf(lr->err, sizeof lr->err, "%s: %soffset %llu: %s", lr->name,
		 lr->gz ? "decompressed " : "", (unsigned long long)(lr->base + lr->end), what);
}

static int alloc_reader(struct wp_lines **out, const char *name, size_t max_line)
{
	*out = NULL; /* callers free and ask for the message on every path */
	struct wp_lines *lr = calloc(1, sizeof *lr);
	if (!lr)
		return WP_E_NOMEM;
	lr->max_line = max_line < 64 ? 64 : max_line;
	lr->cap = FIRST_WINDOW < lr->max_line ? FIRST_WINDOW : lr->max_line + 1;
	lr->buf = malloc(lr->cap);
	if (!lr->buf) {
		free(lr);
		return WP_E_NOMEM;
	}
	lr->fd = -1;
	snprintf(lr->name, sizeof lr->name, "%s", name);
	*out = lr;
	return 0;
}

int wp_lines_open(struct wp_lines **out, const char *path, size_t max_line)
{
	bool is_stdin = !path || strcmp(path, "-") == 0;
	int rc = alloc_reader(out, is_stdin ? "<stdin>" : path, max_line);
	if (rc)
		return rc;
	struct wp_lines *lr = *out;
	if (is_stdin) {
		lr->fd = 0;
	} else {
		lr->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (lr->fd < 0) {
			snprintf(lr->err, sizeof lr->err, "cannot open '%s': %s", path, strerror(errno));
			return WP_E_IO;
		}
		lr->own_fd = true;
		struct stat st;
		if (fstat(lr->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			snprintf(lr->err, sizeof lr->err, "'%s': is a directory", path);
			return WP_E_IO;
		}
		if (S_ISREG(st.st_mode))
			lr->file_size = (uint64_t)st.st_size;
		posix_fadvise(lr->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	}
	return 0;
}

int wp_lines_open_mem(struct wp_lines **out, const char *data, size_t len, const char *name)
{
	int rc = alloc_reader(out, name ? name : "<memory>", 1u << 24);
	if (rc)
		return rc;
	(*out)->mem = data;
	(*out)->mem_len = len;
	return 0;
}

int wp_lines_open_segments(struct wp_lines **out, const char *name, size_t max_line,
			   int (*next)(void *ctx, const char **p, size_t *n), void *ctx,
			   uint64_t first_offset)
{
	int rc = alloc_reader(out, name, max_line);
	if (rc)
		return rc;
	(*out)->seg_next = next;
	(*out)->seg_ctx = ctx;
	(*out)->seg_base = first_offset;
	return 0;
}

void wp_lines_free(struct wp_lines *lr)
{
	if (!lr)
		return;
	if (lr->own_fd)
		close(lr->fd);
	if (lr->gz)
		inflateEnd(&lr->zs);
	free(lr->zin);
	free(lr->buf);
	free(lr);
}

/* Raw bytes from the source into dst; 0 at end, < 0 on error. */
static ssize_t read_raw(struct wp_lines *lr, void *dst, size_t n)
{
	if (lr->mem) {
		size_t left = lr->mem_len - lr->mem_pos;
		if (n > left)
			n = left;
		memcpy(dst, lr->mem + lr->mem_pos, n);
		lr->mem_pos += n;
		return (ssize_t)n;
	}
	for (;;) {
		ssize_t got = read(lr->fd, dst, n);
		if (got > 0)
			lr->raw_read += (uint64_t)got;
		/* the end before the size it had when opened: cut short meanwhile
		 * (the threads that read a file by offsets say so too) */
		if (got == 0 && lr->raw_read < lr->file_size)
			return -4;
		if (got >= 0 || errno != EINTR)
			return got;
	}
}

/* The first window already read (up to the window size) becomes the
 * inflater's first input. */
static int start_gzip(struct wp_lines *lr, size_t first)
{
	lr->zin_cap = first > GZ_IN ? first : GZ_IN;
	lr->zin = malloc(lr->zin_cap);
	if (!lr->zin)
		return WP_E_NOMEM;
	memset(&lr->zs, 0, sizeof lr->zs);
	if (inflateInit2(&lr->zs, 16 + MAX_WBITS) != Z_OK)
		return WP_E_NOMEM;
	lr->gz = true;
	return 0;
}

static ssize_t read_gzip(struct wp_lines *lr, char *dst, size_t n)
{
	lr->zs.next_out = (unsigned char *)dst;
	lr->zs.avail_out = (uInt)(n > UINT32_MAX ? UINT32_MAX : n);
	while (lr->zs.avail_out == n) {
		if (lr->zs.avail_in == 0 && !lr->zin_eof) {
			ssize_t got = read_raw(lr, lr->zin, lr->zin_cap);
			if (got < 0)
				return got;
			if (got == 0)
				lr->zin_eof = true;
			lr->zs.next_in = lr->zin;
			lr->zs.avail_in = (uInt)got;
		}
		if (lr->zs.avail_in == 0 && lr->zin_eof) {
			if (lr->mid_member && lr->zs.avail_out == n)
				return -3;
			break;
		}
		lr->mid_member = true;
		int zrc = inflate(&lr->zs, Z_NO_FLUSH);
		if (zrc == Z_STREAM_END) {
			/* Another gzip member may follow (cat a.gz b.gz). */
			lr->mid_member = false;
			if (inflateReset(&lr->zs) != Z_OK)
				return -2;
		} else if (zrc != Z_OK && zrc != Z_BUF_ERROR) {
			return -2;
		} else if (zrc == Z_BUF_ERROR && lr->zin_eof && lr->zs.avail_in == 0) {
			return -3;
		}
	}
	return (ssize_t)(n - lr->zs.avail_out);
}

/* The next bytes of the stream into dst[0, n) (gzip sniffed on the
 * stream's first read): how many, 0 at the end, or < 0 (WP_E_*, message
 * set naming the offset reached). */
static ssize_t read_stream(struct wp_lines *lr, char *dst, size_t n)
{
	if (lr->failed)
		return lr->failed;
	ssize_t got;
	if (lr->gz) {
		got = read_gzip(lr, dst, n);
	} else {
		got = read_raw(lr, dst, n);
		if (got >= 2 && lr->base == 0 && lr->end == 0 &&
		    (unsigned char)dst[0] == 0x1f && (unsigned char)dst[1] == 0x8b) {
			int rc = start_gzip(lr, (size_t)got);
			if (rc)
				return lr->failed = rc;
			memcpy(lr->zin, dst, (size_t)got);
			lr->zs.next_in = lr->zin;
			lr->zs.avail_in = (uInt)got;
			got = read_gzip(lr, dst, n);
		}
	}
	switch (got) {
	case -1: set_err(lr, strerror(errno)); return lr->failed = WP_E_IO;
	case -2: set_err(lr, "corrupt gzip data"); return lr->failed = WP_E_FORMAT;
	case -3: set_err(lr, "truncated gzip data"); return lr->failed = WP_E_TRUNCATED;
	case -4: {
		char what[160];
		snprintf(what, sizeof what, "the file was cut short while being read (it had %llu "
			 "bytes when opened)", (unsigned long long)lr->file_size);
		set_err(lr, what);
		return lr->failed = WP_E_TRUNCATED;
	}
	}
	return got;
}

/* The next line (lineno + 1), starting at `offset`, is longer than
 * max_line bytes. */
static int too_long(struct wp_lines *lr, uint64_t offset)
{
	lr->too_long = true;
	lr->too_long_at = offset;
	snprintf(lr->err, sizeof lr->err, "%s: line %llu at offset %llu is longer than %zu bytes",
		 lr->name, (unsigned long long)lr->lineno + 1, (unsigned long long)offset,
		 lr->max_line);
	return WP_E_TOOBIG;
}

/* Moves the unread tail to the front and reads more; 0 at EOF. */
static int refill(struct wp_lines *lr)
{
	if (lr->start > 0) {
		memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
		lr->base += lr->start;
		lr->end -= lr->start;
		lr->start = 0;
	}
	/* A refill after the first means the input did not fit: a larger
	 * window up to WINDOW; a full one (a long line) also past it. */
	bool full = lr->end == lr->cap, first = !lr->refilled;
	lr->refilled = true;
	if (full || (!first && lr->cap < WINDOW && lr->cap <= lr->max_line)) {
		if (full && lr->cap > lr->max_line)
			return too_long(lr, lr->base);
		size_t cap = lr->cap * 2 > lr->max_line + 1 ? lr->max_line + 1 : lr->cap * 2;
		char *p = realloc(lr->buf, cap);
		if (!p)
			return WP_E_NOMEM;
		lr->buf = p;
		lr->cap = cap;
	}
	ssize_t got = read_stream(lr, lr->buf + lr->end, lr->cap - lr->end);
	if (got < 0)
		return (int)got;
	if (got == 0)
		lr->eof = true;
	lr->end += (size_t)got;
	return got > 0;
}

long wp_lines_read(struct wp_lines *lr, char *dst, size_t cap)
{
	if (lr->eof)
		return 0;
	ssize_t got = read_stream(lr, dst, cap);
	if (got == 0)
		lr->eof = true;
	if (got > 0)
		lr->base += (uint64_t)got; /* end stays 0: base is the stream offset */
	return (long)got;
}

/* buf[0, end) += p[0, n): the line assembled across segments. */
static int assemble(struct wp_lines *lr, const char *p, size_t n)
{
	if (n > lr->max_line - lr->end)
		return too_long(lr, lr->base);
	if (lr->cap - lr->end < n) {
		size_t cap = lr->cap;
		while (cap - lr->end < n)
			cap = cap * 2 > lr->max_line + 1 ? lr->max_line + 1 : cap * 2;
		char *grown = realloc(lr->buf, cap);
		if (!grown)
			return WP_E_NOMEM;
		lr->buf = grown;
		lr->cap = cap;
	}
	memcpy(lr->buf + lr->end, p, n);
	lr->end += n;
	return 0;
}

static void served(struct wp_lines *lr, const char *p, size_t n, uint64_t offset,
		   const char **line, size_t *len)
{
	*line = p;
	*len = n;
	lr->line_offset = offset;
	lr->lineno++;
}

/* wp_lines_next over lent segments: in place when the line ends in the
 * segment it starts in, else assembled in buf (start is unused: buf holds
 * the one line in progress, from stream offset base). */
static int next_in_segments(struct wp_lines *lr, const char **line, size_t *len)
{
	for (;;) {
		const char *p = lr->seg ? lr->seg + lr->seg_pos : NULL;
		size_t left = lr->seg_len - lr->seg_pos;
		const char *nl = left ? memchr(p, '\n', left) : NULL;
		size_t n = nl ? (size_t)(nl - p) : left;
		uint64_t offset = lr->seg_base + lr->seg_pos;
		if (nl && lr->end == 0) {
			if (n > lr->max_line) /* (a segment longer than the cap) */
				return too_long(lr, offset);
			lr->seg_pos += n + 1;
			served(lr, p, n && p[n - 1] == '\r' ? n - 1 : n, offset, line, len);
			return 1;
		}
		if (n && lr->end == 0)
			lr->base = offset;
		int rc = n ? assemble(lr, p, n) : 0;
		if (rc)
			return rc;
		lr->seg_pos += n;
		if (nl || (lr->eof && lr->end)) {
			lr->seg_pos += nl ? 1 : 0;
			n = lr->end;
			if (nl && n && lr->buf[n - 1] == '\r')
				n--;
			lr->end = 0; /* the bytes stay until the next call */
			served(lr, lr->buf, n, lr->base, line, len);
			return 1;
		}
		if (lr->eof)
			return 0;
		lr->seg_base += lr->seg_len;
		lr->seg_len = lr->seg_pos = 0;
		rc = lr->seg_next(lr->seg_ctx, &lr->seg, &lr->seg_len);
		if (rc < 0) {
			snprintf(lr->err, sizeof lr->err, "%s: offset %llu: the input failed", lr->name,
				 (unsigned long long)lr->seg_base);
			return WP_E_IO;
		}
		lr->eof = rc == 0;
	}
}

int wp_lines_next(struct wp_lines *lr, const char **line, size_t *len)
{
	if (lr->seg_next)
		return next_in_segments(lr, line, len);
	size_t scanned = lr->start;
	for (;;) {
		char *nl = memchr(lr->buf + scanned, '\n', lr->end - scanned);
		if (nl) {
			size_t n = (size_t)(nl - (lr->buf + lr->start));
			*line = lr->buf + lr->start;
			lr->line_offset = lr->base + lr->start;
			lr->start += n + 1;
			if (n && (*line)[n - 1] == '\r')
				n--;
			*len = n;
			lr->lineno++;
			return 1;
		}
		if (lr->eof) {
			if (lr->start == lr->end)
				return 0;
			/* Last line without a newline still counts. */
			*line = lr->buf + lr->start;
			*len = lr->end - lr->start;
			lr->line_offset = lr->base + lr->start;
			lr->start = lr->end;
			lr->lineno++;
			return 1;
		}
		size_t pending = lr->end - lr->start;
		int rc = refill(lr);
		if (rc < 0)
			return rc;
		scanned = lr->start + pending;
	}
}

void wp_lines_renumber(struct wp_lines *lr, uint64_t before)
{
	lr->lineno += before;
	if (lr->too_long)
		too_long(lr, lr->too_long_at);
}

uint64_t wp_lines_lineno(const struct wp_lines *lr) { return lr->lineno; }
uint64_t wp_lines_offset(const struct wp_lines *lr) { return lr->line_offset; }
const char *wp_lines_name(const struct wp_lines *lr) { return lr->name; }
int wp_lines_fd(const struct wp_lines *lr) { return lr->own_fd ? lr->fd : -1; }
const char *wp_lines_errmsg(const struct wp_lines *lr)
{
	if (!lr)
		return "out of memory"; /* the only way to get no reader */
	return lr->err[0] ? lr->err : "no error";
}
