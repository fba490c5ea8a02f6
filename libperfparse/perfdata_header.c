/* perfdata_header.c - the file-mode header of perf.data: the fixed
 * perf_file_header, the attrs section with each attr's ids, and the table
 * of feature sections after the data (parsed in perfdata_feature.c).
 * Layout: tools/perf/Documentation/perf.data-file-format.txt in the kernel
 * tree. */
#include <stdio.h>
#include <stdlib.h>

#include "perfdata_internal.h"

#define ATTR_VER0 64                   /* PERF_ATTR_SIZE_VER0 */

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

/* attrs section: { perf_event_attr; perf_file_section ids; }[nattrs] */
static int read_attrs(struct pp_data *d, struct pd_stream *st, uint64_t attr_size,
		      uint64_t attrs_off, uint64_t attrs_size)
{
	uint64_t nattrs = attrs_size / attr_size;
	if (nattrs > PD_MAX_ATTRS)
		return pd_fail(d, WP_E_TOOBIG, st->name, 32, "%llu attrs", (unsigned long long)nattrs);
	uint8_t *attrs;
	int rc = read_section(d, st, attrs_off, nattrs * attr_size, nattrs * attr_size, &attrs);
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
	return rc;
}

/* A damaged feature section is a warning: the data is still worth reading. */
static void feature_damaged(struct pp_data *d)
{
	pd_warn(d, PD_W_FEATURE, "%s", d->err);
	d->err[0] = '\0';
}

/* The file ends before a feature section (or the table of them): the
 * records are still read, and the cut is the reader's error after the last
 * one (a truncated perf.data is an error, not a warning). */
static void features_cut(struct pp_data *d, struct pd_stream *st, const char *what, uint64_t off,
			 uint64_t size)
{
	if (d->cut_err)
		return;
	d->cut_err = WP_E_TRUNCATED;
	snprintf(d->cut_msg, sizeof d->cut_msg,
		 "'%s': offset 0x%llx: file cut short: %s of %llu bytes runs past its end "
		 "(%llu bytes); the header features from there on are missing",
		 st->name, (unsigned long long)off, what, (unsigned long long)size,
		 (unsigned long long)d->file_size);
}

static bool past_end(const struct pp_data *d, uint64_t off, uint64_t size)
{
	return d->file_size != UINT64_MAX && (off > d->file_size || size > d->file_size - off);
}

/* One feature section at off: read and parsed; 0, or < 0 when out of memory. */
static int read_feature(struct pp_data *d, struct pd_stream *st, unsigned bit, uint64_t off,
			uint64_t size)
{
	uint64_t cap = bit == 1 ? PD_MAX_TRACING : PD_MAX_FEATURE;
	if (past_end(d, off, size)) {
		char what[32];
		snprintf(what, sizeof what, "feature section %u", bit);
		features_cut(d, st, what, off, size);
		return 0;
	}
	uint8_t *sec;
	int rc = read_section(d, st, off, size, cap, &sec);
	if (rc) {
		feature_damaged(d);
		return 0;
	}
	rc = pd_parse_feature(d, bit, sec, (size_t)size);
	free(sec);
	return pd_soft_error(d, rc, PD_W_FEATURE, st->name, off, "feature", bit, "");
}

/* Feature sections: a table of one perf_file_section per set bit, in bit
 * order, right after the data. */
static int read_features(struct pp_data *d, struct pd_stream *st, uint64_t table)
{
	unsigned nfeat = 0;
	for (int i = 0; i < 4; i++)
		nfeat += (unsigned)__builtin_popcountll(d->info.features[i]);
	if (!nfeat)
		return 0;
	uint8_t *tab;
	if (past_end(d, table, (uint64_t)nfeat * 16)) {
		features_cut(d, st, "the table of feature sections", table, (uint64_t)nfeat * 16);
		return 0;
	}
	if (read_section(d, st, table, (uint64_t)nfeat * 16, (uint64_t)nfeat * 16, &tab)) {
		feature_damaged(d);
		return 0;
	}
	int rc = 0;
	unsigned k = 0;
	for (unsigned bit = 0; bit < 256 && !rc; bit++) {
		if (!(d->info.features[bit / 64] >> (bit % 64) & 1))
			continue;
		uint64_t off = pd_u64(tab + 16 * k), size = pd_u64(tab + 16 * k + 8);
		k++;
		if (pd_feature_read(bit) || past_end(d, off, size))
			rc = read_feature(d, st, bit, off, size);
	}
	free(tab);
	return rc;
}

int pd_read_file_header(struct pp_data *d, struct pd_stream *st, uint64_t *data_off,
			uint64_t *data_size)
{
	uint8_t h[104];
	int rc = pd_src_pread(&st->src, 0, h, sizeof h);
	if (rc)
		return pd_fail(d, rc, st->name, 0, "file header is cut short");
	uint64_t hsize = pd_u64(h + 8), attr_size = pd_u64(h + 16);
	uint64_t doff = pd_u64(h + 40), dsize = pd_u64(h + 48);
	if (hsize < 104)
		return pd_fail(d, WP_E_FORMAT, st->name, 8, "header size %llu is not 104",
			       (unsigned long long)hsize);
	if (attr_size < 16 + ATTR_VER0 || attr_size > 16 + 4096)
		return pd_fail(d, WP_E_FORMAT, st->name, 16, "attr size %llu is implausible",
			       (unsigned long long)attr_size);
	for (int i = 0; i < 4; i++)
		d->info.features[i] = pd_u64(h + 72 + 8 * i);
	if ((rc = read_attrs(d, st, attr_size, pd_u64(h + 24), pd_u64(h + 32))) != 0)
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
		pd_warn(d, PD_W_FEATURE, "'%s': offset 0x30: data size is 0 (interrupted recording?): "
			"reading to the end of the file, without header features", st->name);
		return 0;
	}
	if (d->file_size != UINT64_MAX && dsize > d->file_size - doff)
		return 0; /* truncated: the records before the cut are still read; no features */
	return read_features(d, st, doff + dsize);
}
