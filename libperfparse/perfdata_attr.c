/* perfdata_attr.c - the events of a recording: each perf_event_attr with
 * its sample ids (id -> attr map), the event names perf shows, and the
 * in-band records that add to them (EVENT_UPDATE, ID_INDEX).
 * Layout of perf_event_attr: include/uapi/linux/perf_event.h. */
#include <stdio.h>
#include <stdlib.h>

#include "perfdata_internal.h"

#define ATTR_MAX 136                   /* PERF_ATTR_SIZE_VER8 */

/* ---- id -> attr map: open addressing, UINT32_MAX marks a free slot ---- */

static int id_grow(struct pp_data *d)
{
	size_t ncap = d->id_cap ? d->id_cap * 2 : 64;
	uint64_t *keys = malloc(ncap * sizeof *keys);
	uint32_t *vals = malloc(ncap * sizeof *vals);
	if (!keys || !vals) {
		free(keys);
		free(vals);
		return WP_E_NOMEM;
	}
	for (size_t i = 0; i < ncap; i++)
		vals[i] = UINT32_MAX;
	for (size_t i = 0; i < d->id_cap; i++) {
		if (d->id_vals[i] == UINT32_MAX)
			continue;
		size_t h = (size_t)wp_hash_bytes(&d->id_keys[i], 8, 0) & (ncap - 1);
		while (vals[h] != UINT32_MAX)
			h = (h + 1) & (ncap - 1);
		keys[h] = d->id_keys[i];
		vals[h] = d->id_vals[i];
	}
	free(d->id_keys);
	free(d->id_vals);
	d->id_keys = keys;
	d->id_vals = vals;
	d->id_cap = ncap;
	return 0;
}

/* Records that sample id `id` belongs to attr `attr` (later entries win). */
int pd_add_id(struct pp_data *d, uint64_t id, size_t attr)
{
	if (attr >= d->nattrs)
		return WP_E_FORMAT;
	if (d->id_count >= PD_MAX_IDS)
		return WP_E_TOOBIG;
	if ((d->id_count + 1) * 2 > d->id_cap) {
		int rc = id_grow(d);
		if (rc)
			return rc;
	}
	size_t h = (size_t)wp_hash_bytes(&id, 8, 0) & (d->id_cap - 1);
	while (d->id_vals[h] != UINT32_MAX && d->id_keys[h] != id)
		h = (h + 1) & (d->id_cap - 1);
	if (d->id_vals[h] == UINT32_MAX)
		d->id_count++;
	d->id_keys[h] = id;
	d->id_vals[h] = (uint32_t)attr;
	struct pd_attr *a = d->attrs[attr];
	if (wp_grow((void **)&a->ids, &a->ids_cap, a->nids + 1, sizeof *a->ids))
		return WP_E_NOMEM;
	a->ids[a->nids++] = id;
	a->ev.ids = a->ids;
	a->ev.nids = a->nids;
	return 0;
}

bool pd_lookup_id(const struct pp_data *d, uint64_t id, size_t *attr)
{
	if (!d->id_cap)
		return false;
	size_t h = (size_t)wp_hash_bytes(&id, 8, 0) & (d->id_cap - 1);
	while (d->id_vals[h] != UINT32_MAX) {
		if (d->id_keys[h] == id) {
			*attr = d->id_vals[h];
			return true;
		}
		h = (h + 1) & (d->id_cap - 1);
	}
	return false;
}

/* ---- attrs ---- */

/* p: a perf_event_attr of n bytes as recorded (may be shorter or longer
 * than the newest one: missing fields are zero). */
int pd_add_attr(struct pp_data *d, const uint8_t *p, size_t n, const uint8_t *ids_le,
		size_t nids, size_t *index)
{
	if (d->nattrs >= PD_MAX_ATTRS)
		return WP_E_TOOBIG;
	uint8_t a[ATTR_MAX] = {0};
	memcpy(a, p, n < ATTR_MAX ? n : ATTR_MAX);
	if (wp_grow((void **)&d->attrs, &d->attrs_cap, d->nattrs + 1, sizeof *d->attrs))
		return WP_E_NOMEM;
	struct pd_attr *at = calloc(1, sizeof *at);
	if (!at)
		return WP_E_NOMEM;
	d->attrs[d->nattrs] = at;
	uint64_t flags = pd_u64(a + 40);
	at->ev.type = pd_u32(a);
	at->ev.attr_size = pd_u32(a + 4);
	at->ev.config = pd_u64(a + 8);
	at->ev.sample_period = pd_u64(a + 16);
	at->ev.sample_type = pd_u64(a + 24);
	at->ev.read_format = pd_u64(a + 32);
	at->ev.freq = flags & (1u << 10);
	at->ev.sample_id_all = flags & (1u << 18);
	at->ev.branch_sample_type = pd_u64(a + 72);
	at->ev.sample_regs_user = pd_u64(a + 80);
	at->ev.sample_stack_user = pd_u32(a + 88);
	at->ev.sample_regs_intr = pd_u64(a + 96);
	at->ev.name = "";
	size_t idx = d->nattrs++;
	for (size_t i = 0; i < nids; i++) {
		int rc = pd_add_id(d, pd_u64(ids_le + 8 * i), idx);
		if (rc)
			return rc;
	}
	if (index)
		*index = idx;
	return 0;
}

