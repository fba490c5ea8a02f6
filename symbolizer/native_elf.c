/* native_elf.c - the symbols of one recorded file as perf 6.1 loads them
 * (dso__load() and dso__load_sym() in tools/perf/util/symbol{,-elf}.c):
 *
 * - Candidates (native_buildid.c) must carry the build-id the recording
 *   gave, or, when it gave none, the one of symfs+path (perf reads it
 *   first); a candidate without a build-id is then rejected too.
 * - The first candidate with a .symtab gives the symbols; without one, the
 *   .dynsym of the first candidate that has one. perf 6.1 reads one table
 *   only (newer perf also adds .dynsym to .symtab).
 * - Kept: STT_FUNC/STT_GNU_IFUNC and STT_OBJECT symbols with a name and a
 *   section, and STT_NOTYPE labels (not hidden/internal) in a section whose
 *   name contains "text"; never SHN_ABS, never in a section without
 *   SHF_ALLOC. Names are demangled with cplus_demangle(name, 0), which
 *   prints C++ without parameter lists, as `perf script` does here.
 * - Symbol values become file offsets through the PT_LOAD that contains
 *   them (else their section's sh_addr - sh_offset), perf's
 *   adjust_symbols; lookups then take map-relative file offsets
 *   (ip - map start + pgoff), perf's map__map_ip().
 * - When that gave at least one symbol, the NAME@plt symbols of the
 *   runtime image (native_plt.c) join perf's tree after its fix-ups.
 * Everything comes from libelf, which checks sizes against the file; every
 * index used here is checked again. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gelf.h>
#include <libelf.h>
#include <libiberty/demangle.h>

#include "demangle.h"
#include "elf_file.h"
#include "native_internal.h"
#include "wasm_aot.h"

#define MAX_PHDRS 256

struct native_elf {
	struct native_symtab syms;
	struct native_symtab plt; /* NAME@plt entries in insertion order, in syms' tree */
	struct sym_wasm_aot *aot; /* a WasmEdge AOT object: its embedded module */
	/* native_elf_defines(): the kept symbols' names, sorted, made at the
	 * first question (most files are never asked) */
	const char **by_name;
	size_t nby_name;
	const char *strings;  /* the string table, where names point (keep_strings) */
	void *strings_map;    /* the file's pages it lies in, mapped, or NULL */
	size_t strings_map_len;
	char *strings_copy;   /* else a copy, or NULL */
	bool has_wasm_code;   /* a symbol is named wasm.code */
};

struct pick {
	const uint8_t *want;   /* build-id every candidate must carry, or NULL */
	size_t want_len;
	struct sym_elf_raw syms, runtime; /* .elf NULL until found */
	bool saw_mismatch;
	bool runtime_is_syms;
};

static bool has_section_type(Elf *elf, Elf64_Word type)
{
	for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
		GElf_Shdr sh;
		if (gelf_getshdr(scn, &sh) && sh.sh_type == type && sh.sh_entsize > 0 &&
		    sh.sh_size >= sh.sh_entsize)
			return true;
	}
	return false;
}

static bool id_matches(struct pick *k, Elf *elf)
{
	if (!k->want)
		return true;
	unsigned char id[SYM_ELF_MAX_BUILD_ID];
	size_t n = sym_elf_build_id(elf, id);
	if (n > NATIVE_MAX_BUILD_ID)
		n = NATIVE_MAX_BUILD_ID;
	if (n == k->want_len && memcmp(id, k->want, n) == 0)
		return true;
	k->saw_mismatch = true;
	return false;
}

static bool take_candidate(void *ctx, const char *path, bool debug_only)
{
	struct pick *k = ctx;
	struct sym_elf_raw h;
	const char *why;
	if (sym_elf_raw_open(&h, path, &why) != 0)
		return false;
	GElf_Ehdr eh;
	bool keep = false;
	size_t nph;
	if (gelf_getehdr(h.elf, &eh) && id_matches(k, h.elf)) {
		/* the runtime image: its PT_LOADs are true (a debug file's
		 * may have other offsets) */
		bool runtime = !debug_only && elf_getphdrnum(h.elf, &nph) == 0 && nph > 0;
		if (!k->syms.elf && has_section_type(h.elf, SHT_SYMTAB)) {
			k->syms = h;
			keep = true;
			if (runtime && !k->runtime.elf) {
				k->runtime_is_syms = true;
				return true;
			}
		} else if (!k->runtime.elf && runtime) {
			k->runtime = h;
			keep = true;
		}
	}
	if (!keep)
		sym_elf_raw_close(&h);
	return k->syms.elf && (k->runtime.elf || k->runtime_is_syms);
}

