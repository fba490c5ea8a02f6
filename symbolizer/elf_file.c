/* elf_file.c - open a module named by untrusted text as an ELF file, find
 * its DWARF (in the file, or in a debug file by build-id or
 * .gnu_debuglink, the search gdb documents in "Separate Debug Files"), and
 * look its symbols up by name. Every open is of a regular file only (no
 * FIFO, device or directory) and every size comes from libelf, which checks
 * it against the file. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gelf.h>
#include <libelf.h>
#include <libiberty/demangle.h>

#include "demangle.h"
#include "elf_file.h"
#include "wpcommon.h"

#define DEBUG_ROOT "/usr/lib/debug"
#define MAX_BUILD_ID SYM_ELF_MAX_BUILD_ID
#define MAX_LOADS 64


struct load_range {
	uint64_t start, end;
};

struct sym_elf {
	struct sym_elf_raw main, debug; /* debug.elf NULL: no separate debug file */
	Dwarf *dwarf;
	char *dwarf_path;
	bool is_exec;
	struct load_range loads[MAX_LOADS];
	size_t nloads;
	/* symbol name -> value, built on first lookup */
	bool indexed;
	struct wp_intern *names;
	uint64_t *values;
	size_t nvalues, values_cap;
};

void sym_elf_raw_close(struct sym_elf_raw *h)
{
	if (h->elf)
		elf_end(h->elf);
	if (h->fd >= 0)
		close(h->fd);
	h->elf = NULL;
	h->fd = -1;
}

/* Opens path as an ELF file; 0, WP_E_NOTFOUND or WP_E_FORMAT. */
int sym_elf_raw_open(struct sym_elf_raw *h, const char *path, const char **why)
{
	h->fd = -1;
	h->elf = NULL;
	/* O_NONBLOCK: opening a FIFO named by the input must not hang. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		*why = strerror(errno);
		return WP_E_NOTFOUND;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		*why = "not a regular file";
		close(fd);
		return WP_E_NOTFOUND;
	}
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	GElf_Ehdr eh;
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh)) {
		*why = "not an ELF file";
		if (elf)
			elf_end(elf);
		close(fd);
		return WP_E_FORMAT;
	}
	h->fd = fd;
	h->elf = elf;
	return 0;
}

static const char *section_name(Elf *elf, Elf_Scn *scn, GElf_Shdr *sh)
{
	size_t shstrndx;
	if (!gelf_getshdr(scn, sh) || elf_getshdrstrndx(elf, &shstrndx) != 0)
		return NULL;
	return elf_strptr(elf, shstrndx, sh->sh_name);
}

static Elf_Scn *find_section(Elf *elf, const char *name, GElf_Shdr *sh)
{
	for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
		const char *n = section_name(elf, scn, sh);
		if (n && strcmp(n, name) == 0)
			return scn;
	}
	return NULL;
}

/* A stripped binary keeps no .debug_info; a debug file keeps it as PROGBITS. */
static bool has_debug_info(Elf *elf)
{
	GElf_Shdr sh;
	Elf_Scn *scn = find_section(elf, ".debug_info", &sh);
	if (!scn)
		scn = find_section(elf, ".zdebug_info", &sh);
	return scn && sh.sh_type != SHT_NOBITS && sh.sh_size > 0;
}

/* NT_GNU_BUILD_ID from any note section; returns its length (0 = none). */
size_t sym_elf_build_id(Elf *elf, unsigned char *out)
{
	for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf)
			continue;
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off, next;
		while (off < d->d_size &&
		       (next = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    memcmp((const char *)d->d_buf + name_off, "GNU", 4) == 0 &&
			    nh.n_descsz > 0 && nh.n_descsz <= MAX_BUILD_ID) {
				memcpy(out, (const char *)d->d_buf + desc_off, nh.n_descsz);
				return nh.n_descsz;
			}
			off = next;
		}
	}
	return 0;
}

/* Accepts a candidate debug file: an ELF with .debug_info whose build-id,
 * when both files have one, is the module's. */
