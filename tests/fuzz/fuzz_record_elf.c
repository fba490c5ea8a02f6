/* fuzz_record_elf.c - bytes as the runtime binary wasmperf record reads
 * (tools/record_elf.c, on libelf): its function symbols, the file offset of
 * each, its dynamic section (DT_NEEDED, DT_RUNPATH, DT_RPATH: how its
 * libraries are found), build-id. Nothing may crash or read outside the
 * file (the strings are touched, for ASan to see). The bytes go through a memfd, as
 * the reader takes a path. Corpus: a small executable and shared library
 * built from testdata/record-dry-run/wasmedge_stub.c (cc -Os -s; the
 * executable with -Wl,-rpath,'$ORIGIN/../lib'). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_function(void *ctx, const char *name, uint64_t addr, bool global)
{
	uint64_t off;
	(void)global;
	if (!name[0])
		__builtin_trap(); /* empty names are skipped */
	(void)record_elf_file_offset(ctx, addr, &off);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz_record_elf", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	if (write(fd, data, size) == (ssize_t)size) {
		const char *why;
		struct record_elf *e = record_elf_open(path, &why);
		if (e) {
			record_elf_functions(e, on_function, e);
			struct record_dynamic d;
			if (record_elf_dynamic(e, &d) == 0) {
				for (size_t i = 0; i < d.nneeded; i++)
					(void)strlen(d.needed[i]);
				(void)strlen(d.runpath);
				(void)strlen(d.rpath);
			}
			char id[41];
			record_elf_build_id(e, id);
			if (strlen(id) > 40 || !record_elf_same_machine(e, e))
				__builtin_trap();
			(void)record_elf_has_function(e, "WasmEdge_Driver_UniTool");
			record_elf_close(e);
		} else if (!why || !why[0]) {
			__builtin_trap();
		}
	}
	close(fd);
	return 0;
}
