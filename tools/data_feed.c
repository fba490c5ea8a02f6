/* data_feed.c - perf.data records to the symbolizer (see data_feed.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data_feed.h"
#include "fold_jit.h"

/* Thread names: tid (4 bytes) -> slot -> interned comm. */
struct comms {
	struct wp_intern *keys;
	struct wp_intern *names;
	uint32_t *name_of;
	size_t cap;
};

struct data_feed {
	struct sym_native *sym;
	struct fold_jit *jit;
	struct sym_unwind *unwind;
	struct comms comms;
	const char *symfs;
	char *data_dir;
	uint16_t machine;
	bool clock_checked;
	uint64_t user_pcs[128];     /* a sample's unwound user part */
	struct data_feed_addrs addrs; /* data_feed_frames' */
};

static int comm_set(struct comms *c, uint32_t tid, const char *name, size_t len)
{
	uint32_t slot, id;
	int rc = wp_intern_get(c->keys, (const char *)&tid, sizeof tid, &slot);
	rc = rc ? rc : wp_intern_get(c->names, name, len, &id);
	if (rc)
		return rc;
	if (wp_grow((void **)&c->name_of, &c->cap, (size_t)slot + 1, sizeof *c->name_of))
		return WP_E_NOMEM;
	c->name_of[slot] = id;
	return 0;
}

const char *data_feed_comm(const struct data_feed *f, uint32_t tid, size_t *len)
{
	uint32_t slot;
	if (wp_intern_find(f->comms.keys, (const char *)&tid, sizeof tid, &slot) != 0)
		return NULL;
	return wp_intern_str(f->comms.names, f->comms.name_of[slot], len);
}

const char *data_feed_comm_shown(const struct data_feed *f, uint32_t tid, char buf[16], size_t *len)
{
	const char *comm = data_feed_comm(f, tid, len);
	if (comm)
		return comm;
	*len = (size_t)snprintf(buf, 16, ":%u", tid);
	return buf;
}

static char *dirname_of(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;
	if (!path || !strcmp(path, "-"))
		return NULL;
	return slash ? strndup(path, (size_t)(slash - path) + (slash == path)) : strdup(".");
}

struct data_feed *data_feed_new(const struct data_feed_config *cfg, const char *path,
				wp_warn_fn warn, wp_warn_fn error, void *ctx)
{
	struct data_feed *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->symfs = cfg->symfs;
	f->machine = 62; /* EM_X86_64 */
	f->data_dir = dirname_of(path);
	f->comms.keys = wp_intern_new();
	f->comms.names = wp_intern_new();
	struct sym_native_options so;
	sym_native_options_init(&so);
	char buildid_dir[4096] = "";
	const char *home = getenv("HOME");
	if (cfg->buildid_dir)
		so.buildid_dir = cfg->buildid_dir;
	else if (home && snprintf(buildid_dir, sizeof buildid_dir, "%s/.debug", home) < (int)sizeof buildid_dir)
		so.buildid_dir = buildid_dir;
	so.symfs = cfg->symfs;
	so.kallsyms = cfg->kallsyms;
	so.perf_map_dir = cfg->perf_map_dir;
	so.data_dir = f->data_dir;
	so.threads = cfg->threads;
	f->sym = sym_native_new(&so, warn, ctx);
	f->jit = f->sym ? fold_jit_new(f->sym, f->data_dir, warn, error, ctx) : NULL;
	f->unwind = f->sym ? sym_unwind_new(f->sym, warn, ctx) : NULL;
	bool ok = f->comms.keys && f->comms.names && f->sym && f->jit && f->unwind;
	for (size_t i = 0; ok && i < cfg->njitdumps; i++)
		ok = fold_jit_add(f->jit, cfg->jitdumps[i]) == 0;
	if (!ok) {
		data_feed_free(f);
		return NULL;
	}
	return f;
}

