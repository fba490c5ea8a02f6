/* perfdata_sample.c - PERF_RECORD_SAMPLE and the sample_id_all trailer.
 *
 * Field order is fixed by the kernel (perf_output_sample(), perf's
 * evsel__parse_sample()): IDENTIFIER
 * first, AUX last, CGROUP and the page sizes before AUX. Which attr a record
 * belongs to comes from IDENTIFIER (first word of a sample, last word of a
 * trailer), else from the ID position, else it is the only attr.
 * Records handed to the decoder are 8-byte aligned copies, so arrays at
 * 8-aligned positions are returned in place; after an odd-sized RAW field
 * they are copied to the reader's scratch space. */
#include <stddef.h>

#include "perfdata_internal.h"

_Static_assert(offsetof(struct pd_item, data) % 8 == 0, "record copies must be 8-aligned");

#define TRAILER_BITS (PP_SAMPLE_TID | PP_SAMPLE_TIME | PP_SAMPLE_ID | PP_SAMPLE_STREAM_ID | \
		      PP_SAMPLE_CPU | PP_SAMPLE_IDENTIFIER)
#define BRANCH_HW_INDEX (1ull << 17)  /* PERF_SAMPLE_BRANCH_HW_INDEX */
#define BRANCH_COUNTERS (1ull << 19)  /* PERF_SAMPLE_BRANCH_COUNTERS */
#define READ_ENABLED 1u
#define READ_RUNNING 2u
#define READ_ID 4u
#define READ_GROUP 8u
#define READ_LOST 16u

static size_t attr_by_id(const struct pp_data *d, uint64_t id)
{
	size_t a;
	return pd_lookup_id(d, id, &a) ? a : PP_NO_EVENT;
}

static size_t sample_attr(const struct pp_data *d, const uint8_t *rec, size_t size)
{
	if (d->nattrs == 0)
		return PP_NO_EVENT;
	if (d->nattrs == 1)
		return 0;
	uint64_t st = d->attrs[0]->ev.sample_type;
	if (st & PP_SAMPLE_IDENTIFIER)
		return size >= 16 ? attr_by_id(d, pd_u64(rec + 8)) : PP_NO_EVENT;
	if (st & PP_SAMPLE_ID) {
		size_t pos = 8 + 8 * (size_t)__builtin_popcountll(
			st & (PP_SAMPLE_IP | PP_SAMPLE_TID | PP_SAMPLE_TIME | PP_SAMPLE_ADDR));
		return size >= pos + 8 ? attr_by_id(d, pd_u64(rec + pos)) : PP_NO_EVENT;
	}
	return 0;
}

static size_t trailer_attr(const struct pp_data *d, const uint8_t *rec, size_t size)
{
	if (d->nattrs == 0 || !d->attrs[0]->ev.sample_id_all)
		return PP_NO_EVENT;
	if (d->nattrs == 1)
		return 0;
	uint64_t st = d->attrs[0]->ev.sample_type;
	if (st & PP_SAMPLE_IDENTIFIER)
		return size >= 16 ? attr_by_id(d, pd_u64(rec + size - 8)) : PP_NO_EVENT;
	if (st & PP_SAMPLE_ID) {
		size_t back = 8 * (1 + (size_t)__builtin_popcountll(
			st & (PP_SAMPLE_STREAM_ID | PP_SAMPLE_CPU)));
		return size >= 8 + back ? attr_by_id(d, pd_u64(rec + size - back)) : PP_NO_EVENT;
	}
	return 0;
}

size_t pd_decode_trailer(struct pp_data *d, const uint8_t *rec, size_t size,
			 struct pp_sample_id *sid, size_t *attr)
{
	memset(sid, 0, sizeof *sid);
	*attr = PP_NO_EVENT;
	uint32_t type = pd_u32(rec);
	if (type == PP_RECORD_SAMPLE || type >= 64)
		return 0;
	size_t a = trailer_attr(d, rec, size);
	if (a == PP_NO_EVENT || !d->attrs[a]->ev.sample_id_all)
		return 0;
	uint64_t st = d->attrs[a]->ev.sample_type & TRAILER_BITS;
	size_t len = 8 * (size_t)__builtin_popcountll(st);
	if (len == 0 || size < 8 + len)
		return 0;
	const uint8_t *p = rec + size - len;
	*attr = a;
	sid->fields = st;
	if (st & PP_SAMPLE_TID) {
		sid->pid = pd_u32(p);
		sid->tid = pd_u32(p + 4);
		p += 8;
	}
	if (st & PP_SAMPLE_TIME) {
		sid->time = pd_u64(p);
		p += 8;
	}
	if (st & PP_SAMPLE_ID) {
		sid->id = pd_u64(p);
		p += 8;
	}
	if (st & PP_SAMPLE_STREAM_ID) {
		sid->stream_id = pd_u64(p);
		p += 8;
	}
	if (st & PP_SAMPLE_CPU) {
		sid->cpu = pd_u32(p);
		p += 8;
	}
	if (st & PP_SAMPLE_IDENTIFIER)
		sid->id = pd_u64(p);
	return len;
}

