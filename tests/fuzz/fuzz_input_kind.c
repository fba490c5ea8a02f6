/* fuzz_input_kind.c - bytes as a file through input_sniff() (tools/
 * input_kind.c, the content sniffing every tool applies to its inputs,
 * gzip looked into): it must not crash, leak or read past the bytes, and
 * must answer one of the kinds, with a description of a binary input that
 * is a NUL-terminated string inside its buffer. Links wptools. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "input.h"
#include "fuzz_memfd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = fuzz_memfd("fuzz.input", data, size);
	if (fd < 0)
		return 0;
	char path[64], what[128];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	memset(what, 0x55, sizeof what);
	what[0] = '\0';
	enum input_kind k = input_sniff("fuzz", path, what, sizeof what);
	if ((unsigned)k > INPUT_BINARY || !input_kind_name(k) || !memchr(what, '\0', sizeof what))
		__builtin_trap();
	close(fd);
	return 0;
}
