/* wasm_module.c - reads what profiles need from a .wasm binary: how many
 * functions are imported and defined, and the `name` custom section
 * (WebAssembly spec, binary format, appendix "Custom Sections"; subsections
 * 3-11 of the extended-name-section proposal are skipped by size).
 *
 * The module is untrusted: every LEB128 and length is checked against the
 * bytes present, counts never drive allocations, and a damaged module
 * keeps whatever was parsed before the damage. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "symbolizer.h"

#define MAX_MODULE_BYTES (1u << 30) /* "the 1 GiB cap" (load_error) */

struct fname {
	uint32_t fi;
	uint32_t len;
	size_t offset; /* into names */
};

struct sym_wasm_module {
	char *path;
	uint32_t imported, defined;
	struct wp_buf names;    /* name bytes, NUL after each */
	struct fname *fnames;   /* sorted by fi after parsing */
	size_t nfnames, fnames_cap;
	bool has_module_name;
	size_t module_name_off;
	uint32_t module_name_len;
	uint8_t *build_id;
	size_t build_id_len;
};

/* A bounded cursor over the module bytes. */
struct cursor {
	const uint8_t *base;
	size_t pos, end;
	const char *name;
	char *err;
	size_t errlen;
	bool failed;
};

static int fail(struct cursor *c, int code, const char *fmt, ...)
{
	if (!c->failed) {
		char what[200];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(what, sizeof what, fmt, ap);
		va_end(ap);
		snprintf(c->err, c->errlen, "'%s': offset 0x%zx: %s", c->name, c->pos, what);
		c->failed = true;
	}
	return code;
}

static int read_u8(struct cursor *c, uint8_t *v)
{
	if (c->pos >= c->end)
		return fail(c, WP_E_TRUNCATED, "unexpected end of data");
	*v = c->base[c->pos++];
	return 0;
}

static int read_u32(struct cursor *c, uint32_t *v)
{
	uint32_t result = 0;
	for (int shift = 0; shift < 35; shift += 7) {
		if (c->pos >= c->end)
			return fail(c, WP_E_TRUNCATED, "LEB128 number runs past the end");
		uint8_t b = c->base[c->pos++];
		if (shift == 28 && (b & 0x70))
			return fail(c, WP_E_FORMAT, "LEB128 number does not fit in 32 bits");
		result |= (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = result;
			return 0;
		}
	}
	return fail(c, WP_E_FORMAT, "LEB128 number longer than 5 bytes");
}

/* A vec(byte) name: returns its position without copying. */
static int read_name(struct cursor *c, const uint8_t **p, uint32_t *len)
{
	int rc = read_u32(c, len);
	if (rc)
		return rc;
	if (*len > c->end - c->pos)
		return fail(c, WP_E_TRUNCATED, "name of %u bytes runs past the end", *len);
	*p = c->base + c->pos;
	c->pos += *len;
	return 0;
}

static int skip_limits(struct cursor *c)
{
	uint8_t flags = 0;
	uint32_t v;
	int rc = read_u8(c, &flags);
	rc = rc ? rc : read_u32(c, &v);
	if (!rc && (flags & 1))
		rc = read_u32(c, &v);
	return rc;
}

/* Import section: counts the function imports, skipping the others. */
static int parse_imports(struct sym_wasm_module *m, struct cursor *c)
{
	uint32_t count;
	int rc = read_u32(c, &count);
	for (uint32_t i = 0; i < count && !rc; i++) {
		const uint8_t *p = NULL;
		uint32_t len = 0, v = 0;
		uint8_t kind = 0, b;
		rc = read_name(c, &p, &len);
		rc = rc ? rc : read_name(c, &p, &len);
		rc = rc ? rc : read_u8(c, &kind);
		if (rc)
			break;
		switch (kind) {
		case 0: /* func: type index */
			rc = read_u32(c, &v);
			m->imported++;
			break;
		case 1: /* table: reftype, limits */
			rc = read_u8(c, &b);
			rc = rc ? rc : skip_limits(c);
			break;
		case 2: /* memory: limits */
			rc = skip_limits(c);
			break;
		case 3: /* global: valtype, mutability */
			rc = read_u8(c, &b);
			rc = rc ? rc : read_u8(c, &b);
			break;
		case 4: /* tag: attribute, type index */
			rc = read_u8(c, &b);
			rc = rc ? rc : read_u32(c, &v);
			break;
		default:
			rc = fail(c, WP_E_FORMAT, "unknown import kind 0x%02x", kind);
		}
	}
	return rc;
}

