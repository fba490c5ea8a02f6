/* native_jit.c - JIT code named by jitdumps (JIT_CODE_LOAD, JIT_CODE_MOVE,
 * JIT_CODE_UNWINDING_INFO), kept per process beside its mappings
 * (native_maps.c), which it hides: what `perf inject --jit` would have
 * written as jitted-PID-N.so files, without writing them. */
#include <stdlib.h>
#include <string.h>

#include "native_internal.h"

#define MAX_UNWIND_BYTES (1u << 24) /* larger unwinding info is not kept */

bool native_is_jit_pid(const struct sym_native *s, int32_t pid)
{
	uint32_t id;
	return wp_intern_find(s->jit_pids, (const char *)&pid, sizeof pid, &id) == 0;
}

int sym_native_jit_pid(struct sym_native *s, int32_t pid)
{
	uint32_t id;
	if (!s)
		return WP_E_USAGE;
	return wp_intern_get(s->jit_pids, (const char *)&pid, sizeof pid, &id);
}

/* A copy of the code's unwinding info, owned by s, for e. */
static int keep_unwind(struct sym_native *s, const struct sym_native_jit *j,
		       struct native_mapping *e)
{
	if (!j->unwind || !j->unwind_size || j->unwind_hdr_size > j->unwind_size)
		return 0;
	if (j->unwind_size > MAX_UNWIND_BYTES) {
		native_warn_once(s, "jit-unwind-cap",
				 "pid %d: JIT unwinding info of %llu bytes (for '%s') is over the %u MiB "
				 "cap: not kept, DWARF stacks through that code stop there",
				 (int)j->pid, (unsigned long long)j->unwind_size,
				 j->name ? j->name : "?", MAX_UNWIND_BYTES >> 20);
		return 0;
	}
	/* libdw trusts CFI; a jitdump's is checked first (cfi_check.c). The
	 * image puts .eh_frame 8-aligned after the code (unwind.c). */
	size_t bad;
	const char *why;
	int rc = native_cfi_check(j->unwind, (size_t)j->unwind_size, (size_t)j->unwind_hdr_size,
				  (j->size + 7) & ~(uint64_t)7, &bad, &why);
	if (rc == WP_E_FORMAT) {
		native_warn_once(s, "jit-unwind-bad",
				 "pid %d: JIT unwinding info for '%s' refused at byte %zu of it: %s: "
				 "DWARF stacks through that code stop there",
				 (int)j->pid, j->name ? j->name : "?", bad, why);
		s->st.jit_unwind_refused++;
		return 0;
	}
	if (rc)
		return rc;
	uint8_t *copy = malloc((size_t)j->unwind_size);
	if (!copy ||
	    wp_grow((void **)&s->cfi_blobs, &s->cfi_cap, s->ncfi + 1, sizeof *s->cfi_blobs)) {
		free(copy);
		return WP_E_NOMEM;
	}
	memcpy(copy, j->unwind, (size_t)j->unwind_size);
	s->cfi_blobs[s->ncfi++] = copy;
	e->cfi = copy;
	e->cfi_size = (uint32_t)j->unwind_size;
	e->cfi_hdr_size = (uint32_t)j->unwind_hdr_size;
	return 0;
}

static int jit_add(struct sym_native *s, const struct sym_native_jit *j, const char *name,
		   uint32_t module)
{
	struct native_mapping e = {.start = j->start, .end = j->start + j->size, .pgoff = 0x80,
				   .t_from = j->time, .t_to = UINT64_MAX, .seq = s->seq++,
				   .pid = j->pid, .kind = K_JITCODE, .jit = true,
				   .module = module};
	uint32_t id;
	if (native_intern(s->names, name, &id) != 0)
		return WP_E_NOMEM;
	e.name = wp_intern_str(s->names, id, NULL);
	if (keep_unwind(s, j, &e) != 0)
		return WP_E_NOMEM;
	struct native_space *sp = native_space_get(s, j->pid, true);
	if (!sp || native_list_add(&sp->jit, &e) != 0)
		return WP_E_NOMEM;
	s->st.jit_functions++;
	return 0;
}

int sym_native_jit_load(struct sym_native *s, const struct sym_native_jit *j)
{
	int bad = !s || !j || !j->name || !j->module ? WP_E_USAGE
		: j->size == 0 || j->start + j->size < j->start ? WP_E_FORMAT : 0;
	if (bad) {
		native_note_change(s, j ? j->time : 0);
		return bad;
	}
	native_note_range(s, j->time, j->pid, j->start, j->start + j->size);
	uint32_t module;
	if (native_intern(s->strings, j->module, &module) != 0)
		return WP_E_NOMEM;
	return jit_add(s, j, j->name, module);
}

int sym_native_jit_move(struct sym_native *s, const struct sym_native_jit *j, uint64_t old_start)
{
	native_note_change(s, j ? j->time : 0);
	if (!s || !j)
		return WP_E_USAGE;
	if (j->size == 0 || j->start + j->size < j->start)
		return WP_E_FORMAT;
	struct native_space *sp = native_space_get(s, j->pid, false);
	const struct native_mapping *old = sp ? native_list_find(&sp->jit, old_start, j->time) : NULL;
	if (!old || old->start != old_start)
		return WP_E_NOTFOUND;
	/* The code left its old place: samples there after the move are not
	 * it. Without times (time 0: the clocks differ) every record holds
	 * from the start, so the old place keeps its name. */
	if (j->time)
		((struct native_mapping *)old)->t_to = j->time;
	const char *name = old->name;
	uint32_t module = old->module;
	/* moved code keeps its unwinding info (it is position-relative) */
	struct sym_native_jit moved = *j;
	if (!moved.unwind && old->cfi) {
		moved.unwind = old->cfi;
		moved.unwind_size = old->cfi_size;
		moved.unwind_hdr_size = old->cfi_hdr_size;
	}
	if (moved.module && native_intern(s->strings, moved.module, &module) != 0)
		return WP_E_NOMEM;
	return jit_add(s, &moved, name, module);
}
