/* perfdata_header.c - what perf.data says about itself: the file header,
 * the attrs section with each attr's sample ids, the feature sections, and
 * their pipe-mode equivalents (HEADER_ATTR, HEADER_FEATURE,
 * HEADER_BUILD_ID, EVENT_UPDATE, ID_INDEX records).
 * Layouts: research/perfdata-format.md §1.1-§1.3 (perf.data-file-format.txt). */
#include <stdio.h>
#include <stdlib.h>

#include "perfdata_internal.h"

#define ATTR_MAX 136                   /* PERF_ATTR_SIZE_VER8 */
#define ATTR_VER0 64

char *pd_strdup_n(const char *p, size_t n)
{
	char *s = malloc(n + 1);
	if (s) {
		memcpy(s, p, n);
		s[n] = '\0';
	}
	return s;
}

/* ---- id -> attr map ---- */

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
	if (a->nids == a->ids_cap) {
		size_t ncap = a->ids_cap ? a->ids_cap * 2 : 8;
		uint64_t *n = realloc(a->ids, ncap * sizeof *n);
		if (!n)
			return WP_E_NOMEM;
		a->ids = n;
		a->ids_cap = ncap;
	}
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
	struct pd_attr **na = realloc(d->attrs, (d->nattrs + 1) * sizeof *na);
	if (!na)
		return WP_E_NOMEM;
	d->attrs = na;
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
	d->nattrs = 0;
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

static void set_name(struct pp_data *d, size_t i, const char *p, size_t n)
{
	char *s = pd_strdup_n(p, strnlen(p, n));
	if (!s)
		return;
	free(d->attrs[i]->name);
	d->attrs[i]->name = s;
	d->attrs[i]->ev.name = s;
}

/* ---- feature payloads ---- */

/* perf_header_string: u32 len; char str[len] (NUL-padded). */
static bool get_string(const uint8_t *p, size_t n, size_t *pos, const char **s, size_t *len)
{
	if (n - *pos < 4)
		return false;
	uint32_t l = pd_u32(p + *pos);
	if (l > n - *pos - 4)
		return false;
	*s = (const char *)p + *pos + 4;
	*len = strnlen(*s, l);
	*pos += 4 + (size_t)l;
	return true;
}

static void store_string(char **slot, const char **info, const uint8_t *p, size_t n)
{
	size_t pos = 0, len;
	const char *s;
	if (!get_string(p, n, &pos, &s, &len))
		return;
	free(*slot);
	*slot = pd_strdup_n(s, len);
	*info = *slot;
}

int pd_add_build_id_rec(struct pp_data *d, const uint8_t *p, size_t n)
{
	/* perf_record_header_build_id: header; s32 pid; u8 build_id[24]; char filename[] */
	if (n < 36)
		return WP_E_FORMAT;
	if (d->nbuild_ids >= PD_MAX_BUILD_IDS)
		return WP_E_TOOBIG;
	if (d->nbuild_ids == d->build_ids_cap) {
		size_t ncap = d->build_ids_cap ? d->build_ids_cap * 2 : 16;
		struct pp_build_id *nb = realloc(d->build_ids, ncap * sizeof *nb);
		if (!nb)
			return WP_E_NOMEM;
		d->build_ids = nb;
		char **nn = realloc(d->build_id_names, ncap * sizeof *nn);
		if (!nn)
			return WP_E_NOMEM;
		d->build_id_names = nn;
		d->build_ids_cap = ncap;
	}
	uint16_t misc = pd_u16(p + 4);
	char *name = pd_strdup_n((const char *)p + 36, strnlen((const char *)p + 36, n - 36));
	if (!name)
		return WP_E_NOMEM;
	struct pp_build_id *b = &d->build_ids[d->nbuild_ids];
	memset(b, 0, sizeof *b);
	b->pid = (int32_t)pd_u32(p + 8);
	b->cpumode = misc & PP_MISC_CPUMODE_MASK;
	b->size = 20;
	if (misc & (1u << 15)) /* PERF_RECORD_MISC_BUILD_ID_SIZE: byte 20 is the length */
		b->size = p[12 + 20] <= 20 ? p[12 + 20] : 20;
	memcpy(b->id, p + 12, 20);
	b->filename = name;
	d->build_id_names[d->nbuild_ids++] = name;
	return 0;
}