struct phdrs {
	GElf_Phdr v[MAX_PHDRS];
	size_t n;
};

static void read_phdrs(Elf *elf, struct phdrs *ph)
{
	size_t n;
	ph->n = 0;
	if (elf_getphdrnum(elf, &n) != 0)
		return;
	for (size_t i = 0; i < n && ph->n < MAX_PHDRS; i++) {
		GElf_Phdr p;
		if (gelf_getphdr(elf, (int)i, &p) && p.p_type == PT_LOAD)
			ph->v[ph->n++] = p;
	}
}

/* elf_read_program_header(): the PT_LOAD whose [p_vaddr, p_vaddr+p_memsz)
 * holds the symbol. */
static const GElf_Phdr *phdr_for(const struct phdrs *ph, uint64_t vaddr)
{
	for (size_t i = 0; i < ph->n; i++)
		if (vaddr >= ph->v[i].p_vaddr && vaddr - ph->v[i].p_vaddr < ph->v[i].p_memsz)
			return &ph->v[i];
	return NULL;
}

struct table_load {
	struct native_elf *e;
	Elf *elf;
	size_t shstrndx;
	struct phdrs ph;
	struct wp_intern *names; /* names not in the string table go here */
	bool demangle;
	const char *strings;  /* libelf's bytes of the string table, or NULL */
	size_t strings_size;
};

/* The string table, where e's names point for as long as e lives: its
 * pages of the file mapped again, not copied (node's 7.5 MB table copied
 * was 1,900 fresh pages, a quarter of its load on a VM where each costs
 * 13 us, and most of its names are never read again). The range was
 * checked against the file's size; a file cut short while it is mapped
 * would end the run with SIGBUS at the next read of a name, as it would
 * libdw's unwinding from it. A copy when the bytes are not the file's as
 * they are, or when it cannot be mapped. */
static void keep_strings(struct native_elf *e, int fd, const struct table_load *t,
			 uint64_t offset)
{
	struct stat st;
	long page = sysconf(_SC_PAGESIZE);
	size_t size = t->strings_size;
	if (offset != UINT64_MAX && fd >= 0 && page > 0 && fstat(fd, &st) == 0 &&
	    (uint64_t)st.st_size >= offset && size <= (uint64_t)st.st_size - offset) {
		uint64_t base = offset - offset % (uint64_t)page;
		size_t len = size + (size_t)(offset - base);
		void *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, (off_t)base);
		if (m != MAP_FAILED) {
			e->strings_map = m;
			e->strings_map_len = len;
			e->strings = (const char *)m + (offset - base);
			return;
		}
	}
	if ((e->strings_copy = malloc(size)) != NULL) {
		memcpy(e->strings_copy, t->strings, size);
		e->strings = e->strings_copy;
	}
}

/* A kept symbol into e's table, its name where e keeps the string table
 * (interned when it lies elsewhere). With demangle names are demangled at
 * first use (native_symtab.lazy). */
static int add_symbol(const struct table_load *t, uint64_t value, uint64_t size, uint8_t bind,
		      uint8_t type, const char *name)
{
	struct native_elf *e = t->e;
	uintptr_t at = (uintptr_t)name, lo = (uintptr_t)t->strings;
	/* in the kept table only when it ends there too: a hostile file's
	 * second table may name strings of a section that overlaps */
	if (e->strings && at >= lo && at - lo < t->strings_size &&
	    memchr(name, '\0', t->strings_size - (at - lo))) {
		name = e->strings + (at - lo);
	} else {
		uint32_t id;
		int interned = wp_intern_get(t->names, name, strlen(name), &id);
		if (interned != 0)
			return interned;
		name = wp_intern_str(t->names, id, NULL);
	}
	if (strcmp(name, "wasm.code") == 0)
		e->has_wasm_code = true;
	int rc = native_symtab_add(&e->syms, value, size, bind, type, name, 0);
	if (!rc)
		e->syms.v[e->syms.n - 1].mangled = t->demangle;
	return rc;
}

/* One symbol of a table, kept as perf keeps it (functions, objects, and
 * global labels in text sections), at its file offset. */
