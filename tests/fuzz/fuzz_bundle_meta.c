/* fuzz_bundle_meta.c - bytes through a bundle's meta.json reader
 * (tools/bundle_meta.c on tools/json_read.c): nothing may crash, leak or
 * recurse without bound; an error always names an offset inside the input,
 * and what was read is consistent (module names are plain file names,
 * pids non-negative). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bundle_meta m;
	char err[256];
	int rc = bundle_meta_parse((const char *)data, size, &m, err, sizeof err);
	if (rc) {
		unsigned long long off;
		if (strncmp(err, "out of memory", 13) != 0 &&
		    (sscanf(err, "offset 0x%llx:", &off) != 1 || off > size))
			__builtin_trap();
	} else {
		for (size_t i = 0; i < m.nmodules; i++)
			if (!m.modules[i][0] || strchr(m.modules[i], '/'))
				__builtin_trap();
		for (size_t i = 0; i < m.npids; i++)
			if (m.pids[i] < 0)
				__builtin_trap();
	}
	bundle_meta_release(&m);
	return 0;
}
