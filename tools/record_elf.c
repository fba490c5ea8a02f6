/* record_elf.c - what wasmperf-record needs of the runtime's binary, read
 * with libelf: its function symbols (to detect the runtime and to place
 * phase probes), the file offset of an address (perf probe -x BIN
 * NAME=0xOFFSET takes file offsets: C++ names and local symbols cannot be
 * placed by name), whether it knows an option (the option's name in its
 * help text), its build-id for meta.json, and what the dynamic loader
 * reads of its dynamic section (record_libs.c finds its libraries with
 * it). libelf checks every size against the file, which is untrusted like
 * any input (tests/fuzz/fuzz_record_elf.c). */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record.h"

struct record_elf {
	int fd;
	Elf *elf;
	const char *bytes;        /* the whole file, mapped */
	size_t size;
	struct wp_intern *names;  /* defined function names, for has_function */
	bool names_read;
};

struct record_elf *record_elf_open(const char *path, const char **why)
{
	if (elf_version(EV_CURRENT) == EV_NONE) {
		*why = "libelf is out of date";
		return NULL;
	}
	struct record_elf *e = calloc(1, sizeof *e);
	if (!e) {
		*why = "out of memory";
		return NULL;
	}
	struct stat st;
	e->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (e->fd < 0 || fstat(e->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		*why = e->fd < 0 ? strerror(errno) : "not a regular file";
		record_elf_close(e);
		return NULL;
	}
	e->size = (size_t)st.st_size;
	void *m = e->size ? mmap(NULL, e->size, PROT_READ, MAP_PRIVATE, e->fd, 0) : MAP_FAILED;
	e->bytes = m == MAP_FAILED ? NULL : m;
	e->elf = elf_begin(e->fd, ELF_C_READ_MMAP, NULL);
	if (!e->bytes || !e->elf || elf_kind(e->elf) != ELF_K_ELF) {
		*why = "not an ELF file";
		record_elf_close(e);
		return NULL;
	}
	return e;
}

void record_elf_close(struct record_elf *e)
{
	if (!e)
		return;
	if (e->elf)
		elf_end(e->elf);
	if (e->bytes)
		munmap((void *)e->bytes, e->size);
	if (e->fd >= 0)
		close(e->fd);
	wp_intern_free(e->names);
	free(e);
}

/* One symbol table's defined functions. seen: addresses given already
 * (.symtab repeats .dynsym). */
static int table_functions(struct record_elf *e, Elf_Scn *scn, const GElf_Shdr *sh,
			   struct wp_intern *seen, record_sym_fn fn, void *ctx)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t n = d && sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;
	for (size_t i = 0; i < n; i++) {
		GElf_Sym s;
		if (!gelf_getsym(d, (int)i, &s) || GELF_ST_TYPE(s.st_info) != STT_FUNC ||
		    s.st_shndx == SHN_UNDEF || !s.st_value)
			continue;
		const char *name = elf_strptr(e->elf, sh->sh_link, s.st_name);
		if (!name || !name[0])
			continue;
		char key[64];
		int klen = snprintf(key, sizeof key, "%llx %s", (unsigned long long)s.st_value,
				    name);
		uint32_t id, before = wp_intern_count(seen);
		if (wp_intern_get(seen, key, (size_t)(klen < 63 ? klen : 63), &id))
			return WP_E_NOMEM;
		if (wp_intern_count(seen) == before)
			continue;
		bool global = GELF_ST_BIND(s.st_info) == STB_GLOBAL ||
			      GELF_ST_BIND(s.st_info) == STB_WEAK;
		int rc = fn(ctx, name, s.st_value, global);
		if (rc)
			return rc;
	}
	return 0;
}

