/* test_wasmedge_aot.c - WasmEdge AOT objects recognised and named:
 * - testdata/wasmedge/compute.so (`wasmedge compile` of compute.wasm,
 *   testdata/gen/wasmedge/gen.sh): sym_wasm_aot_open() finds the four
 *   exports, wasm.code is compute.wasm byte for byte and parses (2 imports,
 *   7 defined functions, f5 = fib); other ELF files and missing files are
 *   no such object; damaged copies (wasm.size beyond wasm.code, a
 *   truncated file) never read past the bytes present.
 * - the native symbolizer marks frames inside the object (sym_frame.wasm_aot,
 *   with the same embedded module) and no others.
 * How the tools name such frames is test_aot_names.c. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gelf.h>
#include <libelf.h>

#include "check.h"
#include "symbolizer.h"
#include "wpcommon.h"

static char src[1024];

static int write_file(const char *path, const char *d, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t w = fwrite(d, 1, n, f);
	return fclose(f) == 0 && w == n ? 0 : -1;
}

/* The file offset and value of a .dynsym/.symtab symbol, and its size. */
static bool find_symbol(const char *path, const char *name, uint64_t *file_off, uint64_t *size)
{
	elf_version(EV_CURRENT);
	int fd = open(path, O_RDONLY);
	Elf *elf = fd >= 0 ? elf_begin(fd, ELF_C_READ, NULL) : NULL;
	bool found = false;
	for (Elf_Scn *scn = elf ? elf_nextscn(elf, NULL) : NULL; scn && !found;
	     scn = elf_nextscn(elf, scn)) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_DYNSYM && sh.sh_type != SHT_SYMTAB))
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && i < d->d_size / sh.sh_entsize && !found; i++) {
			GElf_Sym s;
			const char *n = gelf_getsym(d, (int)i, &s) ? elf_strptr(elf, sh.sh_link, s.st_name) : NULL;
			if (!n || strcmp(n, name))
				continue;
			size_t nph;
			elf_getphdrnum(elf, &nph);
			for (size_t k = 0; k < nph; k++) {
				GElf_Phdr p;
				if (gelf_getphdr(elf, (int)k, &p) && p.p_type == PT_LOAD &&
				    s.st_value >= p.p_vaddr && s.st_value < p.p_vaddr + p.p_memsz) {
					*file_off = s.st_value - p.p_vaddr + p.p_offset;
					*size = s.st_size;
					found = true;
				}
			}
		}
	}
	if (elf)
		elf_end(elf);
	if (fd >= 0)
		close(fd);
	return found;
}

