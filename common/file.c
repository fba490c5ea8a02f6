/* file.c - a whole small file in memory (perf maps, kallsyms, modules),
 * read through a bounded buffer: regular files only, so a path taken from
 * the input cannot block on a FIFO or read a device forever. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wpcommon.h"

/* Reads the rest of fd into buf (cap bytes, growing up to max + 1 so that
 * one byte past max tells a file that is too large). */
static int read_all(int fd, size_t max, char **buf, size_t *cap, size_t *n)
{
	for (;;) {
		if (*n == *cap) {
			if (*cap > max)
				return WP_E_TOOBIG;
			size_t ncap = *cap * 2 > max + 1 ? max + 1 : *cap * 2;
			char *nb = realloc(*buf, ncap + 1);
			if (!nb)
				return WP_E_NOMEM;
			*buf = nb;
			*cap = ncap;
		}
		ssize_t r = read(fd, *buf + *n, *cap - *n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return WP_E_IO;
		if (r == 0)
			return *n > max ? WP_E_TOOBIG : 0;
		*n += (size_t)r;
	}
}

int wp_read_file(const char *path, size_t max, char **data, size_t *len)
{
	*data = NULL;
	*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? WP_E_NOTFOUND : WP_E_IO;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return WP_E_NOTFOUND;
	}
	/* over the cap: refused before reading a byte (a file that grows
	 * while it is read is still stopped at max + 1 bytes) */
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return WP_E_TOOBIG;
	}
	size_t cap = st.st_size > 0 && (uint64_t)st.st_size <= max ? (size_t)st.st_size + 1 : 65536;
	size_t n = 0;
	char *buf = malloc(cap + 1);
	int rc = buf ? read_all(fd, max, &buf, &cap, &n) : WP_E_NOMEM;
	int saved = errno;
	close(fd);
	if (rc) {
		free(buf);
		errno = saved;
		return rc;
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}