static int feat_build_ids(struct pp_data *d, const uint8_t *p, size_t n)
{
	size_t pos = 0;
	while (n - pos >= 8) {
		size_t sz = pd_u16(p + pos + 6);
		if (sz < 36 || sz > n - pos)
			return WP_E_FORMAT;
		int rc = pd_add_build_id_rec(d, p + pos, sz);
		if (rc)
			return rc;
		pos += sz;
	}
	return 0;
}

static int feat_event_desc(struct pp_data *d, const uint8_t *p, size_t n)
{
	if (n < 8)
		return WP_E_FORMAT;
	uint32_t nr = pd_u32(p), asz = pd_u32(p + 4);
	size_t pos = 8;
	if (asz < 8 || asz > 4096)
		return WP_E_FORMAT;
	for (uint32_t k = 0; k < nr; k++) {
		if (n - pos < (size_t)asz + 4)
			return WP_E_FORMAT;
		pos += asz;
		uint32_t nids = pd_u32(p + pos);
		pos += 4;
		const char *name;
		size_t len;
		if (!get_string(p, n, &pos, &name, &len))
			return WP_E_FORMAT;
		if (nids > (n - pos) / 8)
			return WP_E_FORMAT;
		size_t at = SIZE_MAX;
		if (nids > 0 && !pd_lookup_id(d, pd_u64(p + pos), &at))
			at = SIZE_MAX;
		if (at == SIZE_MAX && k < d->nattrs)
			at = k;
		if (at != SIZE_MAX)
			set_name(d, at, name, len);
		pos += (size_t)nids * 8;
	}
	return 0;
}

static int feat_cmdline(struct pp_data *d, const uint8_t *p, size_t n)
{
	if (n < 4)
		return WP_E_FORMAT;
	uint32_t nr = pd_u32(p);
	size_t pos = 4;
	struct wp_buf b;
	wp_buf_init(&b, PD_MAX_FEATURE);
	for (uint32_t i = 0; i < nr; i++) {
		const char *s;
		size_t len;
		if (!get_string(p, n, &pos, &s, &len))
			break;
		if ((i && wp_buf_putc(&b, ' ')) || wp_buf_append(&b, s, len))
			break;
	}
	free(d->str_cmdline);
	d->str_cmdline = wp_buf_detach(&b, NULL);
	d->info.cmdline = d->str_cmdline;
	return 0;
}

int pd_parse_feature(struct pp_data *d, unsigned bit, const uint8_t *p, size_t n)
{
	struct pp_data_info *in = &d->info;
	switch (bit) {
	case 1: /* HEADER_TRACING_DATA */
		return pd_trace_parse(d, p, n);
	case 2: /* HEADER_BUILD_ID */
		return feat_build_ids(d, p, n);
	case 3:
		store_string(&d->str_hostname, &in->hostname, p, n);
		return 0;
	case 4:
		store_string(&d->str_osrelease, &in->osrelease, p, n);
		return 0;
	case 5:
		store_string(&d->str_version, &in->perf_version, p, n);
		return 0;
	case 6:
		store_string(&d->str_arch, &in->arch, p, n);
		return 0;
	case 7: /* NRCPUS */
		if (n < 8)
			return WP_E_FORMAT;
		in->nr_cpus_avail = pd_u32(p);
		in->nr_cpus_online = pd_u32(p + 4);
		return 0;
	case 8:
		store_string(&d->str_cpudesc, &in->cpudesc, p, n);
		return 0;
	case 11:
		return feat_cmdline(d, p, n);
	case 12:
		return feat_event_desc(d, p, n);
	case 21: /* SAMPLE_TIME */
		if (n < 16)
			return WP_E_FORMAT;
		in->has_sample_time = true;
		in->first_sample_time = pd_u64(p);
		in->last_sample_time = pd_u64(p + 8);
		return 0;
	case 23: /* CLOCKID: resolution in ns */
		if (n < 8)
			return WP_E_FORMAT;
		in->has_clockid = true;
		in->clockid_res_ns = pd_u64(p);
		return 0;
	case 24: /* DIR_FORMAT */
		if (n < 8)
			return WP_E_FORMAT;
		in->dir_format_version = pd_u64(p);
		return 0;
	case 27: /* COMPRESSED */
		if (n < 20)
			return WP_E_FORMAT;
		in->compressed = true;
		in->comp_type = pd_u32(p + 4);
		in->comp_level = pd_u32(p + 8);
		in->comp_ratio = pd_u32(p + 12);
		in->comp_mmap_len = pd_u32(p + 16);
		return 0;
	case 29: /* CLOCK_DATA */
		if (n < 24)
			return WP_E_FORMAT;
		in->has_clock_data = true;
		in->clockid = pd_u32(p + 4);
		in->wall_clock_ns = pd_u64(p + 8);
		in->clockid_time_ns = pd_u64(p + 16);
		return 0;
	default:
		return 0; /* known to be useless here, or unknown: skipped */
	}
}

