/* native_kallsyms.c - /proc/kallsyms text as perf 6.1 reads it
 * (tools/lib/symbol/kallsyms.c kallsyms__parse() and
 * map__process_kallsym_symbol() in tools/perf/util/symbol.c):
 * "ADDR TYPE NAME" with an optional "\t[module]"; only types T W D B in
 * either case are kept (perf's symbol_type__filter: text and data), W/w is
 * STB_WEAK, upper case STB_GLOBAL, lower case STB_LOCAL; names starting
 * with '$' (ARM mapping symbols) are dropped. Zero-size symbols get their
 * ends from symbols__fixup_end(is_kallsyms = true), so module boundaries
 * are not bridged. _text and _stext are remembered for the relocation
 * against the [kernel.kallsyms]_text MMAP. Lines that do not parse are
 * counted and skipped (perf stops at the first one). The names are not
 * copied: each ends with a NUL written over the '\t' or '\n' after it in
 * the kept text of the file (the kernel's 120,000 names, all distinct,
 * cost no hashing). */
#include <stdlib.h>
#include <string.h>

#include <elf.h>

#include "native_internal.h"

#define KSYM_NAME_MAX 512 /* perf's KSYM_NAME_LEN is 512 */
#define MAX_KALLSYMS_BYTES ((size_t)1 << 30) /* "the 1 GiB cap" (native_sources.c) */

/* One line (no '\n'): 1 kept, 0 skipped (type filtered), -1 malformed,
 * < -1 a WP_E_* error. */
static int parse_line(struct native_kallsyms *k, char *s, size_t n)
{
	size_t i = 0;
	uint64_t addr = 0;
	for (int d; i < n && (d = wp_hex_value(s[i])) >= 0; i++) {
		if (i >= 16)
			return -1;
		addr = addr << 4 | (uint64_t)d;
	}
	if (i == 0 || i + 3 > n || s[i] != ' ' || s[i + 2] != ' ')
		return -1;
	char type = s[i + 1];
	char *name = s + i + 3;
	size_t len = n - (i + 3);
	const char *tab = memchr(name, '\t', len);
	const char *mod = NULL;
	size_t mod_len = 0;
	if (tab) {
		mod = tab + 1;
		mod_len = len - (size_t)(mod - name);
		len = (size_t)(tab - name);
		/* "[module]" (the kernel prints the brackets) */
		if (mod_len < 3 || mod[0] != '[' || mod[mod_len - 1] != ']')
			return -1;
		mod++;
		mod_len -= 2;
	}
	if (len == 0 || len >= KSYM_NAME_MAX || memchr(name, '\0', len) ||
	    (mod && memchr(mod, '\0', mod_len)))
		return -1;
	char up = (char)(type >= 'a' && type <= 'z' ? type - 32 : type);
	if (up != 'T' && up != 'W' && up != 'D' && up != 'B')
		return 0;
	if (name[0] == '$')
		return 0;
	uint32_t mid = 0;
	int rc;
	if (mod) {
		rc = wp_intern_get(k->modules, mod, mod_len, &mid);
		if (rc != 0)
			return rc;
		mid++;
	} else if (len == 5 && memcmp(name, "_text", 5) == 0) {
		k->text = addr;
	} else if (len == 6 && memcmp(name, "_stext", 6) == 0) {
		k->stext = addr;
	}
	uint8_t bind = up == 'W' ? STB_WEAK : type == up ? STB_GLOBAL : STB_LOCAL;
	uint8_t stt = (up == 'T' || up == 'W') ? STT_FUNC : STT_OBJECT;
	name[len] = '\0'; /* the '\t', '\n' or the NUL past the text */
	rc = native_symtab_add(&k->syms, addr, 0, bind, stt, name, mid);
	return rc != 0 ? rc : 1;
}

/* Parses text (len bytes and a NUL), which k keeps. */
static int parse_text(struct native_kallsyms *k, char *text, size_t len)
{
	memset(k, 0, sizeof *k);
	k->bytes = text;
	k->modules = wp_intern_new();
	if (!k->modules)
		return WP_E_NOMEM;
	/* room for about every line at once: few are shorter than 24 bytes
	 * ("ffffffff81000000 T _stext\n" is 26) */
	native_symtab_reserve(&k->syms, len / 24 + 1);
	char *p = text, *end = text + len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		k->lines++;
		int rc = parse_line(k, p, n);
		if (rc == -1)
			k->bad_lines++;
		else if (rc < -1)
			return rc;
		p += n + (nl ? 1 : 0);
	}
	native_symtab_finish(&k->syms, true);
	return 0;
}

int native_kallsyms_parse(struct native_kallsyms *k, const char *data, size_t len)
{
	memset(k, 0, sizeof *k);
	char *text = len < SIZE_MAX ? malloc(len + 1) : NULL;
	if (!text)
		return WP_E_NOMEM;
	memcpy(text, data, len);
	text[len] = '\0';
	return parse_text(k, text, len);
}

int native_kallsyms_load(struct native_kallsyms *k, const char *path)
{
	char *data;
	size_t len;
	memset(k, 0, sizeof *k);
	int rc = wp_read_file(path, MAX_KALLSYMS_BYTES, &data, &len);
	if (rc != 0)
		return rc;
	/* kept: no room to spare (/proc/kallsyms' size is read, not known) */
	char *fit = realloc(data, len + 1);
	return parse_text(k, fit ? fit : data, len); /* wp_read_file() ends it with a NUL */
}

void native_kallsyms_release(struct native_kallsyms *k)
{
	native_symtab_release(&k->syms);
	wp_intern_free(k->modules);
	k->modules = NULL;
	free(k->bytes);
	k->bytes = NULL;
}
