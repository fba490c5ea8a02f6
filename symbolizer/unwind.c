/* unwind.c - user stacks of `--call-graph dwarf` samples through libdwfl,
 * as perf's util/unwind-libdw.c does, without its cost: one Dwfl per
 * process, attached once (dwfl_attach_state fails the second time) with a
 * thread callback that serves any tid from the sample being unwound, and
 * modules reported lazily from the native symbolizer's mappings at the
 * sample's time.
 *
 * - Modules: the ELF mapped at a pc, found as the symbolizer finds it
 *   (symfs, build-id cache; it must carry the recorded build-id), with the
 *   load address libdwfl wants (that of its first PT_LOAD). JIT code and
 *   anonymous memory are not reported: libdw then steps over their frames
 *   by the frame-pointer chain (its x86_64/aarch64 fallback), reading the
 *   copied stack. A mapping that overlaps a reported module (perf inject's
 *   jitted-*.so over V8's builtins in node's own text) is not reported:
 *   libdw sees only the topmost file per range, else its lookups break.
 *   When a process's files change under a reported module (exec, dlopen
 *   at the same place), the session starts over.
 * - Memory: only the stack copy ([sp, sp + size)); anything else reads as
 *   unavailable and ends the walk, as in perf.
 * - Registers: perf's sample order (ascending bit of the mask) to DWARF
 *   numbers (x86_64: rax rdx rcx rbx rsi rdi rbp rsp r8-r15, rip; aarch64:
 *   x0-x30, sp, pc). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <elfutils/libdwfl.h>
#include <gelf.h>

#include "elf_file.h"
#include "native_internal.h"

#define MAX_FRAMES_DEFAULT 127 /* perf's --max-stack default */

struct reported {
	uint64_t start, end;
	const char *path; /* interned in the symbolizer: compared by pointer */
};

struct proc {
	int32_t pid;
	Dwfl *dwfl;
	Elf *arch_elf;             /* a bare ELF header naming the machine */
	struct reported *mods;
	size_t nmods, cap;
	bool stale;                /* files changed: start over before the next sample */
	bool broken;               /* libdw refused this process: no unwinding */
};

struct walk {                      /* the sample being unwound */
	struct sym_unwind *u;
	struct proc *p;
	const struct sym_unwind_sample *smp;
	uint64_t sp;
	uint64_t *pcs;
	size_t n, max;
};

struct sym_unwind {
	struct sym_native *sym;
	unsigned char **images;    /* in-memory ELF images of JIT code with CFI */
	size_t nimages, images_cap;
	wp_warn_fn warn;
	void *ctx;
	struct wp_intern *keys;    /* pid -> procs index */
	struct proc *procs;
	size_t nprocs, cap;
	struct walk *cur;
	struct sym_unwind_stats st;
	char *debuginfo_path;      /* for dwfl_standard_find_debuginfo */
	Dwfl_Callbacks callbacks;
};

/* ---- registers ---- */

/* perf_event_x86_regs index of each DWARF register 0..16 */
static const int x86_64_perf_reg[17] = {0, 3, 2, 1, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23, 8};
#define X86_64_PERF_SP 7
#define AARCH64_PERF_SP 31

static bool sample_reg(const struct sym_unwind_sample *smp, int bit, uint64_t *val)
{
	if (bit < 0 || bit > 63 || !(smp->mask & (1ull << bit)))
		return false;
	uint64_t below = smp->mask & ((1ull << bit) - 1);
	size_t idx = (size_t)__builtin_popcountll(below);
	if (idx >= smp->nregs)
		return false;
	*val = smp->regs[idx];
	return true;
}

static bool sample_sp(const struct sym_unwind_sample *smp, uint64_t *sp)
{
	return sample_reg(smp, smp->machine == EM_AARCH64 ? AARCH64_PERF_SP : X86_64_PERF_SP, sp);
}

/* ---- libdwfl thread callbacks: one "thread", the current sample ---- */

