/* native_resolve.c - one address of a sample to what `perf script` prints
 * for it: the mapping that held it at the sample's time (native_maps.c,
 * native_jit.c), then the symbol from that mapping's source
 * (native_sources.c). The hot path: answers are cached per (pid, address)
 * until an address space changes, and ELF lookups per (file, offset). */
#include <stdlib.h>
#include <string.h>

#include "native_internal.h"

static const struct native_sym *cached_lookup(struct sym_native *s, uint32_t file,
					      struct native_elf *elf, uint64_t off)
{
	uint64_t addr;
	/* Made at the first lookup, so a symbolizer that never reaches an ELF
	 * symbol costs no zeroed table; without memory it is only slower. */
	if (!s->cache && !(s->cache = calloc(NATIVE_CACHE_SLOTS, sizeof *s->cache)))
		return native_elf_lookup(elf, off, &addr);
	uint64_t h = (off * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)file << 40);
	struct native_cache_slot *c = &s->cache[(h >> 20) % NATIVE_CACHE_SLOTS];
	if (c->file == file + 1 && c->off == off) {
		s->st.cache_hits++;
		return c->sym;
	}
	const struct native_sym *sym = native_elf_lookup(elf, off, &addr);
	*c = (struct native_cache_slot){.file = file + 1, .off = off, .sym = sym};
	return sym;
}

static void resolve_kernel(struct sym_native *s, const struct native_mapping *e, uint64_t addr,
			   struct sym_frame *out)
{
	if (!native_kallsyms_ready(s))
		return;
	uint64_t a = addr;
	uint32_t want_module = 0;
	if (!e || e->kind == K_KERNEL) {
		/* kallsyms__delta(): kallsyms' _text minus the recorded one */
		if (e && e->ref) {
			const char *ref = wp_intern_str(s->strings, e->ref - 1, NULL);
			uint64_t k = strcmp(ref, "_stext") == 0 ? s->kall.stext
				   : strcmp(ref, "_text") == 0 ? s->kall.text : 0;
			if (k)
				a = addr + (k - e->pgoff);
		}
	} else {
		/* a module map: only that module's symbols */
		const char *mod = out->module;
		size_t n = strlen(mod);
		uint32_t mid;
		if (n < 3 || wp_intern_find(s->kall.modules, mod + 1, n - 2, &mid) != 0)
			return;
		want_module = mid + 1;
	}
	const struct native_sym *sym = native_symtab_find(&s->kall.syms, a);
	if (sym && sym->module == want_module) {
		out->symbol = sym->name;
		out->offset = a - sym->start;
	}
}

/* No mapping holds the address: perf prints "[unknown]" twice. */
static int unmapped(struct sym_native *s, struct sym_frame *out)
{
	out->module = wp_intern_str(s->strings, s->s_unknown, NULL);
	out->unmapped = true;
	s->st.unmapped++;
	s->st.unknown_symbol++;
	return 0;
}

/* The symbol of a process's mapping e at addr (out->module set). */
static int resolve_user(struct sym_native *s, const struct native_mapping *e, uint64_t addr,
			struct sym_frame *out)
{
	const struct native_sym *sym = NULL;
	uint64_t a = addr;
	switch (e->kind) {
	case K_ELF:
	case K_VDSO: {
		a = addr - e->start + e->pgoff;
		out->map_addr = a;
		struct native_file *f = native_file_get(s, e);
		if (!f)
			return WP_E_NOMEM;
		if (f->elf && !f->failed) {
			sym = cached_lookup(s, (uint32_t)(f - s->files), f->elf, a);
			out->wasm_aot = native_elf_wasm_aot(f->elf);
			int rc = sym ? native_elf_demangle(f->elf, sym) : 0;
			if (rc)
				return rc;
		}
		break;
	}
	case K_PERFMAP: {
		struct native_perfmap *m = native_perfmap_get(s, e->pid);
		if (m)
			sym = native_perfmap_find(m, addr);
		break;
	}
	case K_JITCODE:
		/* perf inject's jitted-PID-N.so: .text at 0x80, one symbol */
		out->symbol = e->name;
		out->offset = addr - e->start;
		out->map_addr = addr - e->start + e->pgoff;
		return 0;
	default:
		break;
	}
	if (sym) {
		out->symbol = sym->name;
		out->offset = a - sym->start;
	} else {
		s->st.unknown_symbol++;
	}
	return 0;
}