void pd_record_time(struct pp_data *d, const uint8_t *rec, size_t size, size_t *attr,
		    bool *has_time, uint64_t *time)
{
	*has_time = false;
	*time = 0;
	uint32_t type = pd_u32(rec);
	if (type == PP_RECORD_SAMPLE) {
		size_t a = sample_attr(d, rec, size);
		*attr = a;
		if (a == PP_NO_EVENT)
			return;
		uint64_t st = d->attrs[a]->ev.sample_type;
		if (!(st & PP_SAMPLE_TIME))
			return;
		size_t pos = 8 + 8 * (size_t)__builtin_popcountll(
			st & (PP_SAMPLE_IDENTIFIER | PP_SAMPLE_IP | PP_SAMPLE_TID));
		if (size >= pos + 8) {
			*has_time = true;
			*time = pd_u64(rec + pos);
		}
		return;
	}
	struct pp_sample_id sid;
	if (pd_decode_trailer(d, rec, size, &sid, attr) && (sid.fields & PP_SAMPLE_TIME)) {
		*has_time = true;
		*time = sid.time;
	}
}

/* ---- full sample decoding ---- */

struct cursor {
	const uint8_t *p;
	size_t n, pos;
	bool bad;
};

static uint64_t take(struct cursor *c)
{
	if (c->n - c->pos < 8) {
		c->bad = true;
		return 0;
	}
	uint64_t v = pd_u64(c->p + c->pos);
	c->pos += 8;
	return v;
}

/* count u64 words at the cursor, in place when aligned, else copied. */
static const uint64_t *take_words(struct pp_data *d, struct cursor *c, uint64_t count)
{
	if (c->bad || count > (c->n - c->pos) / 8) {
		c->bad = true;
		return NULL;
	}
	const uint8_t *at = c->p + c->pos;
	size_t bytes = (size_t)count * 8;
	c->pos += bytes;
	if (((uintptr_t)at & 7) == 0)
		return (const uint64_t *)(const void *)at;
	uint64_t *copy = pd_scratch(d, bytes);
	if (!copy) {
		c->bad = true;
		return NULL;
	}
	memcpy(copy, at, bytes);
	return copy;
}

static const void *take_bytes(struct cursor *c, uint64_t n)
{
	if (c->bad || n > c->n - c->pos) {
		c->bad = true;
		return NULL;
	}
	const void *at = c->p + c->pos;
	c->pos += (size_t)n;
	return at;
}

/* Which attr the sample belongs to, and the header bits; PP_NO_EVENT
 * (after a warning) when it cannot be decoded. */
static size_t sample_head(struct pp_data *d, const uint8_t *rec, size_t size,
			  struct pp_sample *s)
{
	uint16_t misc = pd_u16(rec + 4);
	s->cpumode = misc & PP_MISC_CPUMODE_MASK;
	s->kernel_ip = pp_cpumode_is_kernel(s->cpumode);
	s->exact_ip = misc & PP_MISC_EXACT_IP;
	s->event = sample_attr(d, rec, size);
	if (s->event == PP_NO_EVENT) {
		if (d->nattrs == 0)
			pd_warn(d, PD_W_NO_ATTR, "%s: sample before any event description: not decoded",
				d->path);
		else
			pd_warn(d, PD_W_UNKNOWN_ID, "%s: sample with an unknown event id: not decoded",
				d->path);
	}
	return s->event;
}

/* IDENTIFIER .. PERIOD: one word each. */
static void take_ids(struct cursor *c, const struct pp_event *ev, uint64_t st,
		     struct pp_sample *s)
{
	if (st & PP_SAMPLE_IDENTIFIER)
		s->id = take(c);
	if (st & PP_SAMPLE_IP)
		s->ip = take(c);
	if (st & PP_SAMPLE_TID) {
		uint64_t v = take(c);
		s->pid = (uint32_t)v;
		s->tid = (uint32_t)(v >> 32);
	}
	if (st & PP_SAMPLE_TIME)
		s->time = take(c);
	if (st & PP_SAMPLE_ADDR)
		s->addr = take(c);
	if (st & PP_SAMPLE_ID)
		s->id = take(c);
	if (st & PP_SAMPLE_STREAM_ID)
		s->stream_id = take(c);
	if (st & PP_SAMPLE_CPU)
		s->cpu = (uint32_t)take(c);
	if (st & PP_SAMPLE_PERIOD)
		s->period = take(c);
	else if (!ev->freq)
		s->period = ev->sample_period; /* as perf's evsel__parse_sample() */
}

