/* wasm_aot.c - WasmEdge AOT objects: the shared objects `wasmedge compile
 * m.wasm m.so` writes (lib/llvm/codegen.cpp, WasmEdge 0.14-0.17). Their
 * code functions are exported as f<FI> (imports counted: imported
 * functions get internal thunks f0..f(k-1)), per-type wrappers as t<N>,
 * and beside them `version` (u32), `intrinsics` (the runtime's table
 * pointer), `wasm.code` (the module's own bytes, name section included)
 * and `wasm.size` (u32, its length). WasmEdge's loader reads exactly those
 * four (include/loader/shared_library.h), and so does this file: an ELF
 * defining all four is a WasmEdge AOT object, and its wasm.code is the
 * module to name its f<N> with.
 *
 * The file is untrusted: every symbol value and size is checked against the
 * section that holds it and the bytes libelf has for that section. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gelf.h>

#include "elf_file.h"
#include "wasm_aot.h"

#define MAX_CODE_BYTES (1u << 30) /* as the Wasm module reader */

enum { M_VERSION, M_INTRINSICS, M_CODE, M_SIZE, M_COUNT };
static const char *const marker_names[M_COUNT] = {"version", "intrinsics", "wasm.code",
						  "wasm.size"};

struct markers {
	bool seen[M_COUNT];
	GElf_Sym sym[M_COUNT];
};

static int scan_symbol(void *ctx, const GElf_Sym *s, const char *name)
{
	struct markers *m = ctx;
	if (s->st_shndx == SHN_UNDEF || s->st_shndx >= SHN_LORESERVE ||
	    (name[0] != 'v' && name[0] != 'i' && name[0] != 'w'))
		return 0;
	for (int k = 0; k < M_COUNT; k++)
		if (!m->seen[k] && strcmp(name, marker_names[k]) == 0) {
			m->seen[k] = true;
			m->sym[k] = *s;
		}
	return 0;
}

static void scan_table(Elf *elf, Elf64_Word type, struct markers *m)
{
	sym_elf_foreach_symbol(elf, type, scan_symbol, m);
}

/* The bytes at [vaddr, vaddr + len) of an allocated section with file
 * contents, or NULL. */
static const uint8_t *bytes_at(Elf *elf, uint64_t vaddr, uint64_t len)
{
	if (!elf)
		return NULL;
	for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS || !(sh.sh_flags & SHF_ALLOC) ||
		    vaddr < sh.sh_addr || vaddr - sh.sh_addr > sh.sh_size ||
		    len > sh.sh_size - (vaddr - sh.sh_addr))
			continue;
		Elf_Data *d = elf_rawdata(scn, NULL);
		uint64_t off = vaddr - sh.sh_addr;
		if (!d || !d->d_buf || off > d->d_size || len > d->d_size - off)
			continue;
		return (const uint8_t *)d->d_buf + off;
	}
	return NULL;
}

static bool read_u32(Elf *elf, const GElf_Sym *s, uint32_t *v)
{
	const uint8_t *p = bytes_at(elf, s->st_value, 4);
	if (!p)
		return false;
	bool big = elf_getident(elf, NULL) && elf_getident(elf, NULL)[EI_DATA] == ELFDATA2MSB;
	*v = big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
		 : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
	return true;
}

int wasm_aot_from_elf(Elf *syms, Elf *data, const char *path, struct sym_wasm_aot **out)
{
	*out = NULL;
	struct markers m = {0};
	if (!syms)
		return WP_E_NOTFOUND;
	scan_table(syms, SHT_SYMTAB, &m);
	scan_table(syms, SHT_DYNSYM, &m);
	for (int k = 0; k < M_COUNT; k++)
		if (!m.seen[k])
			return WP_E_NOTFOUND;
	/* wasm.size says how long wasm.code is; a sized wasm.code bounds it */
	uint32_t size = 0, version = 0;
	Elf *src = data;
	if (!read_u32(src, &m.sym[M_SIZE], &size))
		src = syms;
	bool have_size = read_u32(src, &m.sym[M_SIZE], &size);
	const uint8_t *code = NULL;
	if (have_size && size > 0 && size <= MAX_CODE_BYTES &&
	    (m.sym[M_CODE].st_size == 0 || size <= m.sym[M_CODE].st_size))
		code = bytes_at(src, m.sym[M_CODE].st_value, size);
	read_u32(src, &m.sym[M_VERSION], &version);
	size_t plen = strlen(path);
	struct sym_wasm_aot *a = calloc(1, sizeof *a + plen + 1 + (code ? size : 0));
	if (!a)
		return WP_E_NOMEM;
	char *p = (char *)(a + 1);
	memcpy(p, path, plen + 1);
	a->path = p;
	a->version = version;
	if (code) {
		uint8_t *c = (uint8_t *)p + plen + 1;
		memcpy(c, code, size);
		a->code = c;
		a->size = size;
	}
	*out = a;
	return 0;
}

int sym_wasm_aot_open(const char *symfs, const char *path, size_t path_len,
		      struct sym_wasm_aot **out, const char **why)
{
	*out = NULL;
	*why = "not a WasmEdge AOT object";
	char name[4096], real[4096];
	if (path_len == 0 || path_len >= sizeof name || memchr(path, '\0', path_len))
		return WP_E_NOTFOUND;
	memcpy(name, path, path_len);
	name[path_len] = '\0';
	if (snprintf(real, sizeof real, "%s%s", symfs ? symfs : "", name) >= (int)sizeof real)
		return WP_E_NOTFOUND;
	elf_version(EV_CURRENT); /* idempotent, as sym_native_new() does */
	struct sym_elf_raw h;
	int rc = sym_elf_raw_open(&h, real, why);
	if (rc)
		return WP_E_NOTFOUND;
	rc = wasm_aot_from_elf(h.elf, h.elf, name, out);
	sym_elf_raw_close(&h);
	if (rc == WP_E_NOTFOUND)
		*why = "not a WasmEdge AOT object";
	return rc;
}

void sym_wasm_aot_free(struct sym_wasm_aot *a)
{
	free(a);
}
