/* demangle.c - C++ (Itanium) and Rust (legacy and v0) names through
 * libiberty's demangler, the one c++filt uses, rather than a hand-written
 * one. Only names that look mangled are touched. */
#include <stdlib.h>
#include <string.h>

#include <libiberty/demangle.h>

#include "demangle.h"
#include "symbolizer.h"

/* In the auto style cplus_demangle tries Rust first, and libiberty's Rust
 * demangler walks the whole name before it gives up on a C++ one: a tenth
 * of loading node's symbol table. A Rust name starts with "_R" (v0) or
 * ends in the hash segment "17h<16 hex>E" (legacy, rust_demangle_callback
 * checks both first), so a name with neither goes straight to the
 * Itanium demangler, which is what cplus_demangle calls next. */
char *sym_cplus_demangle(const char *name, int options)
{
	if ((name[0] == '_' && name[1] == 'R') || strstr(name, "17h"))
		return cplus_demangle(name, options);
	return cplus_demangle_v3(name, options | DMGL_AUTO);
}

bool sym_looks_mangled(const char *s, size_t n)
{
	/* _Z / __Z (Itanium; macOS-style extra underscore) and _R (Rust v0).
	 * Rust legacy names are Itanium-shaped (_ZN...17h<hash>E). */
	if (n >= 3 && s[0] == '_' && (s[1] == 'Z' || s[1] == 'R') && (s[2] >= 'A' && s[2] <= 'Z'))
		return true;
	if (n >= 4 && s[0] == '_' && s[1] == '_' && s[2] == 'Z')
		return true;
	return false;
}

int sym_demangle(const char *s, size_t n, struct wp_buf *out)
{
	if (!sym_looks_mangled(s, n) || memchr(s, '\0', n))
		return 0;
	char *copy = strndup(s, n);
	if (!copy)
		return WP_E_NOMEM;
	/* DMGL_PARAMS | DMGL_ANSI is what c++filt prints; without DMGL_VERBOSE
	 * the Rust legacy hash (::h0123...) is dropped. */
	char *d = sym_cplus_demangle(copy, DMGL_PARAMS | DMGL_ANSI | DMGL_AUTO);
	free(copy);
	if (!d)
		return 0;
	wp_buf_reset(out);
	int rc = wp_buf_puts(out, d);
	free(d);
	return rc ? rc : 1;
}