static bool try_debug_file(struct sym_elf *e, const char *path, const unsigned char *id,
			   size_t id_len)
{
	struct sym_elf_raw h;
	const char *why;
	if (sym_elf_raw_open(&h, path, &why) != 0)
		return false;
	unsigned char other[MAX_BUILD_ID];
	size_t other_len = sym_elf_build_id(h.elf, other);
	if (!has_debug_info(h.elf) ||
	    (id_len && other_len && (id_len != other_len || memcmp(id, other, id_len) != 0))) {
		sym_elf_raw_close(&h);
		return false;
	}
	e->debug = h;
	free(e->dwarf_path);
	e->dwarf_path = strdup(path);
	return true;
}

/* Joins up to four pieces into buf (PATH_MAX); false when too long. */
static bool join(char *buf, const char *a, const char *b, const char *c, const char *d)
{
	int n = snprintf(buf, PATH_MAX, "%s%s%s%s", a, b, c, d);
	return n > 0 && n < PATH_MAX;
}

struct debug_try {
	struct sym_elf *e;
	const unsigned char *id;
	size_t id_len;
};

static bool try_debuglink(void *ctx, const char *path)
{
	struct debug_try *t = ctx;
	return try_debug_file(t->e, path, t->id, t->id_len);
}

static bool find_debug_file(struct sym_elf *e, const char *symfs, const char *module,
			    const char *real_path)
{
	char buf[PATH_MAX];
	unsigned char id[MAX_BUILD_ID];
	size_t id_len = sym_elf_build_id(e->main.elf, id);
	if (id_len >= 2) {
		char hex[2 * MAX_BUILD_ID + 1];
		for (size_t i = 0; i < id_len; i++)
			snprintf(hex + 2 * i, 3, "%02x", id[i]);
		char head[4] = {hex[0], hex[1], '/', '\0'};
		if (join(buf, symfs, DEBUG_ROOT "/.build-id/", head, hex + 2) &&
		    strlen(buf) + 6 < PATH_MAX) {
			strcat(buf, ".debug");
			if (try_debug_file(e, buf, id, id_len))
				return true;
		}
	}

	struct debug_try t = {e, id, id_len};
	return sym_elf_debuglink_each(e->main.elf, symfs, module, real_path, try_debuglink, &t);
}

bool sym_elf_debuglink_each(Elf *elf, const char *symfs, const char *module,
			    const char *real_path, bool (*fn)(void *ctx, const char *path),
			    void *ctx)
{
	char buf[PATH_MAX];
	GElf_Shdr sh;
	Elf_Scn *scn = find_section(elf, ".gnu_debuglink", &sh);
	Elf_Data *d = scn ? elf_getdata(scn, NULL) : NULL;
	if (!d || !d->d_buf || d->d_size == 0)
		return false;
	const char *name = d->d_buf;
	size_t name_len = strnlen(name, d->d_size);
	if (name_len == 0 || name_len == d->d_size || memchr(name, '/', name_len))
		return false;
	/* The module's directory, with and without symfs. */
	const char *slash = strrchr(real_path, '/');
	char dir[PATH_MAX], mdir[PATH_MAX];
	snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - real_path + 1) : 0, real_path);
	slash = strrchr(module, '/');
	snprintf(mdir, sizeof mdir, "%.*s", slash ? (int)(slash - module + 1) : 0, module);
	if (join(buf, dir, name, "", "") && strcmp(buf, real_path) != 0 && fn(ctx, buf))
		return true;
	if (join(buf, dir, ".debug/", name, "") && fn(ctx, buf))
		return true;
	if (mdir[0] == '/' && join(buf, symfs, DEBUG_ROOT, mdir, name) && fn(ctx, buf))
		return true;
	return false;
}