static int resolve_uncached(struct sym_native *s, int32_t pid, uint64_t time, uint64_t addr,
			    bool kernel, struct sym_frame *out)
{
	memset(out, 0, sizeof *out);
	s->st.resolves++;
	out->map_addr = addr;
	out->kernel = kernel;
	const struct native_space *sp = native_space_get(s, kernel ? NATIVE_KERNEL_PID : pid, false);
	const struct native_mapping *e = sp ? native_space_find(sp, addr, time) : NULL;
	if (kernel) {
		/* kernel maps exist, none holds addr: perf finds no map */
		if (!e && sp && sp->maps.n)
			return unmapped(s, out);
		out->module = wp_intern_str(s->strings, e ? e->module : s->s_kernel, NULL);
		resolve_kernel(s, e, addr, out);
		if (!out->symbol)
			s->st.unknown_symbol++;
		return 0;
	}
	if (!e)
		return unmapped(s, out);
	out->module = wp_intern_str(s->strings, e->module, NULL);
	out->jit = e->jit;
	return resolve_user(s, e, addr, out);
}

static uint32_t answer_slot(const struct sym_native *s, int32_t pid, uint64_t addr, bool kernel)
{
	uint64_t h = (addr ^ ((uint64_t)(uint32_t)pid << 40) ^ (kernel ? 1ull << 63 : 0)) *
		     0x9e3779b97f4a7c15ULL;
	return (uint32_t)(h >> 40) & (s->answer_slots - 1);
}

/* The slot of the recent answers for (pid, addr), made on first use;
 * NULL without memory for them (only slower). */
static struct native_answer *recent_slot(struct sym_native *s, int32_t pid, uint64_t addr,
					 bool kernel)
{
	if (!s->recent && !(s->recent = calloc(NATIVE_RECENT_SLOTS, sizeof *s->recent)))
		return NULL;
	uint64_t h = (addr ^ ((uint64_t)(uint32_t)pid << 40) ^ (kernel ? 1ull << 63 : 0)) *
		     0xff51afd7ed558ccdULL;
	return &s->recent[(h >> 52) & (NATIVE_RECENT_SLOTS - 1)];
}

/* The answers table is made on first use and starts small, so a symbolizer
 * asked little (a short recording, a fuzzing run) costs no large zeroed
 * allocation; it grows x8, keeping its answers, each time it has missed
 * more often than a quarter of its slots, up to NATIVE_ANSWER_SLOTS. Without memory
 * for it every answer is only slower. */
static bool answers_ready(struct sym_native *s)
{
	if (s->answers && (s->answer_misses * 4 <= s->answer_slots ||
			   s->answer_slots >= NATIVE_ANSWER_SLOTS))
		return true;
	uint32_t want = s->answers ? s->answer_slots * 8 : NATIVE_ANSWER_FIRST;
	if (want > NATIVE_ANSWER_SLOTS)
		want = NATIVE_ANSWER_SLOTS;
	struct native_answer *t = calloc(want, sizeof *t);
	if (!t)
		return s->answers != NULL;
	wp_advise_dense(t, want * sizeof *t); /* 4.7 MB at most: 1,150 page faults else */
	struct native_answer *old = s->answers;
	uint32_t nold = s->answer_slots;
	s->answers = t;
	s->answer_slots = want;
	s->answer_misses = 0;
	for (uint32_t i = 0; i < nold; i++)
		if (old[i].used && old[i].generation == s->generation)
			t[answer_slot(s, old[i].pid, old[i].addr, old[i].kernel)] = old[i];
	free(old);
	return true;
}

/* An answer made before the latest changes still holds when none of them
 * was of a whole space, and none of their ranges holds its address (the
 * mapping that holds it, and so all it resolves to, is the same); it is
 * then brought up to date. */
static bool holds_since(const struct sym_native *s, uint64_t generation, int32_t pid,
			uint64_t addr, bool kernel)
{
	if (generation > s->generation || generation < s->wide_generation ||
	    s->generation - generation >= NATIVE_CHANGES)
		return false;
	int32_t space = kernel ? NATIVE_KERNEL_PID : pid;
	for (uint64_t g = generation + 1; g <= s->generation; g++) {
		const struct native_change *c = &s->changes[g % NATIVE_CHANGES];
		if (c->space == space && addr >= c->start && addr < c->end)
			return false;
	}
	return true;
}

