/* perfdata_source.c - bytes of one input, from a file descriptor (file,
 * pipe, stdin) or from memory, read through a bounded window so that memory
 * does not grow with the file (DESIGN.md "Performance model"). */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "perfdata_internal.h"

#define WINDOW (256u << 10)

int pd_src_open_fd(struct pd_source *s, int fd, bool own)
{
	memset(s, 0, sizeof *s);
	s->fd = fd;
	s->own_fd = own;
	s->limit = UINT64_MAX;
	struct stat st;
	s->seekable = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && lseek(fd, 0, SEEK_CUR) == 0;
	s->cap = WINDOW;
	s->buf = malloc(s->cap);
	return s->buf ? 0 : WP_E_NOMEM;
}

void pd_src_open_mem(struct pd_source *s, const void *p, size_t n)
{
	memset(s, 0, sizeof *s);
	s->fd = -1;
	s->mem = p;
	s->mem_len = n;
	s->seekable = true;
	s->limit = UINT64_MAX;
}

void pd_src_close(struct pd_source *s)
{
	if (s->own_fd && s->fd >= 0)
		close(s->fd);
	free(s->buf);
	memset(s, 0, sizeof *s);
	s->fd = -1;
}

uint64_t pd_src_size(struct pd_source *s)
{
	if (s->fd < 0)
		return s->mem_len;
	struct stat st;
	if (s->seekable && fstat(s->fd, &st) == 0)
		return (uint64_t)st.st_size;
	return UINT64_MAX;
}

/* One read (off >= 0: pread at off), retried on EINTR; < 0 with s->err set
 * on an error, 0 at the end of the file. */
static ssize_t read_some(struct pd_source *s, void *dst, size_t n, off_t off)
{
	for (;;) {
		ssize_t r = off >= 0 ? pread(s->fd, dst, n, off) : read(s->fd, dst, n);
		if (r >= 0 || errno != EINTR) {
			if (r < 0)
				s->err = errno;
			return r;
		}
	}
}

int pd_src_pread(struct pd_source *s, uint64_t off, void *dst, size_t n)
{
	if (s->fd < 0) {
		if (off > s->mem_len || n > s->mem_len - off)
			return WP_E_TRUNCATED;
		memcpy(dst, s->mem + off, n);
		return 0;
	}
	if (!s->seekable)
		return WP_E_UNSUPPORTED;
	size_t got = 0;
	while (got < n) {
		ssize_t r = read_some(s, (char *)dst + got, n - got, (off_t)(off + got));
		if (r < 0)
			return WP_E_IO;
		if (r == 0)
			return WP_E_TRUNCATED;
		got += (size_t)r;
	}
	return 0;
}

int pd_src_seek(struct pd_source *s, uint64_t off)
{
	if (s->fd < 0) {
		s->pos = off;
		return 0;
	}
	if (off >= s->pos && off - s->pos <= s->end - s->start) {
		s->start += off - s->pos;
		s->pos = off;
		return 0;
	}
	if (s->seekable) {
		if (lseek(s->fd, (off_t)off, SEEK_SET) < 0) {
			s->err = errno;
			return WP_E_IO;
		}
		s->start = s->end = 0;
		s->pos = off;
		s->eof = false;
		return 0;
	}
	if (off < s->pos)
		return WP_E_UNSUPPORTED;
	return pd_src_skip(s, off - s->pos);
}

/* Reads more into the window; 0 at EOF. */
static int64_t fill(struct pd_source *s, size_t want)
{
	if (s->start > 0 && (s->cap - s->end < want || s->start == s->end)) {
		memmove(s->buf, s->buf + s->start, s->end - s->start);
		s->end -= s->start;
		s->start = 0;
	}
	if (s->cap - s->end < want) {
		/* Grow at most twofold per read: memory follows the bytes that
		 * actually arrive, not a size field that promises more. */
		size_t ncap = s->cap * 2;
		uint8_t *nb = realloc(s->buf, ncap);
		if (!nb)
			return WP_E_NOMEM;
		s->buf = nb;
		s->cap = ncap;
	}
	ssize_t r = read_some(s, s->buf + s->end, s->cap - s->end, -1);
	if (r < 0)
		return WP_E_IO;
	if (r == 0)
		s->eof = true;
	s->end += (size_t)r;
	return r;
}

int64_t pd_src_peek(struct pd_source *s, size_t n, const uint8_t **p)
{
	uint64_t room = s->limit > s->pos ? s->limit - s->pos : 0;
	if (n > room)
		n = (size_t)room;
	if (s->fd < 0) {
		uint64_t have = s->pos < s->mem_len ? s->mem_len - s->pos : 0;
		*p = s->mem + (s->pos < s->mem_len ? s->pos : s->mem_len);
		return (int64_t)(have < n ? have : n);
	}
	if (n > PD_MAX_TRACING)
		return WP_E_TOOBIG;
	while (s->end - s->start < n && !s->eof) {
		int64_t r = fill(s, n - (s->end - s->start));
		if (r < 0)
			return r;
	}
	*p = s->buf + s->start;
	size_t have = s->end - s->start;
	return (int64_t)(have < n ? have : n);
}

void pd_src_consume(struct pd_source *s, size_t n)
{
	s->pos += n;
	if (s->fd >= 0)
		s->start += n;
}

int pd_src_skip(struct pd_source *s, uint64_t n)
{
	if (s->fd < 0) {
		s->pos += n;
		return 0;
	}
	uint64_t inwin = s->end - s->start;
	if (n <= inwin) {
		pd_src_consume(s, (size_t)n);
		return 0;
	}
	s->pos += inwin;
	n -= inwin;
	s->start = s->end = 0;
	if (s->seekable) {
		if (lseek(s->fd, (off_t)(s->pos + n), SEEK_SET) < 0) {
			s->err = errno;
			return WP_E_IO;
		}
		s->pos += n;
		return 0;
	}
	while (n > 0) {
		size_t chunk = n < s->cap ? (size_t)n : s->cap;
		ssize_t r = read(s->fd, s->buf, chunk);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			s->err = errno;
			return WP_E_IO;
		}
		if (r == 0) {
			s->eof = true;
			return WP_E_TRUNCATED;
		}
		s->pos += (uint64_t)r;
		n -= (uint64_t)r;
	}
	return 0;
}