static void read_loads(struct sym_elf *e)
{
	GElf_Ehdr eh;
	size_t n;
	if (!gelf_getehdr(e->main.elf, &eh) || eh.e_type != ET_EXEC ||
	    elf_getphdrnum(e->main.elf, &n) != 0)
		return;
	e->is_exec = true;
	for (size_t i = 0; i < n && e->nloads < MAX_LOADS; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e->main.elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (ph.p_vaddr + ph.p_memsz < ph.p_vaddr)
			continue;
		e->loads[e->nloads++] = (struct load_range){ph.p_vaddr, ph.p_vaddr + ph.p_memsz};
	}
}

int sym_elf_open(struct sym_elf **out, const char *symfs, const char *path, size_t path_len,
		 const char **why)
{
	*out = NULL;
	*why = "invalid path";
	if (!symfs)
		symfs = "";
	if (path_len == 0 || memchr(path, '\0', path_len) ||
	    strlen(symfs) + path_len >= PATH_MAX)
		return WP_E_USAGE;
	char module[PATH_MAX], real_path[PATH_MAX];
	memcpy(module, path, path_len);
	module[path_len] = '\0';
	snprintf(real_path, sizeof real_path, "%s%s", symfs, module);

	struct sym_elf *e = calloc(1, sizeof *e);
	if (!e) {
		*why = "out of memory";
		return WP_E_NOMEM;
	}
	e->main.fd = e->debug.fd = -1;
	int rc = sym_elf_raw_open(&e->main, real_path, why);
	if (rc != 0) {
		free(e);
		return rc;
	}
	GElf_Ehdr eh;
	if (!gelf_getehdr(e->main.elf, &eh) || (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)) {
		*why = "not an ELF executable or shared object";
		sym_elf_free(e);
		return WP_E_FORMAT;
	}
	read_loads(e);

	Elf *delf = NULL;
	if (has_debug_info(e->main.elf)) {
		delf = e->main.elf;
		e->dwarf_path = strdup(real_path);
	} else if (find_debug_file(e, symfs, module, real_path)) {
		delf = e->debug.elf;
	}
	if (delf)
		e->dwarf = dwarf_begin_elf(delf, DWARF_C_READ, NULL);
	if (!e->dwarf) {
		free(e->dwarf_path);
		e->dwarf_path = NULL;
	}
	*out = e;
	return 0;
}

void sym_elf_free(struct sym_elf *e)
{
	if (!e)
		return;
	if (e->dwarf)
		dwarf_end(e->dwarf);
	sym_elf_raw_close(&e->debug);
	sym_elf_raw_close(&e->main);
	wp_intern_free(e->names);
	free(e->values);
	free(e->dwarf_path);
	free(e);
}

Dwarf *sym_elf_dwarf(const struct sym_elf *e)
{
	return e->dwarf;
}

const char *sym_elf_dwarf_path(const struct sym_elf *e)
{
	return e->dwarf_path;
}

bool sym_elf_exec_contains(const struct sym_elf *e, uint64_t addr)
{
	for (size_t i = 0; i < e->nloads; i++)
		if (addr >= e->loads[i].start && addr < e->loads[i].end)
			return true;
	return false;
}

/* First definition of a name wins, as the first match in nm's output. */
static int index_add(struct sym_elf *e, const char *name, size_t len, uint64_t value)
{
	uint32_t before = wp_intern_count(e->names), id;
	int rc = wp_intern_get(e->names, name, len, &id);
	if (rc != 0 || id < before)
		return rc;
	if (wp_grow((void **)&e->values, &e->values_cap, e->nvalues + 1, sizeof *e->values) != 0)
		return WP_E_NOMEM;
	e->values[e->nvalues++] = value;
	return 0;
}

static int index_symtab(struct sym_elf *e, Elf *elf, Elf64_Word type)
{
	for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != type)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		if (!d || sh.sh_entsize == 0)
			continue;
		size_t n = d->d_size / sh.sh_entsize;
		for (size_t i = 1; i < n; i++) {
			GElf_Sym sym;
			if (!gelf_getsym(d, (int)i, &sym) || sym.st_shndx == SHN_UNDEF)
				continue;
			int t = GELF_ST_TYPE(sym.st_info);
			if (t == STT_SECTION || t == STT_FILE || t == STT_TLS)
				continue;
			const char *name = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (!name || !*name)
				continue;
			int rc = index_add(e, name, strlen(name), sym.st_value);
			if (rc != 0)
				return rc;
			if (name[0] == '_' && name[1] == 'Z') {
				/* perf script prints C++ names demangled, without parameters. */
				char *dm = sym_cplus_demangle(name, DMGL_ANSI);
				if (dm) {
					rc = index_add(e, dm, strlen(dm), sym.st_value);
					free(dm);
					if (rc != 0)
						return rc;
				}
			}
		}
	}
	return 0;
}