static pid_t next_thread(Dwfl *dwfl, void *dwfl_arg, void **thread_argp)
{
	(void)dwfl;
	(void)dwfl_arg;
	(void)thread_argp;
	return 0; /* threads are asked for by tid only */
}

static bool get_thread(Dwfl *dwfl, pid_t tid, void *dwfl_arg, void **thread_argp)
{
	(void)dwfl;
	(void)tid;
	*thread_argp = dwfl_arg;
	return true;
}

static bool memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *dwfl_arg)
{
	(void)dwfl;
	struct sym_unwind *u = dwfl_arg;
	const struct walk *w = u->cur;
	if (!w || addr < w->sp || addr - w->sp > w->smp->stack_size ||
	    w->smp->stack_size - (addr - w->sp) < sizeof(Dwarf_Word))
		return false;
	memcpy(result, w->smp->stack + (addr - w->sp), sizeof(Dwarf_Word));
	return true;
}

static bool set_initial_registers(Dwfl_Thread *thread, void *thread_arg)
{
	struct sym_unwind *u = thread_arg;
	const struct sym_unwind_sample *smp = u->cur->smp;
	uint64_t v;
	if (smp->machine == EM_AARCH64) {
		for (int r = 0; r <= 31; r++) {
			Dwarf_Word w;
			if (sample_reg(smp, r, &v) && (w = v, !dwfl_thread_state_registers(thread, r, 1, &w)))
				return false;
		}
		if (!sample_reg(smp, 32, &v))
			return false;
		dwfl_thread_state_register_pc(thread, v);
		return true;
	}
	for (int r = 0; r < 17; r++) {
		Dwarf_Word w;
		if (sample_reg(smp, x86_64_perf_reg[r], &v) &&
		    (w = v, !dwfl_thread_state_registers(thread, r, 1, &w)))
			return false;
	}
	return sample_reg(smp, 8, &v); /* without ip there is nothing to walk */
}

static const Dwfl_Thread_Callbacks thread_callbacks = {
	.next_thread = next_thread,
	.get_thread = get_thread,
	.memory_read = memory_read,
	.set_initial_registers = set_initial_registers,
};

/* ---- modules ---- */

struct find_runtime {
	const uint8_t *id;
	size_t id_len;
	char path[4096];
	bool found;
};

static bool take_runtime(void *ctx, const char *path, bool debug_only)
{
	struct find_runtime *f = ctx;
	if (debug_only)
		return false;
	struct sym_elf_raw h;
	const char *why;
	if (sym_elf_raw_open(&h, path, &why) != 0)
		return false;
	size_t nph;
	bool ok = elf_getphdrnum(h.elf, &nph) == 0 && nph > 0;
	if (ok && f->id) {
		unsigned char id[SYM_ELF_MAX_BUILD_ID];
		size_t n = sym_elf_build_id(h.elf, id);
		ok = n >= f->id_len && memcmp(id, f->id, f->id_len) == 0;
	}
	sym_elf_raw_close(&h);
	if (ok && snprintf(f->path, sizeof f->path, "%s", path) < (int)sizeof f->path)
		f->found = true;
	return f->found;
}

/* Where libdwfl wants the file: the address of its first PT_LOAD (page
 * aligned), from the mapping of file offset pgoff at start. */
