/* perfdata_record.c - one queued record -> struct pp_record.
 *
 * Layouts after the 8-byte header (perf_event.h, research §1.3); kernel
 * records other than SAMPLE end with the sample_id_all trailer, which
 * bounds their strings:
 *   MMAP    u32 pid, tid; u64 addr, len, pgoff; char filename[]
 *   MMAP2   u32 pid, tid; u64 addr, len, pgoff; { u32 maj, min; u64 ino,
 *           ino_generation; } | { u8 build_id_size, res1; u16 res2;
 *           u8 build_id[20]; }; u32 prot, flags; char filename[]
 *   COMM    u32 pid, tid; char comm[]
 *   FORK/EXIT u32 pid, ppid, tid, ptid; u64 time
 *   LOST    u64 id, lost          LOST_SAMPLES  u64 lost
 *   KSYMBOL u64 addr; u32 len; u16 ksym_type, flags; char name[]
 *   TIME_CONV u64 time_shift, time_mult, time_zero; [u64 time_cycles,
 *           time_mask; u8 cap_user_time_zero, cap_user_time_short; u8 res[6]]
 *           (a user record: no trailer)
 * Other types are handed out with their bytes only. */
#include "perfdata_internal.h"

/* A NUL-terminated string from p[0, n): in place when it is terminated
 * there, else a terminated copy. */
