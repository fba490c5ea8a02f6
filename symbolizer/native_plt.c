/* native_plt.c - perf 6.1's synthesized PLT symbols
 * (dso__synthesize_plt_symbols() in tools/perf/util/symbol-elf.c): one
 * symbol "NAME@plt" per relocation of .rela.plt (or .rel.plt), in order,
 * for the .plt entries after its header, NAME being the .dynsym symbol the
 * relocation names (demangled as other names; empty for IRELATIVE slots, so
 * "@plt"). On x86 the header and each entry are .plt's sh_entsize bytes;
 * aarch64 32 + 16, arm 20 + 12. Addresses are file offsets from .plt's
 * sh_offset, the domain of the other symbols. perf adds them after its
 * end/duplicate fix-ups, and they win where they lie (its tree search
 * meets them before the stretched symbol before .plt, usually _init): so
 * they are kept in their own table and looked up first.
 * Every index and size comes from the file: a bad PLT adds nothing. */
#include <stdlib.h>
#include <string.h>

#include <gelf.h>
#include <libiberty/demangle.h>

#include "native_internal.h"

#define MAX_PLT_ENTRIES (1u << 20)

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

static void entry_sizes(Elf *elf, const GElf_Shdr *plt, uint64_t *header, uint64_t *entry)
{
	GElf_Ehdr eh;
	int machine = gelf_getehdr(elf, &eh) ? eh.e_machine : 0;
	if (machine == EM_ARM) {
		*header = 20;
		*entry = 12;
	} else if (machine == EM_AARCH64) {
		*header = 32;
		*entry = 16;
	} else {
		*header = *entry = plt->sh_entsize;
	}
}

int native_plt_load(struct native_symtab *t, Elf *elf, struct wp_intern *names, bool demangle)
{
	size_t shstrndx;
	GElf_Shdr rel_sh, plt_sh, dyn_sh;
	if (!elf || elf_getshdrstrndx(elf, &shstrndx) != 0)
		return 0;
	Elf_Scn *rel = section_named(elf, shstrndx, ".rela.plt", &rel_sh);
	if (!rel)
		rel = section_named(elf, shstrndx, ".rel.plt", &rel_sh);
	if (!rel || !section_named(elf, shstrndx, ".plt", &plt_sh))
		return 0;
	Elf_Scn *dyn = elf_getscn(elf, rel_sh.sh_link);
	if (!dyn || !gelf_getshdr(dyn, &dyn_sh) || dyn_sh.sh_type != SHT_DYNSYM)
		return 0;
	Elf_Data *reld = elf_getdata(rel, NULL), *dynd = elf_getdata(dyn, NULL);
	uint64_t header, entry;
	entry_sizes(elf, &plt_sh, &header, &entry);
	if (!reld || !dynd || entry == 0 || rel_sh.sh_entsize == 0)
		return 0;
	bool rela = rel_sh.sh_type == SHT_RELA;
	size_t n = reld->d_size / rel_sh.sh_entsize;
	if (n > MAX_PLT_ENTRIES)
		n = MAX_PLT_ENTRIES;
	uint64_t off = plt_sh.sh_offset + header;
	char buf[1024];
	for (size_t i = 0; i < n; i++, off += entry) {
		uint64_t info;
		if (rela) {
			GElf_Rela r;
			if (!gelf_getrela(reld, (int)i, &r))
				break;
			info = r.r_info;
		} else {
			GElf_Rel r;
			if (!gelf_getrel(reld, (int)i, &r))
				break;
			info = r.r_info;
		}
		GElf_Sym sym;
		const char *name = "";
		if (gelf_getsym(dynd, (int)GELF_R_SYM(info), &sym) && sym.st_name) {
			const char *s = elf_strptr(elf, dyn_sh.sh_link, sym.st_name);
			name = s ? s : "";
		}
		char *dm = demangle && *name ? cplus_demangle(name, DMGL_NO_OPTS) : NULL;
		snprintf(buf, sizeof buf, "%s@plt", dm ? dm : name);
		free(dm);
		uint32_t id;
		int rc = wp_intern_get(names, buf, strlen(buf), &id);
		if (rc == 0)
			rc = native_symtab_add(t, off, entry, STB_GLOBAL, STT_FUNC,
					       wp_intern_str(names, id, NULL), 0);
		if (rc != 0)
			return rc;
	}
	return 0;
}