static void test_open(void)
{
	char so[1200], wasm[1200], prog[1200];
	snprintf(so, sizeof so, "%s/testdata/wasmedge/compute.so", src);
	snprintf(wasm, sizeof wasm, "%s/testdata/wasmedge/compute.wasm", src);
	snprintf(prog, sizeof prog, "%s/testdata/dwarf-c/prog", src);
	size_t wlen;
	char *wbytes = check_slurp(wasm, &wlen);
	CHECK(wbytes != NULL);

	struct sym_wasm_aot *a;
	const char *why;
	CHECK(sym_wasm_aot_open(NULL, so, strlen(so), &a, &why) == 0);
	CHECK(a && a->code && a->size == wlen && wbytes && memcmp(a->code, wbytes, wlen) == 0);
	CHECK(a && a->version > 0);
	CHECK_STR(a ? a->path : NULL, so);
	struct sym_wasm_module *m = NULL;
	char err[300];
	CHECK(a && sym_wasm_module_parse(a->code, a->size, "embedded", &m, err, sizeof err) == 0);
	if (m) {
		CHECK(sym_wasm_imported_functions(m) == 2);
		CHECK(sym_wasm_defined_functions(m) == 7);
		size_t n;
		const char *name = sym_wasm_function_name(m, 5, &n);
		CHECK(name && n == 3 && memcmp(name, "fib", 3) == 0);
	}
	sym_wasm_module_free(m);
	sym_wasm_aot_free(a);

	/* symfs + path, and a path that is not NUL-terminated */
	char with_tail[1300];
	snprintf(with_tail, sizeof with_tail, "%s/compute.so) trailing", "/testdata/wasmedge");
	CHECK(sym_wasm_aot_open(src, with_tail, strlen("/testdata/wasmedge/compute.so"), &a, &why) == 0);
	CHECK(a && a->code);
	sym_wasm_aot_free(a);

	/* an ELF without WasmEdge's exports, a missing file, not an ELF */
	CHECK(sym_wasm_aot_open(NULL, prog, strlen(prog), &a, &why) == WP_E_NOTFOUND && !a);
	CHECK_STR(why, "not a WasmEdge AOT object");
	CHECK(sym_wasm_aot_open(NULL, "/nonexistent/x.so", 17, &a, &why) == WP_E_NOTFOUND && !a);
	CHECK(sym_wasm_aot_open(NULL, wasm, strlen(wasm), &a, &why) == WP_E_NOTFOUND && !a);
	CHECK(sym_wasm_aot_open(NULL, "", 0, &a, &why) == WP_E_NOTFOUND && !a);

	/* damaged copies: wasm.size larger than wasm.code; a truncated file */
	size_t slen;
	char *sbytes = check_slurp(so, &slen);
	uint64_t size_off, size_size, code_off, code_size;
	CHECK(sbytes && find_symbol(so, "wasm.size", &size_off, &size_size) &&
	      find_symbol(so, "wasm.code", &code_off, &code_size));
	char tmp[] = "/tmp/test_wasmedge_aot.XXXXXX";
	int fd = mkstemp(tmp);
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	if (sbytes && size_off + 4 <= slen) {
		char *bad = malloc(slen);
		memcpy(bad, sbytes, slen);
		uint32_t huge = 0x7fffffff;
		memcpy(bad + size_off, &huge, 4);
		CHECK(write_file(tmp, bad, slen) == 0);
		CHECK(sym_wasm_aot_open(NULL, tmp, strlen(tmp), &a, &why) == 0);
		CHECK(a && !a->code && a->size == 0); /* still one, without a module */
		sym_wasm_aot_free(a);
		/* cut inside wasm.code: the section's bytes are not all there */
		CHECK(write_file(tmp, sbytes, (size_t)(code_off + 16)) == 0);
		CHECK(sym_wasm_aot_open(NULL, tmp, strlen(tmp), &a, &why) != 0 || (a && !a->code));
		sym_wasm_aot_free(a);
		free(bad);
	}
	unlink(tmp);
	free(sbytes);
	free(wbytes);
}

static void test_native(void)
{
	char so[1200], prog[1200];
	snprintf(so, sizeof so, "%s/testdata/wasmedge/compute.so", src);
	snprintf(prog, sizeof prog, "%s/testdata/dwarf-c/prog", src);
	struct sym_native_options o;
	sym_native_options_init(&o);
	o.no_proc_kallsyms = true;
	struct sym_native *s = sym_native_new(&o, NULL, NULL);
	CHECK(s != NULL);
	if (!s)
		return;
	struct stat st;
	CHECK(stat(so, &st) == 0);
	struct sym_native_map m = {.pid = 7, .tid = 7, .start = 0x7f0000000000, .len = (uint64_t)st.st_size,
				   .pgoff = 0, .filename = so, .prot = 5};
	CHECK(sym_native_mmap(s, &m) == 0);
	CHECK(stat(prog, &st) == 0);
	struct sym_native_map p = {.pid = 7, .tid = 7, .start = 0x400000000, .len = (uint64_t)st.st_size,
				   .pgoff = 0, .filename = prog, .prot = 5};
	CHECK(sym_native_mmap(s, &p) == 0);
	uint64_t off, size, main_off, main_size;
	CHECK(find_symbol(so, "f5", &off, &size) && size > 2);
	CHECK(find_symbol(prog, "main", &main_off, &main_size));
	struct sym_frame f;
	CHECK(sym_native_resolve(s, 7, UINT64_MAX, 0x7f0000000000 + off + 1, false, &f) == 0);
	CHECK_STR(f.symbol, "f5");
	CHECK(f.wasm_aot && f.wasm_aot->code && f.wasm_aot->size > 8 &&
	      memcmp(f.wasm_aot->code, "\0asm", 4) == 0);
	CHECK_STR(f.wasm_aot ? f.wasm_aot->path : NULL, so);
	CHECK(sym_native_resolve(s, 7, UINT64_MAX, 0x400000000 + main_off, false, &f) == 0);
	CHECK_STR(f.symbol, "main");
	CHECK(f.wasm_aot == NULL);

	sym_native_free(s);
}

int main(void)
{
	const char *env = getenv("WASMPERF_SRC");
	snprintf(src, sizeof src, "%s", env ? env : "../..");
	test_open();
	test_native();
	return check_report();
}
