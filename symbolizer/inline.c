/* inline.c - the inline chain at an address, as `addr2line -i -f -C -s`
 * prints it for stackcollapse-perf.pl --inline, read with libdw.
 *
 * dwarf_getscopes() gives the scopes at the address innermost first, but
 * past the innermost DW_TAG_inlined_subroutine it continues with the scopes
 * of the abstract origin, which loses the concrete callers; so the chain is
 * re-walked from that DIE with dwarf_getscopes_die(), which follows the
 * concrete inlined instances outwards. Lines follow addr2line: the innermost
 * function gets the line-table row of the address, every caller the
 * DW_AT_call_file/DW_AT_call_line of the inlined call below it. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <libelf.h>
#include <libiberty/demangle.h>

#include "demangle.h"
#include "elf_file.h"
#include "symbolizer.h"

#define MAX_CHAIN 64     /* inline depth kept; deeper chains keep the innermost */

struct module {
	struct sym_elf *elf; /* NULL: could not be opened (tried once) */
};

#define PENDING 1 /* result slot of an address not resolved yet */

struct result {
	int rc;          /* 0, WP_E_NOTFOUND or PENDING */
	size_t n;
	struct sym_inline_frame *frames;
};

struct sym_inline {
	char *symfs;
	wp_warn_fn warn;
	void *warn_ctx;
	struct wp_intern *paths;    /* module path -> index in modules */
	struct module *modules;
	size_t nmodules, modules_cap;
	struct wp_intern *keys;     /* (module index, address) -> index in results */
	struct result *results;
	size_t nresults, results_cap;
	struct wp_intern *strings;  /* function and file names handed out */
	struct sym_inline_stats stats;
};

struct sym_inline *sym_inline_new(const char *symfs)
{
	struct sym_inline *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	elf_version(EV_CURRENT);
	s->paths = wp_intern_new();
	s->keys = wp_intern_new();
	s->strings = wp_intern_new();
	s->symfs = strdup(symfs ? symfs : "");
	if (!s->paths || !s->keys || !s->strings || !s->symfs) {
		sym_inline_free(s);
		return NULL;
	}
	return s;
}

void sym_inline_free(struct sym_inline *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nmodules; i++)
		sym_elf_free(s->modules[i].elf);
	for (size_t i = 0; i < s->nresults; i++)
		free(s->results[i].frames);
	free(s->modules);
	free(s->results);
	wp_intern_free(s->paths);
	wp_intern_free(s->keys);
	wp_intern_free(s->strings);
	free(s->symfs);
	free(s);
}

void sym_inline_set_warn(struct sym_inline *s, wp_warn_fn warn, void *ctx)
{
	s->warn = warn;
	s->warn_ctx = ctx;
}

void sym_inline_get_stats(const struct sym_inline *s, struct sym_inline_stats *st)
{
	*st = s->stats;
}

/* symfs + path (from the input) as a warning quotes it */
static const char *shown_path(const struct sym_inline *s, const char *path, size_t len,
			      char *buf, size_t size)
{
	int k = snprintf(buf, size, "%s", s->symfs);
	if (k >= 0 && (size_t)k < size)
		wp_visible(buf + k, size - (size_t)k, path, len);
	return buf;
}

/* The modules stackcollapse-perf.pl does not hand to addr2line:
 * m/(perf-\d+.map|kernel\.|\[[^\]]+\])/ */
static bool perl_skips(const char *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (m[i] == '[') {
			const char *close = memchr(m + i + 1, ']', n - i - 1);
			if (close && close > m + i + 1)
				return true;
		} else if (wp_has_prefix(m + i, n - i, "kernel.")) {
			return true;
		} else if (wp_has_prefix(m + i, n - i, "perf-")) {
			/* \d+ then any one byte then "map" */
			for (size_t t = i + 6; t <= n && m[t - 1] >= '0' && m[t - 1] <= '9'; t++)
				if (n - t >= 4 && memcmp(m + t + 1, "map", 3) == 0)
					return true;
		}
	}
	return false;
}