void data_feed_free(struct data_feed *f)
{
	if (!f)
		return;
	fold_jit_free(f->jit);
	sym_unwind_free(f->unwind);
	sym_native_free(f->sym);
	wp_intern_free(f->comms.keys);
	wp_intern_free(f->comms.names);
	free(f->comms.name_of);
	free(f->data_dir);
	free(f->addrs.v);
	free(f);
}

struct sym_native *data_feed_symbolizer(const struct data_feed *f) { return f->sym; }
/* The one place a sample becomes frame addresses, leaf first (fold,
 * phases): the callchain; with --call-graph dwarf its kernel part, then
 * the user part unwound from the stack copy. */
int data_feed_addresses(struct data_feed *f, const struct pp_sample *s, struct data_feed_addrs *a)
{
	int nu = 0;
	a->n = 0;
	/* --call-graph dwarf: registers and a stack copy to unwind */
	bool dwarf = (s->fields & PP_SAMPLE_REGS_USER) && (s->fields & PP_SAMPLE_STACK_USER);
	if (dwarf && s->regs_user_abi) {
		struct sym_unwind_sample u = {
			.pid = (int32_t)s->pid, .tid = (int32_t)s->tid,
			.time = (s->fields & PP_SAMPLE_TIME) ? s->time : UINT64_MAX,
			.machine = f->machine, .abi = s->regs_user_abi, .mask = s->regs_user_mask,
			.regs = s->regs_user, .nregs = s->nr_regs_user,
			.stack = s->stack_user, .stack_size = s->stack_user_dyn_size,
		};
		nu = sym_unwind_frames(f->unwind, &u, f->user_pcs,
				       sizeof f->user_pcs / sizeof f->user_pcs[0]);
		if (nu < 0)
			return nu;
	}
	/* room for all at once: the callchain's entries, or the ip, and the
	 * unwound part */
	if (wp_grow((void **)&a->v, &a->cap, s->nr_callchain + 1 + (size_t)nu, sizeof *a->v) != 0)
		return WP_E_NOMEM;
	/* perf records the kernel part in the callchain even in dwarf mode */
	struct pp_callchain_iter it;
	pp_callchain_iter_init(&it, s);
	uint64_t addr;
	enum pp_cpumode mode;
	bool first;
	while (pp_callchain_next(&it, &addr, &mode, &first)) {
		bool kernel = pp_cpumode_is_kernel(mode);
		if (kernel || nu == 0)
			a->v[a->n++] = (struct data_feed_addr){addr, kernel};
	}
	if (!s->nr_callchain && nu == 0 && (s->fields & PP_SAMPLE_IP))
		a->v[a->n++] = (struct data_feed_addr){s->ip, s->kernel_ip};
	for (int i = 0; i < nu; i++)
		a->v[a->n++] = (struct data_feed_addr){f->user_pcs[i], false};
	return 0;
}

int data_feed_frames(struct data_feed *f, const struct pp_sample *s, data_frame_fn fn, void *ctx)
{
	int rc = data_feed_addresses(f, s, &f->addrs);
	for (size_t i = 0; !rc && i < f->addrs.n; i++)
		rc = fn(ctx, s, f->addrs.v[i].addr, f->addrs.v[i].kernel);
	return rc;
}

int data_feed_status(const struct data_feed *f) { return f ? fold_jit_status(f->jit) : 0; }

void data_feed_build_ids(struct data_feed *f, const struct pp_data *d)
{
	for (size_t i = 0; i < pp_data_nbuild_ids(d); i++) {
		const struct pp_build_id *b = pp_data_build_id(d, i);
		sym_native_build_id(f->sym, b->filename, b->id, b->size);
	}
}

/* Known at the first sample (pipe mode gives the header in-band): the
 * machine, and whether jitdump times (CLOCK_MONOTONIC) compare with the
 * samples'. */
void data_feed_recording_of(const struct pp_data *d, struct data_feed_recording *r)
{
	const struct pp_data_info *info = pp_data_info(d);
	r->machine = info->arch && (!strcmp(info->arch, "aarch64") || !strcmp(info->arch, "arm64"))
			     ? 183 /* EM_AARCH64 */
			     : 62 /* EM_X86_64 */;
	r->monotonic = info->has_clock_data && info->clockid == 1 /* CLOCK_MONOTONIC */;
}