static int add_fname(struct sym_wasm_module *m, uint32_t fi, const uint8_t *p, uint32_t len)
{
	if (wp_grow((void **)&m->fnames, &m->fnames_cap, m->nfnames + 1, sizeof *m->fnames))
		return WP_E_NOMEM;
	size_t off = m->names.len;
	int rc = wp_buf_append(&m->names, p, len);
	rc = rc ? rc : wp_buf_putc(&m->names, '\0');
	if (rc)
		return rc;
	m->fnames[m->nfnames++] = (struct fname){fi, len, off};
	return 0;
}

static int parse_function_names(struct sym_wasm_module *m, struct cursor *c)
{
	uint32_t count;
	int rc = read_u32(c, &count);
	for (uint32_t i = 0; i < count && !rc; i++) {
		uint32_t fi = 0, len = 0;
		const uint8_t *p = NULL;
		rc = read_u32(c, &fi);
		rc = rc ? rc : read_name(c, &p, &len);
		rc = rc ? rc : add_fname(m, fi, p, len);
	}
	return rc;
}

/* The `name` section: subsections by id; 0 and 1 are read, the rest
 * (2 locals, 3-11 extended names, unknown ids) skipped by their size. */
static int parse_name_section(struct sym_wasm_module *m, struct cursor *c)
{
	while (c->pos < c->end) {
		uint8_t id;
		uint32_t size;
		int rc = read_u8(c, &id);
		rc = rc ? rc : read_u32(c, &size);
		if (rc)
			return rc;
		if (size > c->end - c->pos)
			return fail(c, WP_E_TRUNCATED, "name subsection %u of %u bytes runs past the end of the section", id, size);
		struct cursor sub = *c;
		sub.end = c->pos + size;
		if (id == 0) {
			const uint8_t *p = NULL;
			uint32_t len = 0;
			rc = read_name(&sub, &p, &len);
			if (!rc) {
				m->module_name_off = m->names.len;
				m->module_name_len = len;
				rc = wp_buf_append(&m->names, p, len);
				rc = rc ? rc : wp_buf_putc(&m->names, '\0');
				m->has_module_name = rc == 0;
			}
		} else if (id == 1) {
			rc = parse_function_names(m, &sub);
		}
		if (sub.failed) {
			c->failed = true;
			return rc;
		}
		if (rc)
			return rc;
		c->pos += size;
	}
	return 0;
}

static int parse_custom(struct sym_wasm_module *m, struct cursor *c)
{
	const uint8_t *p = NULL;
	uint32_t len = 0;
	int rc = read_name(c, &p, &len);
	if (rc)
		return rc;
	if (len == 4 && memcmp(p, "name", 4) == 0)
		return parse_name_section(m, c);
	if (len == 8 && memcmp(p, "build_id", 8) == 0) {
		uint32_t n = 0;
		const uint8_t *id = NULL;
		rc = read_name(c, &id, &n); /* vec(byte) */
		if (rc)
			return rc;
		free(m->build_id);
		m->build_id = malloc(n ? n : 1);
		if (!m->build_id)
			return WP_E_NOMEM;
		memcpy(m->build_id, id, n);
		m->build_id_len = n;
	}
	return 0;
}