static int load_symbol(void *ctx, const GElf_Sym *sym, const char *name)
{
	struct table_load *t = ctx;
	int type = GELF_ST_TYPE(sym->st_info);
	int vis = GELF_ST_VISIBILITY(sym->st_other);
	bool is_label = type == STT_NOTYPE && sym->st_shndx != SHN_UNDEF && sym->st_shndx != SHN_ABS &&
			vis != STV_HIDDEN && vis != STV_INTERNAL;
	bool keep = (type == STT_FUNC || type == STT_GNU_IFUNC || type == STT_OBJECT) &&
		    sym->st_shndx != SHN_UNDEF;
	if ((!is_label && !keep) || sym->st_shndx == SHN_ABS || sym->st_shndx >= SHN_LORESERVE)
		return 0;
	Elf_Scn *ss = elf_getscn(t->elf, sym->st_shndx);
	GElf_Shdr ssh;
	if (!ss || !gelf_getshdr(ss, &ssh) || !(ssh.sh_flags & SHF_ALLOC))
		return 0;
	if (is_label) {
		const char *sn = elf_strptr(t->elf, t->shstrndx, ssh.sh_name);
		if (!sn || !strstr(sn, "text"))
			return 0;
	}
	uint64_t value = sym->st_value;
	const GElf_Phdr *p = phdr_for(&t->ph, value);
	if (p)
		value -= p->p_vaddr - p->p_offset;
	else if (ssh.sh_type != SHT_NOBITS)
		value -= ssh.sh_addr - ssh.sh_offset;
	return add_symbol(t, value, sym->st_size, (uint8_t)GELF_ST_BIND(sym->st_info),
			  (uint8_t)type, name);
}

/* The kept symbols in table order, each added as it is read (no copy of
 * the table between: on node that was 3.4 MB more of fresh pages), names
 * as the ELF spells them. */
static int load_table(struct native_elf *e, Elf *elf, int fd, Elf *runtime, Elf64_Word type,
		      struct wp_intern *names, bool demangle)
{
	struct table_load t = {.e = e, .elf = elf, .names = names, .demangle = demangle};
	if (elf_getshdrstrndx(elf, &t.shstrndx) != 0)
		return 0;
	read_phdrs(runtime ? runtime : elf, &t.ph);
	uint64_t offset;
	t.strings = sym_elf_symbol_strings(elf, type, &t.strings_size, &offset);
	if (t.strings && !e->strings)
		keep_strings(e, fd, &t, offset);
	e->syms.lazy = demangle ? names : NULL;
	native_symtab_reserve(&e->syms, sym_elf_symbol_count(elf, type));
	return sym_elf_foreach_symbol(elf, type, load_symbol, &t);
}