int record_elf_functions(struct record_elf *e, record_sym_fn fn, void *ctx)
{
	struct wp_intern *seen = wp_intern_new();
	if (!seen)
		return WP_E_NOMEM;
	int rc = 0;
	for (int pass = 0; pass < 2 && !rc; pass++) {
		Elf_Scn *scn = NULL;
		while (!rc && (scn = elf_nextscn(e->elf, scn)) != NULL) {
			GElf_Shdr sh;
			if (gelf_getshdr(scn, &sh) &&
			    sh.sh_type == (pass == 0 ? SHT_SYMTAB : SHT_DYNSYM))
				rc = table_functions(e, scn, &sh, seen, fn, ctx);
		}
	}
	wp_intern_free(seen);
	return rc;
}

static int add_name(void *ctx, const char *name, uint64_t addr, bool global)
{
	uint32_t id;
	return wp_intern_get(ctx, name, strlen(name), &id);
}

bool record_elf_has_function(struct record_elf *e, const char *name)
{
	if (!e->names_read) {
		e->names_read = true;
		e->names = wp_intern_new();
		if (e->names && record_elf_functions(e, add_name, e->names)) {
			wp_intern_free(e->names);
			e->names = NULL;
		}
	}
	uint32_t id;
	return e->names && wp_intern_find(e->names, name, strlen(name), &id) == 0;
}

int record_elf_file_offset(const struct record_elf *e, uint64_t addr, uint64_t *offset)
{
	size_t n;
	if (elf_getphdrnum(e->elf, &n) != 0)
		return WP_E_FORMAT;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr p;
		if (gelf_getphdr(e->elf, (int)i, &p) && p.p_type == PT_LOAD && addr >= p.p_vaddr &&
		    addr - p.p_vaddr < p.p_filesz) {
			*offset = addr - p.p_vaddr + p.p_offset;
			return 0;
		}
	}
	return WP_E_NOTFOUND;
}

bool record_elf_contains(const struct record_elf *e, const char *s)
{
	return memmem(e->bytes, e->size, s, strlen(s)) != NULL;
}

void record_elf_build_id(const struct record_elf *e, char out[41])
{
	out[0] = '\0';
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e->elf, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *d;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE || !(d = elf_getdata(scn, NULL)))
			continue;
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off;
		while ((off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
			if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
			    memcmp((const char *)d->d_buf + name_off, "GNU", 4) || nh.n_descsz > 20)
				continue;
			const unsigned char *id = (const unsigned char *)d->d_buf + desc_off;
			for (size_t i = 0; i < nh.n_descsz; i++)
				snprintf(out + 2 * i, 3, "%02x", id[i]);
			return;
		}
	}
}

int record_elf_dynamic(const struct record_elf *e, struct record_dynamic *d)
{
	memset(d, 0, sizeof *d);
	d->runpath = d->rpath = "";
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e->elf, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *data;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC ||
		    !(data = elf_getdata(scn, NULL)) || !sh.sh_entsize)
			continue;
		size_t n = sh.sh_size / sh.sh_entsize;
		for (size_t i = 0; i < n; i++) {
			GElf_Dyn dyn;
			if (!gelf_getdyn(data, (int)i, &dyn) || dyn.d_tag == DT_NULL)
				break;
			if (dyn.d_tag != DT_NEEDED && dyn.d_tag != DT_RUNPATH && dyn.d_tag != DT_RPATH)
				continue;
			const char *s = elf_strptr(e->elf, sh.sh_link, (size_t)dyn.d_un.d_val);
			if (!s)
				return WP_E_FORMAT;
			if (dyn.d_tag == DT_RUNPATH)
				d->runpath = s;
			else if (dyn.d_tag == DT_RPATH)
				d->rpath = s;
			else if (d->nneeded < RECORD_MAX_NEEDED)
				d->needed[d->nneeded++] = s;
			else
				d->truncated = true;
		}
		return 0;
	}
	return 0;
}

bool record_elf_same_machine(const struct record_elf *a, const struct record_elf *b)
{
	GElf_Ehdr ea, eb;
	return gelf_getehdr(a->elf, &ea) && gelf_getehdr(b->elf, &eb) &&
	       ea.e_ident[EI_CLASS] == eb.e_ident[EI_CLASS] &&
	       ea.e_ident[EI_DATA] == eb.e_ident[EI_DATA] && ea.e_machine == eb.e_machine;
}