static int compare_fi(const void *a, const void *b)
{
	const struct fname *x = a, *y = b;
	if (x->fi != y->fi)
		return x->fi < y->fi ? -1 : 1;
	/* Keep input order among duplicates: the last one wins at lookup. */
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int parse_sections(struct sym_wasm_module *m, struct cursor *c)
{
	static const uint8_t magic[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
	if (c->end < 8 || memcmp(c->base, magic, 4) != 0)
		return fail(c, WP_E_FORMAT, "not a WebAssembly module (no \\0asm magic)");
	if (memcmp(c->base + 4, magic + 4, 4) != 0)
		return fail(c, WP_E_UNSUPPORTED, "unsupported WebAssembly version %u",
			    c->base[4] | c->base[5] << 8 | c->base[6] << 16 | (unsigned)c->base[7] << 24);
	c->pos = 8;
	while (c->pos < c->end) {
		uint8_t id;
		uint32_t size;
		size_t start = c->pos;
		int rc = read_u8(c, &id);
		rc = rc ? rc : read_u32(c, &size);
		if (rc)
			return rc;
		if (size > c->end - c->pos) {
			c->pos = start;
			return fail(c, WP_E_TRUNCATED, "section %u of %u bytes runs past the end of the file (%zu bytes)",
				    id, size, c->end);
		}
		struct cursor sec = *c;
		sec.end = c->pos + size;
		if (id == 0)
			rc = parse_custom(m, &sec);
		else if (id == 2)
			rc = parse_imports(m, &sec);
		else if (id == 3)
			rc = read_u32(&sec, &m->defined);
		if (sec.failed)
			c->failed = true;
		if (rc)
			return rc;
		c->pos += size;
	}
	return 0;
}

int sym_wasm_module_parse(const uint8_t *data, size_t len, const char *name,
			  struct sym_wasm_module **out, char *errbuf, size_t errlen)
{
	struct sym_wasm_module *m = calloc(1, sizeof *m);
	*out = NULL;
	if (errlen)
		errbuf[0] = '\0';
	if (!m)
		return WP_E_NOMEM;
	m->path = strdup(name ? name : "<module>");
	wp_buf_init(&m->names, MAX_MODULE_BYTES);
	if (!m->path) {
		free(m);
		return WP_E_NOMEM;
	}
	struct cursor c = {data, 0, len, m->path, errbuf, errlen, false};
	int rc = parse_sections(m, &c);
	if (rc == WP_E_NOMEM && !c.failed)
		snprintf(errbuf, errlen, "%s: out of memory", m->path);
	if (m->nfnames > 1)
		qsort(m->fnames, m->nfnames, sizeof *m->fnames, compare_fi);
	*out = m;
	return rc;
}

/* Why path could not be read, as sym_wasm_module_load says it. */
static void load_error(const char *path, int rc, int err, char *errbuf, size_t errlen)
{
	struct stat st;
	if (rc == WP_E_NOMEM)
		snprintf(errbuf, errlen, "'%s': out of memory", path);
	else if (rc == WP_E_TOOBIG)
		snprintf(errbuf, errlen, "'%s': larger than the 1 GiB cap for Wasm modules, not read",
			 path);
	else if (rc == WP_E_NOTFOUND && stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		snprintf(errbuf, errlen, "'%s': %s", path,
			 S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
	else
		snprintf(errbuf, errlen, "cannot open '%s': %s", path, strerror(err));
}

int sym_wasm_module_load(const char *path, struct sym_wasm_module **out, char *errbuf,
			 size_t errlen)
{
	*out = NULL;
	char *data;
	size_t len;
	int rc = wp_read_file(path, MAX_MODULE_BYTES, &data, &len);
	if (rc != 0) {
		load_error(path, rc, errno, errbuf, errlen);
		return rc == WP_E_NOMEM ? rc : WP_E_IO;
	}
	rc = sym_wasm_module_parse((const uint8_t *)data, len, path, out, errbuf, errlen);
	free(data);
	return rc;
}

void sym_wasm_module_free(struct sym_wasm_module *m)
{
	if (!m)
		return;
	free(m->path);
	wp_buf_release(&m->names);
	free(m->fnames);
	free(m->build_id);
	free(m);
}

const char *sym_wasm_module_path(const struct sym_wasm_module *m) { return m->path; }
uint32_t sym_wasm_imported_functions(const struct sym_wasm_module *m) { return m->imported; }
uint32_t sym_wasm_defined_functions(const struct sym_wasm_module *m) { return m->defined; }
size_t sym_wasm_named_functions(const struct sym_wasm_module *m) { return m->nfnames; }

const char *sym_wasm_module_name(const struct sym_wasm_module *m, size_t *len)
{
	if (!m->has_module_name)
		return NULL;
	if (len)
		*len = m->module_name_len;
	return m->names.data + m->module_name_off;
}

const char *sym_wasm_function_name(const struct sym_wasm_module *m, uint32_t fi, size_t *len)
{
	/* Binary search for the last entry with this index. */
	size_t lo = 0, hi = m->nfnames;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->fnames[mid].fi <= fi)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || m->fnames[lo - 1].fi != fi)
		return NULL;
	if (len)
		*len = m->fnames[lo - 1].len;
	return m->names.data + m->fnames[lo - 1].offset;
}


int64_t sym_wasm_function_by_name(const struct sym_wasm_module *m, const char *name, size_t len)
{
	/* Linear: only used for the few frames wasmtime names by name alone,
	 * and the translator caches per frame. */
	int64_t best = -1;
	for (size_t i = 0; i < m->nfnames; i++) {
		const struct fname *f = &m->fnames[i];
		if (f->len == len && memcmp(m->names.data + f->offset, name, len) == 0 &&
		    (best < 0 || f->fi < (uint64_t)best))
			best = f->fi;
	}
	return best;
}

const uint8_t *sym_wasm_build_id(const struct sym_wasm_module *m, size_t *len)
{
	if (len)
		*len = m->build_id_len;
	return m->build_id;
}