void data_feed_set_recording(struct data_feed *f, const struct data_feed_recording *r)
{
	f->clock_checked = true;
	f->machine = r->machine;
	fold_jit_clock(f->jit, r->monotonic);
}

static void learn_recording(struct data_feed *f, const struct pp_data *d)
{
	struct data_feed_recording r;
	data_feed_recording_of(d, &r);
	data_feed_set_recording(f, &r);
}

int data_feed_sample(struct data_feed *f, const struct pp_data *d, const struct pp_sample *s)
{
	if (!f->clock_checked)
		learn_recording(f, d);
	return fold_jit_advance(f->jit, (s->fields & PP_SAMPLE_TIME) ? s->time : UINT64_MAX);
}

/* An MMAP or MMAP2 record as the symbolizer takes it. */
static struct sym_native_map map_of(const struct pp_record *r)
{
	const struct pp_mmap *m = &r->u.mmap;
	return (struct sym_native_map){
		.time = r->has_time ? r->time : 0,
		.pid = (int32_t)m->pid, .tid = (int32_t)m->tid,
		.start = m->addr, .len = m->len, .pgoff = m->pgoff,
		.filename = m->filename,
		/* MMAP has no prot: executable unless marked as data (perf's rule) */
		.prot = m->is_mmap2 ? m->prot : ((r->misc & PP_MISC_MMAP_DATA) ? 1u : 5u),
		.flags = m->flags,
		.build_id = m->has_build_id ? m->build_id : NULL,
		.build_id_len = m->has_build_id ? m->build_id_size : 0,
		.kernel = pp_cpumode_is_kernel(r->misc & PP_MISC_CPUMODE_MASK),
	};
}

static int feed_mmap(struct data_feed *f, const struct pp_record *r)
{
	struct sym_native_map map = map_of(r);
	int rc = fold_jit_mmap(f->jit, f->symfs, map.pid, r->u.mmap.filename);
	return rc ? rc : sym_native_mmap(f->sym, &map);
}

void data_feed_ahead(struct data_feed *f, const struct pp_record *r)
{
	if (r->type != PP_RECORD_MMAP && r->type != PP_RECORD_MMAP2)
		return;
	struct sym_native_map map = map_of(r);
	sym_native_prefetch(f->sym, &map);
}

int data_feed_record(struct data_feed *f, const struct pp_record *r)
{
	switch (r->type) {
	case PP_RECORD_MMAP:
	case PP_RECORD_MMAP2:
		return feed_mmap(f, r);
	case PP_RECORD_TIME_CONV:
		fold_jit_time_conv(f->jit, &r->u.time_conv);
		return 0;
	case PP_RECORD_COMM: {
		const struct pp_comm *c = &r->u.comm;
		int rc = comm_set(&f->comms, c->tid, c->comm, strlen(c->comm));
		return rc ? rc : sym_native_comm(f->sym, r->has_time ? r->time : 0, (int32_t)c->pid,
						 (int32_t)c->tid, c->comm, c->exec);
	}
	case PP_RECORD_FORK: {
		const struct pp_fork *k = &r->u.fork;
		size_t len;
		const char *parent = data_feed_comm(f, k->ptid, &len);
		if (parent) {
			int rc = comm_set(&f->comms, k->tid, parent, len);
			if (rc)
				return rc;
		}
		return sym_native_fork(f->sym, k->time, (int32_t)k->pid, (int32_t)k->ppid,
				       (int32_t)k->tid, (int32_t)k->ptid);
	}
	case PP_RECORD_EXIT: {
		const struct pp_fork *k = &r->u.fork;
		return sym_native_exit(f->sym, k->time, (int32_t)k->pid, (int32_t)k->ppid,
				       (int32_t)k->tid, (int32_t)k->ptid);
	}
	default:
		return 0;
	}
}