static bool load_base(const char *path, const struct native_module *m, uint64_t *base,
		      bool *is_exec)
{
	struct sym_elf_raw h;
	const char *why;
	if (sym_elf_raw_open(&h, path, &why) != 0)
		return false;
	GElf_Ehdr eh;
	size_t nph;
	bool ok = gelf_getehdr(h.elf, &eh) && elf_getphdrnum(h.elf, &nph) == 0;
	uint64_t first = 0, bias = 0;
	bool have_first = false, have_bias = false, bias_exec = false;
	for (size_t i = 0; ok && i < nph; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(h.elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		uint64_t align = ph.p_align > 1 ? ph.p_align : 1;
		if (!have_first) {
			first = ph.p_vaddr & ~(align - 1);
			have_first = true;
		}
		/* Segments may share a file page (lld lays the text out at
		 * p_offset 0xd60, vaddr 0x1d60, after a read-only segment at
		 * offset 0): the mapping of code is the executable one's. */
		bool exec = (ph.p_flags & PF_X) != 0;
		if ((!have_bias || (exec && !bias_exec)) && m->pgoff >= (ph.p_offset & ~(align - 1)) &&
		    m->pgoff < ph.p_offset + ph.p_filesz) {
			/* address of file offset 0 minus its vaddr mapping */
			bias = (m->start - m->pgoff) - (ph.p_vaddr - ph.p_offset);
			have_bias = true;
			bias_exec = exec;
		}
	}
	*is_exec = ok && eh.e_type == ET_EXEC;
	sym_elf_raw_close(&h);
	if (!ok || !have_first)
		return false;
	*base = have_bias ? bias + first : m->start - m->pgoff + first;
	return true;
}

static bool overlaps_reported(const struct proc *p, const struct native_module *m,
			      bool *same)
{
	*same = false;
	for (size_t i = 0; i < p->nmods; i++) {
		const struct reported *r = &p->mods[i];
		if (m->start < r->end && r->start < m->end) {
			*same = r->path == m->path;
			return true;
		}
	}
	return false;
}

/* ---- JIT code with unwinding info (V8 --perf-prof-unwinding-info) ----
 * An ELF image in memory, laid out as perf inject's jitted-PID-N.so but
 * with the code at address 0: the code's bytes (zeros: only its range
 * matters), then, 8-aligned, .eh_frame and .eh_frame_hdr as the runtime put
 * them after the code, a PT_LOAD over all of it and a PT_GNU_EH_FRAME.
 * Built after its length, as find_elf reads it (no copy: the zeros of a
 * large code range are costly enough once). */
#define IMG_TEXT_OFF 0x100u

static unsigned char *jit_image(const struct native_module *m, uint16_t machine)
{
	static const char shstr[] = "\0.text\0.eh_frame\0.eh_frame_hdr\0.shstrtab";
	uint64_t csize = m->end - m->start;
	uint64_t eh = (csize + 7) & ~(uint64_t)7;          /* .eh_frame address */
	uint64_t table = m->cfi_size - m->cfi_hdr_size;    /* .eh_frame bytes */
	uint64_t loadsz = eh + m->cfi_size;
	if (csize > (64u << 20))
		return NULL;
	uint64_t shstr_off = IMG_TEXT_OFF + loadsz;
	uint64_t sh_off = (shstr_off + sizeof shstr + 7) & ~(uint64_t)7;
	size_t total = (size_t)(sh_off + 5 * sizeof(Elf64_Shdr));
	unsigned char *blob = calloc(1, sizeof total + total);
	if (!blob)
		return NULL;
	memcpy(blob, &total, sizeof total);
	unsigned char *img = blob + sizeof total;
	Elf64_Ehdr *eh_ = (Elf64_Ehdr *)img;
	memcpy(eh_->e_ident, ELFMAG, SELFMAG);
	eh_->e_ident[EI_CLASS] = ELFCLASS64;
	eh_->e_ident[EI_DATA] = ELFDATA2LSB;
	eh_->e_ident[EI_VERSION] = EV_CURRENT;
	eh_->e_type = ET_DYN;
	eh_->e_machine = machine;
	eh_->e_version = EV_CURRENT;
	eh_->e_phoff = sizeof *eh_;
	eh_->e_shoff = sh_off;
	eh_->e_ehsize = sizeof *eh_;
	eh_->e_phentsize = sizeof(Elf64_Phdr);
	eh_->e_phnum = 2;
	eh_->e_shentsize = sizeof(Elf64_Shdr);
	eh_->e_shnum = 5;
	eh_->e_shstrndx = 4;
	Elf64_Phdr *ph = (Elf64_Phdr *)(img + sizeof *eh_);
	ph[0] = (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = IMG_TEXT_OFF,
			     .p_vaddr = 0, .p_paddr = 0, .p_filesz = loadsz, .p_memsz = loadsz,
			     .p_align = 8};
	ph[1] = (Elf64_Phdr){.p_type = PT_GNU_EH_FRAME, .p_flags = PF_R,
			     .p_offset = IMG_TEXT_OFF + eh + table, .p_vaddr = eh + table,
			     .p_paddr = eh + table, .p_filesz = m->cfi_hdr_size,
			     .p_memsz = m->cfi_hdr_size, .p_align = 4};
	memcpy(img + IMG_TEXT_OFF + eh, m->cfi, m->cfi_size);
	memcpy(img + shstr_off, shstr, sizeof shstr);
	Elf64_Shdr *sh = (Elf64_Shdr *)(img + sh_off);
	sh[1] = (Elf64_Shdr){.sh_name = 1, .sh_type = SHT_PROGBITS, .sh_flags = SHF_ALLOC | SHF_EXECINSTR,
			     .sh_addr = 0, .sh_offset = IMG_TEXT_OFF, .sh_size = csize, .sh_addralign = 16};
	sh[2] = (Elf64_Shdr){.sh_name = 7, .sh_type = SHT_PROGBITS, .sh_flags = SHF_ALLOC,
			     .sh_addr = eh, .sh_offset = IMG_TEXT_OFF + eh, .sh_size = table,
			     .sh_addralign = 8};
	sh[3] = (Elf64_Shdr){.sh_name = 17, .sh_type = SHT_PROGBITS, .sh_flags = SHF_ALLOC,
			     .sh_addr = eh + table, .sh_offset = IMG_TEXT_OFF + eh + table,
			     .sh_size = m->cfi_hdr_size, .sh_addralign = 4};
	sh[4] = (Elf64_Shdr){.sh_name = 31, .sh_type = SHT_STRTAB, .sh_offset = shstr_off,
			     .sh_size = sizeof shstr, .sh_addralign = 1};
	return blob;
}

/* libdwfl asks for a reported module's ELF here: JIT images from memory,
 * everything else by build-id as before. */
static int find_elf(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
		    char **file_name, Elf **elfp)
{
	if (*userdata && wp_has_prefix(modname, strlen(modname), "[jit ")) {
		size_t *len = *userdata;
		*elfp = elf_memory((char *)(len + 1), *len);
		*file_name = NULL;
		return -1;
	}
	return dwfl_build_id_find_elf(mod, userdata, modname, base, file_name, elfp);
}

static void report_jit(struct sym_unwind *u, struct proc *p, const struct native_module *m)
{
	unsigned char *blob = jit_image(m, u->cur->smp->machine);
	if (!blob)
		return;
	if (wp_grow((void **)&u->images, &u->images_cap, u->nimages + 1, sizeof *u->images)) {
		free(blob);
		return;
	}
	u->images[u->nimages++] = blob;
	char name[48];
	snprintf(name, sizeof name, "[jit %llx]", (unsigned long long)m->start);
	uint64_t eh = ((m->end - m->start) + 7) & ~(uint64_t)7;
	dwfl_report_begin_add(p->dwfl);
	Dwfl_Module *mod = dwfl_report_module(p->dwfl, name, m->start, m->start + eh + m->cfi_size);
	dwfl_report_end(p->dwfl, NULL, NULL);
	void **slot;
	if (mod && dwfl_module_info(mod, &slot, NULL, NULL, NULL, NULL, NULL, NULL)) {
		*slot = blob;
		u->st.modules++;
		Dwarf_Addr bias;
		if (dwfl_module_eh_cfi(mod, &bias)) /* the image reads as CFI */
			u->st.jit_cfi++;
	}
}

static void report_module(struct sym_unwind *u, struct proc *p, uint64_t pc)
{
	const struct sym_unwind_sample *smp = u->cur->smp;
	if (dwfl_addrmodule(p->dwfl, pc))
		return;
	struct native_module m;
	if (!native_module_at(u->sym, smp->pid, smp->time, pc, &m))
		return;
	bool same_jit;
	if (m.cfi && m.cfi_size > m.cfi_hdr_size && !overlaps_reported(p, &m, &same_jit)) {
		if (wp_grow((void **)&p->mods, &p->cap, p->nmods + 1, sizeof *p->mods) == 0) {
			p->mods[p->nmods++] = (struct reported){m.start, m.end, NULL};
			report_jit(u, p, &m);
		}
		return;
	}
	if (!m.path)
		return;
	bool same;
	if (overlaps_reported(p, &m, &same)) {
		/* a file reported for this range was replaced (exec, dlopen):
		 * start over next time; the same file: libdw just has no CFI
		 * there; JIT files laid over a file's text (perf inject's
		 * jitted-*.so over V8's builtins) stay unreported */
		if (!same && !m.jit)
			p->stale = true;
		return;
	}
	if (wp_grow((void **)&p->mods, &p->cap, p->nmods + 1, sizeof *p->mods) != 0)
		return;
	p->mods[p->nmods++] = (struct reported){m.start, m.end, m.path};
	const struct sym_native_paths *paths = native_paths(u->sym);
	struct find_runtime f = {.id = m.build_id, .id_len = m.build_id_len};
	char real[4096];
	if (snprintf(real, sizeof real, "%s%s", paths->symfs ? paths->symfs : "", m.path) <
		    (int)sizeof real &&
	    !take_runtime(&f, real, false))
		native_candidates(paths, m.path, m.build_id, m.build_id_len, NULL, take_runtime, &f);
	uint64_t base;
	bool is_exec;
	if (!f.found || !load_base(f.path, &m, &base, &is_exec))
		return;
	dwfl_report_begin_add(p->dwfl);
	Dwfl_Module *mod = dwfl_report_elf(p->dwfl, m.path, f.path, -1, is_exec ? 0 : base, false);
	dwfl_report_end(p->dwfl, NULL, NULL);
	if (mod)
		u->st.modules++;
}

/* ---- sessions ---- */

static const unsigned char elf_header_x86_64[64] = {
	0x7f, 'E', 'L', 'F', 2 /* 64-bit */, 1 /* LE */, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	4, 0 /* ET_CORE */, EM_X86_64, 0, 1, 0, 0, 0, [52] = 64, 0,
};
static const unsigned char elf_header_aarch64[64] = {
	0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	4, 0, EM_AARCH64, 0, 1, 0, 0, 0, [52] = 64, 0,
};

static void proc_end(struct proc *p)
{
	if (p->dwfl)
		dwfl_end(p->dwfl);
	if (p->arch_elf)
		elf_end(p->arch_elf);
	p->dwfl = NULL;
	p->arch_elf = NULL;
	p->nmods = 0;
	p->stale = false;
}

static bool proc_start(struct sym_unwind *u, struct proc *p, uint16_t machine)
{
	p->dwfl = dwfl_begin(&u->callbacks);
	/* libdw picks its backend from an ELF header: a bare one in memory
	 * names the machine even before any module is known */
	const unsigned char *hdr = machine == EM_AARCH64 ? elf_header_aarch64 : elf_header_x86_64;
	p->arch_elf = elf_memory((char *)hdr, sizeof elf_header_x86_64);
	if (!p->dwfl || !p->arch_elf ||
	    !dwfl_attach_state(p->dwfl, p->arch_elf, p->pid, &thread_callbacks, u)) {
		if (!p->broken)
			wp_warnf(u->warn, u->ctx, "pid %d: libdw cannot unwind: %s", (int)p->pid,
				 dwfl_errmsg(-1));
		proc_end(p);
		p->broken = true;
		return false;
	}
	u->st.sessions++;
	return true;
}

static struct proc *proc_get(struct sym_unwind *u, int32_t pid)
{
	uint32_t id;
	if (wp_intern_get(u->keys, (const char *)&pid, sizeof pid, &id) != 0)
		return NULL;
	if (id == u->nprocs) {
		if (wp_grow((void **)&u->procs, &u->cap, u->nprocs + 1, sizeof *u->procs) != 0)
			return NULL;
		u->procs[u->nprocs++] = (struct proc){.pid = pid};
	}
	return &u->procs[id];
}

struct sym_unwind *sym_unwind_new(struct sym_native *s, wp_warn_fn warn, void *ctx)
{
	struct sym_unwind *u = calloc(1, sizeof *u);
	if (!u)
		return NULL;
	u->sym = s;
	u->warn = warn;
	u->ctx = ctx;
	u->keys = wp_intern_new();
	u->callbacks.find_elf = find_elf;
	u->callbacks.find_debuginfo = dwfl_standard_find_debuginfo;
	u->callbacks.debuginfo_path = &u->debuginfo_path;
	if (!u->keys) {
		sym_unwind_free(u);
		return NULL;
	}
	return u;
}

void sym_unwind_free(struct sym_unwind *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->nprocs; i++) {
		proc_end(&u->procs[i]);
		free(u->procs[i].mods);
	}
	free(u->procs);
	/* after every Dwfl: their Elf handles read these images */
	for (size_t i = 0; i < u->nimages; i++)
		free(u->images[i]);
	free(u->images);
	wp_intern_free(u->keys);
	free(u);
}

