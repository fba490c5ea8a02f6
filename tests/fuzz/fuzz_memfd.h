/* fuzz_memfd.h - the input as a file for harnesses whose code reads a
 * path (/proc/self/fd/N) or a descriptor: a memfd holding the bytes. */
#ifndef WASMPERF_FUZZ_MEMFD_H
#define WASMPERF_FUZZ_MEMFD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

/* A memfd named `name` holding data[0, size), or -1. */
static inline int fuzz_memfd(const char *name, const uint8_t *data, size_t size)
{
	int fd = memfd_create(name, 0);
	for (size_t done = 0; fd >= 0 && done < size;) {
		ssize_t n = write(fd, data + done, size - done);
		if (n <= 0) {
			close(fd);
			return -1;
		}
		done += (size_t)n;
	}
	return fd;
}

#endif