static bool still_holds(struct sym_native *s, struct native_answer *a)
{
	if (!holds_since(s, a->generation, a->pid, a->addr, a->kernel))
		return false;
	a->generation = s->generation;
	return true;
}

/* The present's answers: for a caller that keeps what it was answered
 * (fold_reuse.c keeps a thread's last callchain). */
bool sym_native_generation(const struct sym_native *s, uint64_t time, uint64_t *generation)
{
	if (!s || (time != UINT64_MAX && time < s->changed_at))
		return false;
	*generation = s->generation;
	return true;
}

bool sym_native_answer_holds(const struct sym_native *s, uint64_t generation, int32_t pid,
			     uint64_t addr, bool kernel)
{
	return s && (generation == s->generation || holds_since(s, generation, pid, addr, kernel));
}

int sym_native_resolve(struct sym_native *s, int32_t pid, uint64_t time, uint64_t addr,
		       bool kernel, struct sym_frame *out)
{
	if (!s || !out)
		return WP_E_USAGE;
	/* Between two changes of any address space, an address of a process
	 * asked about at or after the last change always resolves the same way
	 * (records come in time order, so that is every sample; samples without
	 * a time, which see the latest mappings, are kept apart). */
	bool latest = time == UINT64_MAX;
	/* Only questions about the present are cached: one at an earlier time
	 * than the last change may see mappings that are gone now. */
	if (!latest && time < s->changed_at)
		return resolve_uncached(s, pid, time, addr, kernel, out);
	if (!answers_ready(s))
		return resolve_uncached(s, pid, time, addr, kernel, out);
	/* (the likely way: 94 % of esbuild's 18 M questions; marked, or the
	 * copy out was compiled as the slow string move of a cold path) */
	struct native_answer *near = recent_slot(s, pid, addr, kernel);
	if (__builtin_expect(near && near->used && near->addr == addr && near->pid == pid &&
			     near->kernel == kernel && near->latest == latest &&
			     near->generation == s->generation, 1)) {
		*out = near->frame;
		s->st.resolves++;
		s->st.cache_hits++;
		return 0;
	}
	struct native_answer *slot = &s->answers[answer_slot(s, pid, addr, kernel)];
	if (slot->used && slot->addr == addr && slot->pid == pid && slot->kernel == kernel &&
	    slot->latest == latest && (slot->generation == s->generation || still_holds(s, slot))) {
		*out = slot->frame;
		s->st.resolves++;
		s->st.cache_hits++;
		if (near)
			*near = *slot;
		return 0;
	}
	s->answer_misses++;
	int rc = resolve_uncached(s, pid, time, addr, kernel, out);
	if (rc == 0) {
		*slot = (struct native_answer){addr, s->generation, pid, kernel, latest, true, *out};
		if (near)
			*near = *slot;
	}
	return rc;
}

/* ---- for the unwinder ---- */

bool native_module_at(struct sym_native *s, int32_t pid, uint64_t time, uint64_t addr,
		      struct native_module *out)
{
	memset(out, 0, sizeof *out);
	const struct native_space *sp = native_space_get(s, pid, false);
	const struct native_mapping *e = sp ? native_space_find(sp, addr, time) : NULL;
	if (!e)
		return false;
	out->start = e->start;
	out->end = e->end;
	out->pgoff = e->pgoff;
	out->jit = e->jit || e->kind == K_PERFMAP;
	out->cfi = e->cfi;
	out->cfi_size = e->cfi_size;
	out->cfi_hdr_size = e->cfi_hdr_size;
	if (e->kind == K_ELF && !e->jit) {
		const struct native_bid *b = native_mapping_bid(s, e);
		out->path = wp_intern_str(s->paths, e->path, NULL);
		out->build_id = b->len ? b->id : NULL;
		out->build_id_len = b->len;
	} else if (e->kind == K_ELF) {
		/* perf inject's jitted-PID-N.so: an ELF with the JIT code's CFI
		 * (V8 --perf-prof-unwinding-info), when it is still there */
		out->path = wp_intern_str(s->paths, e->path, NULL);
	}
	return true;
}
