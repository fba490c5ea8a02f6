/* fold_input.c - tells perf.data from perf script text by its first bytes
 * ("PERFILE2", file and pipe mode alike), also on a pipe: the bytes read
 * from standard input are put back in front of it by a feeder thread. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fold.h"

struct feeder {
	int in, out;
	char prefix[8];
	size_t n;
};

static void *feed(void *arg)
{
	struct feeder *f = arg;
	char buf[1 << 16];
	ssize_t got;
	bool ok = write(f->out, f->prefix, f->n) == (ssize_t)f->n;
	while (ok && ((got = read(f->in, buf, sizeof buf)) > 0 || (got < 0 && errno == EINTR)))
		for (ssize_t off = 0; got > 0 && off < got;) {
			ssize_t w = write(f->out, buf + off, (size_t)(got - off));
			if (w <= 0) {
				ok = false;
				break;
			}
			off += w;
		}
	close(f->out);
	close(f->in);
	free(f);
	return NULL;
}

static int peek_stdin(const char *prog, char *magic, size_t *n)
{
	*n = 0;
	while (*n < 8) {
		ssize_t got = read(0, magic + *n, 8 - *n);
		if (got == 0)
			break;
		if (got < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "%s: <stdin>: %s\n", prog, strerror(errno));
			return -1;
		}
		*n += (size_t)got;
	}
	/* A regular file: just go back. */
	if (lseek(0, 0, SEEK_SET) == 0)
		return 0;
	int p[2];
	struct feeder *f = malloc(sizeof *f);
	if (!f || pipe(p) != 0) {
		free(f);
		fprintf(stderr, "%s: <stdin>: cannot re-read the input\n", prog);
		return -1;
	}
	f->in = dup(0);
	f->out = p[1];
	memcpy(f->prefix, magic, *n);
	f->n = *n;
	dup2(p[0], 0);
	close(p[0]);
	pthread_t t;
	if (f->in < 0 || pthread_create(&t, NULL, feed, f) != 0) {
		fprintf(stderr, "%s: <stdin>: cannot re-read the input\n", prog);
		return -1;
	}
	pthread_detach(t);
	return 0;
}

int fold_input_is_perfdata(const char *prog, const char *path)
{
	char magic[8];
	size_t n = 0;
	if (!path || !strcmp(path, "-")) {
		if (peek_stdin(prog, magic, &n) < 0)
			return -1;
	} else {
		struct stat st;
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			/* perf record --threads writes a directory holding "data" */
			char data[4096];
			return snprintf(data, sizeof data, "%s/data", path) < (int)sizeof data &&
			       access(data, R_OK) == 0;
		}
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0)
			return 0; /* the text reader reports it */
		ssize_t got = read(fd, magic, sizeof magic);
		close(fd);
		n = got > 0 ? (size_t)got : 0;
	}
	return n == 8 && memcmp(magic, "PERFILE2", 8) == 0;
}
