/* elf_file.h - (private to symbolizer/) one module opened with libelf and
 * libdw: its symbols and its DWARF, which may live in a separate debug file
 * found by build-id or .gnu_debuglink, as gdb and perf look for it. */
#ifndef WASMPERF_ELF_FILE_H
#define WASMPERF_ELF_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <elfutils/libdw.h>
#include <gelf.h>
#include <libelf.h>

struct sym_elf;

/* Opens symfs + path (symfs may be NULL). Returns 0, WP_E_NOTFOUND (no
 * such regular file), WP_E_FORMAT (not an ELF executable or shared
 * object), WP_E_USAGE (unusable path) or WP_E_NOMEM. A file without DWARF
 * opens fine: sym_elf_dwarf() is then NULL. On failure *why holds a static
 * description for messages (strerror text or a fixed phrase). */
int sym_elf_open(struct sym_elf **out, const char *symfs, const char *path, size_t path_len,
		 const char **why);
void sym_elf_free(struct sym_elf *e);

/* The DWARF of the module or of its debug file; NULL when neither has one. */
Dwarf *sym_elf_dwarf(const struct sym_elf *e);
/* Path the DWARF was read from (the module or its debug file), or NULL. */
const char *sym_elf_dwarf_path(const struct sym_elf *e);

/* Value of the named symbol in .symtab/.dynsym of the module or .symtab of
 * its debug file; a "@VERSION" suffix (as perf prints .dynsym names) and
 * C++ names printed demangled without parameters (as perf does) also match.
 * 0, WP_E_NOTFOUND or WP_E_NOMEM (the index is built on first use). */
int sym_elf_symbol(struct sym_elf *e, const char *name, size_t len, uint64_t *value);

/* True when the module is ET_EXEC and addr lies in one of its PT_LOAD
 * segments: then a pc perf printed may be a file address. */
bool sym_elf_exec_contains(const struct sym_elf *e, uint64_t addr);

/* ---- lower-level helpers, shared with the native symbolizer ---- */
#define SYM_ELF_MAX_BUILD_ID 64

/* One ELF opened read-only through an mmap; regular files only (no FIFO,
 * device or directory), so a path from the input cannot hang or read a
 * device. 0, WP_E_NOTFOUND or WP_E_FORMAT (not ELF) with *why set. */
struct sym_elf_raw {
	int fd;
	Elf *elf;
};
int sym_elf_raw_open(struct sym_elf_raw *h, const char *path, const char **why);
void sym_elf_raw_close(struct sym_elf_raw *h); /* idempotent */

/* How many entries the symbol tables of that type hold (from the section
 * headers, nothing read): room to make before sym_elf_foreach_symbol. */
size_t sym_elf_symbol_count(Elf *elf, Elf64_Word type);
/* Calls fn for every named symbol of the symbol tables of section type
 * type (SHT_SYMTAB or SHT_DYNSYM), in table order; a non-zero return of fn
 * stops the walk and is returned. */
int sym_elf_foreach_symbol(Elf *elf, Elf64_Word type,
			   int (*fn)(void *ctx, const GElf_Sym *sym, const char *name), void *ctx);

/* The bytes of the string table that the first symbol table of section
 * type `type` names its symbols in (*size of them), or NULL. A name
 * sym_elf_foreach_symbol() gives may lie in it (or, with an unusual
 * libelf layout, elsewhere: check the range). *file_offset: where the
 * same bytes lie in the file (if it is that long), or UINT64_MAX when
 * they are not the file's as they are (compressed, converted). */
const char *sym_elf_symbol_strings(Elf *elf, Elf64_Word type, size_t *size, uint64_t *file_offset);

/* NT_GNU_BUILD_ID of any SHT_NOTE section into out (SYM_ELF_MAX_BUILD_ID
 * bytes); returns its length, 0 when there is none. */
size_t sym_elf_build_id(Elf *elf, unsigned char *out);

/* Calls fn for each place gdb and perf look for the .gnu_debuglink file of
 * elf (its directory, its .debug/ subdirectory, symfs/usr/lib/debug/ + the
 * module's directory), stopping when fn returns true; false when elf has
 * no usable .gnu_debuglink or fn never accepted. module is the recorded
 * path, real_path the file opened (symfs + module). */
bool sym_elf_debuglink_each(Elf *elf, const char *symfs, const char *module,
			    const char *real_path, bool (*fn)(void *ctx, const char *path),
			    void *ctx);

#endif
