/* native_buildid.c - where a recorded file's symbols may be, in the order
 * perf 6.1's dso__load() tries them (binary_type_symtab[] in
 * tools/perf/util/symbol.c; paths from dso__read_binary_type_filename()):
 *   DEBUGLINK                 .gnu_debuglink of symfs+path (elf_file.c)
 *   BUILD_ID_CACHE            DIR/.build-id/xx/rest, DIR/PATH/ID/elf
 *   BUILD_ID_CACHE_DEBUGINFO  DIR/PATH/ID/debug
 *   FEDORA_DEBUGINFO          symfs/usr/lib/debug/PATH.debug
 *   UBUNTU_DEBUGINFO          symfs/usr/lib/debug/PATH
 *   BUILDID_DEBUGINFO         symfs/usr/lib/debug/.build-id/xx/rest.debug
 *   SYSTEM_PATH_DSO           symfs/PATH
 * DIR is perf's build-id cache (~/.debug, or --buildid-dir), the layout
 * `perf archive` packs; [vdso] is kept there as DIR/[vdso]/ID/vdso. The
 * caller checks each candidate's build-id. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "elf_file.h"
#include "native_internal.h"

void native_hex(const uint8_t *id, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[id[i] >> 4];
		out[2 * i + 1] = digits[id[i] & 15];
	}
	out[2 * len] = '\0';
}

static bool is_regular(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

struct walk {
	native_path_fn fn;
	void *ctx;
	bool debug_only;
	bool stop;
};

/* Offers one path if it names a regular file; true = stop. */
static bool offer(struct walk *w, const char *path)
{
	if (!w->stop && is_regular(path) && w->fn(w->ctx, path, w->debug_only))
		w->stop = true;
	return w->stop;
}

static bool offer_debuglink(void *ctx, const char *path)
{
	return offer(ctx, path);
}

#define FMT(buf, ...) (snprintf(buf, sizeof buf, __VA_ARGS__) < (int)sizeof buf)

void native_candidates(const struct sym_native_paths *p, const char *path, const uint8_t *id,
		       size_t id_len, void *runtime_elf, native_path_fn fn, void *ctx)
{
	struct walk w = {fn, ctx, true, false};
	char buf[PATH_MAX], real[PATH_MAX], hex[2 * NATIVE_MAX_BUILD_ID + 1];
	const char *symfs = p->symfs ? p->symfs : "";
	bool bracket = path[0] == '[';
	if (!FMT(real, "%s%s", symfs, path))
		return;
	if (id_len > NATIVE_MAX_BUILD_ID)
		id_len = NATIVE_MAX_BUILD_ID;
	if (id_len)
		native_hex(id, id_len, hex);

	if (runtime_elf && !bracket &&
	    sym_elf_debuglink_each(runtime_elf, symfs, path, real, offer_debuglink, &w))
		return;
	if (id_len >= 2 && p->buildid_dir && p->buildid_dir[0]) {
		const char *d = p->buildid_dir;
		w.debug_only = false;
		if (FMT(buf, "%s/.build-id/%.2s/%s", d, hex, hex + 2) && offer(&w, buf))
			return;
		const char *sep = path[0] == '/' ? "" : "/";
		if (FMT(buf, "%s%s%s/%s/elf", d, sep, path, hex) && offer(&w, buf))
			return;
		if (bracket && FMT(buf, "%s/%s/%s/vdso", d, path, hex) && offer(&w, buf))
			return;
		w.debug_only = true;
		if (FMT(buf, "%s%s%s/%s/debug", d, sep, path, hex) && offer(&w, buf))
			return;
	}
	if (bracket)
		return;
	w.debug_only = true;
	if (FMT(buf, "%s/usr/lib/debug%s.debug", symfs, path) && offer(&w, buf))
		return;
	if (FMT(buf, "%s/usr/lib/debug%s", symfs, path) && offer(&w, buf))
		return;
	if (id_len >= 2 && FMT(buf, "%s/usr/lib/debug/.build-id/%.2s/%s.debug", symfs, hex, hex + 2) &&
	    offer(&w, buf))
		return;
	w.debug_only = false;
	offer(&w, real);
}
