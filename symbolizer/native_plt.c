/* native_plt.c - the "NAME@plt" symbols perf 6.1 synthesizes for a PLT
 * (dso__synthesize_plt_symbols() in tools/perf/util/symbol-elf.c, called
 * by dso__load() in symbol.c):
 *
 * - Only after the symbol table gave at least one symbol (dso__load_sym()
 *   returned > 0), and from the runtime image (perf's runtime_ss: the first
 *   candidate with a .dynsym, else the one that gave the symbols; chosen
 *   by native_elf.c).
 * - Needs the first section named .dynsym to be SHT_DYNSYM, a section named
 *   .rela.plt (else .rel.plt) whose sh_link is that .dynsym's index, and a
 *   section named .plt; the names come from the string table .dynsym links.
 * - One symbol per relocation, in order: relocation i names the slot at
 *   .plt's sh_offset + header + i * entry (a file offset, the domain of the
 *   other symbols). header and entry: EM_ARM 20 and 12, EM_AARCH64 32 and
 *   16, EM_SPARC 48 and 12, EM_SPARCV9 128 and 32, else both .plt's
 *   sh_entsize (x86: 16, the lazy-binding header is one slot; 0 makes
 *   every symbol zero-size at .plt's start, as in perf). perf does not
 *   check that the slots lie inside .plt; neither does this.
 * - The name is the relocation's .dynsym name, demangled like the others,
 *   + "@plt", cut to 1023 bytes (perf's sympltname[1024]); IRELATIVE
 *   relocations name symbol 0, so "@plt". Size: the entry size; STB_GLOBAL,
 *   STT_FUNC.
 * - perf inserts them into the same rb-tree after symbols__fixup_end() and
 *   symbols__fixup_duplicate(): they are neither stretched nor
 *   de-duplicated, and a lookup meets them or the stretched symbol before
 *   .plt (usually _init) depending on the tree's shape. The caller inserts
 *   them in the order added here.
 * perf 6.1 knows nothing of x86's .plt.sec (IBT) or .plt.got (checked with
 * uprobes on such slots: perf 6.1.187 prints _init+OFF or [unknown] there,
 * whatever its tree finds); perf 6.3 added them. With .plt.sec, the names
 * land on .plt's lazy-binding stubs, which run once per symbol at most.
 * Every index and size comes from the file. Where perf would read out of
 * bounds or divide by zero (a relocation or symbol that is not there, a
 * name outside the string table, sh_entsize 0 in .rela.plt), this adds
 * nothing at all. */
#include <stdlib.h>
#include <string.h>

#include <gelf.h>
#include <libiberty/demangle.h>

#include "demangle.h"
#include "native_internal.h"

#define PLT_NAME_MAX 1024 /* perf's sympltname[1024] */

/* perf's elf_section_by_name(): the first section with that name. */
static Elf_Scn *section_named(Elf *elf, size_t shstrndx, const char *want, GElf_Shdr *sh)
{
	for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
		const char *name;
		if (gelf_getshdr(scn, sh) && (name = elf_strptr(elf, shstrndx, sh->sh_name)) &&
		    strcmp(name, want) == 0)
			return scn;
	}
	return NULL;
}

static void plt_layout(int machine, const GElf_Shdr *plt, uint64_t *header, uint64_t *entry)
{
	switch (machine) {
	case EM_ARM:
		*header = 20;
		*entry = 12;
		break;
	case EM_AARCH64:
		*header = 32;
		*entry = 16;
		break;
	case EM_SPARC:
		*header = 48;
		*entry = 12;
		break;
	case EM_SPARCV9:
		*header = 128;
		*entry = 32;
		break;
	default:
		*header = *entry = plt->sh_entsize;
		break;
	}
}

/* The NUL-terminated string at off in strs, or NULL when it is not all
 * inside (perf would read past the table). */