struct native_elf *native_elf_load(const struct sym_native_paths *p, const char *path,
				   const uint8_t *id, size_t id_len, struct wp_intern *names,
				   bool demangle, const char **why, char *found_id_hex)
{
	struct native_elf *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	*why = NULL;
	found_id_hex[0] = '\0';
	struct pick k = {.want = id_len ? id : NULL, .want_len = id_len};
	k.syms.fd = k.runtime.fd = -1;
	/* symfs+path: its build-id stands in for a missing recorded one, and
	 * its .gnu_debuglink names the first candidate. */
	char real[4096];
	struct sym_elf_raw main = {-1, NULL};
	const char *open_why = "no such file";
	unsigned char main_id[SYM_ELF_MAX_BUILD_ID];
	size_t main_id_len = 0;
	bool main_opened = false;
	if (path[0] != '[' &&
	    snprintf(real, sizeof real, "%s%s", p->symfs ? p->symfs : "", path) < (int)sizeof real &&
	    sym_elf_raw_open(&main, real, &open_why) == 0) {
		main_opened = true;
		main_id_len = sym_elf_build_id(main.elf, main_id);
		if (main_id_len > NATIVE_MAX_BUILD_ID)
			main_id_len = NATIVE_MAX_BUILD_ID;
		native_hex(main_id, main_id_len, found_id_hex);
		if (!k.want && main_id_len) {
			k.want = main_id;
			k.want_len = main_id_len;
		}
	}
	native_candidates(p, path, k.want, k.want_len, main.elf, take_candidate, &k);
	sym_elf_raw_close(&main);

	int rc = 0;
	if (k.syms.elf)
		rc = load_table(e, k.syms.elf, k.syms.fd, k.runtime.elf, SHT_SYMTAB, names, demangle);
	else if (k.runtime.elf && has_section_type(k.runtime.elf, SHT_DYNSYM))
		rc = load_table(e, k.runtime.elf, k.runtime.fd, NULL, SHT_DYNSYM, names, demangle);
	else if (k.saw_mismatch)
		*why = "build-id mismatch";
	else if (path[0] == '[')
		*why = "not in the build-id cache";
	else if (!main_opened)
		*why = open_why;
	else
		*why = "no symbol table";
	/* dso__load(): PLT symbols only when dso__load_sym() gave some, from
	 * runtime_ss, which is syms_ss when no candidate had a .dynsym
	 * ("hope for the best") */
	Elf *runtime = k.runtime.elf ? k.runtime.elf : k.syms.elf;
	if (rc == 0 && e->syms.n > 0 && runtime)
		rc = native_plt_load(&e->plt, runtime, names, demangle);
	/* WasmEdge AOT objects (wasm_aot.c) export wasm.code: files are only
	 * scanned for the others once some table had that name */
	if (rc == 0 && e->syms.n > 0 && e->has_wasm_code) {
		int arc = wasm_aot_from_elf(k.syms.elf ? k.syms.elf : k.runtime.elf, k.runtime.elf,
					    path, &e->aot);
		if (arc == WP_E_NOMEM)
			rc = arc;
	}
	sym_elf_raw_close(&k.syms);
	sym_elf_raw_close(&k.runtime);
	if (rc != 0) {
		native_elf_free(e);
		return NULL;
	}
	native_symtab_finish(&e->syms, false);
	/* perf inserts them into the same tree after the fix-ups, which
	 * they escape (no end stretched, no duplicate dropped) */
	if (native_symtab_tree_add(&e->syms, &e->plt) != 0) {
		native_elf_free(e);
		return NULL;
	}
	return e;
}

void native_elf_free(struct native_elf *e)
{
	if (!e)
		return;
	free(e->by_name);
	native_symtab_release(&e->syms);
	if (e->strings_map)
		munmap(e->strings_map, e->strings_map_len);
	free(e->strings_copy);
	native_symtab_release(&e->plt);
	sym_wasm_aot_free(e->aot);
	free(e);
}

const struct native_sym *native_elf_lookup(struct native_elf *e, uint64_t file_off, uint64_t *addr)
{
	*addr = file_off;
	return native_symtab_find(&e->syms, file_off); /* the PLT entries are its extra */
}

int native_elf_demangle(struct native_elf *e, const struct native_sym *s)
{
	return native_symtab_demangle(&e->syms, s);
}

size_t native_elf_symbols(const struct native_elf *e)
{
	return e->syms.n;
}

const struct sym_wasm_aot *native_elf_wasm_aot(const struct native_elf *e)
{
	return e->aot;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Whether a kept symbol is named name (as loaded: demangled, or as the
 * ELF spells it when it does not demangle); the index, names sorted, is
 * made at the first question (most files are never asked). */
static int elf_has_name(struct native_elf *e, const char *name)
{
	if (!e->by_name && e->syms.n) {
		for (size_t i = 0; i < e->syms.n; i++) {
			int rc = native_symtab_demangle(&e->syms, &e->syms.v[i]);
			if (rc)
				return rc;
		}
		e->by_name = malloc(e->syms.n * sizeof *e->by_name);
		if (!e->by_name)
			return WP_E_NOMEM;
		for (size_t i = 0; i < e->syms.n; i++)
			e->by_name[i] = e->syms.v[i].name;
		e->nby_name = e->syms.n;
		qsort(e->by_name, e->nby_name, sizeof *e->by_name, cmp_name);
	}
	return e->nby_name && bsearch(&name, e->by_name, e->nby_name, sizeof *e->by_name, cmp_name) != NULL;
}

int native_elf_defines(struct native_elf *e, const char *name, bool demangle)
{
	int rc = elf_has_name(e, name);
	if (rc)
		return rc;
	/* a mangled name asked for is kept demangled, as lookups print it */
	char *dm = demangle ? sym_cplus_demangle(name, DMGL_NO_OPTS) : NULL;
	rc = dm ? elf_has_name(e, dm) : 0;
	free(dm);
	return rc;
}