/* ---- in-band records ---- */

int pd_event_update(struct pp_data *d, const uint8_t *p, size_t n)
{
	/* u64 type (0 unit, 1 scale, 2 name, 3 cpus), u64 id, data */
	if (n < 24)
		return WP_E_FORMAT;
	size_t at;
	if (pd_u64(p + 8) == 2 && pd_lookup_id(d, pd_u64(p + 16), &at))
		set_name(d, at, (const char *)p + 24, n - 24);
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

/* ---- file mode header ---- */

static int read_section(struct pp_data *d, struct pd_stream *st, uint64_t off, uint64_t size,
			uint64_t cap, uint8_t **out)
{
	*out = NULL;
	if (size > cap)
		return pd_fail(d, WP_E_TOOBIG, st->name, off, "section of %llu bytes is too large",
			       (unsigned long long)size);
	if (d->file_size != UINT64_MAX && (off > d->file_size || size > d->file_size - off))
		return pd_fail(d, WP_E_TRUNCATED, st->name, off,
			       "section of %llu bytes runs past the end of the file (%llu bytes)",
			       (unsigned long long)size, (unsigned long long)d->file_size);
	uint8_t *b = malloc(size ? (size_t)size : 1);
	if (!b)
		return pd_fail(d, WP_E_NOMEM, st->name, off, "out of memory");
	int rc = pd_src_pread(&st->src, off, b, (size_t)size);
	if (rc) {
		free(b);
		return pd_fail(d, rc, st->name, off, "cannot read %llu bytes: %s",
			       (unsigned long long)size, wp_strerror(rc));
	}
	*out = b;
	return 0;
}

int pd_read_file_header(struct pp_data *d, struct pd_stream *st, uint64_t *data_off,
			uint64_t *data_size)
{
	uint8_t h[104];
	int rc = pd_src_pread(&st->src, 0, h, sizeof h);
	if (rc)
		return pd_fail(d, rc, st->name, 0, "file header is cut short");
	uint64_t hsize = pd_u64(h + 8), attr_size = pd_u64(h + 16);
	uint64_t attrs_off = pd_u64(h + 24), attrs_size = pd_u64(h + 32);
	uint64_t doff = pd_u64(h + 40), dsize = pd_u64(h + 48);
	if (hsize < 104)
		return pd_fail(d, WP_E_FORMAT, st->name, 8, "header size %llu is not 104",
			       (unsigned long long)hsize);
	if (attr_size < 16 + ATTR_VER0 || attr_size > 16 + 4096)
		return pd_fail(d, WP_E_FORMAT, st->name, 16, "attr size %llu is implausible",
			       (unsigned long long)attr_size);
	for (int i = 0; i < 4; i++)
		d->info.features[i] = pd_u64(h + 72 + 8 * i);

	/* attrs section: { perf_event_attr; perf_file_section ids; }[] */
	uint64_t nattrs = attrs_size / attr_size;
	if (nattrs > PD_MAX_ATTRS)
		return pd_fail(d, WP_E_TOOBIG, st->name, 32, "%llu attrs", (unsigned long long)nattrs);
	uint8_t *attrs;
	rc = read_section(d, st, attrs_off, nattrs * attr_size, nattrs * attr_size, &attrs);
	if (rc)
		return rc;
	for (uint64_t i = 0; i < nattrs && rc == 0; i++) {
		const uint8_t *a = attrs + i * attr_size;
		uint64_t ids_off = pd_u64(a + attr_size - 16), ids_size = pd_u64(a + attr_size - 8);
		uint8_t *ids;
		rc = read_section(d, st, ids_off, ids_size / 8 * 8, (uint64_t)PD_MAX_IDS * 8, &ids);
		if (rc)
			break;
		rc = pd_add_attr(d, a, (size_t)attr_size - 16, ids,
				 (size_t)(ids_size / 8), NULL);
		free(ids);
		if (rc)
			rc = pd_fail(d, rc, st->name, attrs_off + i * attr_size, "attr %llu: %s",
				     (unsigned long long)i, wp_strerror(rc));
	}
	free(attrs);
	if (rc)
		return rc;

	if (d->file_size != UINT64_MAX && doff > d->file_size)
		return pd_fail(d, WP_E_TRUNCATED, st->name, 40,
			       "data section at 0x%llx lies past the end of the file",
			       (unsigned long long)doff);
	*data_off = doff;
	*data_size = dsize;
	if (dsize == 0) {
		/* Interrupted: perf never rewrote the header; no feature sections. */
		d->info.data_size_unknown = true;
		pd_warn(d, PD_W_FEATURE, "%s: offset 0x30: data size is 0 (interrupted recording?): "
			"reading to the end of the file, without header features", st->name);
		return 0;
	}
	if (d->file_size != UINT64_MAX && dsize > d->file_size - doff)
		return 0; /* truncated: the records before the cut are still read; no features */

	/* Feature sections: one perf_file_section per set bit, in bit order. */
	uint64_t table = doff + dsize;
	unsigned nfeat = 0;
	for (int i = 0; i < 4; i++)
		nfeat += (unsigned)__builtin_popcountll(d->info.features[i]);
	if (!nfeat)
		return 0;
	uint8_t *tab;
	rc = read_section(d, st, table, (uint64_t)nfeat * 16, (uint64_t)nfeat * 16, &tab);
	if (rc) {
		/* Data before the damage is still worth reading. */
		pd_warn(d, PD_W_FEATURE, "%s", d->err);
		d->err[0] = '\0';
		return 0;
	}
	unsigned k = 0;
	for (unsigned bit = 0; bit < 256; bit++) {
		if (!(d->info.features[bit / 64] >> (bit % 64) & 1))
			continue;
		uint64_t off = pd_u64(tab + 16 * k), size = pd_u64(tab + 16 * k + 8);
		k++;
		if (bit != 1 && bit != 2 && bit != 3 && bit != 4 && bit != 5 && bit != 6 && bit != 7 &&
		    bit != 8 && bit != 11 && bit != 12 && bit != 21 && bit != 23 && bit != 24 &&
		    bit != 27 && bit != 29)
			continue;
		uint8_t *sec;
		rc = read_section(d, st, off, size, bit == 1 ? PD_MAX_TRACING : PD_MAX_FEATURE, &sec);
		if (rc == 0) {
			rc = pd_parse_feature(d, bit, sec, (size_t)size);
			if (rc == WP_E_NOMEM) {
				free(sec);
				free(tab);
				return pd_fail(d, rc, st->name, off, "out of memory");
			}
			if (rc)
				pd_warn(d, PD_W_FEATURE, "%s: offset 0x%llx: feature %u: %s", st->name,
					(unsigned long long)off, bit, wp_strerror(rc));
		} else {
			pd_warn(d, PD_W_FEATURE, "%s", d->err);
			d->err[0] = '\0';
		}
		free(sec);
	}
	free(tab);
	return 0;
}