static int build_index(struct sym_elf *e)
{
	e->names = wp_intern_new();
	if (!e->names)
		return WP_E_NOMEM;
	e->indexed = true;
	int rc = index_symtab(e, e->main.elf, SHT_SYMTAB);
	if (rc == 0)
		rc = index_symtab(e, e->main.elf, SHT_DYNSYM);
	if (rc == 0 && e->debug.elf)
		rc = index_symtab(e, e->debug.elf, SHT_SYMTAB);
	return rc;
}

int sym_elf_symbol(struct sym_elf *e, const char *name, size_t len, uint64_t *value)
{
	if (!e->indexed) {
		int rc = build_index(e);
		if (rc != 0)
			return rc;
	}
	if (!e->names)
		return WP_E_NOMEM;
	uint32_t id;
	if (wp_intern_find(e->names, name, len, &id) != 0) {
		const char *at = memchr(name, '@', len);
		if (!at || at == name || wp_intern_find(e->names, name, (size_t)(at - name), &id) != 0)
			return WP_E_NOTFOUND;
	}
	if (id >= e->nvalues)
		return WP_E_NOTFOUND;
	*value = e->values[id];
	return 0;
}

const char *sym_elf_symbol_strings(Elf *elf, Elf64_Word type, size_t *size, uint64_t *file_offset)
{
	*file_offset = UINT64_MAX;
	for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
		GElf_Shdr sh, ssh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != type || sh.sh_entsize == 0)
			continue;
		Elf_Scn *strings = elf_getscn(elf, sh.sh_link);
		Elf_Data *d = strings ? elf_getdata(strings, NULL) : NULL;
		if (!d || !d->d_buf || d->d_size == 0)
			return NULL;
		*size = d->d_size;
		/* the file's bytes as they are: a string table neither
		 * compressed nor converted (the caller checks the file's size) */
		if (gelf_getshdr(strings, &ssh) && ssh.sh_type == SHT_STRTAB &&
		    !(ssh.sh_flags & SHF_COMPRESSED) && d->d_type == ELF_T_BYTE && d->d_off == 0 &&
		    d->d_size == ssh.sh_size)
			*file_offset = ssh.sh_offset;
		return d->d_buf;
	}
	return NULL;
}

size_t sym_elf_symbol_count(Elf *elf, Elf64_Word type)
{
	size_t n = 0, file_size = 0;
	if (!elf_rawfile(elf, &file_size))
		return 0;
	for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
		GElf_Shdr sh;
		/* only what the file holds: a header may claim any size */
		if (gelf_getshdr(scn, &sh) && sh.sh_type == type && sh.sh_entsize &&
		    sh.sh_offset <= file_size && sh.sh_size <= file_size - sh.sh_offset)
			n += sh.sh_size / sh.sh_entsize;
	}
	return n;
}

int sym_elf_foreach_symbol(Elf *elf, Elf64_Word type,
			   int (*fn)(void *ctx, const GElf_Sym *sym, const char *name), void *ctx)
{
	for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != type || sh.sh_entsize == 0)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf)
			continue;
		size_t n = d->d_size / sh.sh_entsize;
		for (size_t i = 0; i < n; i++) {
			GElf_Sym sym;
			if (!gelf_getsym(d, (int)i, &sym) || sym.st_name == 0)
				continue;
			const char *name = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (!name || !*name)
				continue;
			int rc = fn(ctx, &sym, name);
			if (rc)
				return rc;
		}
	}
	return 0;
}
