/* fuzz_native_elf.c - the native symbolizer's reading of an ELF file's
 * symbols (native_elf.c): the tables kept as perf keeps them, names in the
 * string table's pages (mapped) and demangled at first use, perf's tree built
 * only where symbols nest (native_symtab.c). The first byte's low bit
 * turns demangling on; the rest is the file (given through a memfd).
 * Every symbol the file's tables hold is then looked up at its start, one
 * before, its middle and its end: an answer must hold the address, its
 * name must be readable after native_elf_demangle(), and asking whether
 * the file defines a name must not fail. gen_corpus_native_elf.sh made
 * the seeds. */
#include <gelf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "native_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

static void look_up(struct native_elf *e, uint64_t addr)
{
	uint64_t at;
	const struct native_sym *s = native_elf_lookup(e, addr, &at);
	if (!s)
		return;
	if (at < s->start || (at >= s->end && at != s->start))
		abort(); /* an answer that does not hold the address */
	if (native_elf_demangle(e, s) == 0)
		sink += strlen(s->name);
}

/* Every symbol of the file's tables, as libelf reads them. */
static void ask_symbols(struct native_elf *e, int fd)
{
	elf_version(EV_CURRENT);
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	for (Elf_Scn *scn = elf ? elf_nextscn(elf, NULL) : NULL; scn; scn = elf_nextscn(elf, scn)) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) ||
		    sh.sh_entsize == 0)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		size_t n = d ? d->d_size / sh.sh_entsize : 0;
		for (size_t i = 0; i < n && i < 4096; i++) {
			GElf_Sym sym;
			if (!gelf_getsym(d, (int)i, &sym))
				continue;
			look_up(e, sym.st_value);
			look_up(e, sym.st_value - 1);
			look_up(e, sym.st_value + sym.st_size / 2);
			look_up(e, sym.st_value + sym.st_size);
			const char *name = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (name && i % 8 == 0 && native_elf_defines(e, name, true) < 0)
				abort(); /* only out of memory may fail */
		}
	}
	elf_end(elf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	bool demangle = data[0] & 1;
	int fd = memfd_create("fuzz_native_elf", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data + 1, size - 1) != (ssize_t)(size - 1)) {
		close(fd);
		return 0;
	}
	char path[64], found[2 * NATIVE_MAX_BUILD_ID + 1];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	/* no build-id directory: only the file itself is a candidate */
	struct sym_native_paths p = {.symfs = NULL, .buildid_dir = "/nonexistent-wasmperf-fuzz"};
	struct wp_intern *names = wp_intern_new();
	const char *why;
	struct native_elf *e = names ? native_elf_load(&p, path, NULL, 0, names, demangle, &why, found) : NULL;
	if (e) {
		ask_symbols(e, fd);
		native_elf_free(e);
	}
	wp_intern_free(names);
	close(fd);
	return 0;
}