static const char *string_at(const Elf_Data *strs, uint64_t off)
{
	if (!strs->d_buf || off >= strs->d_size)
		return NULL;
	const char *s = (const char *)strs->d_buf + off;
	return memchr(s, '\0', strs->d_size - off) ? s : NULL;
}

static bool reloc_symbol(Elf_Data *d, bool rela, size_t i, size_t *sym)
{
	if (i > INT32_MAX)
		return false;
	if (rela) {
		GElf_Rela r;
		if (!gelf_getrela(d, (int)i, &r))
			return false;
		*sym = GELF_R_SYM(r.r_info);
	} else {
		GElf_Rel r;
		if (!gelf_getrel(d, (int)i, &r))
			return false;
		*sym = GELF_R_SYM(r.r_info);
	}
	return true;
}

static int add_entry(struct native_symtab *t, struct wp_intern *names, bool demangle,
		     const char *name, uint64_t start, uint64_t size)
{
	char buf[PLT_NAME_MAX];
	char *dm = demangle && *name ? sym_cplus_demangle(name, DMGL_NO_OPTS) : NULL;
	snprintf(buf, sizeof buf, "%s@plt", dm ? dm : name);
	free(dm);
	uint32_t id;
	int rc = wp_intern_get(names, buf, strlen(buf), &id);
	if (rc == 0)
		rc = native_symtab_add(t, start, size, STB_GLOBAL, STT_FUNC,
				       wp_intern_str(names, id, NULL), 0);
	return rc;
}

int native_plt_load(struct native_symtab *t, Elf *elf, struct wp_intern *names, bool demangle)
{
	GElf_Ehdr eh;
	size_t shstrndx;
	if (!elf || !gelf_getehdr(elf, &eh) || elf_getshdrstrndx(elf, &shstrndx) != 0)
		return 0;
	GElf_Shdr dyn_sh, rel_sh, plt_sh;
	Elf_Scn *dyn = section_named(elf, shstrndx, ".dynsym", &dyn_sh);
	if (!dyn || dyn_sh.sh_type != SHT_DYNSYM)
		return 0;
	Elf_Scn *rel = section_named(elf, shstrndx, ".rela.plt", &rel_sh);
	if (!rel)
		rel = section_named(elf, shstrndx, ".rel.plt", &rel_sh);
	if (!rel || rel_sh.sh_link != elf_ndxscn(dyn) ||
	    !section_named(elf, shstrndx, ".plt", &plt_sh))
		return 0;
	/* perf walks neither other types nor (it would divide by zero) entsize 0 */
	bool rela = rel_sh.sh_type == SHT_RELA;
	if ((!rela && rel_sh.sh_type != SHT_REL) || rel_sh.sh_entsize == 0)
		return 0;
	Elf_Scn *str = elf_getscn(elf, dyn_sh.sh_link);
	Elf_Data *reld = elf_getdata(rel, NULL), *syms = elf_getdata(dyn, NULL);
	Elf_Data *strs = str ? elf_getdata(str, NULL) : NULL;
	if (!reld || !syms || !strs || strs->d_size == 0)
		return 0;

	uint64_t header, entry;
	plt_layout(eh.e_machine, &plt_sh, &header, &entry);
	/* perf's nr_rel_entries is a uint32_t */
	size_t n = (uint32_t)(rel_sh.sh_size / rel_sh.sh_entsize);
	uint64_t off = plt_sh.sh_offset + header;
	if (off < header)
		return 0;
	size_t first = t->n;
	for (size_t i = 0; i < n; i++, off += entry) {
		size_t symidx;
		GElf_Sym sym;
		const char *name;
		if (!reloc_symbol(reld, rela, i, &symidx) || symidx > INT32_MAX ||
		    !gelf_getsym(syms, (int)symidx, &sym) || !(name = string_at(strs, sym.st_name)) ||
		    off + entry < off) {
			t->n = first; /* a bad PLT adds nothing */
			return 0;
		}
		int rc = add_entry(t, names, demangle, name, off, entry);
		if (rc != 0)
			return rc;
	}
	return 0;
}