void pd_attrs_release(struct pp_data *d)
{
	for (size_t i = 0; i < d->nattrs; i++) {
		free(d->attrs[i]->ids);
		free(d->attrs[i]->name);
		free(d->attrs[i]->gen_name);
		free(d->attrs[i]);
	}
	free(d->attrs);
	free(d->id_keys);
	free(d->id_vals);
	d->attrs = NULL;
	d->nattrs = d->attrs_cap = 0;
}

static const char *const hw_names[] = {
	"cycles", "instructions", "cache-references", "cache-misses", "branch-instructions",
	"branch-misses", "bus-cycles", "stalled-cycles-frontend", "stalled-cycles-backend",
	"ref-cycles",
};
static const char *const sw_names[] = {
	"cpu-clock", "task-clock", "page-faults", "context-switches", "cpu-migrations",
	"minor-faults", "major-faults", "alignment-faults", "emulation-faults", "dummy",
	"bpf-output", "cgroup-switches",
};

const char *pd_attr_name(struct pp_data *d, size_t i)
{
	struct pd_attr *a = d->attrs[i];
	if (a->name)
		return a->name;
	if (a->gen_name)
		return a->gen_name;
	const char *fixed = NULL;
	if (a->ev.type == 0 && a->ev.config < sizeof hw_names / sizeof *hw_names)
		fixed = hw_names[a->ev.config];
	else if (a->ev.type == 1 && a->ev.config < sizeof sw_names / sizeof *sw_names)
		fixed = sw_names[a->ev.config];
	else if (a->ev.type == 2)
		fixed = pd_trace_event_name(d, i);
	char tmp[64];
	if (!fixed) {
		snprintf(tmp, sizeof tmp, "%s:%llu", a->ev.type == 2 ? "tracepoint" : "raw",
			 (unsigned long long)a->ev.config);
		if (a->ev.type == 2 && !d->tep) { /* pipe mode: the formats may still come */
			snprintf(d->namebuf, sizeof d->namebuf, "%s", tmp);
			return d->namebuf;
		}
		fixed = tmp;
	}
	a->gen_name = pd_strdup_n(fixed, strlen(fixed));
	return a->gen_name ? a->gen_name : "[unknown]";
}

void pd_attr_set_name(struct pp_data *d, size_t i, const char *p, size_t n)
{
	char *s = pd_strdup_n(p, strnlen(p, n));
	if (!s)
		return;
	free(d->attrs[i]->name);
	d->attrs[i]->name = s;
	d->attrs[i]->ev.name = s;
}

/* ---- in-band records ---- */

int pd_event_update(struct pp_data *d, const uint8_t *p, size_t n)
{
	/* u64 type (0 unit, 1 scale, 2 name, 3 cpus), u64 id, data */
	if (n < 24)
		return WP_E_FORMAT;
	size_t at;
	if (pd_u64(p + 8) == 2 && pd_lookup_id(d, pd_u64(p + 16), &at))
		pd_attr_set_name(d, at, (const char *)p + 24, n - 24);
	return 0;
}

/* ID_INDEX: u64 nr; { u64 id, idx, cpu, tid [, machine_pid, vcpu] }[nr].
 * idx is the ring buffer (mmap) index, not the event's: perf uses the
 * entries to add cpu/tid to ids it already knows (evlist__id2sid), so they
 * map nothing here; only the shape is checked. */
int pd_id_index(struct pp_data *d, const uint8_t *p, size_t n)
{
	(void)d;
	if (n < 16)
		return WP_E_FORMAT;
	uint64_t nr = pd_u64(p + 8);
	if (nr > (n - 16) / 32)
		return WP_E_FORMAT;
	return 0;
}
