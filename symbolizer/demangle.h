/* demangle.h - libiberty's cplus_demangle without its costly Rust attempt
 * on names that cannot be Rust (internal to the symbolizer). */
#ifndef WASMPERF_DEMANGLE_H
#define WASMPERF_DEMANGLE_H

/* cplus_demangle(name, options) in the default (auto) style, the same
 * result, malloc'd or NULL. */
char *sym_cplus_demangle(const char *name, int options);

#endif