static int frame_callback(Dwfl_Frame *state, void *arg)
{
	struct walk *w = arg;
	Dwarf_Addr pc;
	bool activation;
	if (!dwfl_frame_pc(state, &pc, NULL))
		return DWARF_CB_ABORT;
	/* the module first: libdw needs it to step out of this frame */
	report_module(w->u, w->p, pc);
	if (!dwfl_frame_pc(state, &pc, &activation))
		return DWARF_CB_ABORT;
	if (!activation)
		pc--; /* a return address: the call is the instruction before */
	if (w->n && !dwfl_addrmodule(w->p->dwfl, pc))
		w->u->st.fp_frames++;
	w->pcs[w->n++] = pc;
	return w->n < w->max ? DWARF_CB_OK : DWARF_CB_ABORT;
}

int sym_unwind_frames(struct sym_unwind *u, const struct sym_unwind_sample *smp, uint64_t *pcs,
		      size_t max)
{
	uint64_t sp, ip;
	if (!u || !smp || !pcs || max == 0)
		return WP_E_USAGE;
	if (smp->abi == 0 || !smp->regs || !sample_sp(smp, &sp) ||
	    !sample_reg(smp, smp->machine == EM_AARCH64 ? 32 : 8, &ip))
		return 0;
	if (smp->machine != EM_X86_64 && smp->machine != EM_AARCH64)
		return 0;
	struct proc *p = proc_get(u, smp->pid);
	if (!p)
		return WP_E_NOMEM;
	if (p->broken)
		return 0;
	if (p->stale)
		proc_end(p);
	if (!p->dwfl && !proc_start(u, p, smp->machine))
		return 0;
	if (max > MAX_FRAMES_DEFAULT)
		max = MAX_FRAMES_DEFAULT;
	struct walk w = {.u = u, .p = p, .smp = smp, .sp = sp, .pcs = pcs, .max = max};
	u->cur = &w;
	u->st.samples++;
	/* the tid only selects the thread callbacks; every sample is its own */
	dwfl_getthread_frames(p->dwfl, smp->tid > 0 ? smp->tid : smp->pid, frame_callback, &w);
	u->cur = NULL;
	if (w.n == 0) {
		/* libdw gave nothing (no registers it could use): the pc alone */
		pcs[0] = ip;
		w.n = 1;
	}
	u->st.frames += w.n;
	return (int)w.n;
}

void sym_unwind_get_stats(const struct sym_unwind *u, struct sym_unwind_stats *st)
{
	*st = u->st;
}
