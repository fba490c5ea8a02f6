/* perfdata_feature.c - the feature sections of perf.data (file mode, after
 * the data) and their pipe-mode twins (HEADER_FEATURE, HEADER_BUILD_ID
 * records): host facts, command line, event names, build-ids, clocks.
 * Layouts: tools/perf/Documentation/perf.data-file-format.txt in the
 * kernel tree. */
#include <stdio.h>
#include <stdlib.h>

#include "perfdata_internal.h"

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
	if (wp_grow((void **)&d->build_ids, &d->build_ids_cap, d->nbuild_ids + 1,
		    sizeof *d->build_ids))
		return WP_E_NOMEM;
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
	b->filename = name; /* owned: freed with the reader */
	d->nbuild_ids++;
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
			pd_attr_set_name(d, at, name, len);
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

/* The HEADER_* features this reader uses (perf.data-file-format.txt
 * numbers); the others are skipped unread. pd_parse_feature() has one case
 * for each. */
#define PD_FEATURES_READ(_)                                                       \
	_(1, TRACING_DATA) _(2, BUILD_ID) _(3, HOSTNAME) _(4, OSRELEASE)         \
	_(5, VERSION) _(6, ARCH) _(7, NRCPUS) _(8, CPUDESC) _(11, CMDLINE)       \
	_(12, EVENT_DESC) _(21, SAMPLE_TIME) _(23, CLOCKID) _(24, DIR_FORMAT)    \
	_(27, COMPRESSED) _(29, CLOCK_DATA)

bool pd_feature_read(unsigned bit)
{
	switch (bit) {
#define PD_FEATURE_CASE(num, name) case num:
	PD_FEATURES_READ(PD_FEATURE_CASE)
#undef PD_FEATURE_CASE
		return true;
	default:
		return false;
	}
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
		return 0; /* not in PD_FEATURES_READ: skipped */
	}
}