static const char *str_at(struct pp_data *d, const uint8_t *p, size_t n)
{
	if (memchr(p, '\0', n))
		return (const char *)p;
	char *s = pd_scratch(d, n + 1);
	if (!s)
		return "";
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* Each decoder below reads one type's fields from p[8, end) and returns
 * false when the record is too short for them. */

static bool decode_time_conv(const uint8_t *p, size_t size, struct pp_time_conv *tc)
{
	if (size < 32)
		return false;
	tc->time_shift = pd_u64(p + 8);
	tc->time_mult = pd_u64(p + 16);
	tc->time_zero = pd_u64(p + 24);
	if (size >= 50) {
		tc->time_cycles = pd_u64(p + 32);
		tc->time_mask = pd_u64(p + 40);
		tc->cap_user_time_zero = p[48] != 0;
		tc->cap_user_time_short = p[49] != 0;
		tc->has_short = true;
	}
	return true;
}

/* pid, tid, addr, len, pgoff: the start both MMAP layouts share. */
static void mmap_common(const uint8_t *p, struct pp_mmap *m)
{
	m->pid = pd_u32(p + 8);
	m->tid = pd_u32(p + 12);
	m->addr = pd_u64(p + 16);
	m->len = pd_u64(p + 24);
	m->pgoff = pd_u64(p + 32);
}

static bool decode_mmap(struct pp_data *d, const uint8_t *p, size_t end, uint16_t misc,
			struct pp_mmap *m)
{
	if (end < 40)
		return false;
	mmap_common(p, m);
	m->prot = 5; /* PROT_READ | PROT_EXEC: MMAP records are exec maps unless MMAP_DATA */
	if (misc & PP_MISC_MMAP_DATA)
		m->prot = 1;
	m->filename = str_at(d, p + 40, end - 40);
	return true;
}

static bool decode_mmap2(struct pp_data *d, const uint8_t *p, size_t end, uint16_t misc,
			 struct pp_mmap *m)
{
	if (end < 72)
		return false;
	m->is_mmap2 = true;
	mmap_common(p, m);
	if (misc & PP_MISC_MMAP_BUILD_ID) {
		m->has_build_id = true;
		m->build_id_size = p[40] <= 20 ? p[40] : 20;
		m->build_id = p + 44;
	} else {
		m->maj = pd_u32(p + 40);
		m->min = pd_u32(p + 44);
		m->ino = pd_u64(p + 48);
		m->ino_generation = pd_u64(p + 56);
	}
	m->prot = pd_u32(p + 64);
	m->flags = pd_u32(p + 68);
	m->filename = str_at(d, p + 72, end - 72);
	return true;
}

/* The record's own fields, which end where its trailer begins. */
static bool decode_fields(struct pp_data *d, const uint8_t *p, size_t end, struct pp_record *r)
{
	switch (r->type) {
	case PP_RECORD_MMAP:
		return decode_mmap(d, p, end, r->misc, &r->u.mmap);
	case PP_RECORD_MMAP2:
		return decode_mmap2(d, p, end, r->misc, &r->u.mmap);
	case PP_RECORD_COMM:
		if (end < 16)
			return false;
		r->u.comm.pid = pd_u32(p + 8);
		r->u.comm.tid = pd_u32(p + 12);
		r->u.comm.exec = r->misc & PP_MISC_EXEC;
		r->u.comm.comm = str_at(d, p + 16, end - 16);
		return true;
	case PP_RECORD_FORK:
	case PP_RECORD_EXIT:
		if (end < 32)
			return false;
		r->u.fork.pid = pd_u32(p + 8);
		r->u.fork.ppid = pd_u32(p + 12);
		r->u.fork.tid = pd_u32(p + 16);
		r->u.fork.ptid = pd_u32(p + 20);
		r->u.fork.time = pd_u64(p + 24);
		return true;
	case PP_RECORD_LOST:
		if (end < 24)
			return false;
		r->u.lost.id = pd_u64(p + 8);
		r->u.lost.lost = pd_u64(p + 16);
		return true;
	case PP_RECORD_LOST_SAMPLES:
		if (end < 16)
			return false;
		r->u.lost.lost = pd_u64(p + 8);
		return true;
	case PP_RECORD_KSYMBOL:
		if (end < 24)
			return false;
		r->u.ksymbol.addr = pd_u64(p + 8);
		r->u.ksymbol.len = pd_u32(p + 16);
		r->u.ksymbol.ksym_type = pd_u16(p + 20);
		r->u.ksymbol.flags = pd_u16(p + 22);
		r->u.ksymbol.name = str_at(d, p + 24, end - 24);
		return true;
	default:
		return true;
	}
}

int pd_decode_record(struct pp_data *d, const struct pd_item *it, struct pp_record *r,
		     const char **why)
{
	const uint8_t *p = it->data;
	size_t size = it->size;
	memset(r, 0, sizeof *r);
	r->type = pd_u32(p);
	r->misc = pd_u16(p + 4);
	r->size = (uint16_t)size;
	r->data = p;
	r->offset = it->offset;
	r->file = d->streams[it->stream].name;
	r->has_time = it->has_time;
	r->time = it->time;
	r->event = PP_NO_EVENT;
	if (r->type == PP_RECORD_SAMPLE) {
		int rc = pd_decode_sample(d, p, size, &r->u.sample, why);
		r->event = r->u.sample.event;
		return rc;
	}
	bool ok;
	if (r->type == PP_RECORD_TIME_CONV) {
		ok = decode_time_conv(p, size, &r->u.time_conv);
	} else {
		size_t tlen = pd_decode_trailer(d, p, size, &r->sid, &r->event);
		ok = decode_fields(d, p, size - tlen, r);
	}
	if (!ok) {
		*why = "record is too short for its type";
		return WP_E_FORMAT;
	}
	return 0;
}

uint64_t pp_tsc_to_perf_time(const struct pp_time_conv *tc, uint64_t cyc)
{
	if (tc->has_short && tc->cap_user_time_short)
		cyc = tc->time_cycles + ((cyc - tc->time_cycles) & tc->time_mask);
	/* a hostile shift of 64 or more: treat as 63 (no undefined shift) */
	unsigned shift = tc->time_shift < 64 ? (unsigned)tc->time_shift : 63;
	uint64_t quot = cyc >> shift;
	uint64_t rem = cyc & ((1ull << shift) - 1);
	return tc->time_zero + quot * tc->time_mult + ((rem * tc->time_mult) >> shift);
}