static int get_module(struct sym_inline *s, const char *path, size_t len, uint32_t *index)
{
	uint32_t before = wp_intern_count(s->paths);
	int rc = wp_intern_get(s->paths, path, len, index);
	if (rc != 0)
		return rc;
	if (*index < before)
		return 0;
	rc = wp_grow((void **)&s->modules, &s->modules_cap, s->nmodules + 1, sizeof *s->modules);
	if (rc != 0)
		return rc; /* the path stays interned without a module: retried */
	struct module *m = &s->modules[s->nmodules++];
	const char *why = NULL;
	s->stats.modules++;
	rc = sym_elf_open(&m->elf, s->symfs, path, len, &why);
	if (rc == WP_E_NOMEM) {
		s->nmodules--;
		return rc;
	}
	char shown[WP_WARN_MAX];
	if (rc != 0) {
		s->stats.modules_failed++;
		wp_warnf(s->warn, s->warn_ctx, "cannot open '%s': %s",
			 shown_path(s, path, len, shown, sizeof shown), why);
	} else if (!sym_elf_dwarf(m->elf)) {
		s->stats.modules_nodwarf++;
		wp_warnf(s->warn, s->warn_ctx, "no DWARF in '%s' nor in a debug file",
			 shown_path(s, path, len, shown, sizeof shown));
	}
	return 0;
}

static const char *intern(struct sym_inline *s, const char *str)
{
	uint32_t id;
	if (wp_intern_get(s->strings, str, strlen(str), &id) != 0)
		return NULL;
	return wp_intern_str(s->strings, id, NULL);
}

static const char *basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* addr2line -f -C: DW_AT_linkage_name demangled (kept as is when it does
 * not demangle), else DW_AT_name, both through abstract origins. */
static const char *function_name(struct sym_inline *s, Dwarf_Die *die, bool *nomem)
{
	Dwarf_Attribute attr;
	const char *linkage = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attr));
	if (!linkage)
		linkage = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr));
	const char *name = linkage;
	char *demangled = NULL;
	if (linkage)
		name = demangled = sym_cplus_demangle(linkage, DMGL_PARAMS | DMGL_ANSI);
	if (!name)
		name = linkage;
	if (!name)
		name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attr));
	if (!name)
		name = "??";
	const char *out = intern(s, name);
	free(demangled);
	if (!out)
		*nomem = true;
	return out;
}

/* File named by a DW_AT_call_file index, in the unit holding the DIE. */
static const char *call_file(Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	Dwarf_Word idx;
	Dwarf_Die cu;
	Dwarf_Files *files;
	size_t nfiles;
	if (dwarf_formudata(dwarf_attr(die, DW_AT_call_file, &attr), &idx) != 0 ||
	    !dwarf_diecu(die, &cu, NULL, NULL) || dwarf_getsrcfiles(&cu, &files, &nfiles) != 0 ||
	    idx >= nfiles)
		return NULL;
	return dwarf_filesrc(files, idx, NULL, NULL);
}

static unsigned call_line(Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	Dwarf_Word line;
	if (dwarf_formudata(dwarf_attr(die, DW_AT_call_line, &attr), &line) != 0 || line > UINT_MAX)
		return 0;
	return (unsigned)line;
}

/* The unit covering addr: .debug_aranges first, else every unit's ranges
 * (files without aranges, e.g. from clang). */
static bool find_cu(Dwarf *dw, Dwarf_Addr addr, Dwarf_Die *cu)
{
	if (dwarf_addrdie(dw, addr, cu))
		return true;
	Dwarf_Off off = 0, next;
	size_t hsize;
	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		if (dwarf_offdie(dw, off + hsize, cu) && dwarf_haspc(cu, addr) > 0)
			return true;
		off = next;
	}
	return false;
}

/* r's frames, root to leaf, from funcs (innermost first): names, and
 * lines as addr2line gives them. */
static int fill_frames(struct sym_inline *s, Dwarf_Die *cu, Dwarf_Addr addr, Dwarf_Die **funcs,
		       size_t nf, struct result *r)
{
	r->frames = calloc(nf, sizeof *r->frames);
	if (!r->frames)
		return WP_E_NOMEM;
	bool nomem = false;
	for (size_t k = 0; k < nf; k++) {
		struct sym_inline_frame *f = &r->frames[nf - 1 - k]; /* root to leaf */
		const char *file = NULL;
		f->function = function_name(s, funcs[k], &nomem);
		if (k == 0) {
			Dwarf_Line *line = dwarf_getsrc_die(cu, addr);
			int lineno = 0;
			if (line) {
				file = dwarf_linesrc(line, NULL, NULL);
				if (dwarf_lineno(line, &lineno) != 0 || lineno < 0)
					lineno = 0;
			}
			f->line = (unsigned)lineno;
		} else {
			file = call_file(funcs[k - 1]);
			f->line = call_line(funcs[k - 1]);
		}
		if (file) {
			f->file = intern(s, basename_of(file));
			if (!f->file)
				nomem = true;
		}
	}
	if (nomem) {
		free(r->frames);
		r->frames = NULL;
		return WP_E_NOMEM;
	}
	r->n = nf;
	return 0;
}