/* READ: one value, or a group of them, as read_format says. */
static int take_read(struct pp_data *d, struct cursor *c, const struct pp_event *ev,
		     struct pp_sample *s, const char **why)
{
	uint64_t rf = ev->read_format;
	uint64_t nr = 1;
	struct pp_read_value one = {0, 0, 0};
	if (rf & READ_GROUP)
		nr = take(c);
	else
		one.value = take(c);
	if (rf & READ_ENABLED)
		s->read_time_enabled = take(c);
	if (rf & READ_RUNNING)
		s->read_time_running = take(c);
	size_t per = 1 + !!(rf & READ_ID) + !!(rf & READ_LOST);
	if (!(rf & READ_GROUP))
		per--;
	if (c->bad || nr > 65536 || (per && nr > (c->n - c->pos) / 8 / per)) {
		*why = "READ values run past the end of the sample";
		return WP_E_FORMAT;
	}
	struct pp_read_value *vals = pd_scratch(d, (size_t)nr * sizeof *vals);
	if (!vals) {
		*why = "READ group too large";
		return WP_E_TOOBIG;
	}
	for (uint64_t i = 0; i < nr; i++) {
		vals[i] = one;
		if (rf & READ_GROUP)
			vals[i].value = take(c);
		if (rf & READ_ID)
			vals[i].id = take(c);
		if (rf & READ_LOST)
			vals[i].lost = take(c);
	}
	s->nr_read = (size_t)nr;
	s->read = vals;
	return 0;
}

static int take_callchain(struct pp_data *d, struct cursor *c, struct pp_sample *s,
			  const char **why)
{
	uint64_t nr = take(c);
	s->callchain = take_words(d, c, nr);
	s->nr_callchain = (size_t)nr;
	if (c->bad) {
		*why = "callchain runs past the end of the sample";
		return WP_E_FORMAT;
	}
	return 0;
}

/* u32 size; data[size] (the kernel pads 4 + size to 8) */
static int take_raw(struct cursor *c, struct pp_sample *s, const char **why)
{
	if (c->n - c->pos < 4) {
		*why = "RAW size runs past the end of the sample";
		return WP_E_FORMAT;
	}
	s->raw_size = pd_u32(c->p + c->pos);
	c->pos += 4;
	s->raw = take_bytes(c, s->raw_size);
	if (c->bad) {
		*why = "RAW data runs past the end of the sample";
		return WP_E_FORMAT;
	}
	return 0;
}

static int take_branches(struct pp_data *d, struct cursor *c, const struct pp_event *ev,
			 struct pp_sample *s, const char **why)
{
	uint64_t nr = take(c);
	if (ev->branch_sample_type & BRANCH_HW_INDEX) {
		s->has_hw_idx = true;
		s->hw_idx = take(c);
	}
	if (c->bad || nr > (c->n - c->pos) / 24) {
		*why = "branch stack runs past the end of the sample";
		return WP_E_FORMAT;
	}
	s->branches = (const struct pp_branch_entry *)(const void *)take_words(d, c, nr * 3);
	s->nr_branch = (size_t)nr;
	if (ev->branch_sample_type & BRANCH_COUNTERS)
		s->branch_counters = take_words(d, c, nr);
	if (c->bad) {
		*why = "branch stack runs past the end of the sample";
		return WP_E_FORMAT;
	}
	return 0;
}

/* u64 abi; u64 regs[popcount(mask)] when abi is not 0 (REGS_USER, REGS_INTR). */
static void take_regs(struct pp_data *d, struct cursor *c, uint64_t mask, uint64_t *abi,
		      uint64_t *out_mask, size_t *nr, const uint64_t **regs)
{
	*abi = take(c);
	*out_mask = mask;
	if (*abi) {
		*nr = (size_t)__builtin_popcountll(mask);
		*regs = take_words(d, c, *nr);
	}
}

static int take_stack_user(struct cursor *c, struct pp_sample *s, const char **why)
{
	s->stack_user_size = take(c);
	if (s->stack_user_size) {
		s->stack_user = take_bytes(c, s->stack_user_size);
		s->stack_user_dyn_size = take(c);
		if (!c->bad && s->stack_user_dyn_size > s->stack_user_size) {
			*why = "user stack dyn_size exceeds its size";
			return WP_E_FORMAT;
		}
	}
	if (c->bad) {
		*why = "user stack runs past the end of the sample";
		return WP_E_FORMAT;
	}
	return 0;
}

/* WEIGHT .. AUX, after the user stack. */
static void take_tail(struct pp_data *d, struct cursor *c, const struct pp_event *ev,
		      uint64_t st, struct pp_sample *s)
{
	if (st & (PP_SAMPLE_WEIGHT | PP_SAMPLE_WEIGHT_STRUCT))
		s->weight = take(c);
	if (st & PP_SAMPLE_DATA_SRC)
		s->data_src = take(c);
	if (st & PP_SAMPLE_TRANSACTION)
		s->transaction = take(c);
	if (st & PP_SAMPLE_REGS_INTR)
		take_regs(d, c, ev->sample_regs_intr, &s->regs_intr_abi, &s->regs_intr_mask,
			  &s->nr_regs_intr, &s->regs_intr);
	if (st & PP_SAMPLE_PHYS_ADDR)
		s->phys_addr = take(c);
	if (st & PP_SAMPLE_CGROUP)
		s->cgroup = take(c);
	if (st & PP_SAMPLE_DATA_PAGE_SIZE)
		s->data_page_size = take(c);
	if (st & PP_SAMPLE_CODE_PAGE_SIZE)
		s->code_page_size = take(c);
	if (st & PP_SAMPLE_AUX) {
		s->aux_size = take(c);
		s->aux = take_bytes(c, s->aux_size);
	}
}

int pd_decode_sample(struct pp_data *d, const uint8_t *rec, size_t size, struct pp_sample *s,
		     const char **why)
{
	memset(s, 0, sizeof *s);
	if (sample_head(d, rec, size, s) == PP_NO_EVENT)
		return 0;
	const struct pp_event *ev = &d->attrs[s->event]->ev;
	uint64_t st = ev->sample_type;
	s->fields = st;
	struct cursor c = {rec, size, 8, false};
	int rc;
	take_ids(&c, ev, st, s);
	if ((st & PP_SAMPLE_READ) && (rc = take_read(d, &c, ev, s, why)) != 0)
		return rc;
	if ((st & PP_SAMPLE_CALLCHAIN) && (rc = take_callchain(d, &c, s, why)) != 0)
		return rc;
	if ((st & PP_SAMPLE_RAW) && (rc = take_raw(&c, s, why)) != 0)
		return rc;
	if ((st & PP_SAMPLE_BRANCH_STACK) && (rc = take_branches(d, &c, ev, s, why)) != 0)
		return rc;
	if (st & PP_SAMPLE_REGS_USER) {
		take_regs(d, &c, ev->sample_regs_user, &s->regs_user_abi, &s->regs_user_mask,
			  &s->nr_regs_user, &s->regs_user);
		if (c.bad) {
			*why = "user registers run past the end of the sample";
			return WP_E_FORMAT;
		}
	}
	if ((st & PP_SAMPLE_STACK_USER) && (rc = take_stack_user(&c, s, why)) != 0)
		return rc;
	take_tail(d, &c, ev, st, s);
	if (c.bad) {
		*why = "sample fields run past the end of the record";
		return WP_E_FORMAT;
	}
	return 0;
}

/* ---- callchains ---- */

void pp_callchain_iter_init(struct pp_callchain_iter *it, const struct pp_sample *s)
{
	it->ips = s->callchain;
	it->n = s->callchain ? s->nr_callchain : 0;
	it->i = 0;
	it->mode = s->cpumode;
	it->after_marker = true;
}

static enum pp_cpumode marker_mode(uint64_t m)
{
	switch (m) {
	case PP_CONTEXT_HV:
		return PP_CPUMODE_HYPERVISOR;
	case PP_CONTEXT_KERNEL:
		return PP_CPUMODE_KERNEL;
	case PP_CONTEXT_USER:
		return PP_CPUMODE_USER;
	case PP_CONTEXT_GUEST:
	case PP_CONTEXT_GUEST_KERNEL:
		return PP_CPUMODE_GUEST_KERNEL;
	case PP_CONTEXT_GUEST_USER:
		return PP_CPUMODE_GUEST_USER;
	default:
		return PP_CPUMODE_UNKNOWN;
	}
}

bool pp_callchain_next(struct pp_callchain_iter *it, uint64_t *addr, enum pp_cpumode *mode,
		       bool *first_after_marker)
{
	while (it->i < it->n) {
		uint64_t a = it->ips[it->i++];
		if (a >= PP_CONTEXT_MAX) {
			it->mode = marker_mode(a);
			it->after_marker = true;
			continue;
		}
		*addr = a;
		if (mode)
			*mode = it->mode;
		if (first_after_marker)
			*first_after_marker = it->after_marker;
		it->after_marker = false;
		return true;
	}
	return false;
}