static int resolve(struct sym_inline *s, Dwarf *dw, Dwarf_Addr addr, struct result *r)
{
	Dwarf_Die cu;
	if (!find_cu(dw, addr, &cu))
		return WP_E_NOTFOUND;
	Dwarf_Die *scopes = NULL, *chain = NULL;
	int nscopes = dwarf_getscopes(&cu, addr, &scopes);
	int rc = WP_E_NOTFOUND;
	int first = -1;
	for (int i = 0; i < nscopes && first < 0; i++) {
		int tag = dwarf_tag(&scopes[i]);
		if (tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine)
			first = i;
	}
	if (first < 0)
		goto out;
	Dwarf_Die *walk = scopes + first;
	int nwalk = nscopes - first;
	if (dwarf_tag(&scopes[first]) == DW_TAG_inlined_subroutine) {
		int n = dwarf_getscopes_die(&scopes[first], &chain);
		if (n > 0) {
			walk = chain;
			nwalk = n;
		}
	}
	/* Functions innermost first, up to and including the real one. */
	Dwarf_Die *funcs[MAX_CHAIN];
	size_t nf = 0;
	for (int i = 0; i < nwalk && nf < MAX_CHAIN; i++) {
		int tag = dwarf_tag(&walk[i]);
		if (tag != DW_TAG_subprogram && tag != DW_TAG_inlined_subroutine)
			continue;
		funcs[nf++] = &walk[i];
		if (tag == DW_TAG_subprogram)
			break;
	}
	if (nf > 0)
		rc = fill_frames(s, &cu, addr, funcs, nf, r);
out:
	free(scopes);
	free(chain);
	return rc;
}

int sym_inline_lookup(struct sym_inline *s, const char *module, size_t module_len,
		      const char *symbol, size_t symbol_len, uint64_t sym_offset,
		      bool has_offset, uint64_t pc,
		      const struct sym_inline_frame **frames, size_t *n)
{
	*frames = NULL;
	*n = 0;
	s->stats.lookups++;
	if (!module || module_len == 0 || perl_skips(module, module_len))
		return WP_E_NOTFOUND;
	uint32_t mi;
	int rc = get_module(s, module, module_len, &mi);
	if (rc != 0)
		return rc;
	if (mi >= s->nmodules || !s->modules[mi].elf)
		return WP_E_NOTFOUND;
	struct sym_elf *elf = s->modules[mi].elf;
	Dwarf *dw = sym_elf_dwarf(elf);
	if (!dw)
		return WP_E_NOTFOUND;

	uint64_t addr;
	bool have_symbol = symbol && symbol_len > 0 &&
			   !(symbol_len == 9 && memcmp(symbol, "[unknown]", 9) == 0);
	rc = have_symbol ? sym_elf_symbol(elf, symbol, symbol_len, &addr) : WP_E_NOTFOUND;
	if (rc == WP_E_NOMEM)
		return rc;
	if (rc == 0) {
		addr += has_offset ? sym_offset : 0;
	} else if (sym_elf_exec_contains(elf, pc)) {
		addr = pc;
	} else {
		return WP_E_NOTFOUND;
	}

	unsigned char key[12];
	memcpy(key, &mi, 4);
	memcpy(key + 4, &addr, 8);
	uint32_t ri;
	rc = wp_intern_get(s->keys, (const char *)key, sizeof key, &ri);
	if (rc != 0)
		return rc;
	rc = wp_grow((void **)&s->results, &s->results_cap, (size_t)ri + 1, sizeof *s->results);
	if (rc != 0)
		return rc;
	while (s->nresults <= ri)
		s->results[s->nresults++] = (struct result){PENDING, 0, NULL};
	struct result *pending = &s->results[ri];
	if (pending->rc != PENDING) {
		s->stats.cache_hits++;
	} else {
		rc = resolve(s, dw, addr, pending);
		if (rc == WP_E_NOMEM)
			return rc; /* stays PENDING: the next call tries again */
		pending->rc = rc;
	}
	const struct result *r = &s->results[ri];
	if (r->rc != 0)
		return r->rc;
	s->stats.resolved++;
	*frames = r->frames;
	*n = r->n;
	return 0;
}
